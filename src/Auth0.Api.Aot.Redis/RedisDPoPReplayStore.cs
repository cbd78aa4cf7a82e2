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
/// <see cref="RedisDPoPReplayStoreOptions.TimeProvider"/>, plus <see cref="RedisDPoPReplayStoreOptions.MaxClockSkew"/>
/// (relative, so the Redis server's clock does not matter; the margin covers an instance whose clock is behind this
/// one's, which accepts the proof for that much longer).
/// No Lua script is used (StackExchange.Redis's <c>LuaScript</c> is not NativeAOT-clean), and none is needed:
/// <c>SET NX</c> is atomic.</para>
/// <para>Failure: a call that Redis does not answer within <see cref="RedisDPoPReplayStoreOptions.Timeout"/>, that
/// fails, or that finds the multiplexer disconnected answers <see cref="DPoPReplayResult.Unavailable"/> (503), or, with
/// <see cref="RedisDPoPReplayStoreOptions.FallbackToMemory"/>, is recorded in this instance's memory. The next call
/// tries Redis again; reconnection is StackExchange.Redis's own (use <c>AbortOnConnectFail=false</c>). After proofs
/// were recorded in memory, and until the last of them expires, a proof that Redis answers as new is also checked
/// against (and recorded in) the memory store, so that this instance never accepts through Redis a proof it accepted
/// from memory during the outage.
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
    private readonly TimeSpan _clockSkew;
    private readonly TimeProvider _time;
    private readonly MemoryDPoPReplayStore? _fallback;
    private readonly Action<RedisReplayMode>? _modeChanged;
    private int _mode;

    // Until when (UTC ticks) the fallback holds a proof accepted from memory: the latest expiry it was given by a call
    // that Redis could not answer. 0: never.
    private long _fallbackLiveUntil;

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
        if (options.MaxClockSkew < TimeSpan.Zero || options.MaxClockSkew > RedisDPoPReplayStoreOptions.MaxMaxClockSkew)
        {
            throw new ArgumentException("RedisDPoPReplayStoreOptions.MaxClockSkew must be from 0 to 10 minutes", nameof(options));
        }

        if (options.FallbackCapacity is < 1 or > 100_000_000)
        {
            throw new ArgumentException("RedisDPoPReplayStoreOptions.FallbackCapacity must be from 1 to 100,000,000", nameof(options));
        }

        _multiplexer = multiplexer;
        _database = multiplexer.GetDatabase(options.Database);
        _keyStart = options.KeyPrefix + "dpop:" + RedisCalls.Namespace(options.Audience) + ":";
        _timeout = options.Timeout;
        _clockSkew = options.MaxClockSkew;
        _time = options.TimeProvider ?? TimeProvider.System;
        _fallback = options.FallbackToMemory ? new MemoryDPoPReplayStore(options.FallbackCapacity, _time) : null;
        _modeChanged = options.ModeChanged;
    }

    /// <summary>Which store the last call recorded its proof in, or whether it refused it: <see cref="RedisReplayMode.Shared"/> until a call fails.</summary>
    public RedisReplayMode Mode => (RedisReplayMode)Volatile.Read(ref _mode);

    /// <summary>Records the fallback store holds (tests).</summary>
    internal int FallbackCount => _fallback?.Count ?? 0;

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

        TimeSpan ttl = TimeToLive(expiresAt, _time.GetUtcNow(), _clockSkew);

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
        if (!recorded)
        {
            return DPoPReplayResult.Replayed;
        }

        // New to Redis, but maybe accepted from memory while Redis could not answer: the fallback decides, atomically,
        // for as long as it may hold such a proof. The add (not a lookup) also covers a concurrent call for the same
        // proof that Redis fails meanwhile: of the two, one finds the other's record. Full means not held (a held key
        // is Replayed first), so Redis's answer stands then.
        if (_fallback is not null && _time.GetUtcNow().UtcTicks < Volatile.Read(ref _fallbackLiveUntil))
        {
            DPoPReplayResult local = await _fallback.TryAddAsync(key, expiresAt, cancellationToken).ConfigureAwait(false);
            return local == DPoPReplayResult.Replayed ? DPoPReplayResult.Replayed : DPoPReplayResult.FirstUse;
        }

        return DPoPReplayResult.FirstUse;
    }

    /// <summary>
    /// The TTL of a proof's record: the rest of its acceptance window on this clock plus the skew margin, at least a
    /// second, so that a record is never too short.
    /// </summary>
    internal static TimeSpan TimeToLive(DateTimeOffset expiresAt, DateTimeOffset now, TimeSpan clockSkew)
    {
        TimeSpan ttl = expiresAt - now + clockSkew;
        return ttl < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : ttl;
    }

    private ValueTask<DPoPReplayResult> Failed(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        if (_fallback is null)
        {
            Enter(RedisReplayMode.Unavailable);
            return new(DPoPReplayResult.Unavailable);
        }

        Enter(RedisReplayMode.LocalFallback);

        // Noted before the add, so that a concurrent call that Redis answers sees it and consults the fallback too.
        // Whole seconds, rounded up, as the fallback holds records.
        long liveUntil = DateTimeOffset.FromUnixTimeSeconds((expiresAt.ToUnixTimeMilliseconds() + 999) / 1000).UtcTicks;
        long seen = Volatile.Read(ref _fallbackLiveUntil);
        while (seen < liveUntil)
        {
            long previous = Interlocked.CompareExchange(ref _fallbackLiveUntil, liveUntil, seen);
            if (previous == seen)
            {
                break;
            }

            seen = previous;
        }

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
