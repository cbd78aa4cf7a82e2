using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.DPoP;

/// <summary>
/// verify_request: every row of the condition/error/header matrix of reference section 3.4 in all three modes (status,
/// error code and the exact WWW-Authenticate value), with DESIGN.md's differences (a request without credentials is
/// 401 with no error code), and the ports of reference section 11.4. Against a real issuer on loopback.
/// </summary>
public sealed class VerifyRequestTests : IssuerTests
{
    private const string Url = "https://api.example.com/resource";
    private static readonly SigningKey s_proofKey = SigningKey.CreateEc("proof-key");

    private static string Jkt(SigningKey key) => DPoPProofs.Thumbprint(key);

    private ApiClient Client(DPoPMode mode) => H.Client(o => o.DPoPMode = mode);

    private string Plain() => H.Token();

    private string Bound(object? cnf = null) => H.Token((_, p) => p.Set("cnf", cnf ?? new ClaimSet().Set("jkt", Jkt(s_proofKey))));

    private static string Proof(string token, string method = "GET", string url = Url) => DPoPProofs.Create(s_proofKey, token, method, url, DateTimeOffset.UtcNow);

    public static TheoryData<string> Modes => ["Allowed", "Required", "Disabled"];

    private sealed record Expected(Type Type, int Status, string Code, string Challenge);

    private static Expected E<T>(int status, string code, string challenge) => new(typeof(T), status, code, challenge);

    private static readonly Expected s_missingAllowed = E<MissingAuthorizationException>(401, "", "Bearer realm=\"api\", DPoP algs=\"ES256\"");
    private static readonly Expected s_missingRequired = E<MissingAuthorizationException>(401, "", "DPoP algs=\"ES256\"");
    private static readonly Expected s_missingDisabled = E<MissingAuthorizationException>(401, "", "Bearer realm=\"api\"");
    // A request that carried credentials gets the error code in its challenge, even with no description (RFC 6750
    // section 3; the Python SDK leaves it out: docs/compatibility.md).
    private static readonly Expected s_schemeRequired = E<InvalidAuthSchemeException>(400, "invalid_request", "DPoP error=\"invalid_request\", algs=\"ES256\"");

    private async Task AssertRowAsync(string mode, string? authorization, string? dpop, Expected? allowed, Expected? required, Expected? disabled, string? method = "GET", string? url = Url)
    {
        DPoPMode m = Enum.Parse<DPoPMode>(mode);
        Expected? expected = m switch { DPoPMode.Allowed => allowed, DPoPMode.Required => required, _ => disabled };
        using ApiClient client = Client(m);
        RequestVerificationResult result = await client.TryVerifyRequestAsync(authorization, dpop, method, url);
        if (expected is null)
        {
            Assert.True(result.IsValid, result.Error?.Message);
            Assert.Equal("user_123", result.Claims!.Subject);
            return;
        }

        Assert.False(result.IsValid);
        Assert.IsType(expected.Type, result.Error);
        Assert.Equal(expected.Status, result.Error!.StatusCode);
        Assert.Equal(expected.Code, result.Error.ErrorCode);
        Assert.Equal(expected.Challenge, result.Error.Headers["WWW-Authenticate"]);

        // The throwing form, on a second client: the first one has recorded the proof, and would now call it a replay.
        using ApiClient second = Client(m);
        BaseAuthException thrown = await Assert.ThrowsAnyAsync<BaseAuthException>(async () => await second.VerifyRequestAsync(authorization, dpop, method, url));
        Assert.Equal(expected.Challenge, thrown.Headers["WWW-Authenticate"]);
    }

    [Theory, MemberData(nameof(Modes))]
    public Task Row01_no_authorization(string mode) =>
        AssertRowAsync(mode, null, null, s_missingAllowed, s_missingRequired, s_missingDisabled);

    [Theory, MemberData(nameof(Modes))]
    public async Task Row02_one_token_only(string mode)
    {
        await AssertRowAsync(mode, "Bearer", null, s_missingAllowed, s_missingRequired, s_missingDisabled);
        await AssertRowAsync(mode, "Bearer ", null, s_missingAllowed, s_missingRequired, s_missingDisabled);
    }

    [Theory, MemberData(nameof(Modes))]
    public Task Row03_unknown_scheme(string mode) =>
        AssertRowAsync(mode, "Basic abc", null, s_missingAllowed, s_schemeRequired, s_missingDisabled);

    [Theory, MemberData(nameof(Modes))]
    public Task Row04_bearer_expired_token(string mode) =>
        AssertRowAsync(mode, "Bearer " + H.Token((_, p) => p.Set("exp", DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds())), null,
            E<VerifyAccessTokenException>(401, "invalid_token", "Bearer error=\"invalid_token\", error_description=\"Token is expired\", DPoP algs=\"ES256\""),
            s_schemeRequired,
            E<VerifyAccessTokenException>(401, "invalid_token", "Bearer error=\"invalid_token\", error_description=\"Token is expired\""));

    [Theory, MemberData(nameof(Modes))]
    public Task Row05_bearer_valid_plain_token(string mode) =>
        AssertRowAsync(mode, "Bearer " + Plain(), null, null, s_schemeRequired, null);

    [Theory, MemberData(nameof(Modes))]
    public Task Row06_bearer_with_a_dpop_bound_token(string mode) =>
        AssertRowAsync(mode, "Bearer " + Bound(), null,
            E<VerifyAccessTokenException>(401, "invalid_token", "Bearer error=\"invalid_token\", error_description=\"DPoP-bound token requires the DPoP authentication scheme, not Bearer\", DPoP algs=\"ES256\""),
            s_schemeRequired,
            // Unlike the Python SDK, Disabled mode refuses it too: the binding cannot be checked (docs/compatibility.md).
            E<VerifyAccessTokenException>(401, "invalid_token", "Bearer error=\"invalid_token\", error_description=\"" + Unverifiable + "\""));

    private const string Unverifiable = "Access token is bound by a confirmation claim this API cannot verify, so it is not a Bearer token";

    /// <summary>Every cnf shape as a Bearer token (hardening issue, item 4): only a falsy cnf is not a binding.</summary>
    public static TheoryData<string, string, bool> ConfirmationShapes() => new()
    {
        // cnf (JSON), expected in Allowed mode ("" = accepted, else the description), accepted with AcceptCertificateBoundTokens
        { "{\"x5t#S256\":\"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2\"}", Unverifiable, true },
        { "{\"x5t#S256\":\"\"}", Unverifiable, true },
        { "{\"x5t#S256\":1}", Unverifiable, false },
        { "{\"x5t#S256\":\"a\",\"x5t#S256\":\"b\"}", Unverifiable, false },
        { "{\"x5t#S256\":\"a\",\"jkt\":\"b\"}", "DPoP-bound token requires the DPoP authentication scheme, not Bearer", false },
        { "{\"x5t#S256\":\"a\",\"other\":1}", Unverifiable, false },
        { "{\"jkt\":123}", Unverifiable, false },
        { "{\"jkt\":\"\"}", Unverifiable, false },
        { "{\"jkt\":\"short\"}", "DPoP-bound token requires the DPoP authentication scheme, not Bearer", false },
        { "{\"jkt\":\"a\",\"jkt\":\"b\"}", Unverifiable, false },
        { "{\"kid\":\"k\"}", Unverifiable, false },
        { "{\"jwk\":{\"kty\":\"EC\"}}", Unverifiable, false },
        { "\"thumbprint\"", Unverifiable, false },
        { "true", Unverifiable, false },
        { "1", Unverifiable, false },
        { "[1]", Unverifiable, false },
        { "{\"x5t\\u0023S256\":\"abc\"}", Unverifiable, false },
        { "{}", "", true },
        { "null", "", true },
        { "false", "", true },
        { "0", "", true },
        { "\"\"", "", true },
        { "[]", "", true },
    };

    [Theory]
    [MemberData(nameof(ConfirmationShapes))]
    public async Task A_token_with_any_confirmation_is_refused_as_Bearer(string cnf, string expected, bool acceptedWithCertificateOption)
    {
        string token = H.Token((_, p) => p.Set("cnf", new RawJson(cnf)));
        foreach (DPoPMode mode in new[] { DPoPMode.Allowed, DPoPMode.Disabled })
        {
            using ApiClient client = Client(mode);
            RequestVerificationResult result = await client.TryVerifyRequestAsync("Bearer " + token, null, "GET", Url);
            string description = mode == DPoPMode.Disabled && expected.Length > 0 ? Unverifiable : expected;
            Assert.Equal(description, result.ErrorDescription);
            Assert.Equal(description.Length == 0, result.IsValid);
            if (description.Length > 0)
            {
                Assert.Equal((VerificationFailure.BoundTokenAsBearer, 401, "invalid_token", "cnf"), (result.Failure, result.StatusCode, result.ErrorCode, result.Claim));
            }

            using ApiClient withOption = H.Client(o => (o.DPoPMode, o.AcceptCertificateBoundTokens) = (mode, true));
            RequestVerificationResult optional = await withOption.TryVerifyRequestAsync("Bearer " + token, null, "GET", Url);
            Assert.Equal(acceptedWithCertificateOption, optional.IsValid);
        }

        // The token API verifies the token alone: the binding is a request's matter.
        using ApiClient tokenApi = Client(DPoPMode.Allowed);
        Assert.True((await tokenApi.TryVerifyAccessTokenAsync(token)).IsValid);
    }

    [Theory, MemberData(nameof(Modes))]
    public Task Row07_bearer_with_a_dpop_header(string mode)
    {
        string token = Plain();
        return AssertRowAsync(mode, "Bearer " + token, Proof(token),
            E<InvalidAuthSchemeException>(400, "invalid_request", "Bearer error=\"invalid_request\", error_description=\"DPoP proof requires DPoP authentication scheme, not Bearer\", DPoP algs=\"ES256\""),
            s_schemeRequired,
            null);
    }

    [Theory, MemberData(nameof(Modes))]
    public Task Row08_dpop_scheme_without_dpop_header(string mode) =>
        AssertRowAsync(mode, "DPoP " + Bound(), null,
            E<InvalidAuthSchemeException>(400, "invalid_request", "Bearer realm=\"api\", DPoP error=\"invalid_request\", algs=\"ES256\""),
            s_schemeRequired,
            s_missingDisabled);

    [Theory, MemberData(nameof(Modes))]
    public Task Row09_multiple_proofs(string mode)
    {
        string token = Bound();
        const string Description = "Multiple DPoP proofs are not allowed";
        return AssertRowAsync(mode, "DPoP " + token, Proof(token) + ", " + Proof(token),
            E<InvalidDPoPProofException>(400, "invalid_dpop_proof", "Bearer realm=\"api\", DPoP error=\"invalid_dpop_proof\", error_description=\"" + Description + "\", algs=\"ES256\""),
            E<InvalidDPoPProofException>(400, "invalid_dpop_proof", "DPoP error=\"invalid_dpop_proof\", error_description=\"" + Description + "\", algs=\"ES256\""),
            s_missingDisabled);
    }

    [Theory, MemberData(nameof(Modes))]
    public Task Row10_unparsable_proof_header(string mode)
    {
        const string Description = "Failed to verify DPoP proof";
        return AssertRowAsync(mode, "DPoP " + Bound(), "not-a-jws",
            E<InvalidDPoPProofException>(400, "invalid_dpop_proof", "Bearer realm=\"api\", DPoP error=\"invalid_dpop_proof\", error_description=\"" + Description + "\", algs=\"ES256\""),
            E<InvalidDPoPProofException>(400, "invalid_dpop_proof", "DPoP error=\"invalid_dpop_proof\", error_description=\"" + Description + "\", algs=\"ES256\""),
            s_missingDisabled);
    }

    [Theory, MemberData(nameof(Modes))]
    public Task Row11_missing_method_or_url(string mode)
    {
        string token = Bound();
        const string Description = "The argument 'DPoP authentication requires http_method and http_url' is required but was not provided.";
        return AssertRowAsync(mode, "DPoP " + token, Proof(token),
            E<MissingRequiredArgumentException>(400, "invalid_request", "Bearer realm=\"api\", DPoP error=\"invalid_request\", error_description=\"" + Description + "\", algs=\"ES256\""),
            E<MissingRequiredArgumentException>(400, "invalid_request", "DPoP error=\"invalid_request\", error_description=\"" + Description + "\", algs=\"ES256\""),
            s_missingDisabled,
            method: null);
    }

    private Task TokenRowAsync(string mode, string token, string description, string? proof = null) =>
        AssertRowAsync(mode, "DPoP " + token, proof ?? Proof(token),
            E<VerifyAccessTokenException>(401, "invalid_token", "Bearer realm=\"api\", DPoP error=\"invalid_token\", error_description=\"" + description + "\", algs=\"ES256\""),
            E<VerifyAccessTokenException>(401, "invalid_token", "DPoP error=\"invalid_token\", error_description=\"" + description + "\", algs=\"ES256\""),
            s_missingDisabled);

    [Theory, MemberData(nameof(Modes))]
    public Task Row12_dpop_with_an_invalid_access_token(string mode) =>
        TokenRowAsync(mode, H.Token((_, p) => p.Set("exp", DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds()).Set("cnf", new ClaimSet().Set("jkt", Jkt(s_proofKey)))), "Token is expired");

    [Theory, MemberData(nameof(Modes))]
    public async Task Row13_dpop_token_without_cnf(string mode)
    {
        await TokenRowAsync(mode, Plain(), "JWT Access Token has no jkt confirmation claim");
        await TokenRowAsync(mode, Bound(new ClaimSet()), "JWT Access Token has no jkt confirmation claim");
    }

    [Theory, MemberData(nameof(Modes))]
    public Task Row14_dpop_cnf_not_an_object(string mode) =>
        TokenRowAsync(mode, Bound("not-an-object"), "JWT Access Token has invalid confirmation claim format");

    [Theory, MemberData(nameof(Modes))]
    public Task Row15_dpop_proof_fails(string mode)
    {
        string token = Bound();
        const string Description = "DPoP Proof htu mismatch";
        return AssertRowAsync(mode, "DPoP " + token, Proof(token, url: "https://api.example.com/other"),
            E<InvalidDPoPProofException>(400, "invalid_dpop_proof", "Bearer realm=\"api\", DPoP error=\"invalid_dpop_proof\", error_description=\"" + Description + "\", algs=\"ES256\""),
            E<InvalidDPoPProofException>(400, "invalid_dpop_proof", "DPoP error=\"invalid_dpop_proof\", error_description=\"" + Description + "\", algs=\"ES256\""),
            s_missingDisabled);
    }

    [Theory, MemberData(nameof(Modes))]
    public Task Row16_dpop_cnf_without_jkt(string mode) =>
        TokenRowAsync(mode, Bound(new ClaimSet().Set("x5t#S256", "abc")), "Access token 'cnf' claim missing 'jkt'");

    [Theory, MemberData(nameof(Modes))]
    public Task Row17_dpop_token_bound_to_another_key(string mode) =>
        TokenRowAsync(mode, Bound(new ClaimSet().Set("jkt", Jkt(SigningKey.CreateEc("other")))), "JWT Access Token confirmation mismatch");

    [Fact]
    public async Task A_cnf_jkt_written_with_json_escapes_binds_as_its_unescaped_value()
    {
        using ApiClient client = Client(DPoPMode.Allowed);
        string jkt = Jkt(s_proofKey);
        string escaped = "\\u00" + ((int)jkt[0]).ToString("x2", System.Globalization.CultureInfo.InvariantCulture) + jkt[1..];
        string token = Bound(new RawJson("{\"jkt\":\"" + escaped + "\"}"));
        Assert.True((await client.TryVerifyRequestAsync("DPoP " + token, Proof(token), "GET", Url)).IsValid);
    }

    [Fact]
    public async Task A_cnf_jkt_written_entirely_as_escapes_binds()
    {
        using ApiClient client = Client(DPoPMode.Allowed);
        System.Text.StringBuilder escaped = new();
        foreach (char c in Jkt(s_proofKey))
        {
            escaped.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }

        string token = Bound(new RawJson("{\"jkt\":\"" + escaped + "\"}"));
        Assert.True((await client.TryVerifyRequestAsync("DPoP " + token, Proof(token), "GET", Url)).IsValid);
    }

    [Theory]
    [InlineData("{\"jkt\":{\"jkt\":\"x\"}}", "Access token 'cnf' claim missing 'jkt'")]
    [InlineData("{\"jkt\":[\"x\"]}", "Access token 'cnf' claim missing 'jkt'")]
    [InlineData("{\"jkt\":{},\"jkt\":\"x\"}", "JWT Access Token has invalid confirmation claim format")]
    public async Task A_jkt_that_is_an_object_or_array_is_skipped_whole(string cnf, string message)
    {
        using ApiClient client = Client(DPoPMode.Allowed);
        string token = Bound(new RawJson(cnf));
        RequestVerificationResult result = await client.TryVerifyRequestAsync("DPoP " + token, Proof(token), "GET", Url);
        Assert.Equal(message, result.Error!.Message);
    }

    [Fact]
    public async Task A_repeated_cnf_jkt_is_an_invalid_confirmation()
    {
        using ApiClient client = Client(DPoPMode.Allowed);
        string jkt = Jkt(s_proofKey);
        string token = Bound(new RawJson("{\"jkt\":\"" + jkt + "\",\"jkt\":\"" + jkt + "\"}"));
        RequestVerificationResult result = await client.TryVerifyRequestAsync("DPoP " + token, Proof(token), "GET", Url);
        Assert.Equal("JWT Access Token has invalid confirmation claim format", result.Error!.Message);
    }

    [Theory]
    [InlineData("0", "JWT Access Token has no jkt confirmation claim")]
    [InlineData("false", "JWT Access Token has no jkt confirmation claim")]
    [InlineData("null", "JWT Access Token has no jkt confirmation claim")]
    [InlineData("[]", "JWT Access Token has no jkt confirmation claim")]
    [InlineData("\"\"", "JWT Access Token has no jkt confirmation claim")]
    [InlineData("1", "JWT Access Token has invalid confirmation claim format")]
    [InlineData("true", "JWT Access Token has invalid confirmation claim format")]
    [InlineData("[1]", "JWT Access Token has invalid confirmation claim format")]
    [InlineData("{\"jkt\":1}", "Access token 'cnf' claim missing 'jkt'")]
    [InlineData("{\"jkt\":\"\"}", "Access token 'cnf' claim missing 'jkt'")]
    [InlineData("{\"jkt\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", "JWT Access Token confirmation mismatch")]
    [InlineData("{\"jkt\":\"\\ud800\"}", "JWT Access Token confirmation mismatch")]
    public async Task Every_shape_of_cnf_gets_the_python_sdk_answer(string cnf, string message)
    {
        using ApiClient client = Client(DPoPMode.Allowed);
        string token = Bound(new RawJson(cnf));
        RequestVerificationResult result = await client.TryVerifyRequestAsync("DPoP " + token, Proof(token), "GET", Url);
        Assert.Equal(message, result.Error!.Message);
    }

    [Theory, MemberData(nameof(Modes))]
    public Task Valid_dpop_request(string mode)
    {
        string token = Bound();
        return AssertRowAsync(mode, "DPoP " + token, Proof(token), null, null, s_missingDisabled);
    }

    // ---- Ports of reference section 11.4 ----

    [Fact]
    public async Task A_replayed_dpop_request_is_refused_with_the_dpop_challenge()
    {
        using ApiClient client = Client(DPoPMode.Allowed);
        string token = Bound();
        string proof = Proof(token);
        Assert.True((await client.TryVerifyRequestAsync("DPoP " + token, proof, "GET", Url)).IsValid);
        RequestVerificationResult replay = await client.TryVerifyRequestAsync("DPoP " + token, proof, "GET", Url);
        Assert.Equal("Bearer realm=\"api\", DPoP error=\"invalid_dpop_proof\", error_description=\"DPoP proof has already been used\", algs=\"ES256\"", replay.Error!.Headers["WWW-Authenticate"]);
    }

    [Fact]
    public async Task Bearer_scheme_success_with_a_header_dictionary_in_any_case()
    {
        using ApiClient client = Client(DPoPMode.Allowed);
        AccessTokenClaims claims = await client.VerifyRequestAsync(new Dictionary<string, string> { ["Authorization"] = "Bearer " + Plain() });
        Assert.Equal(["my-audience"], claims.Audience);
        Assert.Equal(H.Issuer.Issuer, claims.Issuer);
    }

    [Fact]
    public async Task Dpop_scheme_success_with_mixed_case_header_names_and_scheme()
    {
        using ApiClient client = Client(DPoPMode.Allowed);
        string token = Bound();
        AccessTokenClaims claims = await client.VerifyRequestAsync(new Dictionary<string, string> { ["AUTHORIZATION"] = "dpop " + token, ["DPoP"] = Proof(token) }, "GET", Url);
        Assert.Equal("user_123", claims.Subject);
    }

    [Fact]
    public async Task Bearer_with_a_certificate_bound_token_is_refused_unless_a_proxy_checks_it()
    {
        // This test accepted the token before the hardening issue (item 4): the downgrade of a certificate-bound token.
        string token = Bound(new ClaimSet().Set("x5t#S256", "abc"));
        using ApiClient client = Client(DPoPMode.Allowed);
        VerifyAccessTokenException e = await Assert.ThrowsAsync<VerifyAccessTokenException>(async () => await client.VerifyRequestAsync("Bearer " + token, null, null, null));
        Assert.Equal(VerificationFailure.BoundTokenAsBearer, e.Failure);

        using ApiClient behindMtlsProxy = H.Client(o => o.AcceptCertificateBoundTokens = true);
        Assert.NotNull(await behindMtlsProxy.VerifyRequestAsync("Bearer " + token, null, null, null));
    }

    [Fact]
    public async Task Multiple_spaces_in_authorization_reach_the_token_parser()
    {
        using ApiClient client = Client(DPoPMode.Allowed);
        VerifyAccessTokenException e = await Assert.ThrowsAsync<VerifyAccessTokenException>(async () => await client.VerifyRequestAsync("Bearer  token  with  extra  spaces", null, null, null));
        Assert.Contains("failed to parse token", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_proof_presented_as_the_access_token_is_refused()
    {
        string token = Bound();
        string proof = Proof(token);
        using ApiClient client = Client(DPoPMode.Allowed);
        RequestVerificationResult result = await client.TryVerifyRequestAsync("DPoP " + proof, Proof(proof), "GET", Url);
        Assert.Equal(VerificationFailure.AlgorithmNotAllowed, Assert.IsType<VerifyAccessTokenException>(result.Error).Failure);

        // Even where access tokens may be ES256, a proof's typ (dpop+jwt) is not an access-token type.
        using ApiClient es256 = H.Client(o => o.AccessTokenAlgorithms = SigningAlgorithms.RS256 | SigningAlgorithms.ES256);
        RequestVerificationResult typed = await es256.TryVerifyRequestAsync("DPoP " + proof, Proof(proof), "GET", Url);
        Assert.Equal(VerificationFailure.TypeNotAllowed, Assert.IsType<VerifyAccessTokenException>(typed.Error).Failure);
    }

    [Fact]
    public async Task Challenge_algs_follow_the_configuration()
    {
        using ApiClient client = H.Client(o => o.DPoPAlgorithms = SigningAlgorithms.ES256 | SigningAlgorithms.ES384);
        RequestVerificationResult result = await client.TryVerifyRequestAsync(null, null, null, null);
        Assert.Equal("Bearer realm=\"api\", DPoP algs=\"ES256 ES384\"", result.Error!.Headers["WWW-Authenticate"]);
    }

    [Fact]
    public void IsDPoPRequired_reflects_the_mode()
    {
        using ApiClient required = Client(DPoPMode.Required);
        using ApiClient allowed = Client(DPoPMode.Allowed);
        Assert.True(required.IsDPoPRequired);
        Assert.False(allowed.IsDPoPRequired);
        Assert.Throws<ConfigurationException>(() => H.Client(o => o.DPoPMode = (DPoPMode)7));
    }

    [Fact]
    public async Task A_token_with_quotes_in_its_error_cannot_break_the_challenge()
    {
        using ApiClient client = Client(DPoPMode.Allowed);
        RequestVerificationResult result = await client.TryVerifyRequestAsync("Bearer " + H.Token((h, _) => h.Set("alg", "HS\"\r\nX: y")), null, null, null);
        string challenge = result.Error!.Headers["WWW-Authenticate"];
        Assert.DoesNotContain('\r', challenge);
        Assert.DoesNotContain('\n', challenge);
        Assert.Contains("error_description=\"Symmetric algorithm 'HSU+0022U+000DU+000AX: y' is not supported.", challenge, StringComparison.Ordinal);
    }
}
