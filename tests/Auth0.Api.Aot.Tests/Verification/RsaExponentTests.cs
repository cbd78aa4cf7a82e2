using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Tests.Verification;

/// <summary>
/// An RSA key is usable only with an odd public exponent greater than 1 (RFC 8017 section 3.1), whatever leading zero
/// octets its base64url <c>e</c> carries (RFC 7518 section 2 asks for none; they are read as the same integer). With
/// e = 1, "verification" raises the signature to the first power: the PKCS#1 v1.5 encoding of the signing input's hash
/// is then a valid signature for any token, made without any private key.
/// </summary>
public sealed class RsaExponentTests
{
    private const string Domain = "auth0.local";
    private const string Audience = "https://api.example.com";
    private const long Now = 1_800_000_000;

    // The DER DigestInfo prefix of SHA-256 (RFC 8017 section 9.2, note 1).
    private static readonly byte[] Sha256DigestInfo = Convert.FromHexString("3031300d060960864801650304020105000420");

    [Theory]
    [InlineData("AQ")] // 1
    [InlineData("AAE")] // 00 01: 1 with a leading zero octet
    [InlineData("AAAB")] // 00 00 01
    [InlineData("AAAAAAE")] // 00 00 00 00 01
    [InlineData("Ag")] // 2: even
    [InlineData("AAI")] // 00 02: even
    [InlineData("AAAA")] // 0
    public void A_key_set_whose_only_key_has_such_an_exponent_is_refused(string e)
    {
        ConfigurationException refused = Assert.Throws<ConfigurationException>(() => new ApiClient(Options(Jwks(e))));
        Assert.Equal("StaticJwks for 'https://auth0.local/' is invalid: JWKS has no usable key (the RSA key is malformed)", refused.Message);
    }

    [Theory]
    [InlineData("AQ")]
    [InlineData("AAE")]
    [InlineData("AAAB")]
    public async Task A_token_forged_for_an_exponent_of_one_is_refused_as_no_usable_key(string e)
    {
        // The set also holds a usable key, so that the client starts; the forged token names the e = 1 key.
        string jwks = "{\"keys\":[" + RsaJwk("weak", e) + "," + TestKeys.Other.PublicJwk().ToJson() + "]}";
        using ApiClient client = new(Options(jwks));
        string input = Segment("{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"weak\"}") + "." + Segment(
            "{\"iss\":\"https://" + Domain + "/\",\"sub\":\"attacker\",\"aud\":\"" + Audience + "\",\"iat\":" + Now + ",\"exp\":" + (Now + 600) + "}");
        string forged = input + "." + Base64Url.EncodeToString(Pkcs1Encoding(Encoding.ASCII.GetBytes(input), Modulus().Length));

        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(forged);
        Assert.False(result.IsValid);
        Assert.Equal(VerificationFailure.KeyNotFound, result.Failure);
    }

    [Theory]
    [InlineData("AQAB")] // 65537
    [InlineData("AAEAAQ")] // 00 01 00 01: 65537 with a leading zero octet, read as the same integer
    public async Task A_key_with_an_odd_exponent_above_one_verifies_its_tokens(string e)
    {
        using ApiClient client = new(Options("{\"keys\":[" + TestKeys.Primary.PublicJwk(includeAlgAndUse: false).Set("e", e).ToJson() + "]}"));
        string token = TestKeys.Primary.SignCompact(LocalIssuer.StandardHeader(TestKeys.Primary).ToJson(), new ClaimSet()
            .Set("iss", "https://" + Domain + "/").Set("sub", "user_1").Set("aud", Audience).Set("iat", Now).Set("exp", Now + 600).ToJson());
        Assert.Equal("user_1", (await client.VerifyAccessTokenAsync(token)).Subject);
    }

    [Theory]
    [InlineData("Aw")] // 3, the smallest exponent RFC 8017 allows
    [InlineData("AAM")] // 00 03
    public void A_key_with_exponent_three_is_usable(string e)
    {
        using ApiClient client = new(Options(Jwks(e)));
        Assert.Equal("https://auth0.local/", client.DomainIssuer);
    }

    private static ApiClientOptions Options(string jwks) => new()
    {
        Domain = Domain,
        Audience = Audience,
        StaticJwks = new Dictionary<string, string> { [Domain] = jwks },
        TimeProvider = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Now)),
    };

    private static byte[] Modulus() => TestKeys.Primary.Rsa!.ExportParameters(false).Modulus!;

    private static string RsaJwk(string kid, string e) =>
        "{\"kty\":\"RSA\",\"kid\":\"" + kid + "\",\"n\":\"" + Base64Url.EncodeToString(Modulus()) + "\",\"e\":\"" + e + "\"}";

    private static string Jwks(string e) => "{\"keys\":[" + RsaJwk("weak", e) + "]}";

    private static string Segment(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    // EMSA-PKCS1-v1_5 (RFC 8017 section 9.2): 00 01 FF..FF 00 DigestInfo H, as long as the modulus. Below the modulus,
    // whose first octet is not zero, so it is a signature representative any RSA implementation takes.
    private static byte[] Pkcs1Encoding(byte[] input, int length)
    {
        byte[] hash = SHA256.HashData(input);
        byte[] encoded = new byte[length];
        encoded.AsSpan().Fill(0xFF);
        encoded[0] = 0x00;
        encoded[1] = 0x01;
        int tail = Sha256DigestInfo.Length + hash.Length;
        encoded[length - tail - 1] = 0x00;
        Sha256DigestInfo.CopyTo(encoded, length - tail);
        hash.CopyTo(encoded, length - hash.Length);
        return encoded;
    }
}
