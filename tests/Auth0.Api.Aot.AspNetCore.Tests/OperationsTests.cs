using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.AspNetCore.Tests;

/// <summary>Key warm-up at start, the keys health check, and the clock taken from dependency injection.</summary>
public sealed class OperationsTests : IAsyncLifetime
{
    private static readonly SigningKey s_primary = SigningKey.CreateRsa("TEST_KEY");
    private LocalIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await LocalIssuer.StartAsync(s_primary);

    public async Task DisposeAsync() => await _issuer.DisposeAsync();

    private static void HealthEndpoint(WebApplicationBuilder builder) => builder.Services.AddHealthChecks().AddAuth0ApiKeys();

    private static async Task<(HttpStatusCode Status, string Body)> HealthAsync(TestApp app)
    {
        using HttpResponseMessage response = await app.Client.GetAsync(new Uri("/health", UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static Task<TestApp> StartWithHealthAsync(LocalIssuer issuer, Action<Auth0ApiOptions>? configure = null, Action<WebApplicationBuilder>? build = null) =>
        TestApp.StartAsync(issuer, configure, builder =>
        {
            HealthEndpoint(builder);
            build?.Invoke(builder);
        }, app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapHealthChecks("/health");
        });

    [Fact]
    public async Task The_keys_are_fetched_when_the_host_starts_and_the_first_request_fetches_nothing()
    {
        await using TestApp app = await StartWithHealthAsync(_issuer);
        await Eventually.TrueAsync(() => _issuer.JwksRequests == 1);
        Assert.Equal(1, _issuer.DiscoveryRequests);
        await Eventually.TrueAsync(() => app.Logs.Any(line => line.Contains("keys of " + _issuer.Issuer + " fetched", StringComparison.Ordinal)));

        using HttpRequestMessage request = new(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _issuer.CreateToken(TestApp.Audience));
        using HttpResponseMessage response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((1, 1), (_issuer.DiscoveryRequests, _issuer.JwksRequests));
        Assert.Equal(HttpStatusCode.OK, (await HealthAsync(app)).Status);
    }

    // Without PublicOrigin, a proof's htu is checked against the request's Host header, which the client writes: a scheme
    // that accepts DPoP while any host is allowed says so at startup, once.
    [Theory]
    [InlineData("default", true)]
    [InlineData("public-origin", false)]
    [InlineData("resolver", false)]
    [InlineData("dpop-disabled", false)]
    [InlineData("allowed-hosts", false)]
    [InlineData("allowed-hosts-star", true)]
    [InlineData("allowed-hosts-forwarded-host", true)]
    [InlineData("allowed-hosts-forwarded-host-listed", false)]
    [InlineData("allowed-hosts-forwarded-proto", false)]
    public async Task A_DPoP_scheme_whose_htu_origin_the_Host_header_picks_is_warned_about_at_startup(string setup, bool warned)
    {
        await using TestApp app = await TestApp.StartAsync(
            _issuer,
            configure: options =>
            {
                if (setup == "public-origin")
                {
                    options.PublicOrigin = new Uri("https://api.example.com");
                }
                else if (setup == "resolver")
                {
                    options.RequestUrlResolver = context => "https://api.example.com" + context.Request.Path;
                }
                else if (setup == "dpop-disabled")
                {
                    options.Client.DPoPMode = DPoPMode.Disabled;
                }
            },
            build: builder =>
            {
                if (setup.StartsWith("allowed-hosts", StringComparison.Ordinal))
                {
                    builder.Services.Configure<Microsoft.AspNetCore.HostFiltering.HostFilteringOptions>(o => o.AllowedHosts = [setup == "allowed-hosts-star" ? "*" : "localhost"]);
                }

                // X-Forwarded-Host replaces Host after host filtering checked it: only the middleware's own list limits it.
                if (setup.Contains("forwarded", StringComparison.Ordinal))
                {
                    builder.Services.Configure<ForwardedHeadersOptions>(o =>
                    {
                        o.ForwardedHeaders = setup.EndsWith("proto", StringComparison.Ordinal)
                            ? Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto
                            : Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedHost | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
                        if (setup.EndsWith("listed", StringComparison.Ordinal))
                        {
                            o.AllowedHosts = ["api.example.com"];
                        }
                    });
                }
            });
        int warnings = app.Logs.Count(line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("checks each proof's htu against the request's Host header", StringComparison.Ordinal));
        Assert.Equal(warned ? 1 : 0, warnings);
    }

    [Fact]
    public async Task A_warm_up_that_fails_is_logged_not_fatal_and_the_health_check_is_unhealthy()
    {
        _issuer.Intercept = async context =>
        {
            await LocalIssuer.Respond(context, 500, "text/plain", "down");
            return true;
        };
        await using TestApp app = await StartWithHealthAsync(_issuer);
        await Eventually.TrueAsync(() => app.Logs.Any(line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("are Failing after warm-up; last error: HTTP 500", StringComparison.Ordinal)));
        Assert.Equal("public", await app.Client.GetStringAsync(new Uri("/public", UriKind.Relative)));
        (HttpStatusCode status, string body) = await HealthAsync(app);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body);
    }

    [Fact]
    public async Task Keys_served_stale_during_an_outage_are_Degraded_on_the_clock_from_dependency_injection()
    {
        FakeTimeProvider time = new(DateTimeOffset.UtcNow);
        _issuer.Clock = time;
        await using TestApp app = await StartWithHealthAsync(_issuer, o => o.Client.CacheTtl = TimeSpan.FromMinutes(10), builder => builder.Services.AddSingleton<TimeProvider>(time));

        // The warm-up has stored the keys (it logs only then): the JWKS request having reached the issuer is not enough,
        // since keys stored after the clock moves below would be fresh, not stale.
        await Eventually.TrueAsync(() => app.Logs.Any(line => line.Contains("keys of " + _issuer.Issuer + " fetched", StringComparison.Ordinal)));
        Assert.Equal((1, 1), (_issuer.DiscoveryRequests, _issuer.JwksRequests));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(app));

        _issuer.Intercept = async context =>
        {
            await LocalIssuer.Respond(context, 503, "text/plain", "down");
            return true;
        };
        time.Advance(TimeSpan.FromMinutes(11));
        using HttpRequestMessage request = new(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _issuer.CreateToken(TestApp.Audience));
        using HttpResponseMessage stale = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        (HttpStatusCode status, string body) = await HealthAsync(app);
        Assert.Equal((HttpStatusCode.OK, "Degraded"), (status, body));
    }

    [Fact]
    public async Task Without_warm_up_nothing_is_fetched_before_the_first_request_and_the_check_is_healthy()
    {
        await using TestApp app = await StartWithHealthAsync(_issuer, o => o.WarmUpKeys = false);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(app));
        Assert.Equal(0, _issuer.TotalRequests);
    }
}
