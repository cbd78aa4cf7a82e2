using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.AspNetCore;
using Auth0.Api.Aot.Testing;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace Auth0.Api.Aot.Redis.Tests;

/// <summary>
/// The shared document caches end to end, against the loopback issuer: N instances sharing Redis (or an
/// IDistributedCache) fetch discovery and the JWKS once; a corrupt or foreign entry written by hand is ignored,
/// refetched and overwritten; Redis killed, hung or slow never fails a verification, the issuer is asked instead.
/// </summary>
public sealed class CacheTests : RedisTestBase
{
    private const int Instances = 4;

    [Fact]
    public async Task Instances_sharing_redis_fetch_the_jwks_once()
    {
        string token = H.Token();
        for (int i = 0; i < Instances; i++)
        {
            // Each instance its own multiplexer and client: nothing is shared but Redis.
            ApiClient instance = Own(H.Client(o => o.Cache = new RedisCacheAdapter(Connect(), CacheOptions())));
            Assert.Equal("user_123", (await instance.VerifyAccessTokenAsync(token)).Subject);
        }

        Assert.Equal((1, 1), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));
        Assert.Equal(2, Connect().GetServers().Single().Keys(pattern: "auth0-api-aot:v2:*").Count());
    }

    [Fact]
    public async Task A_key_prefix_is_put_before_the_librarys_keys()
    {
        ApiClient client = Own(H.Client(o => o.Cache = new RedisCacheAdapter(Connect(), CacheOptions(c => c.KeyPrefix = "staging:"))));
        await client.VerifyAccessTokenAsync(H.Token());
        Assert.All(Connect().GetServers().Single().Keys(pattern: "*"), key => Assert.StartsWith("staging:auth0-api-aot:v2:", key.ToString(), StringComparison.Ordinal));
    }

    // Someone who can write Redis plants a JWKS of their own key, as an entry whose checksum is right (built here from
    // the layout in SharedCacheEntry.cs). Instances without a CacheSigningKey trust it and verify the planted key's
    // tokens; instances with one read it as a miss, take the keys from the issuer and refuse the token.
    [Fact]
    public async Task With_a_CacheSigningKey_a_jwks_planted_in_redis_does_not_make_a_forged_token_verify()
    {
        byte[] fleetKey = [.. Enumerable.Range(7, 32).Select(i => (byte)i)];
        ConnectionMultiplexer multiplexer = Connect();
        IDatabase database = multiplexer.GetDatabase();
        await Own(H.Client(o => (o.Cache, o.CacheSigningKey) = (new RedisCacheAdapter(Connect(), CacheOptions()), fleetKey))).VerifyAccessTokenAsync(H.Token());
        string jwksKey = multiplexer.GetServers().Single().Keys(pattern: "auth0-api-aot:v2:jwks:*").Single().ToString();
        Assert.Equal(3, ((byte[])(await database.StringGetAsync(jwksKey))!)[4]);

        SigningKey attacker = SigningKey.CreateRsa(Auth0.Api.Aot.Tests.Support.TestKeys.Primary.Kid);
        string forged = H.Token(key: attacker);
        byte[] planted = System.Text.Encoding.UTF8.GetBytes("{\"keys\":[" + attacker.PublicJwk().ToJson() + "]}");
        await database.StringSetAsync(jwksKey, ChecksummedEntry(jwksKey, planted, DateTimeOffset.UtcNow), TimeSpan.FromMinutes(1));

        ApiClient unkeyed = Own(H.Client(o => o.Cache = new RedisCacheAdapter(Connect(), CacheOptions())));
        Assert.True((await unkeyed.TryVerifyAccessTokenAsync(forged)).IsValid, "the planted entry was not read: the test forges nothing");

        // Checksummed (format 2), or authenticated (format 3) under a key that is not the fleet's.
        byte[] otherKey = [.. Enumerable.Range(70, 32).Select(i => (byte)i)];
        foreach (byte[] entry in new[] { ChecksummedEntry(jwksKey, planted, DateTimeOffset.UtcNow), ChecksummedEntry(jwksKey, planted, DateTimeOffset.UtcNow, otherKey) })
        {
            await database.StringSetAsync(jwksKey, entry, TimeSpan.FromMinutes(1));
            H.Issuer.ResetCounts();
            ApiClient keyed = Own(H.Client(o => (o.Cache, o.CacheSigningKey) = (new RedisCacheAdapter(Connect(), CacheOptions()), fleetKey)));
            AccessTokenResult refused = await keyed.TryVerifyAccessTokenAsync(forged);
            Assert.Equal(VerificationFailure.SignatureInvalid, refused.Failure);   // the issuer's own key of that kid
            Assert.True(H.Issuer.JwksRequests > 0);
            Assert.True((await keyed.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        }

        // The same layout under the fleet's key reads: the entries above were refused for their digest alone.
        await database.StringSetAsync(jwksKey, ChecksummedEntry(jwksKey, planted, DateTimeOffset.UtcNow, fleetKey), TimeSpan.FromMinutes(1));
        ApiClient fooled = Own(H.Client(o => (o.Cache, o.CacheSigningKey) = (new RedisCacheAdapter(Connect(), CacheOptions()), fleetKey)));
        Assert.True((await fooled.TryVerifyAccessTokenAsync(forged)).IsValid);
    }

    // An entry by the layout of src/Auth0.Api.Aot/Internal/SharedCacheEntry.cs: magic, version (2, or 3 with an HMAC
    // key), kind 'J', fetched and expiry times, body length, SHA-256 (or HMAC-SHA256) over the key's length and bytes,
    // the first 26 bytes and the body; then the body.
    private static byte[] ChecksummedEntry(string key, byte[] body, DateTimeOffset now, byte[]? hmacKey = null)
    {
        byte[] value = new byte[58 + body.Length];
        "A0KC"u8.CopyTo(value);
        value[4] = (byte)(hmacKey is null ? 2 : 3);
        value[5] = (byte)'J';
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(6), now.ToUnixTimeMilliseconds());
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(14), now.AddMinutes(1).ToUnixTimeMilliseconds());
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(22), body.Length);
        body.CopyTo(value.AsSpan(58));
        byte[] keyBytes = System.Text.Encoding.UTF8.GetBytes(key);
        using System.Security.Cryptography.IncrementalHash hash = hmacKey is null
            ? System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256)
            : System.Security.Cryptography.IncrementalHash.CreateHMAC(System.Security.Cryptography.HashAlgorithmName.SHA256, hmacKey);
        byte[] length = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, keyBytes.Length);
        hash.AppendData(length);
        hash.AppendData(keyBytes);
        hash.AppendData(value.AsSpan(0, 26));
        hash.AppendData(body);
        hash.GetHashAndReset(value.AsSpan(26, 32));
        return value;
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("swapped")]
    public async Task A_corrupt_or_foreign_entry_written_by_hand_is_ignored_refetched_and_overwritten(string damage)
    {
        ConnectionMultiplexer multiplexer = Connect();
        IDatabase database = multiplexer.GetDatabase();
        string token = H.Token();
        await Own(H.Client(o => o.Cache = new RedisCacheAdapter(Connect(), CacheOptions()))).VerifyAccessTokenAsync(token);
        RedisKey[] keys = multiplexer.GetServers().Single().Keys(pattern: "auth0-api-aot:v2:*").OrderBy(k => k.ToString(), StringComparer.Ordinal).ToArray();
        Assert.Equal(2, keys.Length);
        byte[][] intact = await Task.WhenAll(keys.Select(async k => (byte[])(await database.StringGetAsync(k))!));
        for (int i = 0; i < keys.Length; i++)
        {
            byte[] written = damage switch
            {
                "garbage" => "{\"keys\":[]}"u8.ToArray(),
                "truncated" => intact[i][..(intact[i].Length / 2)],
                _ => intact[(i + 1) % keys.Length], // an intact entry, of the other document, under this key
            };
            await database.StringSetAsync(keys[i], written, TimeSpan.FromMinutes(5));
        }

        H.Issuer.ResetCounts();
        Assert.Equal("user_123", (await Own(H.Client(o => o.Cache = new RedisCacheAdapter(Connect(), CacheOptions()))).VerifyAccessTokenAsync(token)).Subject);
        Assert.Equal((1, 1), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));

        // Overwritten with intact entries: the next instance fetches nothing.
        H.Issuer.ResetCounts();
        await Own(H.Client(o => o.Cache = new RedisCacheAdapter(Connect(), CacheOptions()))).VerifyAccessTokenAsync(token);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Fact]
    public async Task Redis_killed_never_fails_a_verification_the_issuer_is_asked_instead()
    {
        string token = H.Token();
        await Own(H.Client(o => o.Cache = new RedisCacheAdapter(Connect(), CacheOptions()))).VerifyAccessTokenAsync(token);
        ApiClient later = Own(H.Client(o => o.Cache = new RedisCacheAdapter(Connect(), CacheOptions())));
        await Redis.KillAsync();
        H.Issuer.ResetCounts();

        // Ending within the hang guard (below StackExchange.Redis's own timeout) is the adapter's doing: no elapsed time is asserted.
        Assert.Equal("user_123", (await later.VerifyAccessTokenAsync(token).AsTask().WaitAsync(HangGuard)).Subject);
        Assert.Equal((1, 1), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));
    }

    [Fact]
    public async Task A_hung_or_paused_redis_is_cut_off_by_the_timeout_and_the_issuer_is_asked()
    {
        using HungServer hung = new();
        ApiClient blackHole = Own(H.Client(o => o.Cache = new RedisCacheAdapter(Connect(hung.Configuration), new RedisCacheAdapterOptions { Timeout = TimeSpan.FromMilliseconds(50) })));
        ConnectionMultiplexer paused = Connect();
        ApiClient slow = Own(H.Client(o => o.Cache = new RedisCacheAdapter(paused, new RedisCacheAdapterOptions { Timeout = TimeSpan.FromMilliseconds(50) })));
        // Paused beyond the hang guard: neither Redis nor StackExchange.Redis (ClientTimeout) can end a call before it
        // fires, so a call that ends within it was cut off by the adapter's 50 ms timeout. No elapsed time is asserted.
        Assert.Equal("+OK", await Redis.CommandAsync("CLIENT", "PAUSE", "300000", "ALL"));
        Assert.True(paused.IsConnected);
        string token = H.Token();

        Assert.Equal("user_123", (await blackHole.VerifyAccessTokenAsync(token).AsTask().WaitAsync(HangGuard)).Subject);
        Assert.Equal("user_123", (await slow.VerifyAccessTokenAsync(token).AsTask().WaitAsync(HangGuard)).Subject);

        // The paused server would hold the abandoned commands, and so the multiplexer's disposal, for ClientTimeout.
        await Redis.KillAsync();
        Assert.Equal((2, 2), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));
    }

    [Fact]
    public async Task The_redis_adapter_stores_opaque_bytes_with_their_ttl_and_removes_them()
    {
        ConnectionMultiplexer multiplexer = Connect();
        RedisCacheAdapter adapter = new(multiplexer, CacheOptions());
        byte[] value = [0, 1, 2, 255];
        Stopwatch sinceSet = Stopwatch.StartNew();
        await adapter.SetAsync("k", value, TimeSpan.FromSeconds(90), CancellationToken.None);
        Assert.Equal(value, await adapter.GetAsync("k", CancellationToken.None));
        TimeSpan? left = await multiplexer.GetDatabase().KeyTimeToLiveAsync("k");

        // Redis counts the TTL down in real time: at most the time since the set (plus a second of rounding) has gone.
        Assert.InRange(left!.Value, TimeSpan.FromSeconds(89) - sinceSet.Elapsed, TimeSpan.FromSeconds(90));
        await adapter.RemoveAsync("k", CancellationToken.None);
        await adapter.RemoveAsync("k", CancellationToken.None);
        Assert.Null(await adapter.GetAsync("k", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("timeToLive", async () => await adapter.SetAsync("k", value, TimeSpan.Zero, CancellationToken.None));
        Assert.Throws<ArgumentException>("options", () => new RedisCacheAdapter(multiplexer, new RedisCacheAdapterOptions { Timeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentNullException>("multiplexer", () => new RedisCacheAdapter(null!));
    }

    [Fact]
    public async Task A_value_longer_than_any_entry_is_a_miss_and_is_not_read_whole()
    {
        ConnectionMultiplexer multiplexer = Connect();
        RedisCacheAdapter adapter = new(multiplexer, CacheOptions());
        IDatabase database = multiplexer.GetDatabase();
        byte[] longest = new byte[RedisCacheAdapter.MaxValueBytes];
        longest[^1] = 7;
        await database.StringSetAsync("longest", longest);
        await database.StringSetAsync("longer", new byte[RedisCacheAdapter.MaxValueBytes + 1]);
        await database.StringSetAsync("huge", new byte[16 * 1024 * 1024]);
        await database.StringSetAsync("empty", Array.Empty<byte>());

        Assert.Equal(longest, await adapter.GetAsync("longest", CancellationToken.None));
        Assert.Null(await adapter.GetAsync("longer", CancellationToken.None));
        Assert.Null(await adapter.GetAsync("huge", CancellationToken.None));
        Assert.Null(await adapter.GetAsync("empty", CancellationToken.None));
        Assert.Null(await adapter.GetAsync("missing", CancellationToken.None));
    }

    [Fact]
    public async Task A_distributed_cache_call_given_up_on_that_faults_later_is_observed()
    {
        string marker = "late fault " + Guid.NewGuid().ToString("N");
        int unobserved = 0;
        EventHandler<UnobservedTaskExceptionEventArgs> handler = (_, e) =>
        {
            if (e.Exception.InnerExceptions.Any(x => x.Message == marker))
            {
                Interlocked.Increment(ref unobserved);
            }
        };
        TaskScheduler.UnobservedTaskException += handler;
        try
        {
            await GiveUpThenFaultAsync(marker);
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            Assert.Equal(0, Volatile.Read(ref unobserved));
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= handler;
        }
    }

    // Each call times out (50 ms) while the cache has not answered; the cache's tasks fault afterwards, and nothing
    // here keeps a reference to them, so only the adapter could have observed their exceptions.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task GiveUpThenFaultAsync(string marker)
    {
        LateCache cache = new();
        DistributedCacheAdapter adapter = new(cache, TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAsync<TimeoutException>(async () => await adapter.GetAsync("k", CancellationToken.None));
        await Assert.ThrowsAsync<TimeoutException>(async () => await adapter.SetAsync("k", [1], TimeSpan.FromMinutes(1), CancellationToken.None));
        await Assert.ThrowsAsync<TimeoutException>(async () => await adapter.RemoveAsync("k", CancellationToken.None));
        cache.FaultAll(marker);
    }

    /// <summary>A distributed cache whose calls never answer until <see cref="FaultAll"/> faults them.</summary>
    private sealed class LateCache : IDistributedCache
    {
        private readonly System.Collections.Generic.List<TaskCompletionSource> _pending = [];
        private readonly System.Collections.Generic.List<TaskCompletionSource<byte[]?>> _gets = [];

        public void FaultAll(string message)
        {
            foreach (TaskCompletionSource pending in _pending)
            {
                pending.SetException(new InvalidOperationException(message));
            }

            foreach (TaskCompletionSource<byte[]?> get in _gets)
            {
                get.SetException(new InvalidOperationException(message));
            }

            _pending.Clear();
            _gets.Clear();
        }

        public byte[]? Get(string key) => throw new NotSupportedException();

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
        {
            TaskCompletionSource<byte[]?> get = new();
            _gets.Add(get);
            return get.Task;
        }

        public void Refresh(string key) => throw new NotSupportedException();

        public Task RefreshAsync(string key, CancellationToken token = default) => Pending();

        public void Remove(string key) => throw new NotSupportedException();

        public Task RemoveAsync(string key, CancellationToken token = default) => Pending();

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException();

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => Pending();

        private Task Pending()
        {
            TaskCompletionSource pending = new();
            _pending.Add(pending);
            return pending.Task;
        }
    }

    [Fact]
    public async Task Instances_sharing_a_distributed_cache_fetch_the_jwks_once_and_ignore_a_corrupt_entry()
    {
        MemoryDistributedCache cache = new(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions()));
        string token = H.Token();
        for (int i = 0; i < Instances; i++)
        {
            await Own(H.Client(o => o.Cache = new DistributedCacheAdapter(cache))).VerifyAccessTokenAsync(token);
        }

        Assert.Equal((1, 1), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));

        // The JWKS entry replaced by hand: ignored, refetched and overwritten.
        string jwksKey = "auth0-api-aot:v2:jwks:" + H.Issuer.JwksUri;
        await cache.SetAsync(jwksKey, "not an entry"u8.ToArray(), new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });
        H.Issuer.ResetCounts();
        await Own(H.Client(o => o.Cache = new DistributedCacheAdapter(cache))).VerifyAccessTokenAsync(token);
        Assert.Equal((0, 1), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));
        Assert.NotEqual("not an entry"u8.ToArray(), await cache.GetAsync(jwksKey));

        Assert.Throws<ArgumentNullException>("cache", () => new DistributedCacheAdapter(null!));
        Assert.Throws<ArgumentOutOfRangeException>("timeout", () => new DistributedCacheAdapter(cache, TimeSpan.Zero));
    }
}
