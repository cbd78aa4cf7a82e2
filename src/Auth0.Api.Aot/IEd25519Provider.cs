using System;
using System.Diagnostics.CodeAnalysis;

namespace Auth0.Api.Aot;

/// <summary>
/// Ed25519 signature verification (RFC 8032) for DPoP proofs signed with <see cref="SigningAlgorithms.EdDSA"/> or
/// <see cref="SigningAlgorithms.Ed25519"/>. The BCL has no Ed25519, so this library does not implement it: the
/// <c>Auth0.Api.Aot.Sodium</c> package provides <c>SodiumEd25519.Instance</c>, built on NSec.Cryptography (libsodium).
/// </summary>
/// <remarks>
/// A proof key is imported once, when a client key is first seen, and the imported key verifies every later proof made
/// with it. Implementations must be safe for concurrent use, and must not throw for a malformed key or signature: they
/// answer <see langword="false"/>. An exception from either method is treated as such a
/// <see langword="false"/> (a key that cannot be used, a signature that does not verify), never passed on.
/// </remarks>
public interface IEd25519Provider
{
    /// <summary>Imports a raw Ed25519 public key (the 32 bytes of a JWK's <c>x</c>, RFC 8037 section 2).</summary>
    /// <param name="publicKey">The public key bytes; 32 bytes when well formed.</param>
    /// <param name="key">The imported key, when the bytes are a valid Ed25519 public key.</param>
    /// <returns><see langword="true"/> when the key was imported; <see langword="false"/> when the bytes are not a valid key.</returns>
    public bool TryImportPublicKey(ReadOnlySpan<byte> publicKey, [NotNullWhen(true)] out IEd25519PublicKey? key);
}

/// <summary>An Ed25519 public key imported by an <see cref="IEd25519Provider"/>.</summary>
/// <remarks>Implementations must be safe for concurrent use.</remarks>
public interface IEd25519PublicKey
{
    /// <summary>Verifies an Ed25519 signature (RFC 8032 section 5.1.7) over <paramref name="data"/>.</summary>
    /// <param name="data">The signed bytes: the proof's JWS signing input.</param>
    /// <param name="signature">The signature; 64 bytes when well formed.</param>
    /// <returns><see langword="true"/> when the signature is valid; <see langword="false"/> otherwise, never an exception.</returns>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);
}
