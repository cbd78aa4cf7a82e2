using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Internal;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Api;

/// <summary>
/// Every failure kind of a request, produced for real against a loopback issuer: its stable kind, status, error code,
/// description and challenge are on the result without an exception, agree with the exception the throwing API
/// raises, and match the table in docs/errors.md. The same corpus is then run counting first-chance exceptions: a
/// Try* call throws nothing inside, whatever it refuses.
/// </summary>
public sealed class FailureKindTests : IssuerTests
{
    private const string Url = "https://api.example.com/resource";
    private static readonly SigningKey s_proofKey = SigningKey.CreateEc("proof-key");
    private static readonly SigningKey s_otherProofKey = SigningKey.CreateEc("other-proof-key");

    private string Bound(object? cnf = null) => H.Token((_, p) => p.Set("cnf", cnf ?? new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(s_proofKey))));

    private static string Proof(string token, Action<ClaimSet, ClaimSet>? configure = null, SigningKey? key = null, string method = "GET") =>
        DPoPProofs.Create(key ?? s_proofKey, token, method, Url, DateTimeOffset.UtcNow, configure);

    // Prime: a proof accepted first, on the same client (the same proof for a replay). Configure: more options.
    private sealed record Case(string Name, VerificationFailure Kind, DPoPMode Mode, string? Authorization, string? DPoP, string? Method = "GET", string? Url = Url, bool Nonces = false, string? Prime = null, Action<ApiClientOptions>? Configure = null);

    private IEnumerable<Case> Cases()
    {
        string bound = Bound();
        string plain = H.Token();
        string wrongAud = H.Token((_, p) => p.Set("aud", "someone-else"));
        yield return new("no header", VerificationFailure.AuthorizationMissing, DPoPMode.Allowed, null, null);
        yield return new("scheme only", VerificationFailure.AuthorizationMalformed, DPoPMode.Allowed, "Bearer", null);
        yield return new("scheme and spaces", VerificationFailure.AuthorizationMalformed, DPoPMode.Allowed, "Bearer   ", null);
        yield return new("two authorization lines joined", VerificationFailure.AuthorizationRepeated, DPoPMode.Allowed, "Bearer " + plain + ", Bearer " + plain, null);
        yield return new("bearer and dpop credentials", VerificationFailure.AuthorizationRepeated, DPoPMode.Required, "DPoP " + bound + ",Bearer " + plain, null);
        yield return new("another scheme's auth-params", VerificationFailure.SchemeNotSupported, DPoPMode.Allowed, "Digest username=\"a\", realm=\"b\", nonce=\"c\"", null);
        yield return new("dpop list when disabled", VerificationFailure.SchemeNotSupported, DPoPMode.Disabled, "DPoP " + bound + ", Bearer " + plain, null);
        yield return new("bearer list when disabled", VerificationFailure.AuthorizationRepeated, DPoPMode.Disabled, "Bearer " + plain + ",Bearer " + plain, null);
        yield return new("tab before a list", VerificationFailure.AuthorizationRepeated, DPoPMode.Allowed, "Bearer\t" + plain + ", Bearer " + plain, null);
        yield return new("basic scheme", VerificationFailure.SchemeNotSupported, DPoPMode.Allowed, "Basic dXNlcjpwYXNz", null);
        yield return new("dpop when disabled", VerificationFailure.SchemeNotSupported, DPoPMode.Disabled, "DPoP " + bound, Proof(bound));
        yield return new("bearer when required", VerificationFailure.SchemeNotAllowed, DPoPMode.Required, "Bearer " + plain, null);
        yield return new("dpop without proof", VerificationFailure.DPoPProofMissing, DPoPMode.Allowed, "DPoP " + bound, null);
        yield return new("bearer with proof", VerificationFailure.BearerWithDPoPProof, DPoPMode.Allowed, "Bearer " + plain, Proof(plain));
        yield return new("no method", VerificationFailure.RequestContextMissing, DPoPMode.Allowed, "DPoP " + bound, Proof(bound), Method: null);
        yield return new("two proofs", VerificationFailure.MultipleDPoPProofs, DPoPMode.Allowed, "DPoP " + bound, Proof(bound) + ", " + Proof(bound));
        yield return new("proof too large", VerificationFailure.ProofTooLarge, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (_, p) => p.Set("pad", new string('x', 9000))));
        yield return new("proof not a jws", VerificationFailure.ProofMalformed, DPoPMode.Allowed, "DPoP " + bound, "not-a-jws");
        yield return new("proof header not json", VerificationFailure.ProofMalformed, DPoPMode.Allowed, "DPoP " + bound, "eyJhbGciOi." + Proof(bound).Split('.')[1] + ".c2ln");
        yield return new("proof typ", VerificationFailure.ProofTypeInvalid, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (h, _) => h.Set("typ", "JWT")));
        yield return new("proof crit", VerificationFailure.ProofCriticalHeader, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (h, _) => h.Set("crit", new[] { "x" }).Set("x", 1)));
        yield return new("proof crit b64", VerificationFailure.ProofCriticalHeader, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (h, _) => h.Set("crit", new[] { "b64" }).Set("b64", false)));
        yield return new("proof alg", VerificationFailure.ProofAlgorithmNotAllowed, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (h, _) => h.Set("alg", "ES384")));
        yield return new("proof jwk missing", VerificationFailure.ProofKeyInvalid, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (h, _) => h.Remove("jwk")));
        yield return new("proof jwk private", VerificationFailure.ProofKeyInvalid, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (h, _) => h.Set("jwk", s_proofKey.PublicJwk(includeAlgAndUse: false).Remove("kid").Set("d", "AAAA"))));
        yield return new("proof jwk member of the wrong type", VerificationFailure.ProofMalformed, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (h, _) => h.Set("jwk", s_proofKey.PublicJwk(includeAlgAndUse: false).Remove("kid").Set("kty", 7))));
        yield return new("proof signature", VerificationFailure.ProofSignatureInvalid, DPoPMode.Allowed, "DPoP " + bound, Proof(bound)[..^4] + "AAAA");
        yield return new("proof without htm", VerificationFailure.ProofClaimMissing, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (_, p) => p.Remove("htm")));
        yield return new("proof jti a number", VerificationFailure.ProofClaimInvalid, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (_, p) => p.Set("jti", 5)));
        yield return new("proof jti blank", VerificationFailure.ProofClaimInvalid, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (_, p) => p.Set("jti", "  ")));
        yield return new("proof iat old", VerificationFailure.ProofIatTooOld, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (_, p) => p.Set("iat", DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds())));
        yield return new("proof iat future", VerificationFailure.ProofIatInFuture, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (_, p) => p.Set("iat", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds())));
        yield return new("proof htm", VerificationFailure.ProofMethodMismatch, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, method: "POST"));
        yield return new("proof htu", VerificationFailure.ProofUrlMismatch, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (_, p) => p.Set("htu", "https://evil.example.com/resource")));
        yield return new("proof ath", VerificationFailure.ProofTokenHashMismatch, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (_, p) => p.Set("ath", DPoPProofs.AccessTokenHash(plain))));
        yield return new("nonce missing", VerificationFailure.ProofNonceMissing, DPoPMode.Allowed, "DPoP " + bound, Proof(bound), Nonces: true);
        yield return new("nonce invalid", VerificationFailure.ProofNonceInvalid, DPoPMode.Allowed, "DPoP " + bound, Proof(bound, (_, p) => p.Set("nonce", "not-a-nonce")), Nonces: true);
        string replayed = Proof(bound);
        yield return new("proof replayed", VerificationFailure.ProofReplayed, DPoPMode.Allowed, "DPoP " + bound, replayed, Prime: replayed);
        yield return new("replay store unavailable", VerificationFailure.ProofReplayStoreUnavailable, DPoPMode.Allowed, "DPoP " + bound, Proof(bound), Configure: o => o.DPoPReplayStore = new UnavailableStore());
        yield return new("proof key over its share", VerificationFailure.ProofKeyQuotaExceeded, DPoPMode.Allowed, "DPoP " + bound, Proof(bound), Prime: Proof(bound), Configure: o =>
        {
            o.DPoPReplayCapacity = 8;
            o.DPoPReplayMaxKeyShare = 0.125;
        });
        yield return new("token without cnf", VerificationFailure.ConfirmationMissing, DPoPMode.Allowed, "DPoP " + plain, Proof(plain));
        yield return new("token cnf without jkt", VerificationFailure.ConfirmationMissing, DPoPMode.Allowed, "DPoP " + Bound(new ClaimSet().Set("x5t#S256", "abc")), null);
        yield return new("token cnf not an object", VerificationFailure.ConfirmationInvalid, DPoPMode.Allowed, "DPoP " + Bound(new RawJson("1")), null);
        yield return new("token bound to another key", VerificationFailure.BindingMismatch, DPoPMode.Allowed, "DPoP " + bound, null);
        yield return new("bound token as bearer", VerificationFailure.BoundTokenAsBearer, DPoPMode.Allowed, "Bearer " + bound, null);
        yield return new("token audience", VerificationFailure.ClaimMismatch, DPoPMode.Allowed, "Bearer " + wrongAud, null);
        yield return new("token not json", VerificationFailure.MalformedToken, DPoPMode.Allowed, "Bearer eyJhbGciOi.eyJzdWIiOiJ4In0.c2ln", null);
    }

    // The cases that need the request's own token in their proof are completed here (their DPoP is null above).
    private Case Complete(Case c)
    {
        if (c.DPoP is not null || c.Kind is VerificationFailure.DPoPProofMissing or VerificationFailure.AuthorizationMissing or VerificationFailure.AuthorizationMalformed
            or VerificationFailure.SchemeNotSupported or VerificationFailure.SchemeNotAllowed or VerificationFailure.BoundTokenAsBearer
            or VerificationFailure.ClaimMismatch or VerificationFailure.MalformedToken or VerificationFailure.AuthorizationRepeated)
        {
            return c;
        }

        string token = c.Authorization!["DPoP ".Length..];
        return c with { DPoP = Proof(token, key: c.Kind == VerificationFailure.BindingMismatch ? s_otherProofKey : s_proofKey) };
    }

    private ApiClient Client(Case c) => H.Client(o =>
    {
        o.DPoPMode = c.Mode;
        o.MaxDPoPProofLength = 8192;
        if (c.Nonces)
        {
            o.DPoPNonceKey = new byte[32];
        }

        c.Configure?.Invoke(o);
    });

    private sealed class UnavailableStore : IDPoPReplayStore
    {
        public ValueTask<DPoPReplayResult> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) => new(DPoPReplayResult.Unavailable);
    }

    [Fact]
    public async Task Every_request_failure_has_its_kind_status_code_and_challenge_without_an_exception()
    {
        HashSet<VerificationFailure> covered = [];
        foreach (Case raw in Cases())
        {
            Case c = Complete(raw);
            using ApiClient client = Client(c);
            if (c.Prime is not null)
            {
                Assert.True((await client.TryVerifyRequestAsync(c.Authorization, c.Prime, c.Method, c.Url)).IsValid);
            }

            RequestVerificationResult result = await client.TryVerifyRequestAsync(c.Authorization, c.DPoP, c.Method, c.Url);
            Assert.False(result.IsValid, c.Name);
            Assert.True(c.Kind == result.Failure, $"{c.Name}: expected {c.Kind}, got {result.Failure} ({result.ErrorDescription})");
            covered.Add(result.Failure);

            (int status, string code) = ErrorsTable.Value[c.Kind];
            Assert.Equal(status, result.StatusCode);
            Assert.Equal(code, result.ErrorCode);

            // The exception the throwing API raises says the same.
            BaseAuthException error = result.Error;
            Assert.Equal(result.StatusCode, error.StatusCode);
            Assert.Equal(result.ErrorCode, error.ErrorCode);
            Assert.Equal(result.ErrorDescription, error.ErrorDescription);
            if (Error.HasNoChallenge(c.Kind))
            {
                // The store's refusals are no fault of the credentials: no challenge, a Retry-After instead.
                Assert.Null(result.Challenge);
                Assert.False(error.Headers.ContainsKey("WWW-Authenticate"));
                Assert.Equal(TimeSpan.FromSeconds(1), result.RetryAfter);
                Assert.Equal("1", error.Headers["Retry-After"]);
            }
            else
            {
                Assert.Equal(result.Challenge, error.Headers["WWW-Authenticate"]);
                Assert.Null(result.RetryAfter);
            }

            Assert.Same(error, result.Error);
            if (c.Nonces)
            {
                Assert.NotNull(result.DPoPNonce);
                Assert.Equal(result.DPoPNonce, error.Headers["DPoP-Nonce"]);
            }
            else
            {
                Assert.Null(result.DPoPNonce);
            }

            if (error is VerifyAccessTokenException token)
            {
                Assert.Equal(result.Failure, token.Failure);
                Assert.Equal(result.Claim, token.Claim);
            }

            using ApiClient throwing = Client(c);
            if (c.Prime is not null)
            {
                await throwing.VerifyRequestAsync(c.Authorization, c.Prime, c.Method, c.Url);
            }

            BaseAuthException thrown = await Assert.ThrowsAnyAsync<BaseAuthException>(async () => await throwing.VerifyRequestAsync(c.Authorization, c.DPoP, c.Method, c.Url));
            Assert.Equal(error.GetType(), thrown.GetType());
            Assert.Equal(error.Message, thrown.Message);
        }

        VerificationFailure[] requestKinds = Enum.GetValues<VerificationFailure>().Where(k => k >= VerificationFailure.AuthorizationMissing).ToArray();
        Assert.Empty(requestKinds.Except(covered));
    }

    [Fact]
    public async Task A_valid_request_reports_no_failure()
    {
        using ApiClient client = H.Client();
        string token = Bound();
        RequestVerificationResult result = await client.TryVerifyRequestAsync("DPoP " + token, Proof(token), "GET", Url);
        Assert.True(result.IsValid);
        Assert.Equal((VerificationFailure.None, 200, "", "", null, null, "dpop"), (result.Failure, result.StatusCode, result.ErrorCode, result.ErrorDescription, result.Challenge, result.Claim, result.Scheme));
        Assert.Null(result.Error);
    }

    [Fact]
    public void The_errors_table_in_the_docs_lists_every_kind_with_its_status_and_code()
    {
        foreach (VerificationFailure kind in Enum.GetValues<VerificationFailure>())
        {
            Assert.True(ErrorsTable.Value.ContainsKey(kind), $"docs/errors.md has no row for {kind}");
            (int status, string code) = Error.Describe(kind);
            Assert.True(ErrorsTable.Value[kind] == (status, code), $"docs/errors.md says {ErrorsTable.Value[kind]} for {kind}; the library answers ({status}, {code})");
        }

        Assert.Equal(Enum.GetValues<VerificationFailure>().Length, ErrorsTable.Value.Count);
    }

    [Fact]
    public async Task No_try_call_throws_inside_for_any_refused_input()
    {
        List<(string Name, Func<Task> Run)> corpus = [];
        foreach (Case raw in Cases())
        {
            Case c = Complete(raw);
            ApiClient client = Client(c);
            await client.TryVerifyRequestAsync(c.Authorization, c.DPoP, c.Method, c.Url); // warm: discovery and JWKS fetched
            corpus.Add((c.Name, async () => await client.TryVerifyRequestAsync(c.Authorization, c.DPoP, c.Method, c.Url)));
        }

        using ApiClient tokens = H.Client();
        string boundToken = Bound();
        await tokens.TryVerifyAccessTokenAsync(boundToken);
        foreach (string token in HostileTokens())
        {
            corpus.Add((token.Length > 40 ? token[..40] : token, async () => await tokens.TryVerifyAccessTokenAsync(token)));
            corpus.Add(("request " + token, async () => await tokens.TryVerifyRequestAsync("Bearer " + token, null, "GET", Url)));
            corpus.Add(("dpop " + token, async () => await tokens.TryVerifyRequestAsync("DPoP " + boundToken, token, "GET", Url)));
        }

        List<string> thrown = [];
        using (FirstChanceCounter counter = new())
        {
            foreach ((string name, Func<Task> run) in corpus)
            {
                counter.Reset();
                await run();
                if (counter.Count > 0)
                {
                    thrown.Add(name + ": " + counter.Last);
                }
            }
        }

        Assert.Empty(thrown);
    }

    // Tokens (and, as DPoP headers, proofs) that are refused before or at the signature: bad shape, base64url, JSON,
    // escapes, types, algorithms.
    private IEnumerable<string> HostileTokens()
    {
        string valid = H.Token();
        string[] parts = valid.Split('.');
        string B64(string json) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
        string[] headers =
        [
            "", " ", "{", "}", "[]", "null", "{\"alg\":\"RS256\",\"kid\":\"k\"", "{\"alg\":\"RS256\",\"kid\":\"k\"}x", "{\"alg\":\"RS256\",\"kid\":\"k\"} {}",
            "{\"alg\":\"RS256\",,\"kid\":\"k\"}", "{\"alg\":\"RS256\",\"kid\":\"k\",}", "{\"alg\":01}", "{\"alg\":-}", "{\"alg\":1.}", "{\"alg\":1e}", "{\"alg\":tru}",
            "{\"alg\":\"RS256\",\"kid\":\"\\ud800\"}", "{\"alg\":\"RS\\ud800\",\"kid\":\"k\"}", "{\"alg\":\"RS256\",\"kid\":\"k\",\"\\udc00\":1}",
            "{\"alg\":\"\\x\"}", "{\"alg\":\"\\u12\"}", "{\"alg\":\"a\u0001b\"}", "{\"alg\":\"none\",\"kid\":\"k\"}", "{\"alg\":\"HS256\",\"kid\":\"k\"}",
            "{\"alg\":\"x\u00e9y\",\"kid\":\"k\"}", "{\"alg\":\"RS256\",\"kid\":\"k\",\"crit\":[\"b64\"],\"b64\":false}", "{\"alg\":\"RS256\",\"alg\":\"RS256\",\"kid\":\"k\"}",
            new string('[', 40) + new string(']', 40), "{\"a\":" + new string('[', 70) + new string(']', 70) + "}",
            "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":{\"kty\":7}}", "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":1,\"y\":\"a\"}}",
            "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":[]}", "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":{\"key_ops\":\"verify\"}}",
        ];
        string[] payloads =
        [
            "", "{", "[]", "{\"iss\":1}", "{\"exp\":1.5}", "{\"aud\":[1]}", "{\"iss\":\"\\ud800\"}", "{\"sub\":\"a\\u\"}", "{\"cnf\":{\"jkt\":\"\\ud800\"}}",
            "{\"cnf\":{\"jkt\":\"x\",\"jkt\":\"y\"}}", "{\"cnf\":{\"\\ud800\":1}}", "{\"cnf\":{\"\\udc00abc\":1,\"jkt\":\"x\"}}", "{\"permissions\":[\"a\",2]}", "{\"x\":" + new string('[', 70) + new string(']', 70) + "}",
            "{\"htm\":1,\"htu\":\"x\",\"iat\":1,\"jti\":\"j\",\"ath\":\"a\"}",
            "{\"exp\":1x}", "{\"exp\":1 2}", "{\"aud\":[\"a\",]}", "{\"aud\":[\"a\" \"b\"]}", "{\"cnf\":[1,}", "{\"cnf\":{\"jkt\":\"x\",}}",
            "{\"cnf\":{\"jkt\" \"x\"}}", "{\"cnf\":tru}", "{\"cnf\":-}", "{\"a\":1}}", "{\"iss\":\"a\" \"b\"}", "{\"a\":1,}", "{,}", "{\"a\"}", "{\"a\":}",
        ];
        foreach (string header in headers)
        {
            yield return B64(header) + "." + parts[1] + "." + parts[2];
        }

        foreach (string payload in payloads)
        {
            yield return parts[0] + "." + B64(payload) + "." + parts[2];
        }

        yield return "";
        yield return "a";
        yield return "a.b";
        yield return "a.b.c.d";
        yield return "a..c";
        yield return "..";
        yield return parts[0] + "." + parts[1] + ".";
        yield return parts[0] + "=." + parts[1] + "." + parts[2];
        yield return parts[0] + "." + parts[1] + "+." + parts[2];
        yield return parts[0] + "." + parts[1] + "." + parts[2][..^2] + "__";
        yield return valid[..^5] + "!!!!!";
        yield return new string('a', 20000);
    }


    /// <summary>docs/errors.md's table (copied next to the tests): kind -> (status, code).</summary>
    private static readonly Lazy<Dictionary<VerificationFailure, (int, string)>> ErrorsTable = new(() =>
    {
        Dictionary<VerificationFailure, (int, string)> rows = [];
        foreach (string line in File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "errors.md")))
        {
            string[] cells = line.Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length > 4 && cells[1].StartsWith('`') && Enum.TryParse(cells[1].Trim('`'), out VerificationFailure kind))
            {
                rows.Add(kind, (int.Parse(cells[2], CultureInfo.InvariantCulture), cells[3].Trim('`') is "-" ? "" : cells[3].Trim('`')));
            }
        }

        return rows;
    });
}
