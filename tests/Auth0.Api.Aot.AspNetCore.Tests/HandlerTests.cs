using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Claims;
using System.Text.Json;
using System.Threading.Tasks;
using Auth0.Api.Aot.AspNetCore.Authorization;
using Auth0.Api.Aot.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static Auth0.Api.Aot.AspNetCore.Tests.Requests;

namespace Auth0.Api.Aot.AspNetCore.Tests;

/// <summary>The handler through TestServer: principals, every challenge byte for byte, bodies, nonces, scopes.</summary>
public sealed class HandlerTests : IAsyncLifetime
{
    private static readonly SigningKey s_primary = SigningKey.CreateRsa("TEST_KEY");
    private static readonly SigningKey s_proofKey = SigningKey.CreateEc("proof-key");
    private LocalIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await LocalIssuer.StartAsync(s_primary);

    public async Task DisposeAsync() => await _issuer.DisposeAsync();

    private string Token(Action<ClaimSet, ClaimSet>? configure = null) => _issuer.CreateToken(TestApp.Audience, configure);

    private string Bound(string scope = "read:orders") =>
        Token((_, p) => p.Set("scope", scope).Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(s_proofKey))));

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task Anonymous_endpoints_work_and_protected_ones_answer_401_with_both_challenges_and_no_body()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        Assert.Equal("public", await app.Client.GetStringAsync("/public"));

        using HttpResponseMessage response = await app.Client.SendAsync(Get("/me"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"api\", DPoP algs=\"ES256\"", Challenge(response));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_Bearer_token_becomes_a_principal_with_JWT_claim_names_and_the_claims_reach_the_endpoint()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        string token = Token((_, p) => p.Set("scope", "read:orders write:orders").Set("permissions", new[] { "admin", "audit" }));
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/me", "Bearer " + token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("user_123|user_123|read:orders,write:orders|admin,audit|bearer", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_token_with_a_repeated_claim_never_becomes_a_principal()
    {
        // With each member a claim, the principal would hold both roles; the core refuses the token instead.
        await using TestApp app = await TestApp.StartAsync(_issuer);
        string payload = _issuer.StandardPayload(TestApp.Audience).ToJson();
        string token = s_primary.SignCompact(LocalIssuer.StandardHeader(s_primary).ToJson(), payload[..^1] + ",\"roles\":\"user\",\"roles\":\"admin\"}");
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/me", "Bearer " + token));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"Failed to parse token payload: duplicate claim 'roles'\", DPoP algs=\"ES256\"", Challenge(response));
        Assert.Equal("invalid_token", (await ProblemAsync(response)).GetProperty("error").GetString());
    }

    // JWT claim names are case-sensitive (RFC 7519 section 7.3): a custom Scope, Permissions or Sub claim is not scope,
    // permissions or sub, for the requirements, IsInRole, Identity.Name, FindFirst, FindAll and HasClaim alike.
    [Theory]
    [InlineData("\"Scope\":\"read:orders\"", "/orders")]
    [InlineData("\"SCOPE\":[\"read:orders\"]", "/orders")]
    [InlineData("\"scope\":\"x\",\"Scope\":\"read:orders\"", "/orders")]
    [InlineData("\"scope\":\"x\",\"Scope\":\"read:orders\"", "/any")]
    [InlineData("\"Permissions\":[\"admin\"]", "/admin")]
    [InlineData("\"PERMISSIONS\":\"admin\"", "/admin")]
    public async Task A_claim_named_like_scope_or_permissions_in_another_case_grants_nothing(string members, string path)
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        string payload = _issuer.StandardPayload(TestApp.Audience).ToJson();
        string token = s_primary.SignCompact(LocalIssuer.StandardHeader(s_primary).ToJson(), payload[..^1] + "," + members + "}");
        using HttpResponseMessage response = await app.Client.SendAsync(Get(path, "Bearer " + token));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task The_principal_compares_claim_types_ordinally()
    {
        string payload = _issuer.StandardPayload(TestApp.Audience).ToJson();
        string token = s_primary.SignCompact(LocalIssuer.StandardHeader(s_primary).ToJson(),
            "{\"Sub\":\"someone-else\",\"Permissions\":[\"admin\"]," + payload[1..^1] + ",\"permissions\":[\"audit\"]}");
        ClaimsPrincipal? seen = null;
        await using TestApp app = await TestApp.StartAsync(_issuer, pipeline: web =>
        {
            web.UseAuthentication();
            web.UseAuthorization();
            web.MapGet("/who", (HttpContext context) =>
            {
                seen = context.User;
                return "ok";
            }).RequireAuthorization();
        });
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/who", "Bearer " + token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("user_123", seen!.Identity!.Name);
        Assert.Equal("user_123", seen.FindFirst("sub")!.Value);
        Assert.Equal("someone-else", seen.FindFirst("Sub")!.Value);
        Assert.Null(seen.FindFirst("SUB"));
        Assert.False(seen.IsInRole("admin"));
        Assert.True(seen.IsInRole("audit"));
        Assert.Equal(["audit"], seen.FindAll("permissions").Select(c => c.Value));
        Assert.False(seen.HasClaim("permissions", "admin"));
        Assert.True(seen.HasClaim("Permissions", "admin"));
    }

    [Fact]
    public async Task A_copy_of_the_identity_made_before_any_claim_is_read_has_every_claim()
    {
        // new ClaimsIdentity(identity) copies the base class's claim list, which the lazy identity fills on first read.
        ClaimsIdentity? copy = null, withExtra = null;
        await using TestApp app = await TestApp.StartAsync(_issuer, pipeline: web =>
        {
            web.UseAuthentication();
            web.UseAuthorization();
            web.MapGet("/copy", (HttpContext context) =>
            {
                copy = new ClaimsIdentity(context.User.Identity);
                withExtra = new ClaimsIdentity(context.User.Identity, [new Claim("extra", "1")]);
                return "ok";
            }).RequireAuthorization();
        });
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/copy", "Bearer " + Token((_, p) => p.Set("scope", "read:orders"))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("user_123", copy!.Name);
        Assert.Equal("read:orders", copy.FindFirst("scope")!.Value);
        Assert.Equal(Auth0ApiDefaults.AuthenticationScheme, copy.AuthenticationType);
        Assert.Equal(copy.Claims.Count() + 1, withExtra!.Claims.Count());
    }

    [Fact]
    public async Task Authentication_and_a_scope_policy_make_no_claims()
    {
        // The principal's claims are made on first read; the pipeline (authentication, RequireAuthorization, the scope
        // requirement) reads none, nor the identity's AuthenticationType, which makes them too.
        bool? made = null;
        await using TestApp app = await TestApp.StartAsync(_issuer, pipeline: web =>
        {
            web.UseAuthentication();
            web.UseAuthorization();
            web.MapGet("/lazy", (HttpContext context) =>
            {
                made = ((Auth0ApiIdentity)context.User.Identity!).ClaimsMade;
                return "ok";
            }).RequireScope("read:orders");
        });
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/lazy", "Bearer " + Token((_, p) => p.Set("scope", "read:orders"))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(made);
    }

    [Fact]
    public async Task An_expired_token_is_401_with_the_cores_challenge_and_a_problem_body_without_the_token()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        string token = Token((_, p) => p.Set("exp", DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds()));
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/me", "Bearer " + token));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"Token is expired\", DPoP algs=\"ES256\"", Challenge(response));
        JsonElement problem = await ProblemAsync(response);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal("invalid_token", problem.GetProperty("error").GetString());
        Assert.Equal("Token is expired", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain(token.Split('.')[1], problem.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs, line => line.Contains(token.Split('.')[1], StringComparison.Ordinal));
        Assert.Contains(app.Logs, line => line.Contains("refused a request: Expired (401, scheme bearer, issuer " + _issuer.Issuer + ")", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refusal_log_names_the_allowed_issuer_only_once_the_token_matched_it()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        const string Attacker = "https://attacker-issuer.example/";
        using (HttpResponseMessage response = await app.Client.SendAsync(Get("/me", "Bearer " + Token((_, p) => p.Set("aud", "someone-else")))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (HttpResponseMessage response = await app.Client.SendAsync(Get("/me", "Bearer " + Token((_, p) => p.Set("iss", Attacker)))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (HttpResponseMessage response = await app.Client.SendAsync(Get("/me", "Bearer not-a-token")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        string prefix = "Information Auth0.Api.Aot.AspNetCore.Auth0ApiHandler: Auth0 API scheme " + Auth0ApiDefaults.AuthenticationScheme + " refused a request: ";
        Assert.Contains(prefix + "ClaimMismatch (401, scheme bearer, issuer " + _issuer.Issuer + ")", app.Logs);
        Assert.Contains(prefix + "ClaimMismatch (401, scheme bearer, issuer none)", app.Logs);
        Assert.Contains(prefix + "MalformedToken (401, scheme bearer, issuer none)", app.Logs);
        Assert.DoesNotContain(app.Logs, line => line.Contains("attacker-issuer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_DPoP_request_verifies_against_the_request_url_and_a_wrong_htu_is_400_in_the_DPoP_challenge()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        string token = Bound();
        string proof = DPoPProofs.Create(s_proofKey, token, "GET", app.Url("/me"), DateTimeOffset.UtcNow);
        using HttpResponseMessage ok = await app.Client.SendAsync(Get("/me", "DPoP " + token, proof));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.EndsWith("|dpop", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        string wrong = DPoPProofs.Create(s_proofKey, token, "GET", "https://elsewhere.example/me", DateTimeOffset.UtcNow);
        using HttpResponseMessage refused = await app.Client.SendAsync(Get("/me", "DPoP " + token, wrong));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("Bearer realm=\"api\", DPoP error=\"invalid_dpop_proof\", error_description=\"DPoP Proof htu mismatch\", algs=\"ES256\"", Challenge(refused));
        Assert.Equal("invalid_dpop_proof", (await ProblemAsync(refused)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_bound_token_as_Bearer_and_the_DPoP_scheme_without_a_proof_get_their_exact_challenges()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        using HttpResponseMessage downgrade = await app.Client.SendAsync(Get("/me", "Bearer " + Bound()));
        Assert.Equal(HttpStatusCode.Unauthorized, downgrade.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"DPoP-bound token requires the DPoP authentication scheme, not Bearer\", DPoP algs=\"ES256\"", Challenge(downgrade));

        using HttpResponseMessage noProof = await app.Client.SendAsync(Get("/me", "DPoP " + Bound()));
        Assert.Equal(HttpStatusCode.BadRequest, noProof.StatusCode);
        Assert.Equal("Bearer realm=\"api\", DPoP error=\"invalid_request\", algs=\"ES256\"", Challenge(noProof));
    }

    [Fact]
    public async Task Required_mode_offers_only_the_DPoP_challenge()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer, o => o.Client.DPoPMode = DPoPMode.Required);
        using HttpResponseMessage none = await app.Client.SendAsync(Get("/me"));
        Assert.Equal("DPoP algs=\"ES256\"", Challenge(none));
        using HttpResponseMessage bearer = await app.Client.SendAsync(Get("/me", "Bearer " + Token()));
        Assert.Equal(HttpStatusCode.BadRequest, bearer.StatusCode);
        Assert.Equal("DPoP error=\"invalid_request\", algs=\"ES256\"", Challenge(bearer));
    }

    [Fact]
    public async Task With_server_nonces_the_first_DPoP_request_gets_a_nonce_and_the_retry_succeeds()
    {
        byte[] key = new byte[32];
        key[0] = 1;
        await using TestApp app = await TestApp.StartAsync(_issuer, o => o.Client.DPoPNonceKey = key);
        string token = Bound();
        using HttpResponseMessage first = await app.Client.SendAsync(Get("/me", "DPoP " + token, DPoPProofs.Create(s_proofKey, token, "GET", app.Url("/me"), DateTimeOffset.UtcNow)));
        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal("Bearer realm=\"api\", DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\", algs=\"ES256\"", Challenge(first));
        string nonce = first.Headers.GetValues("DPoP-Nonce").Single();

        string retryProof = DPoPProofs.Create(s_proofKey, token, "GET", app.Url("/me"), DateTimeOffset.UtcNow, (_, p) => p.Set("nonce", nonce));
        using HttpResponseMessage retry = await app.Client.SendAsync(Get("/me", "DPoP " + token, retryProof));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("dpop")]
    public async Task A_missing_scope_is_403_insufficient_scope_in_the_scheme_the_request_used(string scheme)
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        HttpRequestMessage request;
        if (scheme == "bearer")
        {
            request = Get("/orders", "Bearer " + Token((_, p) => p.Set("scope", "read:other")));
        }
        else
        {
            string token = Bound("read:other");
            request = Get("/orders", "DPoP " + token, DPoPProofs.Create(s_proofKey, token, "GET", app.Url("/orders"), DateTimeOffset.UtcNow));
        }

        using HttpResponseMessage response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            scheme == "bearer"
                ? "Bearer error=\"insufficient_scope\", error_description=\"Insufficient Scope\", scope=\"read:orders\", DPoP algs=\"ES256\""
                : "Bearer realm=\"api\", DPoP error=\"insufficient_scope\", error_description=\"Insufficient Scope\", scope=\"read:orders\", algs=\"ES256\"",
            Challenge(response));
        Assert.Equal("insufficient_scope", (await ProblemAsync(response)).GetProperty("error").GetString());
        request.Dispose();
    }

    [Fact]
    public async Task Scope_permission_and_attribute_requirements_are_enforced()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        string reader = Token((_, p) => p.Set("scope", "read:orders"));
        string writer = Token((_, p) => p.Set("scope", "write:orders").Set("permissions", new[] { "admin" }));

        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(Get("/orders", "Bearer " + reader))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(Get("/any", "Bearer " + reader))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Client.SendAsync(Get("/any", "Bearer " + writer))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Client.SendAsync(Get("/orders", "Bearer " + reader, method: HttpMethod.Post))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(Get("/orders", "Bearer " + writer, method: HttpMethod.Post))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Client.SendAsync(Get("/admin", "Bearer " + reader))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(Get("/admin", "Bearer " + writer))).StatusCode);
        using HttpResponseMessage attributeRefused = await app.Client.SendAsync(Get("/attribute", "Bearer " + reader));
        Assert.Equal(HttpStatusCode.Forbidden, attributeRefused.StatusCode);
        Assert.Contains("scope=\"write:orders\"", Challenge(attributeRefused), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(Get("/attribute", "Bearer " + writer))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(Get("/attribute"))).StatusCode);
    }

    [Fact]
    public async Task An_issuer_outage_is_503_with_retry_after_and_no_challenge()
    {
        _issuer.Intercept = async context =>
        {
            await LocalIssuer.Respond(context, 500, "text/plain", "down");
            return true;
        };
        await using TestApp app = await TestApp.StartAsync(_issuer, o => o.WarmUpKeys = false);
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/me", "Bearer " + Token()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.False(response.Headers.Contains("WWW-Authenticate"));
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        JsonElement problem = await ProblemAsync(response);
        Assert.Equal("temporarily_unavailable", problem.GetProperty("error").GetString());
        Assert.Equal("The API cannot verify access tokens right now; retry later", problem.GetProperty("detail").GetString());
        Assert.Contains(app.Logs, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("cannot verify requests: KeySourceFailed (503, issuer " + _issuer.Issuer + ")", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_protected_resource_metadata_is_served_and_every_challenge_points_at_it()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer, o =>
        {
            o.Client.Audience = "https://api.example.com/mcp";
            o.AdvertiseResourceMetadata = true;
            o.PublicOrigin = new Uri("https://api.example.com");
            o.ScopesSupported.Add("read:orders");
        });
        using HttpResponseMessage metadata = await app.Client.GetAsync("/.well-known/oauth-protected-resource/mcp");
        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        Assert.Equal(
            "{\"resource\":\"https://api.example.com/mcp\",\"authorization_servers\":[\"" + _issuer.Issuer + "\"],\"scopes_supported\":[\"read:orders\"],\"bearer_methods_supported\":[\"header\"],\"dpop_signing_alg_values_supported\":[\"ES256\"],\"dpop_bound_access_tokens_required\":false}",
            await metadata.Content.ReadAsStringAsync());

        using HttpResponseMessage challenge = await app.Client.SendAsync(Get("/me"));
        Assert.Equal(
            "Bearer realm=\"api\", resource_metadata=\"https://api.example.com/.well-known/oauth-protected-resource/mcp\", DPoP algs=\"ES256\", resource_metadata=\"https://api.example.com/.well-known/oauth-protected-resource/mcp\"",
            Challenge(challenge));
    }

    [Fact]
    public async Task OnMessageReceived_can_supply_a_token_from_the_query_string()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer, o => o.Events.OnMessageReceived = context =>
        {
            context.Token = context.Request.Query["access_token"];
            return Task.CompletedTask;
        });
        Assert.StartsWith("user_123|", await app.Client.GetStringAsync("/me?access_token=" + Token()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnTokenValidated_can_refuse_and_OnChallenge_can_write_its_own_answer()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer, o =>
        {
            o.Events.OnTokenValidated = context =>
            {
                if (context.Claims.Subject == "blocked")
                {
                    context.Fail("blocked user");
                }

                return Task.CompletedTask;
            };
            o.Events.OnChallenge = async context =>
            {
                context.HandleResponse();
                context.Response.StatusCode = 418;
                await context.Response.WriteAsync("custom " + context.Verification.Failure);
            };
        });
        using HttpResponseMessage blocked = await app.Client.SendAsync(Get("/me", "Bearer " + Token((_, p) => p.Set("sub", "blocked"))));
        Assert.Equal((HttpStatusCode)418, blocked.StatusCode);
        using HttpResponseMessage anonymous = await app.Client.SendAsync(Get("/me"));
        Assert.Equal("custom AuthorizationMissing", await anonymous.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_derived_events_class_is_always_raised_even_with_no_delegate_set()
    {
        // The handler skips building the contexts of events nobody handles; a subclass overriding the raising method
        // must still be called.
        await using TestApp app = await TestApp.StartAsync(_issuer, o => o.Events = new RefusingEvents());
        using HttpResponseMessage refused = await app.Client.SendAsync(Get("/me", "Bearer " + Token()));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The access token was refused by the application\", DPoP algs=\"ES256\"", Challenge(refused));
        // The token from the query string (MessageReceived) reached verification, and TokenValidated refused it.
        using HttpResponseMessage supplied = await app.Client.SendAsync(Get("/me?token=" + Token()));
        Assert.Equal(Challenge(refused), Challenge(supplied));
    }

    private sealed class RefusingEvents : Auth0ApiEvents
    {
        public override Task MessageReceived(Auth0ApiMessageReceivedContext context)
        {
            context.Token = context.Request.Query["token"];
            return Task.CompletedTask;
        }

        public override Task TokenValidated(Auth0ApiTokenValidatedContext context)
        {
            context.Fail("refused by a subclass");
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Concurrent_requests_all_verify()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer, o => o.WarmUpKeys = false);
        string[] tokens = Enumerable.Range(0, 64).Select(i => Token((_, p) => p.Set("sub", "user" + i))).ToArray();
        string[] answers = await Task.WhenAll(tokens.Select(async (token, i) =>
        {
            using HttpResponseMessage response = await app.Client.SendAsync(Get("/me", "Bearer " + token));
            return await response.Content.ReadAsStringAsync();
        }));
        for (int i = 0; i < answers.Length; i++)
        {
            Assert.StartsWith("user" + i + "|", answers[i], StringComparison.Ordinal);
        }

        Assert.Equal(1, _issuer.JwksRequests);
    }

    [Fact]
    public async Task Disabled_mode_offers_only_the_Bearer_challenge_and_refuses_bound_tokens()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer, o => o.Client.DPoPMode = DPoPMode.Disabled);
        using HttpResponseMessage none = await app.Client.SendAsync(Get("/me"));
        Assert.Equal("Bearer realm=\"api\"", Challenge(none));
        using HttpResponseMessage dpop = await app.Client.SendAsync(Get("/me", "DPoP " + Bound(), "x.y.z"));
        Assert.Equal((HttpStatusCode.Unauthorized, "Bearer realm=\"api\""), (dpop.StatusCode, Challenge(dpop)));
        using HttpResponseMessage bound = await app.Client.SendAsync(Get("/me", "Bearer " + Bound()));
        Assert.Equal(
            "Bearer error=\"invalid_token\", error_description=\"Access token is bound by a confirmation claim this API cannot verify, so it is not a Bearer token\"",
            Challenge(bound));
    }

    [Fact]
    public async Task A_resolver_failure_is_500_without_a_challenge_and_with_a_fixed_detail()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer, o =>
        {
            o.Client.Domain = null;
            o.Client.UseDomainsResolver(_ => throw new InvalidOperationException("tenant db down: secret-connection-string"));
            o.WarmUpKeys = false;
        });
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/me", "Bearer " + Token()));
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("(none)", Challenge(response));
        JsonElement problem = await ProblemAsync(response);
        Assert.Equal(("domains_resolver_error", "The API could not decide which issuers it accepts"), (problem.GetProperty("error").GetString(), problem.GetProperty("detail").GetString()));
        Assert.DoesNotContain("secret-connection-string", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_domains_resolver_gets_the_request_url_of_a_Bearer_request()
    {
        // The handler builds the URL for Bearer requests only when a resolver may read it (DPoP proofs always need it).
        System.Collections.Concurrent.ConcurrentQueue<string?> seen = new();
        await using TestApp app = await TestApp.StartAsync(_issuer, o =>
        {
            o.Client.Domain = null;
            o.Client.UseDomainsResolver(context =>
            {
                seen.Enqueue(context.RequestUrl);
                return [_issuer.Domain];
            });
            o.WarmUpKeys = false;
        });
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/me?x=1", "Bearer " + Token()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([app.Url("/me")], seen);
    }

    [Fact]
    public async Task Two_Authorization_headers_are_400_invalid_request()
    {
        // RFC 6750 section 3.1: more than one method of sending a token is invalid_request, whichever line is valid.
        await using TestApp app = await TestApp.StartAsync(_issuer);
        using HttpRequestMessage request = Get("/me");
        request.Headers.TryAddWithoutValidation("Authorization", new[] { "Bearer " + Token(), "Bearer " + Token() });
        using HttpResponseMessage response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_request\", error_description=\"The request carries more than one set of credentials\", DPoP algs=\"ES256\"", Challenge(response));
        JsonElement problem = await ProblemAsync(response);
        Assert.Equal("invalid_request", problem.GetProperty("error").GetString());
    }

    [Fact]
    public async Task With_AddProblemDetails_the_body_is_written_by_the_apps_problem_details_service()
    {
        await using TestApp app = await TestApp.StartAsync(
            _issuer,
            build: builder => builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context => context.ProblemDetails.Extensions["traced"] = "yes"));
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/me", "Bearer " + Token((_, p) => p.Set("aud", "other"))));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        JsonElement problem = await ProblemAsync(response);
        Assert.Equal(("invalid_token", "yes", "Audience mismatch (single aud)"), (problem.GetProperty("error").GetString(), problem.GetProperty("traced").GetString(), problem.GetProperty("detail").GetString()));
    }
}
