using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Caching;

/// <summary>Keys present before the first request (static JWKS, snapshots) and a cache shared between instances.</summary>
public sealed class ColdStartAndSharedCacheTests : FakeClockIssuerTests
{
    [Fact]
    public async Task A_static_jwks_verifies_the_first_token_with_zero_requests_and_is_never_refetched()
    {
        using ApiClient client = Client(o => o.StaticJwks = new Dictionary<string, string> { ["https://" + H.Issuer.Domain] = H.Issuer.JwksJson() });
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(H.Token());
        Assert.Equal("user_123", claims.Subject);

        await client.RejectsAsync(H.Token(key: TestKeys.Other), VerificationFailure.KeyNotFound);
        Time.Advance(TimeSpan.FromDays(30));
        Assert.NotNull(await client.VerifyAccessTokenAsync(H.Token()));
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Fact]
    public void Static_jwks_is_validated_at_construction()
    {
        Assert.StartsWith("StaticJwks for 'https://tenant.example.com/' is invalid: ",
            Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "tenant.example.com", Audience = "a", StaticJwks = new Dictionary<string, string> { ["tenant.example.com"] = "{}" } })).Message,
            StringComparison.Ordinal);
        Assert.Equal("StaticJwks has an entry for 'https://other.example.com/', which is not a configured domain",
            Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "tenant.example.com", Audience = "a", StaticJwks = new Dictionary<string, string> { ["other.example.com"] = "{\"keys\":[]}" } })).Message);
    }

    [Fact]
    public async Task A_snapshot_seeds_a_new_client_with_zero_requests()
    {
        string token = H.Token();
        string snapshot;
        using (ApiClient first = Client())
        {
            await first.VerifyAccessTokenAsync(token);
            snapshot = first.ExportKeySnapshot();
        }

        Assert.Equal((1, 1), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));
        Assert.DoesNotContain(token.Split('.')[2], snapshot, StringComparison.Ordinal);

        using ApiClient second = Client(o => o.KeySnapshot = snapshot);
        ValueTask<AccessTokenResult> pending = second.TryVerifyAccessTokenAsync(H.Token());
        Assert.True(pending.IsCompletedSuccessfully);
        Assert.True((await pending).IsValid);
        Assert.Equal((1, 1), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));
    }

    [Fact]
    public async Task An_old_snapshot_serves_stale_keys_and_refreshes_in_the_background()
    {
        string snapshot;
        using (ApiClient first = Client(o => o.CacheTtl = TimeSpan.FromMinutes(10)))
        {
            await first.VerifyAccessTokenAsync(H.Token());
            snapshot = first.ExportKeySnapshot();
        }

        Time.Advance(TimeSpan.FromMinutes(30));
        using ApiClient second = Client(o => { o.KeySnapshot = snapshot; o.CacheTtl = TimeSpan.FromMinutes(10); });
        Assert.True((await second.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        await Eventually.TrueAsync(() => H.Issuer.DiscoveryRequests == 2);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"version\":2,\"documents\":[]}")]
    [InlineData("{\"version\":1,\"documents\":[{\"kind\":\"jwks\",\"key\":\"https://x/jwks\",\"fetched_at\":0,\"max_age\":60,\"body\":\"{}\"}]}")]
    [InlineData("{\"version\":1,\"documents\":[{\"kind\":\"discovery\",\"key\":\"http://x/\",\"fetched_at\":0,\"max_age\":60,\"body\":\"{}\"}]}")]
    [InlineData("{\"version\":1,\"documents\":[{\"kind\":\"other\",\"key\":\"k\",\"fetched_at\":0,\"max_age\":60,\"body\":\"{}\"}]}")]
    [InlineData("{\"version\":1,\"documents\":[{\"kind\":\"jwks\",\"fetched_at\":0,\"max_age\":60}]}")]
    public void An_invalid_snapshot_is_a_configuration_error(string snapshot)
    {
        Assert.StartsWith("KeySnapshot ", Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d.example.com", Audience = "a", KeySnapshot = snapshot })).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "KeySnapshot is not valid JSON")]
    [InlineData("{\"version\":1.0,\"documents\":[]}", "KeySnapshot is not valid JSON")] // an integer member takes an integer, exactly
    [InlineData("{\"version\":\"1\",\"documents\":[]}", "KeySnapshot is not valid JSON")]
    [InlineData("{\"version\":1,\"documents\":[{\"body\":\"\\uD800\"}]}", "KeySnapshot is not valid JSON")] // an escape that makes no UTF-16 string
    [InlineData("null", "KeySnapshot is not a version 1 snapshot")]
    [InlineData("{\"documents\":[]}", "KeySnapshot is not a version 1 snapshot")]
    [InlineData("{\"version\":1}", "KeySnapshot is not a version 1 snapshot")]
    [InlineData("{\"version\":1,\"documents\":[null]}", "KeySnapshot has an incomplete document")]
    [InlineData("{\"version\":1,\"documents\":[{\"kind\":\"jwks\",\"key\":\"k\",\"max_age\":-1,\"body\":\"{}\"}]}", "KeySnapshot has an incomplete document")]
    [InlineData("{\"version\":1,\"documents\":[{\"kind\":\"jwks\",\"key\":\"k\",\"max_age\":60,\"body\":\"null\"}]}", "KeySnapshot has an invalid jwks document: response is not a JSON object")]
    [InlineData("{\"version\":1,\"documents\":[{\"kind\":\"discovery\",\"key\":\"https://d.example.com/\",\"max_age\":60,\"body\":\"{\\\"issuer\\\":1}\"}]}", "KeySnapshot has an invalid discovery document: response is not valid JSON of the expected shape")]
    public void An_invalid_snapshot_is_refused_with_what_is_wrong(string snapshot, string message)
    {
        Assert.Equal(message, Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d.example.com", Audience = "a", KeySnapshot = snapshot })).Message);
    }

    // Built here, not given as theory data: xunit's serialisation of theory cases replaces lone surrogates with U+FFFD.
    [Fact]
    public void A_snapshot_with_a_lone_surrogate_is_not_valid_json()
    {
        string high = char.ConvertFromUtf32(0x1F600)[..1];
        string good = "{\"version\":1,\"documents\":[{\"kind\":\"discovery\",\"key\":\"https://d.example.com/\",\"max_age\":60,"
            + "\"body\":\"{\\\"issuer\\\":\\\"https://d.example.com/\\\",\\\"note\\\":\\\"k\\\"}\"}]}";
        using (new ApiClient(new ApiClientOptions { Domain = "d.example.com", Audience = "a", KeySnapshot = good }))
        {
        }

        // In a value that is read (never imported as U+FFFD), and outside any value.
        string inValue = good.Replace("k\\\"}", "k" + high + "\\\"}", StringComparison.Ordinal);
        Assert.Equal(good.Length + 1, inValue.Length);
        foreach (string snapshot in (string[])[inValue, good + high, high + good])
        {
            Assert.Equal("KeySnapshot is not valid JSON", Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d.example.com", Audience = "a", KeySnapshot = snapshot })).Message);
        }
    }

    [Fact]
    public async Task A_shared_cache_lets_a_second_instance_verify_with_zero_requests()
    {
        MemoryAdapter shared = new();
        using (ApiClient first = Client(o => o.Cache = shared))
        {
            await first.VerifyAccessTokenAsync(H.Token());
        }

        Assert.Equal(2, shared.Sets);
        using ApiClient second = Client(o => o.Cache = shared);
        Assert.NotNull(await second.VerifyAccessTokenAsync(H.Token()));
        Assert.Equal((1, 1), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));
    }

    [Fact]
    public async Task Corrupt_expired_or_failing_shared_entries_fall_back_to_http()
    {
        MemoryAdapter shared = new();
        using (ApiClient first = Client(o => o.Cache = shared))
        {
            await first.VerifyAccessTokenAsync(H.Token());
        }

        foreach (string key in shared.Keys)
        {
            shared.Corrupt(key);
        }

        using (ApiClient second = Client(o => o.Cache = shared))
        {
            Assert.NotNull(await second.VerifyAccessTokenAsync(H.Token()));
        }

        Assert.Equal((2, 2), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));

        Time.Advance(TimeSpan.FromHours(1));
        using (ApiClient third = Client(o => o.Cache = shared))
        {
            Assert.NotNull(await third.VerifyAccessTokenAsync(H.Token()));
        }

        Assert.Equal((3, 3), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));

        using ApiClient fourth = Client(o => o.Cache = new MemoryAdapter { Fail = true });
        Assert.NotNull(await fourth.VerifyAccessTokenAsync(H.Token()));
        Assert.Equal((4, 4), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));
    }

    private sealed class MemoryAdapter : ICacheAdapter
    {
        private readonly ConcurrentDictionary<string, byte[]> _values = new(StringComparer.Ordinal);
        private int _sets;

        public bool Fail { get; init; }

        public int Sets => _sets;

        public ICollection<string> Keys => _values.Keys;

        public void Corrupt(string key) => _values[key] = [.. _values[key][..8], .. "garbage"u8];

        public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) =>
            Fail ? throw new InvalidOperationException("store down") : new(_values.TryGetValue(key, out byte[]? value) ? value : null);

        public ValueTask SetAsync(string key, byte[] value, TimeSpan timeToLive, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                throw new InvalidOperationException("store down");
            }

            Assert.True(timeToLive > TimeSpan.Zero);
            Interlocked.Increment(ref _sets);
            _values[key] = value;
            return ValueTask.CompletedTask;
        }

        public ValueTask RemoveAsync(string key, CancellationToken cancellationToken)
        {
            _values.TryRemove(key, out _);
            return ValueTask.CompletedTask;
        }
    }
}
