using System;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Auth0.Api.Aot.Testing;

/// <summary>Makes DPoP proofs (RFC 9449 section 4.2) for tests and demos.</summary>
public static class DPoPProofs
{
    /// <summary>The ath claim: base64url(SHA-256(ASCII(access token))).</summary>
    public static string AccessTokenHash(string accessToken) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));

    /// <summary>The RFC 7638 thumbprint of an EC key's public JWK, computed independently of the library.</summary>
    public static string Thumbprint(SigningKey key)
    {
        ClaimSet jwk = key.PublicJwk(includeAlgAndUse: false);
        string canonical = "{\"crv\":\"" + jwk["crv"] + "\",\"kty\":\"EC\",\"x\":\"" + jwk["x"] + "\",\"y\":\"" + jwk["y"] + "\"}";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>A signed proof; <paramref name="configure"/> may edit the header and payload first.</summary>
    public static string Create(SigningKey key, string accessToken, string method, string url, DateTimeOffset issuedAt, Action<ClaimSet, ClaimSet>? configure = null)
    {
        ClaimSet header = new ClaimSet().Set("typ", "dpop+jwt").Set("alg", key.Algorithm).Set("jwk", key.PublicJwk(includeAlgAndUse: false).Remove("kid"));
        ClaimSet payload = new ClaimSet()
            .Set("jti", Guid.NewGuid().ToString())
            .Set("htm", method)
            .Set("htu", url)
            .Set("iat", issuedAt.ToUnixTimeSeconds())
            .Set("ath", AccessTokenHash(accessToken));
        configure?.Invoke(header, payload);
        return key.SignCompact(header.ToJson(), payload.ToJson(), header["alg"] as string);
    }
}
