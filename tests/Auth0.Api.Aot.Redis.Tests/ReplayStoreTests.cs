using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Auth0.Api.Aot.Redis.Tests;

/// <summary>
/// The shared replay store against a real redis-server and real DPoP requests: a proof accepted by one instance is a
/// replay on another; of 50 concurrent identical proofs exactly one is accepted; the key holds no proof content and
/// lives for the proof's window; and Redis down, hung or slow answers 503 (fail closed) or, opted in, records locally,
/// until it is back.
/// </summary>
public sealed class ReplayStoreTests : RedisTestBase
{
    [Fact]
    public async Task A_proof_accepted_by_one_instance_is_refused_by_another_as_a_replay()
    {
        ApiClient first = Instance(new RedisDPoPReplayStore(Connect(), StoreOptions()));
        ApiClient second = Instance(new RedisDPoPReplayStore(Connect(), StoreOptions()));
        string token = BoundToken();
        string proof = Proof(token);

        Assert.True((await VerifyAsync(first, token, proof)).IsValid);
        RequestVerificationResult replayed = await VerifyAsync(second, token, proof);
        Assert.Equal(VerificationFailure.ProofReplayed, replayed.Failure);
        Assert.Equal(400, replayed.StatusCode);
        Assert.Equal(VerificationFailure.ProofReplayed, (await VerifyAsync(first, token, proof)).Failure);

        // A fresh proof of the same key and token is accepted by the other instance.
        Assert.True((await VerifyAsync(second, token, Proof(token))).IsValid);
    }

    [Fact]
    public async Task Of_fifty_concurrent_identical_proofs_on_two_instances_exactly_one_is_accepted()
    {
        ApiClient[] instances =
        [
            Instance(new RedisDPoPReplayStore(Connect(), StoreOptions())),
            Instance(new RedisDPoPReplayStore(Connect(), StoreOptions())),
        ];
        string token = BoundToken();
        string proof = Proof(token);

        // Warm both instances' key caches first, so that the 50 requests race on the store alone.
        Assert.True((await VerifyAsync(instances[0], token, Proof(token))).IsValid);
        Assert.True((await VerifyAsync(instances[1], token, Proof(token))).IsValid);

        // Released together onto the thread pool (no thread blocks waiting), so all 50 SETs are in flight at once.
        TaskCompletionSource start = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<RequestVerificationResult>[] requests = Enumerable.Range(0, 50).Select(async i =>
        {
            await start.Task;
            return await VerifyAsync(instances[i % 2], token, proof);
        }).ToArray();
        start.SetResult();
        RequestVerificationResult[] results = await Task.WhenAll(requests);

        Assert.Single(results, r => r.IsValid);
        Assert.Equal(49, results.Count(r => r.Failure == VerificationFailure.ProofReplayed));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    [InlineData(90)]
    public async Task The_key_holds_no_proof_content_and_lives_for_the_proofs_window_plus_the_clock_skew(int? skewSeconds)
    {
        // Frozen a quarter second into a second: the window closes at floor(iat) + DPoPIatOffset + 1 s.
        FakeTimeProvider time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).AddMilliseconds(250));
        H.Issuer.Clock = time;
        ConnectionMultiplexer multiplexer = Connect();
        RedisDPoPReplayStore store = new(multiplexer, StoreOptions(o =>
        {
            o.TimeProvider = time;
            o.KeyPrefix = "tenant-a:";
            if (skewSeconds is int seconds)
            {
                o.MaxClockSkew = TimeSpan.FromSeconds(seconds);
            }
        }));
        ApiClient client = Instance(store, o => o.TimeProvider = time);
        string token = BoundToken();
        string jti = "jti-" + Guid.NewGuid().ToString("N");
        string proof = Auth0.Api.Aot.Testing.DPoPProofs.Create(ProofKey, token, "GET", Url, time.GetUtcNow(), (_, p) => p.Set("jti", jti));

        Assert.True((await VerifyAsync(client, token, proof)).IsValid);

        IServer server = multiplexer.GetServers().Single();
        RedisKey key = Assert.Single(server.Keys(pattern: "*").ToArray());
        string name = key.ToString();
        string[] parts = name.Split(':');
        Assert.Equal(["tenant-a", "dpop", parts[2], parts[3]], parts);
        Assert.Equal(22, parts[2].Length);
        Assert.Equal(43, parts[3].Length);
        Assert.Equal(store.GetRedisKey(parts[3]), name);
        Assert.DoesNotContain(jti, name, StringComparison.Ordinal);
        Assert.DoesNotContain(Harness.Audience, name, StringComparison.Ordinal);
        Assert.Equal("1", (string?)await multiplexer.GetDatabase().StringGetAsync(key));

        // DPoPIatOffset 300 s + 1 s - 0.25 s, plus the skew margin (30 s by default): an instance whose clock is that
        // far behind still accepts the proof until then. Redis counts down in real time from when it was set.
        TimeSpan? left = await multiplexer.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.NotNull(left);
        TimeSpan expected = TimeSpan.FromMilliseconds(300_750) + TimeSpan.FromSeconds(skewSeconds ?? 30);
        Assert.InRange(left.Value, expected - TimeSpan.FromSeconds(5), expected);
    }

    [Fact]
    public void The_ttl_is_the_rest_of_the_window_plus_the_skew_and_at_least_a_second()
    {
        DateTimeOffset now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        Assert.Equal(TimeSpan.FromSeconds(330), RedisDPoPReplayStore.TimeToLive(now.AddSeconds(300), now, TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(20), RedisDPoPReplayStore.TimeToLive(now.AddSeconds(-10), now, TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(1), RedisDPoPReplayStore.TimeToLive(now.AddSeconds(-10), now, TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(30), RedisDPoPReplayStoreOptions.DefaultMaxClockSkew);
    }

    [Fact]
    public async Task Another_audience_is_another_namespace()
    {
        ConnectionMultiplexer multiplexer = Connect();
        RedisDPoPReplayStore mine = new(multiplexer, StoreOptions());
        RedisDPoPReplayStore other = new(multiplexer, StoreOptions(o => o.Audience = "https://other.example.com/api"));
        string key = new('A', 43);
        DateTimeOffset expiresAt = DateTimeOffset.UtcNow.AddMinutes(5);

        Assert.Equal(DPoPReplayResult.FirstUse, await mine.TryAddAsync(key, expiresAt, CancellationToken.None));
        Assert.Equal(DPoPReplayResult.FirstUse, await other.TryAddAsync(key, expiresAt, CancellationToken.None));
        Assert.Equal(DPoPReplayResult.Replayed, await mine.TryAddAsync(key, expiresAt, CancellationToken.None));
        Assert.NotEqual(mine.GetRedisKey(key), other.GetRedisKey(key));
    }

    [Fact]
    public async Task Redis_killed_fails_closed_with_503_then_recovers_after_a_restart()
    {
        ConcurrentQueue<RedisReplayMode> modes = new();
        ConnectionMultiplexer multiplexer = Connect();
        RedisDPoPReplayStore store = new(multiplexer, StoreOptions(o => o.ModeChanged = modes.Enqueue));
        ApiClient client = Instance(store);
        string token = BoundToken();
        Assert.True((await VerifyAsync(client, token, Proof(token))).IsValid);
        Assert.Equal(RedisReplayMode.Shared, store.Mode);

        await Redis.KillAsync();
        // Ending within the hang guard (below StackExchange.Redis's own timeout) means the call did not wait for the dead
        // server: no elapsed time is asserted.
        RequestVerificationResult down = await VerifyAsync(client, token, Proof(token)).WaitAsync(HangGuard);
        Assert.Equal(VerificationFailure.ProofReplayStoreUnavailable, down.Failure);
        Assert.Equal(503, down.StatusCode);
        Assert.NotNull(down.RetryAfter);
        Assert.Null(down.Challenge);
        Assert.Equal(RedisReplayMode.Unavailable, store.Mode);

        await Redis.RestartAsync();
        await Eventually.TrueAsync(() => multiplexer.IsConnected);
        string proof = Proof(token);
        Assert.True((await VerifyAsync(client, token, proof)).IsValid);
        Assert.Equal(RedisReplayMode.Shared, store.Mode);
        Assert.Equal(VerificationFailure.ProofReplayed, (await VerifyAsync(client, token, proof)).Failure);
        Assert.Equal([RedisReplayMode.Unavailable, RedisReplayMode.Shared], modes.ToArray());
    }

    [Fact]
    public async Task Redis_killed_with_the_fallback_records_locally_then_goes_back_to_redis()
    {
        ConnectionMultiplexer multiplexer = Connect();
        RedisDPoPReplayStore store = new(multiplexer, StoreOptions(o => o.FallbackToMemory = true));
        ApiClient client = Instance(store);
        string token = BoundToken();
        Assert.True((await VerifyAsync(client, token, Proof(token))).IsValid);

        await Redis.KillAsync();
        string during = Proof(token);
        Assert.True((await VerifyAsync(client, token, during)).IsValid);
        Assert.Equal(RedisReplayMode.LocalFallback, store.Mode);
        Assert.Equal(VerificationFailure.ProofReplayed, (await VerifyAsync(client, token, during)).Failure);

        await Redis.RestartAsync();
        await Eventually.TrueAsync(() => multiplexer.IsConnected);
        string after = Proof(token);
        Assert.True((await VerifyAsync(client, token, after)).IsValid);
        Assert.Equal(RedisReplayMode.Shared, store.Mode);
        Assert.True(await multiplexer.GetDatabase().KeyExistsAsync(store.GetRedisKey(Digest(after))));

        // The proof accepted from memory during the outage is new to the restarted Redis, but this instance accepted it:
        // refused, and now recorded in Redis, so that the other instances refuse it too.
        Assert.Equal(VerificationFailure.ProofReplayed, (await VerifyAsync(client, token, during)).Failure);
        Assert.Equal(RedisReplayMode.Shared, store.Mode);
        Assert.True(await multiplexer.GetDatabase().KeyExistsAsync(store.GetRedisKey(Digest(during))));
        ApiClient other = Instance(new RedisDPoPReplayStore(Connect(), StoreOptions()));
        Assert.Equal(VerificationFailure.ProofReplayed, (await VerifyAsync(other, token, during)).Failure);
    }

    [Fact]
    public async Task After_an_outage_the_fallback_is_consulted_until_its_last_record_expires_and_then_no_longer()
    {
        FakeTimeProvider time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        ConnectionMultiplexer multiplexer = Connect();
        RedisDPoPReplayStore store = new(multiplexer, StoreOptions(o =>
        {
            o.FallbackToMemory = true;
            o.TimeProvider = time;
        }));
        string during = Key('D');
        DateTimeOffset expiresAt = time.GetUtcNow().AddSeconds(60);

        await Redis.KillAsync();
        Assert.Equal(DPoPReplayResult.FirstUse, await store.TryAddAsync(during, expiresAt, CancellationToken.None));
        Assert.Equal(RedisReplayMode.LocalFallback, store.Mode);
        await Redis.RestartAsync();
        await Eventually.TrueAsync(() => multiplexer.IsConnected);

        Assert.Equal(DPoPReplayResult.Replayed, await store.TryAddAsync(during, expiresAt, CancellationToken.None));
        Assert.Equal(RedisReplayMode.Shared, store.Mode);
        Assert.Equal(DPoPReplayResult.FirstUse, await store.TryAddAsync(Key('E'), expiresAt, CancellationToken.None));
        Assert.Equal(DPoPReplayResult.Replayed, await store.TryAddAsync(Key('E'), expiresAt, CancellationToken.None));
        Assert.Equal(2, store.FallbackCount);

        // Past the last expiry the fallback's proofs can no longer be accepted: Redis alone answers, memory is not grown.
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(DPoPReplayResult.FirstUse, await store.TryAddAsync(Key('F'), time.GetUtcNow().AddSeconds(60), CancellationToken.None));
        Assert.Equal(2, store.FallbackCount);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_unavailable_without_waiting_for_it()
    {
        using HungServer hung = new();
        ConnectionMultiplexer multiplexer = Connect(hung.Configuration);
        await Eventually.TrueAsync(() => hung.Accepted > 0);
        Assert.False(multiplexer.IsConnected);
        RedisDPoPReplayStore store = new(multiplexer, StoreOptions(o => o.Timeout = TimeSpan.FromMilliseconds(50)));
        ApiClient client = Instance(store);
        string token = BoundToken();

        // Only the store's 50 ms timeout can end the call within the hang guard: no elapsed time is asserted.
        RequestVerificationResult result = await VerifyAsync(client, token, Proof(token)).WaitAsync(HangGuard);
        Assert.Equal(VerificationFailure.ProofReplayStoreUnavailable, result.Failure);
        Assert.Equal(RedisReplayMode.Unavailable, store.Mode);
    }

    [Fact]
    public async Task A_connected_server_that_stops_answering_is_cut_off_by_the_stores_timeout()
    {
        // Connected, then every write paused for 300 s: only the store's own timeout (StackExchange.Redis's is
        // ClientTimeout here) can answer before the hang guard.
        ConnectionMultiplexer multiplexer = Connect();
        RedisDPoPReplayStore store = new(multiplexer, StoreOptions(o => o.Timeout = TimeSpan.FromMilliseconds(50)));
        ApiClient client = Instance(store);
        string token = BoundToken();
        Assert.True((await VerifyAsync(client, token, Proof(token))).IsValid);
        Assert.Equal("+OK", await Redis.CommandAsync("CLIENT", "PAUSE", "300000", "WRITE"));
        Assert.True(multiplexer.IsConnected);

        RequestVerificationResult result = await VerifyAsync(client, token, Proof(token)).WaitAsync(HangGuard);
        Assert.Equal(VerificationFailure.ProofReplayStoreUnavailable, result.Failure);
        Assert.Equal(RedisReplayMode.Unavailable, store.Mode);

        Assert.Equal("+OK", await Redis.CommandAsync("CLIENT", "UNPAUSE"));
        string proof = Proof(token);
        Assert.True((await VerifyAsync(client, token, proof)).IsValid);
        Assert.Equal(VerificationFailure.ProofReplayed, (await VerifyAsync(client, token, proof)).Failure);
        Assert.Equal(RedisReplayMode.Shared, store.Mode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_error_reply_from_redis_out_of_memory_is_unavailable_or_the_fallback(bool fallback)
    {
        ConnectionMultiplexer multiplexer = Connect();
        RedisDPoPReplayStore store = new(multiplexer, StoreOptions(o => o.FallbackToMemory = fallback));
        ApiClient client = Instance(store);
        string token = BoundToken();
        Assert.True((await VerifyAsync(client, token, Proof(token))).IsValid);
        Assert.Equal("+OK", await Redis.CommandAsync("CONFIG", "SET", "maxmemory", "1"));
        Assert.Equal("+OK", await Redis.CommandAsync("CONFIG", "SET", "maxmemory-policy", "noeviction"));

        // Redis is up and answers at once, with -OOM: the store cannot record the proof.
        string proof = Proof(token);
        RequestVerificationResult result = await VerifyAsync(client, token, proof);
        Assert.True(multiplexer.IsConnected);
        if (fallback)
        {
            Assert.True(result.IsValid);
            Assert.Equal(RedisReplayMode.LocalFallback, store.Mode);
            Assert.Equal(VerificationFailure.ProofReplayed, (await VerifyAsync(client, token, proof)).Failure);
        }
        else
        {
            Assert.Equal(VerificationFailure.ProofReplayStoreUnavailable, result.Failure);
            Assert.Equal(RedisReplayMode.Unavailable, store.Mode);
        }
    }

    [Fact]
    public async Task The_callers_cancellation_stays_a_cancellation()
    {
        RedisDPoPReplayStore store = new(Connect(), StoreOptions());
        using CancellationTokenSource cancelled = new();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.TryAddAsync(new string('A', 43), DateTimeOffset.UtcNow.AddMinutes(1), cancelled.Token));
    }

    [Fact]
    public void Options_are_checked_naming_the_option()
    {
        ConnectionMultiplexer multiplexer = Connect();
        Assert.Throws<ArgumentNullException>("multiplexer", () => new RedisDPoPReplayStore(null!, StoreOptions()));
        Assert.Throws<ArgumentNullException>("options", () => new RedisDPoPReplayStore(multiplexer, null!));
        Assert.Contains("Audience", Assert.Throws<ArgumentException>("options", () => new RedisDPoPReplayStore(multiplexer, new RedisDPoPReplayStoreOptions())).Message, StringComparison.Ordinal);
        Assert.Contains("Timeout", Assert.Throws<ArgumentException>("options", () => new RedisDPoPReplayStore(multiplexer, StoreOptions(o => o.Timeout = TimeSpan.Zero))).Message, StringComparison.Ordinal);
        Assert.Contains("Timeout", Assert.Throws<ArgumentException>("options", () => new RedisDPoPReplayStore(multiplexer, StoreOptions(o => o.Timeout = TimeSpan.FromSeconds(11)))).Message, StringComparison.Ordinal);
        Assert.Contains("FallbackCapacity", Assert.Throws<ArgumentException>("options", () => new RedisDPoPReplayStore(multiplexer, StoreOptions(o => o.FallbackCapacity = 0))).Message, StringComparison.Ordinal);
        Assert.Contains("KeyPrefix", Assert.Throws<ArgumentException>("options", () => new RedisDPoPReplayStore(multiplexer, StoreOptions(o => o.KeyPrefix = null!))).Message, StringComparison.Ordinal);
        Assert.Contains("MaxClockSkew", Assert.Throws<ArgumentException>("options", () => new RedisDPoPReplayStore(multiplexer, StoreOptions(o => o.MaxClockSkew = TimeSpan.FromSeconds(-1)))).Message, StringComparison.Ordinal);
        Assert.Contains("MaxClockSkew", Assert.Throws<ArgumentException>("options", () => new RedisDPoPReplayStore(multiplexer, StoreOptions(o => o.MaxClockSkew = TimeSpan.FromMinutes(11)))).Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMilliseconds(250), new RedisDPoPReplayStoreOptions().Timeout);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA:")]
    public async Task A_key_that_is_not_a_digest_never_reaches_redis(string key)
    {
        ConnectionMultiplexer multiplexer = Connect();
        RedisDPoPReplayStore store = new(multiplexer, StoreOptions());
        await Assert.ThrowsAsync<ArgumentException>("key", async () => await store.TryAddAsync(key, DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None));
        Assert.Empty(multiplexer.GetServers().Single().Keys(pattern: "*"));
    }

    // A digest-shaped key: 43 base64url characters, canonical (the last one carries no stray bits).
    private static string Key(char c) => new string(c, 42) + "A";

    // The digest the library passes for a proof: base64url(SHA-256(thumbprint "\n" jti)), recomputed independently.
    private static string Digest(string proof)
    {
        string payload = proof.Split('.')[1];
        using System.Text.Json.JsonDocument claims = System.Text.Json.JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(payload));
        string jti = claims.RootElement.GetProperty("jti").GetString()!;
        byte[] input = System.Text.Encoding.UTF8.GetBytes(Auth0.Api.Aot.Testing.DPoPProofs.Thumbprint(ProofKey) + "\n" + jti);
        return System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.SHA256.HashData(input));
    }
}
