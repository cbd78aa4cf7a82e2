using System;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Auth0.Api.Aot.AspNetCore.Authorization;
using Auth0.Api.Aot.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Auth0.Api.Aot.AspNetCore.Tests.Requests;

namespace Auth0.Api.Aot.AspNetCore.Tests;

/// <summary>
/// Typed claims handed to endpoints: an <see cref="AccessToken{TClaims}"/> parameter, and the
/// <c>RequireAccessTokenClaims</c> requirement. A token whose claims do not fit is 401 invalid_token with the core's
/// message, in the scheme the request used; a request without a token is challenged, never 400 for a missing parameter.
/// </summary>
public sealed class TypedClaimsTests : IAsyncLifetime
{
    private const string Tenant = "https://example.com/tenant";
    private static readonly SigningKey s_primary = SigningKey.CreateRsa("TEST_KEY");
    private static readonly SigningKey s_proofKey = SigningKey.CreateEc("proof-key");
    private LocalIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await LocalIssuer.StartAsync(s_primary);

    public async Task DisposeAsync() => await _issuer.DisposeAsync();

    private string Token(object? tenant = null, string? scope = null, bool bound = false, string audience = TestApp.Audience) => _issuer.CreateToken(audience, (_, p) =>
    {
        if (tenant is not null)
        {
            p.Set(Tenant, tenant);
        }

        if (scope is not null)
        {
            p.Set("scope", scope);
        }

        if (bound)
        {
            p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(s_proofKey)));
        }
    });

    private static async Task<(string Error, string Detail)> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (document.RootElement.GetProperty("error").GetString()!, document.RootElement.GetProperty("detail").GetString()!);
    }

    [Fact]
    public async Task An_AccessToken_parameter_receives_the_typed_claims_of_a_Bearer_and_of_a_DPoP_request()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        using HttpResponseMessage bearer = await app.Client.SendAsync(Get("/typed", "Bearer " + Token("acme")));
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
        Assert.Equal("user_123|acme|bearer|user_123", await bearer.Content.ReadAsStringAsync());

        string bound = Token("globex", bound: true);
        string proof = DPoPProofs.Create(s_proofKey, bound, "GET", app.Url("/typed"), DateTimeOffset.UtcNow);
        using HttpResponseMessage dpop = await app.Client.SendAsync(Get("/typed", "DPoP " + bound, proof));
        Assert.Equal(HttpStatusCode.OK, dpop.StatusCode);
        Assert.Equal("user_123|globex|dpop|user_123", await dpop.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_parameter_alone_protects_the_endpoint_a_request_without_a_token_is_challenged()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/typed"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"api\", DPoP algs=\"ES256\"", Challenge(response));
    }

    [Theory]
    [InlineData("/typed")]
    [InlineData("/typed/extension")]
    public async Task A_token_without_a_required_claim_is_401_invalid_token_with_the_claims_message(string path)
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        using HttpResponseMessage response = await app.Client.SendAsync(Get(path, "Bearer " + Token()));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"Missing required claim: https://example.com/tenant\", DPoP algs=\"ES256\"", Challenge(response));
        Assert.Equal(("invalid_token", "Missing required claim: https://example.com/tenant"), await ProblemAsync(response));
        Assert.Contains(app.Logs, line => line.Contains("refused a request: ClaimMissing (401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_mistyped_claim_is_401_invalid_token_in_the_DPoP_challenge_for_a_DPoP_request()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        string bound = Token(42, bound: true);
        string proof = DPoPProofs.Create(s_proofKey, bound, "GET", app.Url("/typed"), DateTimeOffset.UtcNow);
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/typed", "DPoP " + bound, proof));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"api\", DPoP error=\"invalid_token\", error_description=\"Invalid 'https://example.com/tenant' claim: must be a string\", algs=\"ES256\"", Challenge(response));
    }

    [Fact]
    public async Task The_extension_hands_the_typed_claims_to_the_endpoint_and_scope_requirements_still_apply()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        using HttpResponseMessage extension = await app.Client.SendAsync(Get("/typed/extension", "Bearer " + Token("acme")));
        Assert.Equal("acme", await extension.Content.ReadAsStringAsync());

        using HttpResponseMessage scoped = await app.Client.SendAsync(Get("/typed/scoped", "Bearer " + Token("acme", "read:orders")));
        Assert.Equal("acme", await scoped.Content.ReadAsStringAsync());

        using HttpResponseMessage unscoped = await app.Client.SendAsync(Get("/typed/scoped", "Bearer " + Token("acme", "read:other")));
        Assert.Equal(HttpStatusCode.Forbidden, unscoped.StatusCode);
        Assert.StartsWith("Bearer error=\"insufficient_scope\"", Challenge(unscoped), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_AllowAnonymous_a_nullable_parameter_is_null_without_a_token_and_bound_with_one()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        using HttpResponseMessage anonymous = await app.Client.SendAsync(Get("/typed/optional"));
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal("anonymous", await anonymous.Content.ReadAsStringAsync());

        using HttpResponseMessage authenticated = await app.Client.SendAsync(Get("/typed/optional", "Bearer " + Token("acme")));
        Assert.Equal("acme", await authenticated.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Under_AllowAnonymous_a_non_nullable_parameter_without_a_token_is_the_frameworks_400()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        using HttpResponseMessage anonymous = await app.Client.SendAsync(Get("/typed/anonymous"));
        Assert.Equal(HttpStatusCode.BadRequest, anonymous.StatusCode);
        Assert.Equal("(none)", Challenge(anonymous));
    }

    [Fact]
    public async Task A_group_with_RequireAccessTokenClaims_refuses_a_token_without_the_claims_and_serves_one_with_them()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        using HttpResponseMessage ok = await app.Client.SendAsync(Get("/typed/group/tenant", "Bearer " + Token("acme")));
        Assert.Equal("acme", await ok.Content.ReadAsStringAsync());
        using HttpResponseMessage unfit = await app.Client.SendAsync(Get("/typed/group/tenant", "Bearer " + Token()));
        Assert.Equal(HttpStatusCode.Unauthorized, unfit.StatusCode);
        Assert.StartsWith("Bearer error=\"invalid_token\", error_description=\"Missing required claim: https://example.com/tenant\"", Challenge(unfit), StringComparison.Ordinal);
        using HttpResponseMessage none = await app.Client.SendAsync(Get("/typed/group/tenant"));
        Assert.Equal("Bearer realm=\"api\", DPoP algs=\"ES256\"", Challenge(none));
    }

    [Fact]
    public async Task The_parameter_keeps_the_apps_fallback_policy()
    {
        // The parameter adds a requirement, not authorization data: the fallback policy (here: the scope api) still applies.
        await using TestApp app = await TestApp.StartAsync(_issuer, build: builder => builder.Services.AddAuthorization(options =>
            options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireScope("api").Build()));
        using HttpResponseMessage without = await app.Client.SendAsync(Get("/typed", "Bearer " + Token("acme", "read:orders")));
        Assert.Equal(HttpStatusCode.Forbidden, without.StatusCode);
        Assert.StartsWith("Bearer error=\"insufficient_scope\"", Challenge(without), StringComparison.Ordinal);
        using HttpResponseMessage with = await app.Client.SendAsync(Get("/typed", "Bearer " + Token("acme", "api")));
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
    }

    [Fact]
    public async Task A_policy_naming_another_Auth0_scheme_never_gets_the_default_schemes_claims()
    {
        // Scheme B accepts another audience. A token valid only for the default scheme must not satisfy B's policy,
        // although the default scheme authenticated the request first.
        await using TestApp app = await TestApp.StartAsync(
            _issuer,
            build: builder =>
            {
                builder.Services.AddAuthentication().AddAuth0Api("B", options =>
                {
                    options.Client.Domain = _issuer.Domain;
                    options.Client.Audience = "other-audience";
                    options.Client.HttpClient = _issuer.CreateHttpClient();
                });
                builder.Services.AddAuthorization(options =>
                {
                    options.AddPolicy("b-typed", policy => policy.AddAuthenticationSchemes("B").RequireAccessTokenClaims<TenantClaims>());
                    options.AddPolicy("b-authenticated", policy => policy.AddAuthenticationSchemes("B").RequireAuthenticatedUser());
                });
            },
            pipeline: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapGet("/b/typed", (HttpContext context) => context.GetAccessTokenClaims<TenantClaims>().Tenant + "|" + context.GetAccessTokenClaims()!.Audience[0]).RequireAuthorization("b-typed");
                app.MapGet("/b/parameter", (AccessToken<TenantClaims> token) => token.Claims.Tenant + "|" + token.Verified.Audience[0]).RequireAuthorization("b-authenticated");
            });

        foreach (string path in new[] { "/b/typed", "/b/parameter" })
        {
            using HttpResponseMessage other = await app.Client.SendAsync(Get(path, "Bearer " + Token("acme")));
            Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
            Assert.StartsWith("Bearer error=\"invalid_token\"", Challenge(other), StringComparison.Ordinal);

            using HttpResponseMessage own = await app.Client.SendAsync(Get(path, "Bearer " + Token("globex", audience: "other-audience")));
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            Assert.Equal("globex|other-audience", await own.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_claims_refusal_goes_through_OnChallenge_and_an_OnForbidden_handler_cannot_turn_it_into_403()
    {
        string? seen = null;
        await using TestApp app = await TestApp.StartAsync(_issuer, options =>
        {
            options.Events.OnForbidden = context =>
            {
                context.Response.StatusCode = 403;
                context.HandleResponse();
                return Task.CompletedTask;
            };
            options.Events.OnChallenge = context =>
            {
                seen = context.Challenge;
                return Task.CompletedTask;
            };
        });
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/typed", "Bearer " + Token()));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"Missing required claim: https://example.com/tenant\", DPoP algs=\"ES256\"", seen);
    }
}
