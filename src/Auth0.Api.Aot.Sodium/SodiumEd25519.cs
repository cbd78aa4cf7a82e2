// Ed25519 verification (RFC 8032 section 5.1.7) for EdDSA DPoP proofs, through NSec.Cryptography over libsodium.
//
//   public key  32 bytes (RFC 8032 5.1.5; JWK "x", RFC 8037 section 2)
//   signature   64 bytes (RFC 8032 5.1.6)
//
// libsodium's crypto_sign_verify_detached rejects non-canonical encodings of S (S >= L) and small-order public keys
// and R values, so a signature is not malleable and a low-order key cannot make every signature verify.

using System;
using System.Diagnostics.CodeAnalysis;
using NSec.Cryptography;

namespace Auth0.Api.Aot.Sodium;

/// <summary>
/// Ed25519 signature verification through NSec.Cryptography (libsodium), for DPoP proofs signed with
/// <see cref="SigningAlgorithms.EdDSA"/> or <see cref="SigningAlgorithms.Ed25519"/>.
/// </summary>
/// <example>
/// <code>
/// ApiClient client = new(new ApiClientOptions
/// {
///     Domain = "tenant.auth0.com",
///     Audience = "https://api.example.com",
///     DPoPAlgorithms = SigningAlgorithms.ES256 | SigningAlgorithms.EdDSA | SigningAlgorithms.Ed25519,
///     Ed25519Provider = SodiumEd25519.Instance,
/// });
/// </code>
/// </example>
/// <remarks>Thread safety: the instance and the keys it imports are immutable and safe for concurrent use.</remarks>
public sealed class SodiumEd25519 : IEd25519Provider
{
    private static readonly SignatureAlgorithm s_algorithm = SignatureAlgorithm.Ed25519;

    private SodiumEd25519()
    {
    }

    /// <summary>The provider. It holds no state beyond libsodium's, which NSec initialises once per process.</summary>
    public static SodiumEd25519 Instance { get; } = new();

    /// <inheritdoc/>
    public bool TryImportPublicKey(ReadOnlySpan<byte> publicKey, [NotNullWhen(true)] out IEd25519PublicKey? key)
    {
        if (publicKey.Length == s_algorithm.PublicKeySize
            && PublicKey.TryImport(s_algorithm, publicKey, KeyBlobFormat.RawPublicKey, out PublicKey? imported)
            && imported is not null)
        {
            key = new Key(imported);
            return true;
        }

        key = null;
        return false;
    }

    private sealed class Key : IEd25519PublicKey
    {
        private readonly PublicKey _publicKey;

        public Key(PublicKey publicKey) => _publicKey = publicKey;

        public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
            => signature.Length == s_algorithm.SignatureSize && s_algorithm.Verify(_publicKey, data, signature);
    }
}
