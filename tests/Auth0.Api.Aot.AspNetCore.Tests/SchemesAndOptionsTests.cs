using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Claims;
using System.Threading.Tasks;
using Auth0.Api.Aot.AspNetCore.Authorization;
using Auth0.Api.Aot.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Auth0.Api.Aot.AspNetCore.Tests.Requests;

namespace Auth0.Api.Aot.AspNetCore.Tests;

/// <summary>Several Auth0 schemes on one request, application refusals, the HTTP client factory, and options checked at start.</summary>
public sealed class SchemesAndOptionsTests : IAsyncLifetime
{
    private static readonly SigningKey s_primary = SigningKey.CreateRsa("TEST_KEY");
    private LocalIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await LocalIssuer.StartAsync(s_primary);

    public async Task DisposeAsync() => await _issuer.DisposeAsync();

    /// <summary>A second Auth0 scheme "B" (DPoP required, another audience) and endpoints whose policies name one or both.</summary>
    private Task<TestApp> TwoSchemesAsync() => TestApp.StartAsync(_issuer, o => o.WarmUpKeys = false, builder =>
    {
        builder.Services.AddAuthentication().AddAuth0Api("B", o =>
        {
            o.Client.Domain = _issuer.Domain;
            o.Client.Audience = "other-audience";
            o.Client.DPoPMode = DPoPMode.Required;
            o.Client.HttpClient = _issuer.CreateHttpClient();
            o.WarmUpKeys = false;
        });
        builder.Services.AddAuthorization(options =>
        {
            options.AddPolicy("both", policy => policy.AddAuthenticationSchemes(Auth0ApiDefaults.AuthenticationScheme, "B").RequireAuthenticatedUser());
            options.AddPolicy("b", policy => policy.AddAuthenticationSchemes("B").RequireAuthenticatedUser());
        });
    }, app =>
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/both", (HttpContext context) => context.GetAccessTokenClaims()?.Subject ?? "no claims").RequireAuthorization("both");
        app.MapGet("/b", () => "b").RequireAuthorization("b");
    });

    [Fact]
    public async Task A_policy_naming_two_schemes_answers_once_and_the_claims_are_those_of_the_scheme_that_authenticated()
    {
        await using TestApp app = await TwoSchemesAsync();
        string expired = _issuer.CreateToken(TestApp.Audience, (_, p) => p.Set("exp", DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds()));
        using HttpResponseMessage refused = await app.Client.SendAsync(Get("/both", "Bearer " + expired));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"Token is expired\", DPoP algs=\"ES256\"", Challenge(refused));

        // Valid for the default scheme only: B refuses it (wrong audience, Bearer while Required), yet the claims are A's.
        using HttpResponseMessage ok = await app.Client.SendAsync(Get("/both", "Bearer " + _issuer.CreateToken(TestApp.Audience)));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("user_123", await ok.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Each_scheme_challenges_with_its_own_result()
    {
        await using TestApp app = await TwoSchemesAsync();
        using HttpResponseMessage none = await app.Client.SendAsync(Get("/b"));
        Assert.Equal("DPoP algs=\"ES256\"", Challenge(none));
        using HttpResponseMessage bearer = await app.Client.SendAsync(Get("/b", "Bearer " + _issuer.CreateToken(TestApp.Audience)));
        Assert.Equal((HttpStatusCode.BadRequest, "DPoP error=\"invalid_request\", algs=\"ES256\""), (bearer.StatusCode, Challenge(bearer)));
    }

    [Fact]
    public async Task Two_schemes_that_challenge_alike_write_their_challenge_once()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer, o => (o.WarmUpKeys, o.WriteProblemDetails) = (false, false), builder =>
        {
            builder.Services.AddAuthentication().AddAuth0Api("C", o =>
            {
                o.Client.Domain = _issuer.Domain;
                o.Client.Audience = TestApp.Audience;
                o.Client.HttpClient = _issuer.CreateHttpClient();
                (o.WarmUpKeys, o.WriteProblemDetails) = (false, false);
            });
            builder.Services.AddAuthorization(options => options.AddPolicy("alike", policy =>
                policy.AddAuthenticationSchemes(Auth0ApiDefaults.AuthenticationScheme, "C").RequireAuthenticatedUser().RequireScope("admin:all")));
        }, app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/alike", () => "alike").RequireAuthorization("alike");
        });
        using HttpResponseMessage none = await app.Client.SendAsync(Get("/alike"));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(["Bearer realm=\"api\", DPoP algs=\"ES256\""], none.Headers.NonValidated["WWW-Authenticate"]);
        using HttpResponseMessage forbidden = await app.Client.SendAsync(Get("/alike", "Bearer " + _issuer.CreateToken(TestApp.Audience)));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Single(forbidden.Headers.NonValidated["WWW-Authenticate"]);
    }

    [Fact]
    public async Task A_token_refused_by_OnTokenValidated_gives_no_claims_and_an_invalid_token_challenge()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer, o => o.Events.OnTokenValidated = context =>
        {
            context.Fail("blocked");
            return Task.CompletedTask;
        }, pipeline: app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/peek", (HttpContext context) => context.GetAccessTokenClaims()?.Subject ?? "none");
        });
        string token = _issuer.CreateToken(TestApp.Audience);
        using HttpResponseMessage peek = await app.Client.SendAsync(Get("/peek", "Bearer " + token));
        Assert.Equal("none", await peek.Content.ReadAsStringAsync());
        using HttpResponseMessage me = await app.Client.SendAsync(Get("/me", "Bearer " + token));
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The access token was refused by the application\", DPoP algs=\"ES256\"", Challenge(me));
    }

    [Fact]
    public async Task Without_an_HttpClient_in_the_options_the_named_factory_client_and_the_DI_clock_are_used()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer, o => o.Client.HttpClient = null, builder =>
            builder.Services.AddHttpClient(Auth0ApiDefaults.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _issuer.CreateHandler()));
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/me", "Bearer " + _issuer.CreateToken(TestApp.Audience)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // The handler is made per request by a factory (no reflection-based construction under NativeAOT, one logger made
    // once), which AddScheme's own registration must not replace; its log lines keep the handler's category.
    [Fact]
    public async Task The_handler_is_made_by_the_packages_factory_and_logs_under_its_own_category()
    {
        ServiceCollection services = new();
        services.AddAuthentication().AddAuth0Api(o => o.Client.Audience = TestApp.Audience).AddAuth0Api("B", o => o.Client.Audience = TestApp.Audience);
        ServiceDescriptor handler = Assert.Single(services, d => d.ServiceType == typeof(Auth0ApiHandler));
        Assert.Equal((ServiceLifetime.Transient, null), (handler.Lifetime, handler.ImplementationType));
        Assert.NotNull(handler.ImplementationFactory);

        await using TestApp app = await TestApp.StartAsync(_issuer);
        using HttpResponseMessage refused = await app.Client.SendAsync(Get("/me", "Bearer " + _issuer.CreateToken("someone-else")));
        using HttpResponseMessage ok = await app.Client.SendAsync(Get("/me", "Bearer " + _issuer.CreateToken(TestApp.Audience)));
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.OK), (refused.StatusCode, ok.StatusCode));
        Assert.Contains(app.Logs, line => line.StartsWith("Information Auth0.Api.Aot.AspNetCore.Auth0ApiHandler: Auth0 API scheme Auth0Api refused a request", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_empty_Authorization_header_is_no_credentials()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer);
        using HttpResponseMessage response = await app.Client.SendAsync(Get("/me", string.Empty));
        Assert.Equal((HttpStatusCode.Unauthorized, "Bearer realm=\"api\", DPoP algs=\"ES256\""), (response.StatusCode, Challenge(response)));
        Assert.DoesNotContain(app.Logs, line => line.Contains("refused a request", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_key_snapshot_stops_the_host_at_start()
    {
        ConfigurationException e = await Assert.ThrowsAsync<ConfigurationException>(() => TestApp.StartAsync(_issuer, o => o.Client.KeySnapshot = "not json"));
        Assert.Contains("KeySnapshot", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_events_type_that_is_not_Auth0ApiEvents_stops_the_host_at_start()
    {
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => TestApp.StartAsync(_issuer, o => o.EventsType = typeof(string)));
        Assert.Contains("EventsType", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scope_and_permission_claims_of_an_identity_that_no_Auth0_scheme_made_grant_nothing()
    {
        Auth0ApiAuthorizationHandler handler = new();
        ScopeRequirement requirement = new(["read:orders"]);
        PermissionRequirement permission = new(["orders:write"]);
        Claim[] claims = [new("scope", "read:orders"), new("permissions", "orders:write")];

        AuthorizationHandlerContext cookie = new([requirement, permission], new ClaimsPrincipal(new ClaimsIdentity(claims, "Cookies")), null);
        await handler.HandleAsync(cookie);
        Assert.Equal(2, cookie.PendingRequirements.Count());

        AuthorizationHandlerContext auth0 = new([requirement, permission], new ClaimsPrincipal(new Auth0ApiIdentity(claims, "Auth0Api", "sub", "permissions")), null);
        await handler.HandleAsync(auth0);
        Assert.True(auth0.HasSucceeded);

        // Requirements given as a sequence that is not a list are decided too.
        AuthorizationHandlerContext sequence = new(new[] { requirement, (IAuthorizationRequirement)permission }.Where(_ => true), new ClaimsPrincipal(new Auth0ApiIdentity(claims, "Auth0Api", "sub", "permissions")), null);
        await handler.HandleAsync(sequence);
        Assert.True(sequence.HasSucceeded);
    }
}
