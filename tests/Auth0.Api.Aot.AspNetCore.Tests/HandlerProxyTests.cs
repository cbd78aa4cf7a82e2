using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Auth0.Api.Aot.AspNetCore.Tests;

/// <summary>Deployments behind proxies (htu), real Kestrel on loopback, and options from configuration.</summary>
public sealed class HandlerProxyTests : IAsyncLifetime
{
    private const string PublicUrl = "https://api.example.com/me";
    private static readonly SigningKey s_primary = SigningKey.CreateRsa("TEST_KEY");
    private static readonly SigningKey s_proofKey = SigningKey.CreateEc("proof-key");
    private LocalIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await LocalIssuer.StartAsync(s_primary);

    public async Task DisposeAsync() => await _issuer.DisposeAsync();

    private string Bound() => _issuer.CreateToken(TestApp.Audience, (_, p) => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(s_proofKey))));

    private static HttpRequestMessage Forwarded(string token, string proof)
    {
        HttpRequestMessage request = new(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation("Authorization", "DPoP " + token);
        request.Headers.TryAddWithoutValidation("DPoP", proof);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "api.example.com");
        return request;
    }

    private static void TrustForwardedHeaders(WebApplicationBuilder builder) => builder.Services.Configure<ForwardedHeadersOptions>(options =>
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
    });

    [Fact]
    public async Task Behind_a_proxy_ForwardedHeaders_before_UseAuthentication_gives_the_public_htu()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer, build: TrustForwardedHeaders, pipeline: app =>
        {
            app.UseForwardedHeaders();
            app.UseAuthentication();
            app.UseAuthorization();
        });
        string token = Bound();
        using HttpRequestMessage request = Forwarded(token, DPoPProofs.Create(s_proofKey, token, "GET", PublicUrl, DateTimeOffset.UtcNow));
        using HttpResponseMessage response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_pitfall_without_an_explicit_UseAuthentication_the_handler_sees_the_internal_address()
    {
        // WebApplication inserts UseAuthentication at the start of the pipeline, before UseForwardedHeaders.
        await using TestApp app = await TestApp.StartAsync(_issuer, build: TrustForwardedHeaders, pipeline: app =>
        {
            app.UseForwardedHeaders();
            app.UseAuthorization();
        });
        string token = Bound();
        using HttpRequestMessage request = Forwarded(token, DPoPProofs.Create(s_proofKey, token, "GET", PublicUrl, DateTimeOffset.UtcNow));
        using HttpResponseMessage response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("DPoP Proof htu mismatch", response.Headers.NonValidated["WWW-Authenticate"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublicOrigin_fixes_the_origin_without_forwarded_headers()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer, o => o.PublicOrigin = new Uri("https://api.example.com"));
        string token = Bound();
        using HttpRequestMessage request = new(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation("Authorization", "DPoP " + token);
        request.Headers.TryAddWithoutValidation("DPoP", DPoPProofs.Create(s_proofKey, token, "GET", PublicUrl, DateTimeOffset.UtcNow));
        using HttpResponseMessage response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task On_real_Kestrel_Bearer_DPoP_and_refusals_answer_over_loopback()
    {
        await using TestApp app = await TestApp.StartAsync(_issuer, kestrel: true);
        using HttpResponseMessage none = await app.Client.GetAsync(new Uri("/me", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer realm=\"api\", DPoP algs=\"ES256\"", none.Headers.NonValidated["WWW-Authenticate"].ToString());

        using HttpRequestMessage bearer = new(HttpMethod.Get, "/me");
        bearer.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _issuer.CreateToken(TestApp.Audience));
        using HttpResponseMessage bearerResponse = await app.Client.SendAsync(bearer);
        Assert.Equal(HttpStatusCode.OK, bearerResponse.StatusCode);

        string token = Bound();
        using HttpRequestMessage dpop = new(HttpMethod.Get, "/me");
        dpop.Headers.TryAddWithoutValidation("Authorization", "DPoP " + token);
        dpop.Headers.TryAddWithoutValidation("DPoP", DPoPProofs.Create(s_proofKey, token, "GET", app.Url("/me"), DateTimeOffset.UtcNow));
        using HttpResponseMessage dpopResponse = await app.Client.SendAsync(dpop);
        Assert.Equal(HttpStatusCode.OK, dpopResponse.StatusCode);

        // A hostile alg reaches the challenge as RFC 6750 characters, so Kestrel writes the 401.
        string hostile = Base64(/*lang=json*/ "{\"alg\":\"x\\u00e9y\",\"typ\":\"JWT\",\"kid\":\"k\"}") + "." + Base64("{}") + ".c2ln";
        using HttpRequestMessage bad = new(HttpMethod.Get, "/me");
        bad.Headers.TryAddWithoutValidation("Authorization", "Bearer " + hostile);
        using HttpResponseMessage badResponse = await app.Client.SendAsync(bad);
        Assert.Equal(HttpStatusCode.Unauthorized, badResponse.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"Algorithm 'xU+00E9y' is not allowed\", DPoP algs=\"ES256\"", badResponse.Headers.NonValidated["WWW-Authenticate"].ToString());

        static string Base64(string json) => System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(json));
    }

    [Fact]
    public async Task Options_bind_from_a_configuration_section()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServerForTests();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth0Api:Domain"] = _issuer.Domain,
            ["Auth0Api:Audience"] = TestApp.Audience,
            ["Auth0Api:DPoPMode"] = "Required",
            ["Auth0Api:ClockSkew"] = "00:00:30",
            ["Auth0Api:ScopesSupported:0"] = "read:orders",
            ["Auth0Api:AdvertiseResourceMetadata"] = "true",
            ["Auth0Api:PublicOrigin"] = "https://api.example.com",
            ["Auth0Api:CacheSigningKey"] = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
        });
        builder.Services.AddAuthentication(Auth0ApiDefaults.AuthenticationScheme)
            .AddAuth0Api(Auth0ApiDefaults.AuthenticationScheme, builder.Configuration.GetSection(Auth0ApiDefaults.ConfigurationSection), o => o.Client.HttpClient = _issuer.CreateHttpClient());
        await using WebApplication app = builder.Build();
        await app.StartAsync();

        Auth0ApiOptions options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Auth0ApiOptions>>().Get(Auth0ApiDefaults.AuthenticationScheme);
        Assert.Equal((DPoPMode.Required, TimeSpan.FromSeconds(30), "read:orders", true), (options.Client.DPoPMode, options.Client.ClockSkew, Assert.Single(options.ScopesSupported), options.AdvertiseResourceMetadata));
        Assert.Equal(new Uri("https://api.example.com"), options.PublicOrigin);
        Assert.Equal(Enumerable.Range(1, 32).Select(i => (byte)i), options.Client.CacheSigningKey!);
        Assert.True(app.Services.GetRequiredService<Auth0ApiClients>().Get().IsDPoPRequired);
        await app.StopAsync();
    }

    [Theory]
    [InlineData(null, "The argument 'audience' is required but was not provided.")]
    [InlineData("not base64!", "Auth0Api:DPoPNonceKey must be base64")]
    [InlineData("cache:not base64!", "Auth0Api:CacheSigningKey must be base64")]
    [InlineData("cache:AAAA", "CacheSigningKey must be at least 32 bytes")]
    public async Task Invalid_options_stop_the_host_at_start_naming_the_option(string? nonceKey, string message)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServerForTests();
        Dictionary<string, string?> values = new() { ["Auth0Api:Domain"] = "tenant.example.com" };
        if (nonceKey is not null)
        {
            values["Auth0Api:Audience"] = "a";
            values[nonceKey.StartsWith("cache:", StringComparison.Ordinal) ? "Auth0Api:CacheSigningKey" : "Auth0Api:DPoPNonceKey"] = nonceKey.StartsWith("cache:", StringComparison.Ordinal) ? nonceKey["cache:".Length..] : nonceKey;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.Services.AddAuthentication().AddAuth0Api(Auth0ApiDefaults.AuthenticationScheme, builder.Configuration.GetSection("Auth0Api"));
        await using WebApplication app = builder.Build();
        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        Assert.Contains(message, e.Message, StringComparison.OrdinalIgnoreCase);
    }
}

internal static class TestServerExtensions
{
    public static void UseTestServerForTests(this Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.UseTestServer(builder);
}
