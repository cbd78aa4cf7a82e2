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
                catch (InvalidDPoPProofException)
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
    public async Task A_full_memory_store_fails_closed_until_entries_expire()
    {
        using ApiClient client = Create(o => o.DPoPReplayCapacity = 2);
        await client.VerifyDPoPProofAsync(Token, Proof(), "GET", Url);
        await client.VerifyDPoPProofAsync(Token, Proof(), "GET", Url);
        await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await client.VerifyDPoPProofAsync(Token, Proof(), "GET", Url));

        _time.Advance(TimeSpan.FromSeconds(302));
        Assert.NotNull(await client.VerifyDPoPProofAsync(Token, Proof(), "GET", Url));
    }

    private sealed class RecordingStore : IDPoPReplayStore
    {
        private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new();

        public ConcurrentQueue<(string, DateTimeOffset)> Added { get; } = new();

        public ValueTask<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
        {
            bool added = _seen.TryAdd(key, expiresAt);
            if (added)
            {
                Added.Enqueue((key, expiresAt));
            }

            return new ValueTask<bool>(added);
        }
    }
}
