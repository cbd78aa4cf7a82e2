using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Api;

/// <summary>
/// <see cref="AccessTokenResult.Issuer"/> and <see cref="RequestVerificationResult.Issuer"/>: the allowed issuer a token
/// matched, on a success and on every refusal found after the match (the signature, an unknown key, the issuer's keys
/// unavailable, the audience, the expiry, a required claim, the DPoP binding and proof, a replay), whether the token was
/// verified in full or found in the verified-token cache; <see langword="null"/> before the match and for an issuer
/// that is not allowed, in each mode (one domain, a list, a resolver).
/// </summary>
public sealed class RefusalIssuerTests : FakeClockIssuerTests
{
    private const string Url = "https://api.example.com/resource";
    private const string Attacker = "https://attacker.example/";
    private static readonly SigningKey s_proofKey = SigningKey.CreateEc("issuer-proof-key");

    public static TheoryData<string> Modes => ["domain", "list", "resolver"];

    private ApiClient ClientIn(string mode, Action<ApiClientOptions>? configure = null) => Client(o =>
    {
        switch (mode)
        {
            case "list":
                o.Domains = ["other-tenant.example.com", H.Issuer.Domain];
                break;
            case "resolver":
                o.UseDomainsResolver(_ => ["other-tenant.example.com", H.Issuer.Domain]);
                break;
        }

        configure?.Invoke(o);
    });

    private string Bound() => H.Token((_, p) => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(s_proofKey))));

    private string Proof(string token, string method = "GET", string jti = "issuer-proof-jti") =>
        DPoPProofs.Create(s_proofKey, token, method, Url, Time.GetUtcNow(), (_, p) => p.Set("jti", jti));

    private async Task<AccessTokenResult> RefusedAsync(ApiClient client, string token, VerificationFailure failure, IReadOnlyList<string>? requiredClaims = null)
    {
        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(token, requiredClaims);
        Assert.Equal(failure, result.Failure);
        return result;
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Each_refusal_after_the_issuer_matched_names_the_allowed_issuer(string mode)
    {
        using ApiClient client = ClientIn(mode);
        string issuer = H.Issuer.Issuer;
        Assert.Equal(issuer, (await client.TryVerifyAccessTokenAsync(H.Token())).Issuer);

        // The signature: the other key's signature under the issuer's kid.
        string forged = H.Token((h, _) => h.Set("kid", TestKeys.Primary.Kid), TestKeys.Other);
        Assert.Equal(issuer, (await RefusedAsync(client, forged, VerificationFailure.SignatureInvalid)).Issuer);

        // A kid the key set lacks (a refetch, which does not have it either), then one within the cooldown.
        Assert.Equal(issuer, (await RefusedAsync(client, H.Token((h, _) => h.Set("kid", "no-such-kid")), VerificationFailure.KeyNotFound)).Issuer);
        Assert.Equal(issuer, (await RefusedAsync(client, H.Token((h, _) => h.Set("kid", "no-such-kid-2")), VerificationFailure.KeyNotFound)).Issuer);

        Assert.Equal(issuer, (await RefusedAsync(client, H.Token((_, p) => p.Set("exp", Time.GetUtcNow().AddHours(-1).ToUnixTimeSeconds())), VerificationFailure.Expired)).Issuer);
        Assert.Equal(issuer, (await RefusedAsync(client, H.Token((_, p) => p.Set("aud", "someone-else")), VerificationFailure.ClaimMismatch)).Issuer);
        Assert.Equal(issuer, (await RefusedAsync(client, H.Token((_, p) => p.Set("nbf", Time.GetUtcNow().AddHours(1).ToUnixTimeSeconds())), VerificationFailure.NotYetValid)).Issuer);
        Assert.Equal(issuer, (await RefusedAsync(client, H.Token(), VerificationFailure.ClaimMissing, ["org_id"])).Issuer);

        // The exception of the throwing API is unchanged (no issuer in its message).
        VerifyAccessTokenException e = await Assert.ThrowsAsync<VerifyAccessTokenException>(async () => await client.VerifyAccessTokenAsync(forged));
        Assert.DoesNotContain("127.0.0.1", e.Message, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task A_token_found_in_the_verified_token_cache_names_it_too(string mode)
    {
        using ApiClient client = ClientIn(mode);
        string shortLived = H.Token((_, p) => p.Set("exp", Time.GetUtcNow().AddSeconds(30).ToUnixTimeSeconds()));
        Assert.Equal(H.Issuer.Issuer, (await client.TryVerifyAccessTokenAsync(shortLived)).Issuer);

        // Again: a cache hit, valid, then missing a required claim, then expired.
        Assert.Equal(H.Issuer.Issuer, (await client.TryVerifyAccessTokenAsync(shortLived)).Issuer);
        Assert.Equal(H.Issuer.Issuer, (await RefusedAsync(client, shortLived, VerificationFailure.ClaimMissing, ["org_id"])).Issuer);
        Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(H.Issuer.Issuer, (await RefusedAsync(client, shortLived, VerificationFailure.Expired)).Issuer);
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Keys_that_cannot_be_had_name_the_allowed_issuer(string mode)
    {
        await StartOutageAsync("500");
        using ApiClient client = ClientIn(mode);
        Assert.Equal(H.Issuer.Issuer, (await RefusedAsync(client, H.Token(), VerificationFailure.KeySourceFailed)).Issuer);
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task No_issuer_before_the_match_or_for_an_issuer_that_is_not_allowed(string mode)
    {
        using ApiClient client = ClientIn(mode);
        await client.VerifyAccessTokenAsync(H.Token());

        AccessTokenResult foreign = await client.TryVerifyAccessTokenAsync(H.Token((_, p) => p.Set("iss", Attacker)));
        Assert.Equal(mode == "domain" ? VerificationFailure.ClaimMismatch : VerificationFailure.IssuerNotAllowed, foreign.Failure);
        Assert.Null(foreign.Issuer);
        Assert.Null((await client.TryVerifyAccessTokenAsync("not.a-token.at-all")).Issuer);
        Assert.Null((await client.TryVerifyAccessTokenAsync(H.Token((_, p) => p.Remove("iss")))).Issuer);
        Assert.Null((await client.TryVerifyAccessTokenAsync(null)).Issuer);

        RequestVerificationResult request = await client.TryVerifyRequestAsync("Bearer " + H.Token((_, p) => p.Set("iss", Attacker)), null, "GET", Url);
        Assert.False(request.IsValid);
        Assert.Null(request.Issuer);
        Assert.Null((await client.TryVerifyRequestAsync(null, null, "GET", Url)).Issuer);
    }

    // Spellings of the allowed issuer that normalise to it (case, no trailing slash, blanks, a repeated scheme): the
    // token is refused (its raw iss is not the discovery document's), and the issuer named is the allowed one's
    // string, never the token's. Look-alikes that do not normalise to it (a trailing dot, an escape, a full-width digit,
    // a path) name none.
    public static TheoryData<string, string> CraftedIssuers()
    {
        TheoryData<string, string> rows = new();
        foreach (string mode in new[] { "domain", "list", "resolver" })
        {
            rows.Add(mode, "no-slash");
            rows.Add(mode, "upper-scheme");
            rows.Add(mode, "blanks");
            rows.Add(mode, "double-scheme");
        }

        return rows;
    }

    private string Spell(string spelling)
    {
        string issuer = H.Issuer.Issuer;
        string host = issuer["https://".Length..^1];
        return spelling switch
        {
            "no-slash" => "https://" + host,
            "upper-scheme" => "HTTPS://" + host + "/",
            "blanks" => "  " + issuer + " ",
            "double-scheme" => "https://" + issuer,
            "trailing-dot" => "https://" + host.Replace(":", ".:", StringComparison.Ordinal) + "/",
            "escaped" => "https://" + host.Replace(".", "%2E", StringComparison.Ordinal) + "/",
            "full-width" => "https://" + host.Replace("1", "\uFF11", StringComparison.Ordinal) + "/",
            "path" => issuer + "x",
            _ => throw new ArgumentOutOfRangeException(nameof(spelling)),
        };
    }

    [Theory, MemberData(nameof(CraftedIssuers))]
    public async Task A_crafted_spelling_of_the_allowed_issuer_names_the_allowed_issuer_not_the_tokens_text(string mode, string spelling)
    {
        using ApiClient client = ClientIn(mode);
        Assert.True((await client.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        string iss = Spell(spelling);
        Assert.NotEqual(H.Issuer.Issuer, iss);

        AccessTokenResult result = await RefusedAsync(client, H.Token((_, p) => p.Set("iss", iss)), VerificationFailure.ClaimMismatch);
        Assert.Equal("iss", result.Claim);
        Assert.Equal(H.Issuer.Issuer, result.Issuer);
        RequestVerificationResult request = await client.TryVerifyRequestAsync("Bearer " + H.Token((_, p) => p.Set("iss", iss)), null, "GET", Url);
        Assert.Equal((VerificationFailure.ClaimMismatch, H.Issuer.Issuer), (request.Failure, request.Issuer));
    }

    [Theory]
    [InlineData("domain", "trailing-dot")]
    [InlineData("list", "trailing-dot")]
    [InlineData("resolver", "trailing-dot")]
    [InlineData("domain", "escaped")]
    [InlineData("list", "full-width")]
    [InlineData("resolver", "full-width")]
    [InlineData("resolver", "path")]
    public async Task A_look_alike_of_the_allowed_issuer_names_none(string mode, string spelling)
    {
        using ApiClient client = ClientIn(mode);
        Assert.True((await client.TryVerifyAccessTokenAsync(H.Token())).IsValid);

        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(H.Token((_, p) => p.Set("iss", Spell(spelling))));
        Assert.False(result.IsValid);
        Assert.Null(result.Issuer);
    }

    [Fact]
    public async Task An_issuer_the_resolver_allows_for_one_request_and_not_the_next_is_named_only_when_allowed()
    {
        // The resolver allows the issuer for tenant a only; the second call is a verified-token cache hit for tenant b.
        using ApiClient client = Client(o => o.UseDomainsResolver(context =>
            context.RequestHeaders?["x-tenant"] == "a" ? [H.Issuer.Domain] : ["other-tenant.example.com"]));
        string token = H.Token();
        Dictionary<string, string> a = new() { ["x-tenant"] = "a" };
        Dictionary<string, string> b = new() { ["x-tenant"] = "b" };

        Assert.Equal(H.Issuer.Issuer, (await client.TryVerifyAccessTokenAsync(token, Url, a)).Issuer);
        AccessTokenResult refused = await client.TryVerifyAccessTokenAsync(token, Url, b);
        Assert.Equal(VerificationFailure.IssuerNotAllowed, refused.Failure);
        Assert.Null(refused.Issuer);
        Assert.Equal(H.Issuer.Issuer, (await client.TryVerifyAccessTokenAsync(token, Url, a)).Issuer);

        AccessTokenResult expired = await client.TryVerifyAccessTokenAsync(H.Token((_, p) => p.Set("exp", Time.GetUtcNow().AddHours(-1).ToUnixTimeSeconds())), Url, b);
        Assert.Equal(VerificationFailure.IssuerNotAllowed, expired.Failure);
        Assert.Null(expired.Issuer);
    }

    [Fact]
    public async Task A_token_of_a_discovery_issuer_that_is_not_the_configured_domain_has_none_until_it_matches()
    {
        // One domain: the token's issuer is matched against the configured domain's discovery document; an issuer
        // that is neither the domain nor the document's is named by no refusal, even when the keys cannot be had.
        using ApiClient client = Client();
        await StartOutageAsync("500");
        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(H.Token((_, p) => p.Set("iss", Attacker)));
        Assert.Equal(VerificationFailure.KeySourceFailed, result.Failure);
        Assert.Null(result.Issuer);
    }

    [Fact]
    public async Task Each_request_refusal_after_the_token_verified_names_the_issuer()
    {
        using ApiClient client = ClientIn("list");
        string issuer = H.Issuer.Issuer;
        string bound = Bound();

        RequestVerificationResult valid = await client.TryVerifyRequestAsync("DPoP " + bound, Proof(bound), "GET", Url);
        Assert.True(valid.IsValid, valid.ErrorDescription);
        Assert.Equal(issuer, valid.Issuer);
        Assert.Equal(issuer, (await client.TryVerifyRequestAsync("Bearer " + H.Token(), null, "GET", Url)).Issuer);

        async Task AssertRefusedAsync(string? authorization, string? dpop, VerificationFailure failure, string? expected)
        {
            RequestVerificationResult result = await client.TryVerifyRequestAsync(authorization, dpop, "GET", Url);
            Assert.Equal(failure, result.Failure);
            Assert.Equal(expected, result.Issuer);
        }

        // The token's own refusals, through either scheme.
        await AssertRefusedAsync("Bearer " + H.Token((_, p) => p.Set("exp", Time.GetUtcNow().AddHours(-1).ToUnixTimeSeconds())), null, VerificationFailure.Expired, issuer);
        string expiredBound = H.Token((_, p) => p.Set("exp", Time.GetUtcNow().AddHours(-1).ToUnixTimeSeconds()).Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(s_proofKey))));
        await AssertRefusedAsync("DPoP " + expiredBound, Proof(expiredBound), VerificationFailure.Expired, issuer);

        // After the token verified: the proof, the binding, the downgrade guard, a replay.
        await AssertRefusedAsync("DPoP " + bound, Proof(bound, method: "POST", jti: "jti-post"), VerificationFailure.ProofMethodMismatch, issuer);
        string otherKey = DPoPProofs.Create(SigningKey.CreateEc("another-proof-key"), bound, "GET", Url, Time.GetUtcNow());
        await AssertRefusedAsync("DPoP " + bound, otherKey, VerificationFailure.BindingMismatch, issuer);
        string plain = H.Token();
        await AssertRefusedAsync("DPoP " + plain, Proof(plain, jti: "jti-plain"), VerificationFailure.ConfirmationMissing, issuer);
        await AssertRefusedAsync("Bearer " + bound, null, VerificationFailure.BoundTokenAsBearer, issuer);
        await AssertRefusedAsync("Bearer " + plain, Proof(plain, jti: "jti-bearer"), VerificationFailure.BearerWithDPoPProof, issuer);
        string once = Proof(bound, jti: "jti-once");
        Assert.True((await client.TryVerifyRequestAsync("DPoP " + bound, once, "GET", Url)).IsValid);
        await AssertRefusedAsync("DPoP " + bound, once, VerificationFailure.ProofReplayed, issuer);

        // Before the token verified: none.
        await AssertRefusedAsync("DPoP " + bound, null, VerificationFailure.DPoPProofMissing, null);
        string foreign = H.Token((_, p) => p.Set("iss", Attacker).Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(s_proofKey))));
        await AssertRefusedAsync("DPoP " + foreign, Proof(foreign, jti: "jti-foreign"), VerificationFailure.IssuerNotAllowed, null);
    }
}

/// <summary>The verification instruments and spans name the allowed issuer on refusals too, and never an issuer that is not allowed.</summary>
[Collection(MetricsCollection.Name)]
public sealed class RefusalIssuerTelemetryTests : FakeClockIssuerTests
{
    private const string Attacker = "https://attacker.example/";

    [Fact]
    public async Task Refusals_after_the_match_are_tagged_with_the_issuer_and_others_are_not()
    {
        using TelemetryRecorder recorder = new();
        using ApiClient client = Client(o => o.Domains = [H.Issuer.Domain]);
        string issuer = H.Issuer.Issuer;
        Assert.True((await client.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        await client.TryVerifyAccessTokenAsync(H.Token((h, _) => h.Set("kid", TestKeys.Primary.Kid), TestKeys.Other));
        await client.TryVerifyAccessTokenAsync(H.Token((_, p) => p.Set("exp", Time.GetUtcNow().AddHours(-1).ToUnixTimeSeconds())));
        await client.TryVerifyRequestAsync("Bearer " + H.Token((_, p) => p.Set("aud", "someone-else")), null, "GET", "https://api.example.com/x");
        await client.TryVerifyAccessTokenAsync(H.Token((_, p) => p.Set("iss", Attacker)));
        await client.TryVerifyRequestAsync("Bearer not-a-token", null, "GET", "https://api.example.com/x");

        string[] expected =
        [
            "success|token|" + issuer,
            "SignatureInvalid|token|" + issuer,
            "Expired|token|" + issuer,
            "ClaimMismatch|bearer|" + issuer,
            "IssuerNotAllowed|token|",
            "MalformedToken|bearer|",
        ];
        foreach (string instrument in new[] { "auth0.api.verifications", "auth0.api.verification.duration" })
        {
            Assert.Equal(expected, recorder.Of(instrument).Select(m => m.Tag("auth0.result") + "|" + m.Tag("auth0.scheme") + "|" + m.Tag("auth0.issuer")));
        }

        Activity[] spans = recorder.Spans("auth0.verify");
        Assert.Equal(expected, spans.Select(a => a.GetTagItem("auth0.result") + "|" + a.GetTagItem("auth0.scheme") + "|" + a.GetTagItem("auth0.issuer")));
        Assert.Equal([ActivityStatusCode.Unset, .. Enumerable.Repeat(ActivityStatusCode.Error, 5)], spans.Select(a => a.Status));
        Assert.DoesNotContain(recorder.AllTagValues(), v => v.Contains("attacker", StringComparison.Ordinal));
    }
}
