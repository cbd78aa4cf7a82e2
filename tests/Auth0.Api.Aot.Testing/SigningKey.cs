using System;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Auth0.Api.Aot.Testing;

/// <summary>A private key that signs test tokens, with its public JWK.</summary>
public sealed class SigningKey
{
    private SigningKey(string kid, string alg, RSA? rsa, ECDsa? ecdsa)
    {
        Kid = kid;
        Algorithm = alg;
        Rsa = rsa;
        EcDsa = ecdsa;
    }

    public string Kid { get; }

    public string Algorithm { get; }

    public RSA? Rsa { get; }

    public ECDsa? EcDsa { get; }

    public static SigningKey CreateRsa(string kid, int bits = 2048, string alg = "RS256") => new(kid, alg, RSA.Create(bits), null);

    public static SigningKey FromRsa(string kid, RSA rsa, string alg = "RS256") => new(kid, alg, rsa, null);

    public static SigningKey CreateEc(string kid, string alg = "ES256")
    {
        ECCurve curve = alg switch
        {
            "ES384" => ECCurve.NamedCurves.nistP384,
            "ES512" => ECCurve.NamedCurves.nistP521,
            _ => ECCurve.NamedCurves.nistP256,
        };
        return new(kid, alg, null, ECDsa.Create(curve));
    }

    /// <summary>The public JWK, with <c>alg</c> and <c>use</c> unless told otherwise.</summary>
    public ClaimSet PublicJwk(bool includeAlgAndUse = true)
    {
        ClaimSet jwk = new();
        if (Rsa is not null)
        {
            RSAParameters p = Rsa.ExportParameters(false);
            jwk.Set("kty", "RSA").Set("kid", Kid).Set("n", Base64Url.EncodeToString(p.Modulus)).Set("e", Base64Url.EncodeToString(p.Exponent));
        }
        else
        {
            ECParameters p = EcDsa!.ExportParameters(false);
            string crv = Algorithm switch { "ES384" => "P-384", "ES512" => "P-521", _ => "P-256" };
            jwk.Set("kty", "EC").Set("kid", Kid).Set("crv", crv).Set("x", Base64Url.EncodeToString(p.Q.X)).Set("y", Base64Url.EncodeToString(p.Q.Y));
        }

        if (includeAlgAndUse)
        {
            jwk.Set("alg", Algorithm).Set("use", "sig");
        }

        return jwk;
    }

    /// <summary>Signs <c>base64url(header).base64url(payload)</c> with this key and the given JWS algorithm.</summary>
    public string SignCompact(string headerJson, string payloadJson, string? alg = null)
    {
        string signingInput = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(headerJson)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payloadJson));
        byte[] signature = Sign(Encoding.ASCII.GetBytes(signingInput), alg ?? Algorithm);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public byte[] Sign(byte[] data, string alg)
    {
        HashAlgorithmName hash = alg.EndsWith("384", StringComparison.Ordinal) ? HashAlgorithmName.SHA384
            : alg.EndsWith("512", StringComparison.Ordinal) ? HashAlgorithmName.SHA512
            : HashAlgorithmName.SHA256;
        if (Rsa is not null)
        {
            return alg.StartsWith("HS", StringComparison.Ordinal)
                ? HMACSHA256.HashData(Encoding.ASCII.GetBytes(PublicJwk().ToJson()), data)
                : Rsa.SignData(data, hash, alg.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
        }

        return EcDsa!.SignData(data, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
