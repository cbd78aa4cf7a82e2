// JWS algorithm table (RFC 7518 section 3.1). Every property of a verification that depends on the
// algorithm comes from this table, never from the token: key type, curve, hash, signature padding,
// fixed signature length (ECDSA, IEEE P1363) and minimum RSA modulus size (2048 bits, RFC 7518 3.3).
//
//   alg    kty  crv    hash     signature
//   RS256  RSA  -      SHA-256  PKCS#1 v1.5, |n| bytes
//   RS384  RSA  -      SHA-384  PKCS#1 v1.5, |n| bytes
//   RS512  RSA  -      SHA-512  PKCS#1 v1.5, |n| bytes
//   PS256  RSA  -      SHA-256  PSS, |n| bytes
//   PS384  RSA  -      SHA-384  PSS, |n| bytes
//   PS512  RSA  -      SHA-512  PSS, |n| bytes
//   ES256  EC   P-256  SHA-256  64 bytes
//   ES384  EC   P-384  SHA-384  96 bytes
//   ES512  EC   P-521  SHA-512  132 bytes
//   EdDSA  OKP  Ed25519  -      64 bytes (RFC 8037; Ed448 is not implemented)
//   Ed25519 OKP Ed25519  -      64 bytes (RFC 9864, the fully specified name)

using System;
using System.Security.Cryptography;

namespace Auth0.Api.Aot.Internal;

internal enum KeyFamily : byte
{
    Rsa,
    EllipticCurve,

    /// <summary>Octet key pair (RFC 8037): Ed25519, verified by an <see cref="IEd25519Provider"/>.</summary>
    OctetKeyPair,
}

internal sealed class JwsAlgorithm
{
    public const int MinimumRsaKeySizeInBits = 2048;

    /// <summary>Ed25519 signature length (RFC 8032 section 5.1.6).</summary>
    public const int Ed25519SignatureLength = 64;

    /// <summary>Ed25519 public key length (RFC 8032 section 5.1.5).</summary>
    public const int Ed25519PublicKeyLength = 32;

    public static readonly JwsAlgorithm RS256 = new("RS256", SigningAlgorithms.RS256, KeyFamily.Rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, null, 0);
    public static readonly JwsAlgorithm RS384 = new("RS384", SigningAlgorithms.RS384, KeyFamily.Rsa, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1, null, 0);
    public static readonly JwsAlgorithm RS512 = new("RS512", SigningAlgorithms.RS512, KeyFamily.Rsa, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1, null, 0);
    public static readonly JwsAlgorithm PS256 = new("PS256", SigningAlgorithms.PS256, KeyFamily.Rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pss, null, 0);
    public static readonly JwsAlgorithm PS384 = new("PS384", SigningAlgorithms.PS384, KeyFamily.Rsa, HashAlgorithmName.SHA384, RSASignaturePadding.Pss, null, 0);
    public static readonly JwsAlgorithm PS512 = new("PS512", SigningAlgorithms.PS512, KeyFamily.Rsa, HashAlgorithmName.SHA512, RSASignaturePadding.Pss, null, 0);
    public static readonly JwsAlgorithm ES256 = new("ES256", SigningAlgorithms.ES256, KeyFamily.EllipticCurve, HashAlgorithmName.SHA256, null, "P-256", 64);
    public static readonly JwsAlgorithm ES384 = new("ES384", SigningAlgorithms.ES384, KeyFamily.EllipticCurve, HashAlgorithmName.SHA384, null, "P-384", 96);
    public static readonly JwsAlgorithm ES512 = new("ES512", SigningAlgorithms.ES512, KeyFamily.EllipticCurve, HashAlgorithmName.SHA512, null, "P-521", 132);
    public static readonly JwsAlgorithm EdDSA = new("EdDSA", SigningAlgorithms.EdDSA, KeyFamily.OctetKeyPair, default, null, "Ed25519", Ed25519SignatureLength);
    public static readonly JwsAlgorithm Ed25519 = new("Ed25519", SigningAlgorithms.Ed25519, KeyFamily.OctetKeyPair, default, null, "Ed25519", Ed25519SignatureLength);

    /// <summary>Every algorithm this library implements, in a fixed order.</summary>
    public static readonly JwsAlgorithm[] All = [RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519];

    /// <summary>The algorithms a DPoP proof may be configured to use.</summary>
    public const SigningAlgorithms ProofCapable =
        SigningAlgorithms.ES256 | SigningAlgorithms.ES384 | SigningAlgorithms.ES512 |
        SigningAlgorithms.RS256 | SigningAlgorithms.PS256 |
        SigningAlgorithms.EdDSA | SigningAlgorithms.Ed25519;

    /// <summary>The algorithms that need an <see cref="IEd25519Provider"/>.</summary>
    public const SigningAlgorithms NeedEd25519 = SigningAlgorithms.EdDSA | SigningAlgorithms.Ed25519;

    /// <summary>The algorithms an access token may be configured to use.</summary>
    public const SigningAlgorithms AccessTokenCapable =
        SigningAlgorithms.RS256 | SigningAlgorithms.RS384 | SigningAlgorithms.RS512 |
        SigningAlgorithms.PS256 | SigningAlgorithms.PS384 | SigningAlgorithms.PS512 |
        SigningAlgorithms.ES256 | SigningAlgorithms.ES384;

    private JwsAlgorithm(string name, SigningAlgorithms flag, KeyFamily family, HashAlgorithmName hash, RSASignaturePadding? padding, string? curve, int fixedSignatureLength)
    {
        Name = name;
        NotAllowedMessage = "Algorithm '" + name + "' is not allowed";
        NameUtf8 = System.Text.Encoding.ASCII.GetBytes(name);
        Flag = flag;
        Family = family;
        Hash = hash;
        Padding = padding;
        Curve = curve;
        FixedSignatureLength = fixedSignatureLength;
    }

    public string Name { get; }

    /// <summary>The error description when a token uses this algorithm and it is not on the allow-list.</summary>
    public string NotAllowedMessage { get; }

    public byte[] NameUtf8 { get; }

    public SigningAlgorithms Flag { get; }

    public KeyFamily Family { get; }

    /// <summary>The JWK <c>kty</c> this algorithm's keys have (RFC 7518 section 6.1, RFC 8037 section 2).</summary>
    public string KeyType => Family switch
    {
        KeyFamily.Rsa => "RSA",
        KeyFamily.EllipticCurve => "EC",
        _ => "OKP",
    };

    public HashAlgorithmName Hash { get; }

    /// <summary>RSA padding; <see langword="null"/> for ECDSA and EdDSA.</summary>
    public RSASignaturePadding? Padding { get; }

    /// <summary>JWK <c>crv</c> for ECDSA and EdDSA; <see langword="null"/> for RSA.</summary>
    public string? Curve { get; }

    /// <summary>Exact signature length for ECDSA (IEEE P1363) and EdDSA; 0 for RSA.</summary>
    public int FixedSignatureLength { get; }

    public static JwsAlgorithm? FromName(string name)
    {
        foreach (JwsAlgorithm algorithm in All)
        {
            if (string.Equals(algorithm.Name, name, StringComparison.Ordinal))
            {
                return algorithm;
            }
        }

        return null;
    }

    /// <summary>Formats an allow-list as the space-separated names used in the <c>algs</c> challenge parameter.</summary>
    public static string FormatNames(SigningAlgorithms algorithms)
    {
        System.Text.StringBuilder builder = new();
        foreach (JwsAlgorithm algorithm in All)
        {
            if ((algorithms & algorithm.Flag) != 0)
            {
                if (builder.Length > 0)
                {
                    builder.Append(' ');
                }

                builder.Append(algorithm.Name);
            }
        }

        return builder.ToString();
    }

    public override string ToString() => Name;
}
