using System;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Verification;

/// <summary>
/// Every attack named by the foundation issue, each rejected with <c>invalid_token</c> before or at the signature step,
/// against a real issuer on loopback.
/// </summary>
public sealed class AttackTests : IssuerTests
{
    private static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private string Payload() => H.Issuer.StandardPayload(Harness.Audience).ToJson();

    [Theory]
    [InlineData("")]
    [InlineData("c2lnbmF0dXJl")]
    public async Task Alg_none_is_refused_with_or_without_a_signature(string signature)
    {
        using ApiClient client = H.Client();
        string token = B64("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"TEST_KEY\"}") + "." + B64(Payload()) + "." + signature;
        await client.RejectsAsync(token, VerificationFailure.AlgorithmNotAllowed, "'none' is not allowed");
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Theory]
    [InlineData("None")]
    [InlineData("NONE")]
    public async Task Alg_none_in_any_case_is_refused(string alg)
    {
        using ApiClient client = H.Client();
        string token = B64("{\"alg\":\"" + alg + "\",\"kid\":\"TEST_KEY\"}") + "." + B64(Payload()) + ".";
        await client.RejectsAsync(token, VerificationFailure.AlgorithmNotAllowed);
    }

    [Fact]
    public async Task HS256_signed_with_the_public_key_as_secret_is_refused_before_network()
    {
        using ApiClient client = H.Client();
        string header = B64("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"TEST_KEY\"}") + "." + B64(Payload());
        byte[] secret = Encoding.UTF8.GetBytes(TestKeys.Primary.PublicJwk().ToJson());
        string token = header + "." + Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(header)));
        await client.RejectsAsync(token, VerificationFailure.AlgorithmNotAllowed, "Symmetric algorithm 'HS256' is not supported");
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Fact]
    public async Task Rsa_key_of_1024_bits_is_refused()
    {
        H.Issuer.JwksKeys.Add(TestKeys.Small.PublicJwk());
        using ApiClient client = H.Client();
        VerifyAccessTokenException e = await client.RejectsAsync(H.Token(key: TestKeys.Small), VerificationFailure.KeyNotFound);
        Assert.Contains("smaller than 2048 bits", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_kid_is_refused_before_network()
    {
        using ApiClient client = H.Client();
        VerifyAccessTokenException e = await client.RejectsAsync(H.Token((h, _) => h.Remove("kid")), VerificationFailure.ClaimMissing);
        Assert.Equal("Token header missing 'kid' claim", e.Message);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Fact]
    public async Task Kid_not_in_jwks_is_refused()
    {
        using ApiClient client = H.Client();
        await client.RejectsAsync(H.Token(key: TestKeys.Other), VerificationFailure.KeyNotFound, "No matching key found in JWKS");
    }

    [Fact]
    public async Task Kid_naming_an_ec_key_is_refused_for_an_rsa_token()
    {
        H.Issuer.JwksKeys.Add(TestKeys.Ec.PublicJwk());
        using ApiClient client = H.Client();
        string token = H.Token((h, _) => h.Set("kid", TestKeys.Ec.Kid));
        VerifyAccessTokenException e = await client.RejectsAsync(token, VerificationFailure.KeyNotFound);
        Assert.Contains("does not match the token's algorithm", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_whose_alg_differs_is_refused()
    {
        H.Issuer.JwksKeys[0].Set("alg", "PS256");
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        using ApiClient client = H.Client(o => o.AccessTokenAlgorithms = SigningAlgorithms.RS256 | SigningAlgorithms.PS256);
        await client.RejectsAsync(H.Token(), VerificationFailure.KeyNotFound, "'alg' does not match");
    }

    [Theory]
    [InlineData("enc")]
    [InlineData("SIG")]
    public async Task Key_for_another_use_is_refused(string use)
    {
        H.Issuer.JwksKeys[0].Set("use", use);
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        using ApiClient client = H.Client();
        await client.RejectsAsync(H.Token(), VerificationFailure.KeyNotFound, "'use' is not 'sig'");
    }

    [Fact]
    public async Task Jwks_entry_with_private_material_is_refused()
    {
        H.Issuer.JwksKeys[0].Set("d", "AQAB");
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        using ApiClient client = H.Client();
        await client.RejectsAsync(H.Token(), VerificationFailure.KeyNotFound, "private or symmetric key material");
    }

    [Theory]
    [InlineData("jku")]
    [InlineData("x5u")]
    public async Task Jku_and_x5u_are_never_fetched_or_used(string member)
    {
        SigningKey attacker = SigningKey.CreateRsa("attacker");
        using ApiClient client = H.Client();
        string url = "https://" + H.Issuer.Domain + "/attacker-keys";
        string trustedKid = attacker.SignCompact(LocalIssuer.StandardHeader(attacker).Set("kid", "TEST_KEY").Set(member, url).ToJson(), Payload());
        string ownKid = attacker.SignCompact(LocalIssuer.StandardHeader(attacker).Set(member, url).ToJson(), Payload());
        await client.RejectsAsync(trustedKid, VerificationFailure.SignatureInvalid);
        await client.RejectsAsync(ownKid, VerificationFailure.KeyNotFound);

        // The unknown kid costs one JWKS refetch (key rotation, then a cooldown); the jku/x5u URL is never requested.
        Assert.Equal(2, H.Issuer.JwksRequests);
        Assert.Equal(H.Issuer.DiscoveryRequests + H.Issuer.JwksRequests, H.Issuer.TotalRequests);
    }

    [Fact]
    public async Task Embedded_jwk_and_x5c_are_never_used()
    {
        SigningKey attacker = SigningKey.CreateRsa("attacker");
        using ApiClient client = H.Client();
        ClaimSet header = LocalIssuer.StandardHeader(attacker).Set("kid", "TEST_KEY").Set("jwk", attacker.PublicJwk()).Set("x5c", new[] { "MIIB" });
        await client.RejectsAsync(attacker.SignCompact(header.ToJson(), Payload()), VerificationFailure.SignatureInvalid);
        ClaimSet ownKid = LocalIssuer.StandardHeader(attacker).Set("jwk", attacker.PublicJwk());
        await client.RejectsAsync(attacker.SignCompact(ownKid.ToJson(), Payload()), VerificationFailure.KeyNotFound);
    }

    [Fact]
    public async Task Crit_header_is_refused_before_network()
    {
        using ApiClient client = H.Client();
        VerifyAccessTokenException e = await client.RejectsAsync(H.Token((h, _) => h.Set("crit", new[] { "exp" }).Set("exp", 1L)), VerificationFailure.CriticalHeader);
        Assert.Equal("crit", e.Claim);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"a string\"")]
    [InlineData("123")]
    [InlineData("null")]
    [InlineData("{\"iss\":\"x\"} {}")]
    [InlineData("{\"iss\":\"x\",}")]
    [InlineData("")]
    public async Task Payload_that_is_not_a_single_object_is_refused(string payload)
    {
        using ApiClient client = H.Client();
        string token = TestKeys.Primary.SignCompact(LocalIssuer.StandardHeader(TestKeys.Primary).ToJson(), payload);
        await client.RejectsAsync(token, VerificationFailure.MalformedToken, "Failed to parse token payload");
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Theory]
    [InlineData("{\"alg\":\"RS256\",\"alg\":\"RS256\",\"kid\":\"TEST_KEY\"}")]
    [InlineData("{\"alg\":\"RS256\",\"a\\u006cg\":\"none\",\"kid\":\"TEST_KEY\"}")]
    [InlineData("{\"alg\":\"RS256\",\"kid\":\"TEST_KEY\",\"kid\":\"OTHER\"}")]
    [InlineData("{\"alg\":\"RS256\",\"kid\":\"TEST_KEY\",\"zz\":1,\"z\\u007a\":2}")]
    public async Task Duplicate_header_members_are_refused(string header)
    {
        using ApiClient client = H.Client();
        await client.RejectsAsync(TestKeys.Primary.SignCompact(header, Payload()), VerificationFailure.MalformedToken, "duplicate header member");
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Theory]
    [InlineData("\"1900000000\"")]
    [InlineData("1900000000.5")]
    [InlineData("1.9e9")]
    [InlineData("99999999999999999999")]
    [InlineData("true")]
    [InlineData("null")]
    public async Task Exp_that_is_not_an_integer_NumericDate_is_refused(string exp)
    {
        using ApiClient client = H.Client();
        string token = H.Token((_, p) => p.Set("exp", new RawJson(exp)));
        VerifyAccessTokenException e = await client.RejectsAsync(token, VerificationFailure.ClaimInvalid, "Invalid 'exp' claim");
        Assert.Equal("exp", e.Claim);
    }

    [Theory]
    [InlineData("nbf")]
    [InlineData("iat")]
    public async Task Nbf_and_iat_must_be_integers_too(string claim)
    {
        using ApiClient client = H.Client();
        await client.RejectsAsync(H.Token((_, p) => p.Set(claim, new RawJson("1.5"))), VerificationFailure.ClaimInvalid);
    }

    [Theory]
    [InlineData("aud", "[\"my-audience\", 5]")]
    [InlineData("aud", "{\"a\":1}")]
    [InlineData("sub", "42")]
    [InlineData("permissions", "\"read\"")]
    [InlineData("scope", "[\"read\"]")]
    public async Task Registered_claims_of_the_wrong_type_are_refused(string claim, string json)
    {
        using ApiClient client = H.Client();
        VerifyAccessTokenException e = await client.RejectsAsync(H.Token((_, p) => p.Set(claim, new RawJson(json))), VerificationFailure.ClaimInvalid);
        Assert.Equal(claim, e.Claim);
    }

    [Fact]
    public async Task Duplicate_registered_claims_are_refused()
    {
        using ApiClient client = H.Client();
        string payload = Payload().TrimEnd('}') + ",\"aud\":\"attacker\"}";
        await client.RejectsAsync(TestKeys.Primary.SignCompact(LocalIssuer.StandardHeader(TestKeys.Primary).ToJson(), payload), VerificationFailure.MalformedToken, "duplicate claim 'aud'");
    }

    // A custom claim given twice by a signing issuer: the claims would keep the last, a ClaimsPrincipal both (RFC 7519
    // section 4 allows neither a parser that keeps both nor one that keeps the first). Refused before any network call.
    [Theory]
    [InlineData(",\"roles\":\"user\",\"roles\":\"admin\"}")]
    [InlineData(",\"https://example.com/roles\":[\"user\"],\"https:\\/\\/example.com\\/roles\":[\"admin\"]}")]
    public async Task Duplicate_custom_claims_are_refused(string tail)
    {
        using ApiClient client = H.Client();
        string payload = Payload().TrimEnd('}') + tail;
        string token = TestKeys.Primary.SignCompact(LocalIssuer.StandardHeader(TestKeys.Primary).ToJson(), payload);
        VerifyAccessTokenException e = await client.RejectsAsync(token, VerificationFailure.MalformedToken, "duplicate claim '");
        Assert.Contains("roles'", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, H.Issuer.TotalRequests);

        // The same claims once each verify.
        string once = Payload().TrimEnd('}') + ",\"roles\":\"admin\"}";
        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(TestKeys.Primary.SignCompact(LocalIssuer.StandardHeader(TestKeys.Primary).ToJson(), once));
        Assert.True(result.IsValid, result.ErrorDescription);
        Assert.True(result.Claims!.TryGetString("roles", out string? roles));
        Assert.Equal("admin", roles);
    }

    [Theory]
    [InlineData("PATH", "path/query/fragment are not allowed")]
    [InlineData("http://HOST/", "https required")]
    [InlineData("https://user:pass@HOST/", "credentials are not allowed")]
    [InlineData("https://HOST/?x=1", "path/query/fragment are not allowed")]
    [InlineData("https://HOST\\@evil.com/", "invalid domain URL")]
    public async Task Issuer_with_path_http_or_credentials_is_refused_without_network(string issuer, string reason)
    {
        using ApiClient client = H.Client();
        string iss = issuer == "PATH" ? H.Issuer.Issuer + "tenant" : issuer.Replace("HOST", H.Issuer.Domain, StringComparison.Ordinal);
        VerifyAccessTokenException e = await client.RejectsAsync(H.Token((_, p) => p.Set("iss", iss)), VerificationFailure.ClaimInvalid);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Fact]
    public async Task Token_over_the_size_limit_is_refused_before_parsing()
    {
        using ApiClient client = H.Client(o => o.MaxTokenLength = 1024);
        string token = H.Token((_, p) => p.Set("pad", new string('x', 2000)));
        VerifyAccessTokenException e = await client.RejectsAsync(token, VerificationFailure.TokenTooLarge, "maximum of 1024 characters");
        Assert.Equal(0, H.Issuer.TotalRequests);
        await client.RejectsAsync(new string('!', 1025), VerificationFailure.TokenTooLarge);
    }

    [Fact]
    public async Task Default_size_limit_is_16_KiB()
    {
        using ApiClient client = H.Client();
        await client.RejectsAsync(new string('a', (16 * 1024) + 1), VerificationFailure.TokenTooLarge);
        await client.RejectsAsync(new string('a', 16 * 1024), VerificationFailure.MalformedToken);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(1)]
    [InlineData(5)]
    public async Task Wrong_segment_counts_are_refused(int segments)
    {
        using ApiClient client = H.Client();
        string[] parts = H.Token().Split('.');
        string token = segments switch
        {
            1 => parts[0],
            2 => parts[0] + "." + parts[1],
            4 => string.Join('.', parts) + ".extra",
            _ => string.Join('.', parts) + "..x",
        };
        VerifyAccessTokenException e = await client.RejectsAsync(token, VerificationFailure.MalformedToken);
        Assert.EndsWith("expected 3 segments, got " + segments, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, '+')]
    [InlineData(0, '/')]
    [InlineData(1, ' ')]
    [InlineData(1, '\n')]
    [InlineData(2, '*')]
    [InlineData(2, 'é')]
    public async Task Characters_outside_base64url_are_refused(int segment, char bad)
    {
        using ApiClient client = H.Client();
        string[] parts = H.Token().Split('.');
        parts[segment] = parts[segment][..4] + bad + parts[segment][5..];
        await client.RejectsAsync(string.Join('.', parts), VerificationFailure.MalformedToken);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Padding_is_refused(int segment)
    {
        using ApiClient client = H.Client();
        string[] parts = H.Token().Split('.');
        parts[segment] += parts[segment].Length % 4 == 2 ? "==" : "=";
        await client.RejectsAsync(string.Join('.', parts), VerificationFailure.MalformedToken);
    }

    [Fact]
    public async Task Non_canonical_signature_encoding_is_refused()
    {
        // A 256-byte signature encodes to 342 characters whose last one carries 4 unused bits; setting them changes the
        // string but not the bytes a lenient decoder would produce.
        using ApiClient client = H.Client();
        string[] parts = H.Token().Split('.');
        char last = parts[2][^1];
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        parts[2] = parts[2][..^1] + Alphabet[Alphabet.IndexOf(last, StringComparison.Ordinal) | 1];
        await client.RejectsAsync(string.Join('.', parts), VerificationFailure.MalformedToken, "signature is not strict base64url");
    }

    [Theory]
    [InlineData("dpop+jwt")]
    [InlineData("JWE")]
    [InlineData("")]
    public async Task Non_access_token_typ_is_refused(string typ)
    {
        using ApiClient client = H.Client();
        await client.RejectsAsync(H.Token((h, _) => h.Set("typ", typ)), VerificationFailure.TypeNotAllowed);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Theory]
    [InlineData("at+jwt")]
    [InlineData("application/at+JWT")]
    [InlineData("jwt")]
    public async Task Access_token_typ_values_are_accepted(string typ)
    {
        using ApiClient client = H.Client();
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(H.Token((h, _) => h.Set("typ", typ)));
        Assert.Equal("user_123", claims.Subject);
    }

    [Fact]
    public async Task Algorithm_outside_the_allow_list_is_refused_before_network()
    {
        SigningKey ps = SigningKey.FromRsa("TEST_KEY", TestKeys.Primary.Rsa!, "PS256");
        using ApiClient client = H.Client();
        await client.RejectsAsync(H.Token(key: ps), VerificationFailure.AlgorithmNotAllowed, "Algorithm 'PS256' is not allowed");
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Fact]
    public async Task Wrong_signature_is_refused()
    {
        using ApiClient client = H.Client();
        string[] parts = H.Token().Split('.');
        string[] other = H.Token((_, p) => p.Set("sub", "someone-else")).Split('.');
        await client.RejectsAsync(parts[0] + "." + parts[1] + "." + other[2], VerificationFailure.SignatureInvalid);
    }

    [Fact]
    public async Task Truncated_signature_is_refused()
    {
        using ApiClient client = H.Client();
        string[] parts = H.Token().Split('.');
        byte[] signature = Base64Url.DecodeFromChars(parts[2]);
        parts[2] = Base64Url.EncodeToString(signature.AsSpan(0, signature.Length - 3));
        await client.RejectsAsync(string.Join('.', parts), VerificationFailure.SignatureInvalid);
    }
}
