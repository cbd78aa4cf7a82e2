using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Auth0.Api.Aot.Tests.Caching;

/// <summary>
/// The key source under load, rotation and outages (issue 3), against real HTTPS issuers on loopback that are told to
/// delay, fail, return garbage and rotate keys, with a fake clock for every expiry.
/// </summary>
public sealed class KeyRotationAndOutageTests : FakeClockIssuerTests
{
    [Fact]
    public async Task Concurrent_cold_verifications_share_one_discovery_and_one_jwks_fetch()
    {
        // The issuer holds every answer until all 500 calls have been made: none can finish before, so each either
        // joins the fetch in flight or starts its own (which the request counts below would show).
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        H.Issuer.Intercept = async _ =>
        {
            await release.Task;
            return false;
        };
        using ApiClient client = Client();
        string[] tokens = Enumerable.Range(0, 500).Select(i => H.Token((_, p) => p.Set("sub", "u" + i))).ToArray();
        int started = 0;
        TaskCompletionSource allStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<AccessTokenResult>[] pending = tokens.Select(t => Task.Run(async () =>
        {
            // Counted even when the call throws instead of returning, so that the test fails (below) rather than waits for ever.
            ValueTask<AccessTokenResult> call;
            try
            {
                call = client.TryVerifyAccessTokenAsync(t);
            }
            finally
            {
                if (Interlocked.Increment(ref started) == tokens.Length)
                {
                    allStarted.SetResult();
                }
            }

            return await call;
        })).ToArray();
        await allStarted.Task;
        release.SetResult();
        AccessTokenResult[] results = await Task.WhenAll(pending);
        Assert.All(results, r => Assert.True(r.IsValid, r.ErrorDescription));
        Assert.Equal((1, 1), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));
    }

    [Fact]
    public async Task After_a_rotation_the_first_token_with_the_new_key_verifies_in_the_same_call()
    {
        using ApiClient client = Client();
        await client.VerifyAccessTokenAsync(H.Token());

        H.Issuer.JwksKeys.Clear();
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(H.Token((_, p) => p.Set("sub", "rotated"), TestKeys.Other));
        Assert.Equal("rotated", claims.Subject);
        Assert.Equal(2, H.Issuer.JwksRequests);
        Assert.Equal(1, H.Issuer.DiscoveryRequests);

        // The removed key no longer verifies, and within the cooldown that costs no fetch.
        await client.RejectsAsync(H.Token(), VerificationFailure.KeyNotFound);
        Assert.Equal(2, H.Issuer.JwksRequests);
    }

    [Fact]
    public async Task A_storm_of_unknown_kids_within_one_cooldown_makes_at_most_one_refetch()
    {
        using ApiClient client = Client();
        await client.VerifyAccessTokenAsync(H.Token());
        SigningKey attacker = SigningKey.CreateRsa("attacker");
        string[] tokens = Enumerable.Range(0, 1000)
            .Select(_ => H.Token((h, _) => h.Set("kid", Guid.NewGuid().ToString("N")), attacker))
            .ToArray();
        AccessTokenResult[] results = await Task.WhenAll(tokens.Select(t => Task.Run(async () => await client.TryVerifyAccessTokenAsync(t))));
        Assert.All(results, r => Assert.Equal(VerificationFailure.KeyNotFound, r.Failure));
        Assert.InRange(H.Issuer.JwksRequests, 1, 2);

        // After the cooldown, one more refetch is allowed.
        Time.Advance(TimeSpan.FromSeconds(30));
        await client.RejectsAsync(tokens[0], VerificationFailure.KeyNotFound);
        Assert.InRange(H.Issuer.JwksRequests, 2, 3);
    }

    public static TheoryData<string> Outages => ["refused", "500", "hang", "garbage", "reset", "no-usable-keys"];

    [Theory]
    [MemberData(nameof(Outages))]
    public async Task During_an_outage_cached_keys_serve_until_the_staleness_bound_then_recovery_needs_no_restart(string outage)
    {
        using ApiClient client = Client(o => { o.CacheTtl = TimeSpan.FromMinutes(10); o.MaxStaleness = TimeSpan.FromHours(1); o.Timeout = TimeSpan.FromSeconds(10); });
        await client.VerifyAccessTokenAsync(H.Token());
        await StartOutageAsync(outage);

        // Past the TTL: the stale keys still verify, and the background refreshes fail.
        Time.Advance(TimeSpan.FromMinutes(11));
        for (int i = 0; i < 3; i++)
        {
            int hanging = HangingRequests;
            AccessTokenClaims claims = await client.VerifyAccessTokenAsync(H.Token());
            Assert.Equal("user_123", claims.Subject);
            await AdvanceThroughAttemptAsync(client, outage, hanging);
        }

        // Past the staleness bound: the error reaches callers.
        Time.Advance(TimeSpan.FromHours(1));
        await AdvanceThroughAttemptAsync(client, outage, HangingRequests);
        AccessTokenResult failed = await VerifyAdvancingAsync(client, outage);
        Assert.Equal(VerificationFailure.KeySourceFailed, failed.Failure);
        Assert.StartsWith(outage == "no-usable-keys" ? "Failed to fetch JWKS: JWKS has no usable key" : "Failed to fetch OIDC discovery metadata: ", failed.ErrorDescription, StringComparison.Ordinal);

        // Recovery: once the back-off has passed, verification resumes on the same client.
        await EndOutageAsync(outage);
        Time.Advance(TimeSpan.FromSeconds(5));
        AccessTokenClaims recovered = await client.VerifyAccessTokenAsync(H.Token());
        Assert.Equal("user_123", recovered.Subject);
    }

    [Fact]
    public async Task A_failing_refresh_is_not_retried_within_the_backoff()
    {
        using ApiClient client = Client(o => o.CacheTtl = TimeSpan.FromMinutes(10));
        await client.VerifyAccessTokenAsync(H.Token());
        await StartOutageAsync("500");
        Time.Advance(TimeSpan.FromMinutes(11));
        await client.VerifyAccessTokenAsync(H.Token());
        // The failed refresh has recorded its back-off once it is no longer in flight.
        await Eventually.TrueAsync(() => H.Issuer.DiscoveryRequests == 2 && !client.Keys.Discovery.IsRefreshing(H.Issuer.Issuer));
        for (int i = 0; i < 20; i++)
        {
            await client.VerifyAccessTokenAsync(H.Token());
        }

        Assert.Equal(2, H.Issuer.DiscoveryRequests);
        Time.Advance(TimeSpan.FromSeconds(5));
        await client.VerifyAccessTokenAsync(H.Token());
        await Eventually.TrueAsync(() => H.Issuer.DiscoveryRequests == 3);
    }

    [Fact]
    public async Task Trouble_at_one_issuer_leaves_another_untouched()
    {
        await using Harness second = await Harness.StartAsync(TestKeys.Other);
        second.Issuer.Clock = Time;
        using RoutingHandler routing = new(H.Issuer, second.Issuer);
        using System.Net.Http.HttpClient http = routing.CreateClient();
        using ApiClient client = Client(o => { o.Domain = null; o.Domains = [H.Issuer.Domain, second.Issuer.Domain]; o.HttpClient = http; o.CacheTtl = TimeSpan.FromMinutes(10); });
        await client.VerifyAccessTokenAsync(H.Token());
        await client.VerifyAccessTokenAsync(second.Token());

        // Issuer 1: a kid storm and then an outage past its staleness bound.
        SigningKey attacker = SigningKey.CreateRsa("attacker");
        for (int i = 0; i < 50; i++)
        {
            await client.RejectsAsync(H.Token((h, _) => h.Set("kid", "k" + i), attacker), VerificationFailure.KeyNotFound);
        }

        await H.Issuer.StopAsync();
        Time.Advance(TimeSpan.FromHours(13));
        await client.UnavailableAsync(H.Token());

        // Issuer 2 keeps verifying; its only requests are its own refreshes.
        for (int i = 0; i < 20; i++)
        {
            AccessTokenClaims claims = await client.VerifyAccessTokenAsync(second.Token((_, p) => p.Set("sub", "second-" + i)));
            Assert.Equal("second-" + i, claims.Subject);
        }

        Assert.InRange(second.Issuer.JwksRequests, 1, 2);
        await H.Issuer.RestartAsync();
    }


    private async Task EndOutageAsync(string outage)
    {
        H.Issuer.Intercept = null;
        H.Issuer.JwksKeys[0] = TestKeys.Primary.PublicJwk();
        if (outage == "refused")
        {
            await H.Issuer.RestartAsync();
        }
    }

    // The Timeout is 10 s and the back-off 5 s: each step moves the clock just past one of them.
    private Task AdvanceThroughAttemptAsync(ApiClient client, string outage, int hangingBefore) =>
        AdvanceThroughAttemptAsync(
            () => client.Keys.Discovery.IsRefreshing(H.Issuer.Issuer) || client.Keys.Jwks.IsRefreshing(H.Issuer.JwksUri),
            outage,
            hangingBefore,
            TimeSpan.FromSeconds(11),
            TimeSpan.FromSeconds(6));

    private async Task<AccessTokenResult> VerifyAdvancingAsync(ApiClient client, string outage)
    {
        int hanging = HangingRequests;
        Task<AccessTokenResult> pending = client.TryVerifyAccessTokenAsync(H.Token()).AsTask();
        if (outage == "hang")
        {
            // Each request that reaches the hanging issuer has its timeout armed: move the clock past it then, not before.
            while (!pending.IsCompleted)
            {
                await Eventually.TrueAsync(() => pending.IsCompleted || HangingRequests > hanging);
                if (!pending.IsCompleted)
                {
                    hanging = HangingRequests;
                    Time.Advance(TimeSpan.FromSeconds(11));
                }
            }
        }

        return await pending;
    }
}
