using System;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Auth0.Api.Aot.Testing;

/// <summary>Ed25519 keys and DPoP proofs signed with them, made with NSec (the test side signs; the library verifies).</summary>
public static class Ed25519Proofs
{
    public static Key NewKey() => Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

    public static Key ImportPrivate(string d) => Key.Import(SignatureAlgorithm.Ed25519, Base64Url.DecodeFromChars(d), KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

    public static string X(Key key) => Base64Url.EncodeToString(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    public static ClaimSet Jwk(Key key) => new ClaimSet().Set("kty", "OKP").Set("crv", "Ed25519").Set("x", X(key));

    /// <summary>The RFC 7638 thumbprint of an Ed25519 JWK, computed independently of the library (members crv, kty, x).</summary>
    public static string Thumbprint(Key key) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes("{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + X(key) + "\"}")));

    /// <summary>A signed proof; <paramref name="configure"/> may edit the header and payload first.</summary>
    public static string Create(Key key, string accessToken, string method, string url, DateTimeOffset issuedAt, Action<ClaimSet, ClaimSet>? configure = null, string alg = "EdDSA", Key? signWith = null)
    {
        ClaimSet header = new ClaimSet().Set("typ", "dpop+jwt").Set("alg", alg).Set("jwk", Jwk(key));
        ClaimSet payload = new ClaimSet()
            .Set("jti", Guid.NewGuid().ToString())
            .Set("htm", method)
            .Set("htu", url)
            .Set("iat", issuedAt.ToUnixTimeSeconds())
            .Set("ath", DPoPProofs.AccessTokenHash(accessToken));
        configure?.Invoke(header, payload);
        return Sign(signWith ?? key, header.ToJson(), payload.ToJson());
    }

    public static string Sign(Key key, string headerJson, string payloadJson)
    {
        string signingInput = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(headerJson)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payloadJson));
        byte[] signature = SignatureAlgorithm.Ed25519.Sign(key, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }
}
