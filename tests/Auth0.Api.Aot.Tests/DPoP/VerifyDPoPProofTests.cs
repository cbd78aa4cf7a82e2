using System;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Tests.DPoP;

/// <summary>
/// Ports of auth0-api-python verify_dpop_proof cases (reference section 11.3): access_token "test_token", URL
/// https://api.example.com/resource, GET; plus the attacks named by the DPoP issue that concern the proof alone.
/// </summary>
public sealed class VerifyDPoPProofTests : IDisposable
{
    private const string Token = "test_token";
    private const string Url = "https://api.example.com/resource";
    private static readonly SigningKey s_key = SigningKey.CreateEc("dpop-key");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ApiClient _client;

    public VerifyDPoPProofTests()
    {
        _client = new ApiClient(new ApiClientOptions { Domain = "auth0.local", Audience = "my-audience", TimeProvider = _time });
    }

    public void Dispose() => _client.Dispose();

    private string Proof(Action<ClaimSet, ClaimSet>? configure = null, string method = "GET", string url = Url, string token = Token, SigningKey? key = null) =>
        DPoPProofs.Create(key ?? s_key, token, method, url, _time.GetUtcNow(), configure);

    private async Task<InvalidDPoPProofException> FailsAsync(string proof, string message, string method = "GET", string url = Url, string token = Token)
    {
        InvalidDPoPProofException e = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await _client.VerifyDPoPProofAsync(token, proof, method, url));
        Assert.Equal(message, e.Message);
        Assert.Equal("invalid_dpop_proof", e.ErrorCode);
        Assert.Equal(400, e.StatusCode);
        return e;
    }

    [Fact]
    public async Task Verifies_successfully()
    {
        DPoPProofClaims claims = await _client.VerifyDPoPProofAsync(Token, Proof(), "GET", Url);
        Assert.False(string.IsNullOrEmpty(claims.Jti));
        Assert.Equal("GET", claims.Htm);
        Assert.Equal(Url, claims.Htu);
        Assert.Equal(_time.GetUtcNow(), claims.IssuedAt);
        Assert.Equal("zAr5codUO2XaLH4UdkJgIYJsqxZvHgY-0BK4Vf-BllY", claims.Ath);
        Assert.Equal(DPoPProofs.Thumbprint(s_key), claims.JwkThumbprint);
    }

    [Theory]
    [InlineData("", "p", "GET", Url, "access_token")]
    [InlineData(Token, "", "GET", Url, "dpop_proof")]
    [InlineData(Token, "p", "", Url, "http_method/http_url")]
    [InlineData(Token, "p", "GET", "", "http_method/http_url")]
    public async Task Missing_arguments(string token, string proof, string method, string url, string argument)
    {
        MissingRequiredArgumentException e = await Assert.ThrowsAsync<MissingRequiredArgumentException>(async () => await _client.VerifyDPoPProofAsync(token, proof, method, url));
        Assert.Equal(argument, e.Argument);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("jwt")]
    [InlineData("DPOP+JWT")]
    [InlineData("at+jwt")]
    public async Task Typ_must_be_exactly_dpop_jwt(string? typ)
    {
        await FailsAsync(Proof((h, _) => h.Set("typ", typ)), "Unexpected JWT 'typ' header parameter value");
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("HS256")]
    [InlineData("none")]
    [InlineData("ES384")]
    public async Task Algorithm_outside_the_proof_allow_list(string alg)
    {
        string[] parts = Proof().Split('.');
        string header = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(
            "{\"typ\":\"dpop+jwt\",\"alg\":\"" + alg + "\",\"jwk\":" + s_key.PublicJwk(false).Remove("kid").ToJson() + "}"));
        await FailsAsync(header + "." + parts[1] + "." + parts[2], "Unsupported algorithm in DPoP proof");
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"invalid_jwk\"")]
    [InlineData("{}")]
    [InlineData("[]")]
    public async Task Missing_or_invalid_jwk(string jwk)
    {
        await FailsAsync(Proof((h, _) => h.Set("jwk", new RawJson(jwk))), "Missing or invalid jwk in header");
    }

    [Fact]
    public async Task Missing_jwk()
    {
        await FailsAsync(Proof((h, _) => h.Remove("jwk")), "Missing or invalid jwk in header");
    }

    [Fact]
    public async Task Private_key_material_in_the_jwk_is_refused()
    {
        ClaimSet withD = s_key.PublicJwk(false).Remove("kid").Set("d", System.Buffers.Text.Base64Url.EncodeToString(s_key.EcDsa!.ExportParameters(true).D));
        await FailsAsync(Proof((h, _) => h.Set("jwk", withD)), "Private key material found in jwk header");
    }

    [Fact]
    public async Task Non_ec_jwk_is_refused()
    {
        await FailsAsync(Proof((h, _) => h.Set("jwk", new ClaimSet().Set("kty", "RSA"))), "Only EC keys are supported for DPoP");
    }

    [Fact]
    public async Task Other_curve_is_refused()
    {
        await FailsAsync(Proof((h, _) => h.Set("jwk", SigningKey.CreateEc("p384", "ES384").PublicJwk(false))), "Only P-256 curve is supported");
    }

    [Fact]
    public async Task Proof_signed_by_another_key_than_its_jwk_is_refused()
    {
        SigningKey other = SigningKey.CreateEc("other");
        await FailsAsync(Proof((h, _) => h.Set("jwk", s_key.PublicJwk(false).Remove("kid")), key: other), "JWT signature verification failed: bad_signature");
    }

    [Fact]
    public async Task Invalid_signature_is_refused()
    {
        // The Python test replaces the last five characters; the last one is kept here so the encoding stays canonical
        // (a non-canonical one is refused earlier, as malformed).
        string proof = Proof();
        await FailsAsync(proof[..^6] + "12345" + proof[^1], "JWT signature verification failed: bad_signature");
    }

    [Theory]
    [InlineData("iat", "Missing required claim: iat")]
    [InlineData("jti", "Missing required claim: jti")]
    [InlineData("ath", "Missing required claim: ath")]
    [InlineData("htm", "Missing required claim: htm")]
    [InlineData("htu", "Missing required claim: htu")]
    public async Task Missing_claims(string claim, string message)
    {
        await FailsAsync(Proof((_, p) => p.Remove(claim)), message);
    }

    [Fact]
    public async Task Several_missing_claims_are_listed_in_order()
    {
        await FailsAsync(Proof((_, p) => p.Remove("jti").Remove("iat").Remove("htu")), "Missing required claims: iat, htu, jti");
    }

    [Fact]
    public async Task Jti_must_be_a_non_empty_string()
    {
        await FailsAsync(Proof((_, p) => p.Set("jti", "")), "jti claim must not be empty");
        await FailsAsync(Proof((_, p) => p.Set("jti", "   ")), "jti claim must not be empty");
        await FailsAsync(Proof((_, p) => p.Set("jti", 42)), "jti claim must be a string");
        DPoPProofClaims claims = await _client.VerifyDPoPProofAsync(Token, Proof((_, p) => p.Set("jti", "unique-jti-12345")), "GET", Url);
        Assert.Equal("unique-jti-12345", claims.Jti);
    }

    [Fact]
    public async Task Iat_window_is_inclusive_at_both_ends()
    {
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        Assert.NotNull(await _client.VerifyDPoPProofAsync(Token, Proof((_, p) => p.Set("iat", now + 30)), "GET", Url));
        Assert.NotNull(await _client.VerifyDPoPProofAsync(Token, Proof((_, p) => p.Set("iat", now - 300)), "GET", Url));
        Assert.NotNull(await _client.VerifyDPoPProofAsync(Token, Proof((_, p) => p.Set("iat", now - 30)), "GET", Url));
        await FailsAsync(Proof((_, p) => p.Set("iat", now + 31)), "DPoP Proof iat is from the future");
        await FailsAsync(Proof((_, p) => p.Set("iat", now + 3600)), "DPoP Proof iat is from the future");
        await FailsAsync(Proof((_, p) => p.Set("iat", now - 301)), "DPoP Proof iat is too old");
        await FailsAsync(Proof((_, p) => p.Set("iat", now - 3600)), "DPoP Proof iat is too old");
        await FailsAsync(Proof((_, p) => p.Set("iat", "now")), "Invalid iat claim (must be integer or float)");
    }

    [Fact]
    public async Task Htm_is_compared_case_insensitively()
    {
        Assert.NotNull(await _client.VerifyDPoPProofAsync(Token, Proof(method: "get"), "GET", Url));
        await FailsAsync(Proof(method: "POST"), "DPoP Proof htm mismatch");
    }

    [Theory]
    [InlineData("https://api.example.com/wrong-resource", Url, false)]
    [InlineData("https://API.EXAMPLE.COM/resource", Url, true)]
    [InlineData("https://api.example.com/resource/", Url, false)]
    [InlineData("https://api.example.com/resource?param1=value1", "https://api.example.com/resource?param2=value2", true)]
    [InlineData("https://api.example.com:443/resource", Url, true)]
    [InlineData("https://api.example.com/resource#fragment1", "https://api.example.com/resource#fragment2", true)]
    [InlineData("https://api.example.com/resource/?abc=def#fragment", "https://api.example.com/resource/", true)]
    [InlineData("http://api.example.com/resource", Url, false)]
    [InlineData("https://api.example.com:8443/resource", Url, false)]
    [InlineData("https://other.example.com/resource", Url, false)]
    [InlineData("/resource", Url, false)]
    public async Task Htu_is_compared_as_whatwg_origin_and_path(string htu, string requestUrl, bool matches)
    {
        string proof = Proof(url: htu);
        if (matches)
        {
            Assert.NotNull(await _client.VerifyDPoPProofAsync(Token, proof, "GET", requestUrl));
        }
        else
        {
            await FailsAsync(proof, "DPoP Proof htu mismatch", url: requestUrl);
        }
    }

    [Fact]
    public async Task Proof_made_for_another_token_is_refused()
    {
        await FailsAsync(Proof(token: "wrong_token"), "DPoP Proof ath mismatch");
    }

    // ath is the hash of the token's UTF-8: an ASCII token up to 4,096 characters is hashed from the stack, any other
    // from a pooled buffer; both ways agree with an independent hash, at and around the boundary.
    [Theory]
    [InlineData(4095, false)]
    [InlineData(4096, false)]
    [InlineData(4097, false)]
    [InlineData(20_000, false)]
    [InlineData(100, true)]
    [InlineData(4096, true)]
    public async Task Ath_is_the_hash_of_the_tokens_utf8_whatever_its_length_and_characters(int length, bool nonAscii)
    {
        string token = new string('t', length - 1) + (nonAscii ? "\u00e9" : "t");
        string ath = System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
        string proof = Proof((_, p) => p.Set("ath", ath));
        DPoPProofClaims claims = await _client.VerifyDPoPProofAsync(token, proof, "GET", Url);
        Assert.Equal(ath, claims.Ath);
        await FailsAsync(proof, "DPoP Proof ath mismatch", token: token[..^1] + "u");
    }

    [Fact]
    public async Task An_access_token_presented_as_the_proof_is_refused()
    {
        await using Harness h = await Harness.StartAsync();
        await FailsAsync(h.Token(), "Unexpected JWT 'typ' header parameter value");
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("!!!.e30.c2ln")]
    [InlineData("e30.e30.c2ln")]
    public async Task Malformed_proofs_are_typed_errors(string proof)
    {
        InvalidDPoPProofException e = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await _client.VerifyDPoPProofAsync(Token, proof, "GET", Url));
        Assert.Contains(e.Message, new[] { "Failed to verify DPoP proof", "Unexpected JWT 'typ' header parameter value" });
    }

    [Fact]
    public async Task Duplicate_header_members_are_refused()
    {
        string proof = Proof();
        string[] parts = proof.Split('.');
        string header = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]));
        string duplicated = header.TrimEnd('}') + ",\"typ\":\"dpop+jwt\"}";
        string forged = s_key.SignCompact(duplicated, System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])));
        await FailsAsync(forged, "Failed to verify DPoP proof");
    }

    [Theory]
    [InlineData("htu")]
    [InlineData("htm")]
    [InlineData("jti")]
    [InlineData("ath")]
    [InlineData("iat")]
    public async Task A_repeated_checked_claim_is_refused(string claim)
    {
        string proof = Proof();
        string[] parts = proof.Split('.');
        string header = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]));
        string payload = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
        string value = claim == "iat" ? _time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) : "\"x\"";
        string repeated = payload.TrimEnd('}') + ",\"" + claim + "\":" + value + "}";
        await FailsAsync(s_key.SignCompact(header, repeated), "Failed to verify DPoP proof");
    }

    // The payload is read in one pass that checks its syntax as it goes: a claim of the wrong type, or a claim twice, is
    // reported as such only when the whole payload is JSON, and the first of them in payload order wins.
    [Theory]
    [InlineData("{IAT,JTI,ATH,HTM,HTU}", null)]
    [InlineData("{\"iat\":1e400,JTI,ATH,HTM,HTU}", "DPoP Proof iat is from the future")]
    [InlineData("{\"iat\":-1e400,JTI,ATH,HTM,HTU}", "DPoP Proof iat is too old")]
    [InlineData("{\"iat\":true,JTI,ATH,HTM,HTU}", "Invalid iat claim (must be integer or float)")]
    [InlineData("{\"iat\":null,JTI,ATH,HTM,HTU}", "Missing required claim: iat")]
    [InlineData("{\"ath\":1,IAT,JTI,HTM,HTU}", "DPoP Proof ath mismatch")]
    [InlineData("{\"ath\":1,IAT,JTI,HTM,HTU,\"x\":}", "Failed to verify DPoP proof")]
    [InlineData("{\"ath\":1,IAT,JTI,HTM,HTU}x", "Failed to verify DPoP proof")]
    [InlineData("{\"ath\":1,\"ath\":\"x\",IAT,JTI,HTM,HTU}", "DPoP Proof ath mismatch")]
    [InlineData("{\"htm\":\"x\",\"htm\":1,IAT,JTI,ATH,HTU}", "Failed to verify DPoP proof")]
    [InlineData("{\"htu\":[],IAT,JTI,ATH,HTM,\"ath\":{}}", "DPoP Proof htu mismatch")]
    [InlineData("{\"\\u0069at\":1,IAT,JTI,ATH,HTM,HTU}", "Failed to verify DPoP proof")]
    [InlineData("{\"j\\u0074i\":\"a\\u0062c\",IAT,ATH,HTM,HTU}", null)]
    [InlineData("{IAT,JTI,ATH,HTM,HTU,\"x\":\"\\ud800\"}", "Failed to verify DPoP proof")]
    [InlineData("{IAT,JTI,ATH,HTM,HTU,\"x\":[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]}", null)]
    [InlineData("{IAT,JTI,ATH,HTM,HTU,\"x\":[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]}", "Failed to verify DPoP proof")]
    [InlineData("{IAT,JTI,ATH,HTM,HTU,}", "Failed to verify DPoP proof")]
    [InlineData("{IAT,JTI,ATH,HTM,HTU,\"x\":01}", "Failed to verify DPoP proof")]
    [InlineData("[{IAT,JTI,ATH,HTM,HTU}]", "Failed to verify DPoP proof")]
    public async Task The_payload_is_checked_whole_before_its_claims_are_judged(string template, string? message)
    {
        string header = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(Proof().Split('.')[0]));
        string payload = template
            .Replace("IAT", "\"iat\":" + _time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("JTI", "\"jti\":\"abc\"", StringComparison.Ordinal)
            .Replace("ATH", "\"ath\":\"" + DPoPProofs.AccessTokenHash(Token) + "\"", StringComparison.Ordinal)
            .Replace("HTM", "\"htm\":\"GET\"", StringComparison.Ordinal)
            .Replace("HTU", "\"htu\":\"" + Url + "\"", StringComparison.Ordinal);
        string proof = s_key.SignCompact(header, payload);
        if (message is null)
        {
            DPoPProofClaims claims = await _client.VerifyDPoPProofAsync(Token, proof, "GET", Url);
            Assert.Equal("abc", claims.Jti);
            Assert.Equal(payload, claims.PayloadJson);
        }
        else
        {
            await FailsAsync(proof, message);
        }
    }

    // iat is the double Utf8JsonReader.TryGetDouble reads (as Python's float does): correctly rounded whatever its
    // spelling (exponents, long digit strings), then compared with the window. The clock reads 1735689600; the window is
    // [now - 300 s, now + 30 s].
    public static TheoryData<string, long?, string?> IatSpellings => new()
    {
        { "1735689600e0", 1735689600, null },
        { "1.7356896E+9", 1735689600, null },
        { "17356896000000e-4", 1735689600, null },
        { "0.00017356896e13", 1735689600, null },
        { "17356896" + new string('0', 700) + "e-698", 1735689600, null },
        { "1735689600." + new string('9', 600), 1735689601, null },
        { "1735689630.0000001", 1735689630, null }, // rounds to now + 30 s exactly: inside the window
        { "1735689630.0000002", null, "DPoP Proof iat is from the future" }, // the next double up
        { "1735689299.9999999", 1735689300, null }, // rounds up to now - 300 s exactly
        { "1735689299.9999998", null, "DPoP Proof iat is too old" },
        { "-0", null, "DPoP Proof iat is too old" },
        { "1e-400", null, "DPoP Proof iat is too old" },
        { "1" + new string('0', 400) + "e-391", null, "DPoP Proof iat is too old" },
        { "1e400", null, "DPoP Proof iat is from the future" },
    };

    [Theory]
    [MemberData(nameof(IatSpellings))]
    public async Task Iat_is_read_as_the_json_readers_double_whatever_its_spelling(string iat, long? issuedAt, string? message)
    {
        // The reference: what Utf8JsonReader makes of the same number.
        System.Text.Json.Utf8JsonReader reader = new(System.Text.Encoding.ASCII.GetBytes(iat));
        Assert.True(reader.Read());
        Assert.True(reader.TryGetDouble(out double expected));
        string header = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(Proof().Split('.')[0]));
        string payload = "{\"iat\":" + iat + ",\"jti\":\"abc\",\"ath\":\"" + DPoPProofs.AccessTokenHash(Token) + "\",\"htm\":\"GET\",\"htu\":\"" + Url + "\"}";
        string proof = s_key.SignCompact(header, payload);
        if (issuedAt is long seconds)
        {
            DPoPProofClaims claims = await _client.VerifyDPoPProofAsync(Token, proof, "GET", Url);
            Assert.Equal(seconds, claims.IssuedAt.ToUnixTimeSeconds());
            Assert.Equal((long)Math.Floor(expected), seconds);
        }
        else
        {
            await FailsAsync(proof, message!);
        }
    }

    [Fact]
    public async Task A_forged_proof_cannot_poison_how_a_genuine_key_is_treated()
    {
        SigningKey victim = SigningKey.CreateEc("victim");
        SigningKey attacker = SigningKey.CreateEc("attacker");

        // The victim's public key with alg ES384 in its jwk, signed by the attacker: refused, before or at the signature.
        string forged = Proof((h, _) => h.Set("jwk", victim.PublicJwk(includeAlgAndUse: false).Remove("kid").Set("alg", "ES384")), key: attacker);
        await FailsAsync(forged, "Missing or invalid jwk in header");

        // The victim's genuine proofs still verify, and a later jwk with the same key material is checked on its own.
        Assert.NotNull(await _client.VerifyDPoPProofAsync(Token, Proof(key: victim), "GET", Url));
        await FailsAsync(Proof((h, _) => h.Set("jwk", victim.PublicJwk(includeAlgAndUse: false).Remove("kid").Set("use", "enc")), key: victim), "Missing or invalid jwk in header");
        await FailsAsync(Proof((h, _) => h.Set("jwk", victim.PublicJwk(includeAlgAndUse: false).Remove("kid").Set("key_ops", new[] { "sign" })), key: victim), "Missing or invalid jwk in header");
        Assert.NotNull(await _client.VerifyDPoPProofAsync(Token, Proof((h, _) => h.Set("jwk", victim.PublicJwk(includeAlgAndUse: false).Remove("kid").Set("alg", "ES256").Set("use", "sig")), key: victim), "GET", Url));
    }

    // The signing input is converted to bytes on the stack up to 1,024 characters and in a pooled buffer beyond: proofs
    // on either side of that boundary verify, and the same proofs with another signature do not.
    [Fact]
    public async Task Signing_inputs_on_either_side_of_the_stack_buffer_verify_exactly()
    {
        int below = 0, above = 0;
        for (int pad = 0; pad < 1200 && (below < 2 || above < 2); pad++)
        {
            string proof = Proof((_, p) => p.Set("pad", new string('p', pad)));
            int signingInput = proof.LastIndexOf('.');
            if (signingInput is < 1021 or > 1028)
            {
                continue;
            }

            _ = signingInput <= 1024 ? below++ : above++;
            DPoPProofClaims claims = await _client.VerifyDPoPProofAsync(Token, proof, "GET", Url);
            Assert.Equal(DPoPProofs.Thumbprint(s_key), claims.JwkThumbprint);
            string other = Proof((_, p) => p.Set("pad", new string('q', pad)));
            await FailsAsync(proof[..(signingInput + 1)] + other[(other.LastIndexOf('.') + 1)..], "JWT signature verification failed: bad_signature");
        }

        Assert.True(below >= 2 && above >= 2, "proofs at the boundary: " + below + " at most 1,024 characters, " + above + " beyond");
    }

    [Fact]
    public async Task A_very_long_signature_keeps_the_check_order()
    {
        string proof = Proof((h, _) => h.Set("typ", "JWT"));
        string longSignature = proof[..(proof.LastIndexOf('.') + 1)] + new string('A', 1468);
        await FailsAsync(longSignature, "Unexpected JWT 'typ' header parameter value");
        string valid = Proof();
        await FailsAsync(valid[..(valid.LastIndexOf('.') + 1)] + new string('A', 1468), "JWT signature verification failed: bad_signature");
    }

    [Fact]
    public async Task A_header_is_remembered_only_after_a_signature_verified_with_its_key()
    {
        SigningKey key = SigningKey.CreateEc("fresh");
        SigningKey other = SigningKey.CreateEc("other");
        string valid = Proof(key: key);
        string header = valid[..valid.IndexOf('.', StringComparison.Ordinal)];

        // Same header (the fresh key's jwk), signed by another key: refused, and the header is not remembered.
        string forged = Proof((h, _) => h.Set("jwk", key.PublicJwk(includeAlgAndUse: false).Remove("kid")), key: other);
        Assert.StartsWith(header, forged, StringComparison.Ordinal);
        await FailsAsync(forged, "JWT signature verification failed: bad_signature");
        Assert.False(_client.DPoP.IsKnownHeader(header));

        Assert.NotNull(await _client.VerifyDPoPProofAsync(Token, valid, "GET", Url));
        Assert.True(_client.DPoP.IsKnownHeader(header));

        // Remembered: the next forgery under that header still meets the header's own key, and fails.
        await FailsAsync(Proof((h, _) => h.Set("jwk", key.PublicJwk(includeAlgAndUse: false).Remove("kid")), key: other), "JWT signature verification failed: bad_signature");
        Assert.NotNull(await _client.VerifyDPoPProofAsync(Token, Proof(key: key), "GET", Url));
    }

    [Fact]
    public async Task A_proof_from_a_returning_key_allocates_little_beyond_the_signature_check()
    {
        using ApiClient client = new(new ApiClientOptions { Domain = "auth0.local", Audience = "a", TimeProvider = _time, DPoPReplayProtection = false });
        string proof = Proof();
        Assert.NotNull(await client.VerifyDPoPProofAsync(Token, proof, "GET", Url));

        // The platform's ECDSA verification allocates by itself (on Linux, the OpenSSL interop); measure it as the floor.
        int lastDot = proof.LastIndexOf('.');
        byte[] signingInput = System.Text.Encoding.ASCII.GetBytes(proof[..lastDot]);
        byte[] signature = System.Buffers.Text.Base64Url.DecodeFromChars(proof.AsSpan(lastDot + 1));
        using System.Security.Cryptography.ECDsa bare = System.Security.Cryptography.ECDsa.Create(s_key.EcDsa!.ExportParameters(false));
        Assert.True(bare.VerifyData(signingInput, signature, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        long before = GC.GetAllocatedBytesForCurrentThread();
        bare.VerifyData(signingInput, signature, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        long floor = GC.GetAllocatedBytesForCurrentThread() - before;

        before = GC.GetAllocatedBytesForCurrentThread();
        ValueTask<DPoPProofClaims> pending = client.VerifyDPoPProofAsync(Token, proof, "GET", Url);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(pending.IsCompletedSuccessfully);
        Assert.Equal(DPoPProofs.Thumbprint(s_key), (await pending).JwkThumbprint);

        // Beyond the floor: the decoded payload, the claim strings and the result object. No header parse, key import,
        // thumbprint, URL normalisation or signing-input copy.
        Assert.True(allocated - floor < 1024, FormattableString.Invariant($"{allocated} B allocated, {floor} B by the bare ECDSA verification"));
    }

    [Fact]
    public async Task A_proof_over_the_length_limit_is_refused_before_parsing()
    {
        using ApiClient client = new(new ApiClientOptions { Domain = "auth0.local", Audience = "a", MaxDPoPProofLength = 512, TimeProvider = _time });
        string proof = Proof((_, p) => p.Set("pad", new string('x', 600)));
        InvalidDPoPProofException e = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await client.VerifyDPoPProofAsync(Token, proof, "GET", Url));
        Assert.Equal("DPoP proof is longer than the maximum of 512 characters", e.Message);
    }

    [Fact]
    public async Task Proof_keys_are_imported_once_per_key()
    {
        for (int i = 0; i < 5; i++)
        {
            await _client.VerifyDPoPProofAsync(Token, Proof(), "GET", Url);
        }

        Assert.Equal(1, _client.DPoP.CachedKeys);
        await _client.VerifyDPoPProofAsync(Token, Proof(key: SigningKey.CreateEc("second")), "GET", Url);
        Assert.Equal(2, _client.DPoP.CachedKeys);
    }

    [Fact]
    public async Task Es384_and_es512_proofs_verify_when_allowed()
    {
        using ApiClient client = new(new ApiClientOptions { Domain = "auth0.local", Audience = "a", DPoPAlgorithms = SigningAlgorithms.ES384 | SigningAlgorithms.ES512, TimeProvider = _time });
        Assert.NotNull(await client.VerifyDPoPProofAsync(Token, Proof(key: SigningKey.CreateEc("k384", "ES384")), "GET", Url));
        Assert.NotNull(await client.VerifyDPoPProofAsync(Token, Proof(key: SigningKey.CreateEc("k521", "ES512")), "GET", Url));
        await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await client.VerifyDPoPProofAsync(Token, Proof(), "GET", Url));
    }

    [Theory]
    [InlineData("RS256", SigningAlgorithms.RS256)]
    [InlineData("PS256", SigningAlgorithms.PS256)]
    public async Task Rsa_proofs_verify_when_allowed_with_keys_of_2048_bits_or_more(string alg, SigningAlgorithms flag)
    {
        using ApiClient client = new(new ApiClientOptions { Domain = "auth0.local", Audience = "a", DPoPAlgorithms = SigningAlgorithms.ES256 | flag, TimeProvider = _time });
        SigningKey rsa = SigningKey.FromRsa("rsa", Tests.Support.TestKeys.Primary.Rsa!, alg);
        DPoPProofClaims claims = await client.VerifyDPoPProofAsync(Token, Proof(key: rsa), "GET", Url);
        Assert.Equal(43, claims.JwkThumbprint.Length);

        SigningKey small = SigningKey.FromRsa("small", Tests.Support.TestKeys.Small.Rsa!, alg);
        InvalidDPoPProofException tooSmall = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await client.VerifyDPoPProofAsync(Token, Proof(key: small), "GET", Url));
        Assert.Equal("Missing or invalid jwk in header", tooSmall.Message);

        InvalidDPoPProofException mismatch = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () =>
            await client.VerifyDPoPProofAsync(Token, Proof((h, _) => h.Set("jwk", s_key.PublicJwk(false)), key: rsa), "GET", Url));
        Assert.Equal("The jwk key type does not match the proof algorithm", mismatch.Message);

        await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await _client.VerifyDPoPProofAsync(Token, Proof(key: rsa), "GET", Url));
    }

    [Fact]
    public void Dpop_options_are_validated()
    {
        Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d", Audience = "a", DPoPAlgorithms = SigningAlgorithms.RS384 }));
        Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d", Audience = "a", DPoPAlgorithms = SigningAlgorithms.None }));
        Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d", Audience = "a", DPoPIatLeeway = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d", Audience = "a", MaxDPoPProofLength = 10 }));
    }
}
