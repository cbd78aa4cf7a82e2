using System;

namespace Auth0.Api.Aot;

/// <summary>
/// JWS signature algorithms (RFC 7518 section 3) that this library can verify. Values combine as flags,
/// so an allow-list is written as <c>SigningAlgorithms.RS256 | SigningAlgorithms.PS256</c>.
/// </summary>
/// <remarks>
/// Symmetric algorithms (<c>HS256</c>, <c>HS384</c>, <c>HS512</c>) and <c>none</c> have no member: they are
/// refused for every token, before any network call, whatever the configuration.
/// </remarks>
[Flags]
public enum SigningAlgorithms
{
    /// <summary>No algorithm.</summary>
    None = 0,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256. The only algorithm Auth0 uses for access tokens.</summary>
    RS256 = 1 << 0,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-384.</summary>
    RS384 = 1 << 1,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-512.</summary>
    RS512 = 1 << 2,

    /// <summary>RSASSA-PSS with SHA-256 and MGF1 with SHA-256.</summary>
    PS256 = 1 << 3,

    /// <summary>RSASSA-PSS with SHA-384 and MGF1 with SHA-384.</summary>
    PS384 = 1 << 4,

    /// <summary>RSASSA-PSS with SHA-512 and MGF1 with SHA-512.</summary>
    PS512 = 1 << 5,

    /// <summary>ECDSA on P-256 with SHA-256 (64-byte IEEE P1363 signature).</summary>
    ES256 = 1 << 6,

    /// <summary>ECDSA on P-384 with SHA-384 (96-byte IEEE P1363 signature).</summary>
    ES384 = 1 << 7,

    /// <summary>ECDSA on P-521 with SHA-512 (132-byte IEEE P1363 signature). DPoP proofs only.</summary>
    ES512 = 1 << 8,

    /// <summary>
    /// EdDSA (RFC 8037) with an Ed25519 key (64-byte signature). DPoP proofs only, and only with an
    /// <see cref="IEd25519Provider"/> (the <c>Auth0.Api.Aot.Sodium</c> package): the BCL has no Ed25519.
    /// </summary>
    EdDSA = 1 << 9,

    /// <summary>
    /// Ed25519, the fully specified name of EdDSA with an Ed25519 key (RFC 9864). DPoP proofs only, and only with an
    /// <see cref="IEd25519Provider"/> (the <c>Auth0.Api.Aot.Sodium</c> package).
    /// </summary>
    Ed25519 = 1 << 10,
}
