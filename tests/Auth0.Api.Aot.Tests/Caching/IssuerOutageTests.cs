using System;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Auth0.Api.Aot.Tests.Caching;

/// <summary>
/// An issuer outage is the server's fault, not the client's (hardening issue, item 6): 503 with <c>Retry-After</c> and no
/// <c>invalid_token</c> challenge, so that a well-behaved client keeps its token and retries later.
/// </summary>
public sealed class IssuerOutageTests : FakeClockIssuerTests
{
    private const string Url = "https://api.example.com/orders";

    private void FailDiscovery(int status = 500) => H.Issuer.Intercept = async context =>
    {
        if (context.Request.Path != "/.well-known/openid-configuration")
        {
            return false;
        }

        context.Response.StatusCode = status;
        await context.Response.WriteAsync("down");
        return true;
    };

    [Theory]
    [InlineData(DPoPMode.Allowed)]
    [InlineData(DPoPMode.Disabled)]
    public async Task A_first_fetch_that_fails_is_503_with_retry_after_and_no_challenge(DPoPMode mode)
    {
        FailDiscovery();
        using ApiClient client = Client(o => o.DPoPMode = mode);

        RequestVerificationResult result = await client.TryVerifyRequestAsync("Bearer " + H.Token(), null, "GET", Url);

        Assert.Equal(VerificationFailure.KeySourceFailed, result.Failure);
        Assert.Equal(503, result.StatusCode);
        Assert.Equal("temporarily_unavailable", result.ErrorCode);
        Assert.Null(result.Challenge);
        Assert.Equal(ApiClientOptions.DefaultFailureBackoff, result.RetryAfter);
        Assert.Equal("Failed to fetch OIDC discovery metadata: HTTP 500", result.ErrorDescription);

        ServiceUnavailableException error = Assert.IsType<ServiceUnavailableException>(result.Error);
        Assert.Equal(503, error.StatusCode);
        Assert.Equal("5", error.Headers["Retry-After"]);
        Assert.False(error.Headers.ContainsKey("WWW-Authenticate"));
        Assert.Equal(VerificationFailure.KeySourceFailed, error.Failure);
    }

    [Fact]
    public async Task A_DPoP_request_during_an_outage_is_503_too()
    {
        FailDiscovery();
        using ApiClient client = Client(o => o.DPoPMode = DPoPMode.Required);
        SigningKey key = SigningKey.CreateEc("client");
        string token = H.Token((_, p) => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(key))));
        string proof = DPoPProofs.Create(key, token, "GET", Url, Time.GetUtcNow());

        RequestVerificationResult result = await client.TryVerifyRequestAsync("DPoP " + token, proof, "GET", Url);

        Assert.Equal(VerificationFailure.KeySourceFailed, result.Failure);
        Assert.Equal(503, result.StatusCode);
        Assert.Null(result.Challenge);
        Assert.NotNull(result.RetryAfter);
        await Assert.ThrowsAsync<ServiceUnavailableException>(async () => await client.VerifyRequestAsync("DPoP " + token, proof, "GET", Url));
    }

    [Fact]
    public async Task Retry_after_counts_down_the_backoff_and_requests_inside_it_throw_nothing()
    {
        FailDiscovery();
        using ApiClient client = Client();
        RequestVerificationResult first = await client.TryVerifyRequestAsync("Bearer " + H.Token(), null, "GET", Url);
        Assert.Equal(TimeSpan.FromSeconds(5), first.RetryAfter);
        Assert.Equal(1, H.Issuer.DiscoveryRequests);

        Time.Advance(TimeSpan.FromSeconds(3.5));
        using (FirstChanceCounter counter = new())
        {
            for (int i = 0; i < 20; i++)
            {
                RequestVerificationResult inside = await client.TryVerifyRequestAsync("Bearer " + H.Token(), null, "GET", Url);
                Assert.Equal(503, inside.StatusCode);

                // 1.5 s of back-off left, rounded up to whole seconds.
                Assert.Equal(TimeSpan.FromSeconds(2), inside.RetryAfter);
            }

            Assert.True(counter.Count == 0, counter.Last);
        }

        Assert.Equal(1, H.Issuer.DiscoveryRequests);
    }

    [Fact]
    public async Task Concurrent_callers_of_one_failing_fetch_share_its_outcome_without_an_exception_each()
    {
        FailDiscovery(502);
        using ApiClient client = Client();
        string token = H.Token();
        using FirstChanceCounter counter = new();
        Task<AccessTokenResult>[] calls = new Task<AccessTokenResult>[32];
        for (int i = 0; i < calls.Length; i++)
        {
            calls[i] = client.TryVerifyAccessTokenAsync(token).AsTask();
        }

        foreach (AccessTokenResult result in await Task.WhenAll(calls))
        {
            Assert.Equal(VerificationFailure.KeySourceFailed, result.Failure);
            Assert.Equal(TimeSpan.FromSeconds(5), result.RetryAfter);
        }

        // The fetch itself raises its error once, inside the key source (on the thread pool, outside this flow).
        Assert.True(counter.Count == 0, counter.Last);
        Assert.Equal(1, H.Issuer.DiscoveryRequests);
    }

    [Fact]
    public async Task An_unusable_discovery_document_is_the_issuers_fault_too()
    {
        H.Issuer.Intercept = async context =>
        {
            if (context.Request.Path != "/.well-known/openid-configuration")
            {
                return false;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"issuer\":\"" + H.Issuer.Issuer + "\"}");
            return true;
        };
        using ApiClient client = Client();

        ServiceUnavailableException error = await client.UnavailableAsync(H.Token(), "Discovery metadata missing 'jwks_uri' field");
        Assert.Equal("Discovery metadata missing 'jwks_uri' field", error.Message);
        Assert.Equal(ApiClientOptions.DefaultFailureBackoff, error.RetryAfter);

        // It is a failed fetch: inside the back-off, Retry-After counts down; once the issuer is fixed, the next
        // request after the back-off fetches again and verifies.
        Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(2), (await client.TryVerifyAccessTokenAsync(H.Token())).RetryAfter);
        Assert.Equal(1, H.Issuer.DiscoveryRequests);
        H.Issuer.Intercept = null;
        Time.Advance(TimeSpan.FromSeconds(2));
        Assert.True((await client.TryVerifyAccessTokenAsync(H.Token())).IsValid);
    }

    [Fact]
    public async Task A_refreshed_discovery_document_that_is_unusable_never_replaces_the_good_one()
    {
        using ApiClient client = Client(o => o.CacheTtl = TimeSpan.FromMinutes(10));
        Assert.True((await client.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        H.Issuer.OmitJwksUri = true;
        Time.Advance(TimeSpan.FromMinutes(11));
        AccessTokenResult stale = await client.TryVerifyAccessTokenAsync(H.Token());
        await Eventually.TrueAsync(() => H.Issuer.DiscoveryRequests == 2 && !client.Keys.Discovery.IsRefreshing(H.Issuer.Issuer));
        Assert.True(stale.IsValid);
        Assert.True((await client.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        Assert.Equal(2, H.Issuer.DiscoveryRequests);
    }

    [Fact]
    public async Task An_unknown_kid_while_the_JWKS_is_down_is_503_not_a_missing_key()
    {
        using ApiClient client = Client();
        Assert.True((await client.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        SigningKey rotated = SigningKey.CreateRsa("ROTATED");
        H.Issuer.Intercept = async context =>
        {
            if (context.Request.Path != LocalIssuer.JwksPath)
            {
                return false;
            }

            context.Response.StatusCode = 503;
            await context.Response.WriteAsync("down");
            return true;
        };

        AccessTokenResult refetchFailed = await client.TryVerifyAccessTokenAsync(H.Token(key: rotated));
        Assert.Equal(VerificationFailure.KeySourceFailed, refetchFailed.Failure);
        Assert.Equal("Failed to fetch JWKS: HTTP 503", refetchFailed.ErrorDescription);
        Assert.Equal(TimeSpan.FromSeconds(5), refetchFailed.RetryAfter);

        // Inside the back-off, no fetch: the same 503, counting down.
        Time.Advance(TimeSpan.FromSeconds(2));
        AccessTokenResult inBackoff = await client.TryVerifyAccessTokenAsync(H.Token(key: rotated));
        Assert.Equal((VerificationFailure.KeySourceFailed, TimeSpan.FromSeconds(3)), (inBackoff.Failure, inBackoff.RetryAfter));
        Assert.Equal(2, H.Issuer.JwksRequests);
    }
}
