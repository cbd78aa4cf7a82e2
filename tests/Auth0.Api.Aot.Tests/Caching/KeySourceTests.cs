using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Auth0.Api.Aot.Tests.Caching;

/// <summary>Discovery and JWKS over real HTTPS on loopback: caching TTLs, failures, redirects, limits and concurrency.</summary>
public sealed class KeySourceTests : FakeClockIssuerTests
{
    private void Serve(string path, int status, string body = "", string? location = null) => H.Issuer.Intercept = async context =>
    {
        if (context.Request.Path != path)
        {
            return false;
        }

        context.Response.StatusCode = status;
        if (location is not null)
        {
            context.Response.Headers.Location = location;
        }

        await context.Response.WriteAsync(body);
        return true;
    };

    [Theory]
    [InlineData("max-age=60", 600, 60, "domain")]
    [InlineData("max-age=3600", 600, 600, "domain")]
    [InlineData("public, max-age=120, must-revalidate", 600, 120, "domain")]
    [InlineData(null, 600, 600, "domain")]
    [InlineData("max-age=60", 600, 60, "domains")]
    [InlineData("max-age=3600", 600, 600, "domains")]
    [InlineData(null, 600, 600, "domains")]
    [InlineData("max-age=60", 600, 60, "resolver")]
    [InlineData("max-age=3600", 600, 600, "resolver")]
    [InlineData(null, 600, 600, "resolver")]
    public async Task Ttl_is_the_smaller_of_max_age_and_CacheTtl_and_refresh_starts_at_80_percent(string? cacheControl, int cacheTtl, int expectedTtl, string mode)
    {
        H.Issuer.CacheControl = cacheControl;
        using ApiClient client = Client(o =>
        {
            o.CacheTtl = TimeSpan.FromSeconds(cacheTtl);
            if (mode == "domains")
            {
                (o.Domain, o.Domains) = (null, [H.Issuer.Domain]);
            }
            else if (mode == "resolver")
            {
                o.Domain = null;
                o.UseDomainsResolver(_ => [H.Issuer.Domain]);
            }
        });
        await client.VerifyAccessTokenAsync(H.Token());

        // Discovery is cached under the normalised issuer, the JWKS under its jwks_uri as published (reference 11.5).
        Assert.True(client.Keys.Discovery.TryGet(H.Issuer.Issuer, out _));
        Assert.True(client.Keys.Jwks.TryGet(H.Issuer.Issuer + ".well-known/jwks.json", out _));
        Time.Advance(TimeSpan.FromSeconds((expectedTtl * 0.8) - 1));
        await client.VerifyAccessTokenAsync(H.Token());
        Assert.Equal((1, 1), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));

        // From 80 % of the TTL, a verification uses the cached keys and refreshes them in the background. The refreshes'
        // answers are held, so the counts read once both requests have arrived are the ones this verification made.
        IssuerGate gate = IssuerGate.Install(H.Issuer, LocalIssuer.DiscoveryPath, LocalIssuer.JwksPath);
        Time.Advance(TimeSpan.FromSeconds(1));
        ValueTask<AccessTokenResult> pending = client.TryVerifyAccessTokenAsync(H.Token());
        Assert.True(pending.IsCompletedSuccessfully);
        Assert.True((await pending).IsValid);
        await gate.ArrivedAsync(LocalIssuer.DiscoveryPath);
        await gate.ArrivedAsync(LocalIssuer.JwksPath);
        Assert.Equal((2, 2), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));
        gate.Release(LocalIssuer.DiscoveryPath);
        gate.Release(LocalIssuer.JwksPath);
    }

    [Fact]
    public async Task CacheTtl_zero_refreshes_on_every_use_without_making_requests_wait()
    {
        using ApiClient client = Client(o => o.CacheTtl = TimeSpan.Zero);
        await client.VerifyAccessTokenAsync(H.Token());

        // Refreshed discovery documents are answered only when the test says so: a refresh that ended while a use was
        // still reading the caches would let that same use start a second one (the document it published is due at once).
        IssuerGate gate = IssuerGate.Install(H.Issuer, LocalIssuer.DiscoveryPath);
        for (int i = 2; i <= 3; i++)
        {
            ValueTask<AccessTokenResult> pending = client.TryVerifyAccessTokenAsync(H.Token());
            Assert.True(pending.IsCompletedSuccessfully);

            // Every use starts a refresh: its request is the i-th. Let it end before the next use, since one still
            // running when the next use comes is shared.
            await gate.ArrivedAsync(LocalIssuer.DiscoveryPath);
            Assert.Equal(i, H.Issuer.DiscoveryRequests);
            gate.Release(LocalIssuer.DiscoveryPath);
            await Refreshes.EndedAsync(client.Keys, H.Issuer.Issuer, H.Issuer.Issuer + ".well-known/jwks.json");
        }
    }

    [Fact]
    public async Task Redirects_are_not_followed()
    {
        Serve("/.well-known/openid-configuration", 302, location: "https://" + H.Issuer.Domain + "/elsewhere");
        using ApiClient client = Client();
        ServiceUnavailableException e = await client.UnavailableAsync(H.Token());
        Assert.Equal("Failed to fetch OIDC discovery metadata: redirects are not followed (HTTP 302)", e.Message);
        Assert.Equal(0, H.Issuer.JwksRequests);
    }

    [Fact]
    public async Task A_redirect_followed_by_an_injected_HttpClient_is_refused()
    {
        H.Issuer.Intercept = async context =>
        {
            if (context.Request.Path == "/.well-known/jwks.json")
            {
                context.Response.StatusCode = 307;
                context.Response.Headers.Location = "/moved-jwks";
                return true;
            }

            if (context.Request.Path == "/moved-jwks")
            {
                await context.Response.WriteAsync(H.Issuer.JwksJson());
                return true;
            }

            return false;
        };
        System.Net.Http.SocketsHttpHandler handler = H.Issuer.CreateHandler();
        handler.AllowAutoRedirect = true;
        using HttpClient following = new(handler);
        using ApiClient client = Client(o => o.HttpClient = following);
        ServiceUnavailableException e = await client.UnavailableAsync(H.Token());
        Assert.Equal("Failed to fetch JWKS: redirects are not followed (the HttpClient followed one)", e.Message);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(404)]
    [InlineData(204)]
    public async Task Non_success_or_empty_responses_are_typed_errors(int status)
    {
        Serve("/.well-known/openid-configuration", status);
        using ApiClient client = Client();
        ServiceUnavailableException e = await client.UnavailableAsync(H.Token());
        Assert.StartsWith("Failed to fetch OIDC discovery metadata: ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"issuer\":")]
    [InlineData("{\"issuer\":42}")]
    [InlineData("[1,2]")]
    [InlineData("null")]
    public async Task Invalid_discovery_json_is_a_typed_error(string body)
    {
        Serve("/.well-known/openid-configuration", 200, body);
        using ApiClient client = Client();
        ServiceUnavailableException e = await client.UnavailableAsync(H.Token());
        Assert.StartsWith("Failed to fetch OIDC discovery metadata: response is not", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "JWKS has no 'keys' array")]
    [InlineData("{\"keys\":[]}", "JWKS has no keys")]
    [InlineData("{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}", "JWKS has no usable key (the key contains private or symmetric key material)")]
    [InlineData("{\"keys\":null}", "JWKS has no 'keys' array")]
    [InlineData("{\"keys\":[1]}", "response is not valid JSON")]
    [InlineData("{\"keys\":{}}", "response is not valid JSON")]
    [InlineData("garbage", "response is not valid JSON")]
    public async Task Invalid_jwks_is_a_typed_error(string body, string reason)
    {
        H.Issuer.JwksBody = body;
        using ApiClient client = Client();
        ServiceUnavailableException e = await client.UnavailableAsync(H.Token());
        Assert.StartsWith("Failed to fetch JWKS: " + reason, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("n", "!!!")]
    [InlineData("n", "")]
    [InlineData("e", "AAAA")]
    [InlineData("kty", "oct")]
    [InlineData("kty", null)]
    public async Task Malformed_matching_jwk_is_a_typed_error(string member, string? value)
    {
        H.Issuer.JwksKeys[0].Set(member, value);
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        using ApiClient client = Client();
        VerifyAccessTokenException e = await client.RejectsAsync(H.Token(), VerificationFailure.KeyNotFound);
        Assert.StartsWith("No matching key found in JWKS: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_documents_are_refused()
    {
        H.Issuer.JwksBody = "{\"keys\":[],\"pad\":\"" + new string('x', 2 * 1024 * 1024) + "\"}";
        using ApiClient client = Client();
        ServiceUnavailableException e = await client.UnavailableAsync(H.Token());
        Assert.Equal("Failed to fetch JWKS: response is larger than 1048576 bytes", e.Message);
    }

    /// <summary>The issuer never answers; once the request has arrived, the fake clock passes the Timeout.</summary>
    [Fact]
    public async Task A_hanging_issuer_times_out_with_a_typed_error()
    {
        IssuerGate gate = IssuerGate.Install(H.Issuer, LocalIssuer.DiscoveryPath);
        using ApiClient client = Client(o => o.Timeout = TimeSpan.FromMilliseconds(300));
        Task<AccessTokenResult> pending = client.TryVerifyAccessTokenAsync(H.Issuer.CreateToken(Harness.Audience)).AsTask();
        await gate.ArrivedAsync(LocalIssuer.DiscoveryPath);
        Assert.Equal(1, H.Issuer.DiscoveryRequests);
        Assert.False(pending.IsCompleted);
        Time.Advance(TimeSpan.FromMilliseconds(300));
        AccessTokenResult result = await pending;
        Assert.Equal(VerificationFailure.KeySourceFailed, result.Failure);
        Assert.Equal("Failed to fetch OIDC discovery metadata: request timed out after 0.3 s", result.ErrorDescription);
    }

    [Fact]
    public async Task A_refused_connection_is_a_typed_error()
    {
        string token = H.Token();
        using HttpClient http = H.Issuer.CreateHttpClient();
        string domain = H.Issuer.Domain;
        await H.Issuer.DisposeAsync();
        using ApiClient client = new(new ApiClientOptions { Domain = domain, Audience = Harness.Audience, HttpClient = http, TimeProvider = Time });
        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(token);
        Assert.Equal(VerificationFailure.KeySourceFailed, result.Failure);
        Assert.StartsWith("Failed to fetch OIDC discovery metadata: request failed", result.ErrorDescription, StringComparison.Ordinal);
        H = await Harness.StartAsync();
    }

    /// <summary>The issuer never answers and the library's Timeout is on the fake clock: only the caller's cancellation ends the wait.</summary>
    [Fact]
    public async Task Caller_cancellation_propagates_as_OperationCanceledException()
    {
        IssuerGate gate = IssuerGate.Install(H.Issuer, LocalIssuer.DiscoveryPath);
        using ApiClient client = Client();
        using CancellationTokenSource cts = new();
        Task<AccessTokenClaims> pending = client.VerifyAccessTokenAsync(H.Issuer.CreateToken(Harness.Audience), null, cts.Token).AsTask();
        await gate.ArrivedAsync(LocalIssuer.DiscoveryPath);
        Assert.Equal(1, H.Issuer.DiscoveryRequests);
        Assert.False(pending.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task A_failed_fetch_is_not_retried_within_the_backoff()
    {
        Serve("/.well-known/openid-configuration", 503);
        using ApiClient client = Client();
        ServiceUnavailableException first = await client.UnavailableAsync(H.Token());
        Assert.Equal("Failed to fetch OIDC discovery metadata: HTTP 503", first.Message);
        Assert.Equal(1, H.Issuer.DiscoveryRequests);

        H.Issuer.Intercept = null;
        Time.Advance(TimeSpan.FromSeconds(4));
        ServiceUnavailableException fast = await client.UnavailableAsync(H.Token());
        Assert.Equal(first.Message, fast.Message);
        Assert.Equal(1, H.Issuer.DiscoveryRequests);

        Time.Advance(TimeSpan.FromSeconds(1));
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(H.Token());
        Assert.Equal("user_123", claims.Subject);
        Assert.Equal(2, H.Issuer.DiscoveryRequests);
    }

    [Fact]
    public async Task Concurrent_verifications_all_succeed()
    {
        using ApiClient client = Client();
        string[] tokens = Enumerable.Range(0, 200).Select(i => H.Token((_, p) => p.Set("sub", "user" + i))).ToArray();
        AccessTokenClaims[] claims = await Task.WhenAll(tokens.Select(t => Task.Run(async () => await client.VerifyAccessTokenAsync(t))));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => "user" + i), claims.Select(c => c.Subject));
    }

    [Fact]
    public async Task Discovery_cache_is_bounded_by_CacheMaxEntries()
    {
        using ApiClient client = Client(o => { o.Domain = null; o.Domains = [H.Issuer.Domain, "a.example.com", "b.example.com"]; o.CacheMaxEntries = 2; });
        await client.VerifyAccessTokenAsync(H.Token());
        Assert.Equal(1, client.Keys.Discovery.Count);
        Assert.True(client.Keys.Discovery.TryGet("https://" + H.Issuer.Domain + "/", out var document));
        client.Keys.Discovery.Seed("https://a.example.com/", document.Value, null);
        client.Keys.Discovery.Seed("https://b.example.com/", document.Value, null);
        Assert.Equal(2, client.Keys.Discovery.Count);
        Assert.False(client.Keys.Discovery.TryGet("https://" + H.Issuer.Domain + "/", out _));
    }
}
