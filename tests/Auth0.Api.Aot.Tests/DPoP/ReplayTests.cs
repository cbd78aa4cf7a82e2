using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Tests.DPoP;

/// <summary>DPoP replay protection: a proof (key and jti) is accepted once while it could be accepted.</summary>
public sealed class ReplayTests : IDisposable
{
    private const string Token = "test_token";
    private const string Url = "https://api.example.com/resource";
    private static readonly SigningKey s_key = SigningKey.CreateEc("replay-key");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ApiClient _client;

    public ReplayTests()
    {
        _client = Create();
    }

    public void Dispose() => _client.Dispose();

    private ApiClient Create(Action<ApiClientOptions>? configure = null)
    {
        ApiClientOptions options = new() { Domain = "auth0.local", Audience = "a", TimeProvider = _time };
        configure?.Invoke(options);
        return new ApiClient(options);
    }

    private string Proof(string? jti = null, SigningKey? key = null) =>
        DPoPProofs.Create(key ?? s_key, Token, "GET", Url, _time.GetUtcNow(), (_, p) => p.Set("jti", jti ?? Guid.NewGuid().ToString()));

    [Fact]
    public async Task The_same_proof_replayed_is_refused()
    {
        string proof = Proof();
        await _client.VerifyDPoPProofAsync(Token, proof, "GET", Url);
        _time.Advance(TimeSpan.FromSeconds(10));
        InvalidDPoPProofException e = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await _client.VerifyDPoPProofAsync(Token, proof, "GET", Url));
        Assert.Equal("DPoP proof has already been used", e.Message);
        Assert.Equal("invalid_dpop_proof", e.ErrorCode);
    }

    [Fact]
    public async Task The_same_jti_from_another_key_is_a_different_proof()
    {
        await _client.VerifyDPoPProofAsync(Token, Proof("shared-jti"), "GET", Url);
        Assert.NotNull(await _client.VerifyDPoPProofAsync(Token, Proof("shared-jti", SigningKey.CreateEc("another")), "GET", Url));
        await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await _client.VerifyDPoPProofAsync(Token, Proof("shared-jti"), "GET", Url));
    }

    [Fact]
    public async Task Concurrent_replays_are_accepted_once()
    {
        string proof = Proof();
        Task<bool>[] attempts = new Task<bool>[50];
        for (int i = 0; i < attempts.Length; i++)
        {
            attempts[i] = Task.Run(async () =>
            {
                try
                {
                    await _client.VerifyDPoPProofAsync(Token, proof, "GET", Url);
                    return true;
                }
                catch (InvalidDPoPProofException e) when (e.Message == "DPoP proof has already been used")
                {
                    return false;
                }
            });
        }

        bool[] outcomes = await Task.WhenAll(attempts);
        Assert.Single(outcomes, accepted => accepted);
    }

    [Fact]
    public async Task Replay_protection_can_be_turned_off()
    {
        using ApiClient client = Create(o => o.DPoPReplayProtection = false);
        string proof = Proof();
        await client.VerifyDPoPProofAsync(Token, proof, "GET", Url);
        Assert.NotNull(await client.VerifyDPoPProofAsync(Token, proof, "GET", Url));
    }

    [Fact]
    public async Task A_custom_store_is_used_with_digest_keys_and_the_acceptance_expiry()
    {
        RecordingStore store = new();
        using ApiClient client = Create(o => o.DPoPReplayStore = store);
        string proof = Proof("jti-with-a-very-long-value-" + new string('x', 500));
        await client.VerifyDPoPProofAsync(Token, proof, "GET", Url);
        (string key, DateTimeOffset expiresAt) = Assert.Single(store.Added);
        Assert.Equal(43, key.Length);
        Assert.Equal(_time.GetUtcNow().AddSeconds(301), expiresAt);
        await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await client.VerifyDPoPProofAsync(Token, proof, "GET", Url));
    }

    [Fact]
    public async Task A_full_memory_store_fails_closed_with_a_503_never_already_used_until_entries_expire()
    {
        using ApiClient client = Create(o =>
        {
            o.DPoPReplayCapacity = 2;
            o.DPoPReplayMaxKeyShare = 1;
        });
        await client.VerifyDPoPProofAsync(Token, Proof(), "GET", Url);
        _time.Advance(TimeSpan.FromSeconds(100));
        await client.VerifyDPoPProofAsync(Token, Proof(), "GET", Url);
        ServiceUnavailableException full = await Assert.ThrowsAsync<ServiceUnavailableException>(async () => await client.VerifyDPoPProofAsync(Token, Proof(), "GET", Url));
        Assert.Equal(VerificationFailure.ProofReplayStoreUnavailable, full.Failure);
        Assert.Equal("DPoP replay store is full", full.Message);
        Assert.Equal((503, "temporarily_unavailable"), (full.StatusCode, full.ErrorCode));
        Assert.Equal(TimeSpan.FromSeconds(30), full.RetryAfter); // the oldest record expires in 201 s; capped
        Assert.Equal("30", full.Headers["Retry-After"]);
        Assert.False(full.Headers.ContainsKey("WWW-Authenticate"));

        // A replay is still a replay when the store is full.
        string proof = Proof();
        _time.Advance(TimeSpan.FromSeconds(200)); // the first record expires at +301 s
        ServiceUnavailableException almost = await Assert.ThrowsAsync<ServiceUnavailableException>(async () => await client.VerifyDPoPProofAsync(Token, proof, "GET", Url));
        Assert.Equal(TimeSpan.FromSeconds(1), almost.RetryAfter);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(await client.VerifyDPoPProofAsync(Token, proof, "GET", Url));
        InvalidDPoPProofException replayed = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await client.VerifyDPoPProofAsync(Token, proof, "GET", Url));
        Assert.Equal("DPoP proof has already been used", replayed.Message);
    }

    [Fact]
    public async Task One_key_over_its_share_gets_a_429_until_its_records_expire()
    {
        using ApiClient client = Create(o =>
        {
            o.DPoPReplayCapacity = 1000;
            o.DPoPReplayMaxKeyShare = 0.002; // two records per key
        });
        SigningKey busy = SigningKey.CreateEc("busy");
        await client.VerifyDPoPProofAsync(Token, Proof(key: busy), "GET", Url);
        await client.VerifyDPoPProofAsync(Token, Proof(key: busy), "GET", Url);
        TooManyRequestsException over = await Assert.ThrowsAsync<TooManyRequestsException>(async () => await client.VerifyDPoPProofAsync(Token, Proof(key: busy), "GET", Url));
        Assert.Equal(VerificationFailure.ProofKeyQuotaExceeded, over.Failure);
        Assert.Equal((429, "temporarily_unavailable"), (over.StatusCode, over.ErrorCode));
        Assert.Equal("1", over.Headers["Retry-After"]);
        Assert.False(over.Headers.ContainsKey("WWW-Authenticate"));

        // Its records expire like any other: then it is accepted again.
        _time.Advance(TimeSpan.FromSeconds(301));
        Assert.NotNull(await client.VerifyDPoPProofAsync(Token, Proof(key: busy), "GET", Url));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void A_key_share_outside_zero_to_one_is_refused(double share)
    {
        ConfigurationException e = Assert.Throws<ConfigurationException>(() => Create(o => o.DPoPReplayMaxKeyShare = share));
        Assert.Equal("DPoPReplayMaxKeyShare must be greater than 0 and at most 1", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_000_001)]
    public void A_capacity_outside_its_range_is_refused(int capacity)
    {
        ConfigurationException e = Assert.Throws<ConfigurationException>(() => Create(o => o.DPoPReplayCapacity = capacity));
        Assert.Equal("DPoPReplayCapacity must be between 1 and 100000000", e.Message);
    }

    [Fact]
    public void The_defaults_hold_two_million_records_and_an_eighth_per_key()
    {
        ApiClientOptions options = new();
        Assert.Equal(2_000_000, options.DPoPReplayCapacity);
        Assert.Equal(0.125, options.DPoPReplayMaxKeyShare);
    }

    private sealed class RecordingStore : IDPoPReplayStore
    {
        private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new();

        public ConcurrentQueue<(string, DateTimeOffset)> Added { get; } = new();

        public ValueTask<DPoPReplayResult> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
        {
            bool added = _seen.TryAdd(key, expiresAt);
            if (added)
            {
                Added.Enqueue((key, expiresAt));
            }

            return new(added ? DPoPReplayResult.FirstUse : DPoPReplayResult.Replayed);
        }
    }
}
