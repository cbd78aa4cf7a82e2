using System;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Redis.Internal;
using StackExchange.Redis;

namespace Auth0.Api.Aot.Redis;

/// <summary>
/// A DPoP replay store shared by every instance of an API (RFC 9449 section 11.1): one atomic
/// <c>SET key 1 NX PX ttl</c> per proof, so that a proof accepted by one instance is refused by all the others. Set it as
/// <see cref="ApiClientOptions.DPoPReplayStore"/>, or register it with <c>AddAuth0ApiRedis</c>.
/// </summary>
/// <remarks>
/// <para>Keys: <see cref="RedisDPoPReplayStoreOptions.KeyPrefix"/>, <c>dpop:</c>, a 22-character hash of the audience,
/// <c>:</c>, and the 43-character digest of the proof key's thumbprint and <c>jti</c> that the library passes: no
/// proof content. The value is <c>1</c>; the TTL is the rest of the proof's acceptance window, measured on
/// <see cref="RedisDPoPReplayStoreOptions.TimeProvider"/> (relative, so the Redis server's clock does not matter).
/// No Lua script is used (StackExchange.Redis's <c>LuaScript</c> is not NativeAOT-clean), and none is needed:
/// <c>SET NX</c> is atomic.</para>
/// <para>Failure: a call that Redis does not answer within <see cref="RedisDPoPReplayStoreOptions.Timeout"/>, that
/// fails, or that finds the multiplexer disconnected answers <see cref="DPoPReplayResult.Unavailable"/> (503), or, with
/// <see cref="RedisDPoPReplayStoreOptions.FallbackToMemory"/>, is recorded in this instance's memory. The next call
/// tries Redis again; reconnection is StackExchange.Redis's own (use <c>AbortOnConnectFail=false</c>).
/// <see cref="Mode"/> and <see cref="RedisDPoPReplayStoreOptions.ModeChanged"/> say which of the three is in force.</para>
/// <para>Thread safety: all members are safe for concurrent use; of two concurrent adds of one key, on any instances,
/// exactly one answers <see cref="DPoPReplayResult.FirstUse"/>.</para>
/// </remarks>
public sealed class RedisDPoPReplayStore : IDPoPReplayStore
{
    private const int DigestLength = 43;
    private static readonly RedisValue s_recorded = 1;

    private readonly IConnectionMultiplexer _multiplexer;
    private readonly IDatabaseAsync _database;
    private readonly string _keyStart;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly MemoryDPoPReplayStore? _fallback;
    private readonly Action<RedisReplayMode>? _modeChanged;
    private int _mode;

    /// <summary>Creates the store over a multiplexer that the caller owns (and disposes).</summary>
    /// <param name="multiplexer">The connection to Redis, shared with the rest of the application.</param>
    /// <param name="options">The options; <see cref="RedisDPoPReplayStoreOptions.Audience"/> is required.</param>
    /// <exception cref="ArgumentNullException"><paramref name="multiplexer"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public RedisDPoPReplayStore(IConnectionMultiplexer multiplexer, RedisDPoPReplayStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.Audience))
        {
            throw new ArgumentException("RedisDPoPReplayStoreOptions.Audience must be set", nameof(options));
        }

        if (options.KeyPrefix is null)
        {
            throw new ArgumentException("RedisDPoPReplayStoreOptions.KeyPrefix must not be null", nameof(options));
        }

        RedisCalls.CheckTimeout(options.Timeout, "RedisDPoPReplayStoreOptions.Timeout", nameof(options));
        if (options.FallbackCapacity is < 1 or > 100_000_000)
        {
            throw new ArgumentException("RedisDPoPReplayStoreOptions.FallbackCapacity must be from 1 to 100,000,000", nameof(options));
        }

        _multiplexer = multiplexer;
        _database = multiplexer.GetDatabase(options.Database);
        _keyStart = options.KeyPrefix + "dpop:" + RedisCalls.Namespace(options.Audience) + ":";
        _timeout = options.Timeout;
        _time = options.TimeProvider ?? TimeProvider.System;
        _fallback = options.FallbackToMemory ? new MemoryDPoPReplayStore(options.FallbackCapacity, _time) : null;
        _modeChanged = options.ModeChanged;
    }

    /// <summary>Which store the last call recorded its proof in, or whether it refused it: <see cref="RedisReplayMode.Shared"/> until a call fails.</summary>
    public RedisReplayMode Mode => (RedisReplayMode)Volatile.Read(ref _mode);

    /// <summary>The Redis key a proof with this digest is recorded under (tests, operations).</summary>
    /// <param name="key">The digest the library passes to <see cref="TryAddAsync"/>.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not 43 base64url characters.</exception>
    public string GetRedisKey(string key)
    {
        CheckKey(key);
        return _keyStart + key;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not 43 base64url characters (a digest).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<DPoPReplayResult> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        CheckKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_multiplexer.IsConnected)
        {
            return Failed(key, expiresAt, cancellationToken);
        }

        // The rest of the acceptance window on the verifier's clock; at least a second, so a record is never too short.
        TimeSpan ttl = expiresAt - _time.GetUtcNow();
        if (ttl < TimeSpan.FromSeconds(1))
        {
            ttl = TimeSpan.FromSeconds(1);
        }

        Task<bool> set;
        try
        {
            set = _database.StringSetAsync(_keyStart + key, s_recorded, new Expiration(ttl), ValueCondition.NotExists);
        }
        catch (Exception exception) when (RedisCalls.IsStoreFault(exception, cancellationToken))
        {
            return Failed(key, expiresAt, cancellationToken);
        }

        return AwaitAsync(set, key, expiresAt, cancellationToken);
    }

    private async ValueTask<DPoPReplayResult> AwaitAsync(Task<bool> set, string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        bool recorded;
        try
        {
            recorded = await RedisCalls.BoundedAsync(set, _timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (RedisCalls.IsStoreFault(exception, cancellationToken))
        {
            // Down, slow past the timeout, or an error reply (OOM, READONLY): Redis cannot say.
            return await Failed(key, expiresAt, cancellationToken).ConfigureAwait(false);
        }

        Enter(RedisReplayMode.Shared);
        return recorded ? DPoPReplayResult.FirstUse : DPoPReplayResult.Replayed;
    }

    private ValueTask<DPoPReplayResult> Failed(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        if (_fallback is null)
        {
            Enter(RedisReplayMode.Unavailable);
            return new(DPoPReplayResult.Unavailable);
        }

        Enter(RedisReplayMode.LocalFallback);
        return _fallback.TryAddAsync(key, expiresAt, cancellationToken);
    }

    private void Enter(RedisReplayMode mode)
    {
        if (Volatile.Read(ref _mode) != (int)mode && Interlocked.Exchange(ref _mode, (int)mode) != (int)mode)
        {
            _modeChanged?.Invoke(mode);
        }
    }

    private static void CheckKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != DigestLength || !RedisCalls.IsBase64Url(key))
        {
            throw new ArgumentException("The key must be 43 base64url characters (a digest)", nameof(key));
        }
    }
}
