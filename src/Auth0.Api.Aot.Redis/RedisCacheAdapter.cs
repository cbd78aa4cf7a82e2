using System;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Redis.Internal;
using StackExchange.Redis;

namespace Auth0.Api.Aot.Redis;

/// <summary>
/// Discovery documents and JWKS in Redis (<see cref="ICacheAdapter"/>), so that a fleet of instances fetches each from
/// the issuer once per lifetime. Set it as <see cref="ApiClientOptions.Cache"/>, or register it with
/// <c>AddAuth0ApiRedis</c>.
/// </summary>
/// <remarks>
/// <para>Values are the library's opaque bytes, stored as Redis strings with the TTL the library asks for. What is read
/// back is untrusted: the library checks it (format, checksum, key, times) and validates the document as if fetched,
/// and ignores and overwrites anything else, so a corrupt or foreign value costs one fetch. Whoever can write this Redis
/// can make the instances trust a key set: restrict it to them. At most <see cref="MaxValueBytes"/> are read back (the
/// library's entry header and its 1 MiB document bound): a longer value is a miss, and is never read whole.</para>
/// <para>Failure: each call is bounded by <see cref="RedisCacheAdapterOptions.Timeout"/> and throws past it (or on a
/// Redis error), and the library then fetches from the issuer; a verification never fails for the cache. While the
/// multiplexer is disconnected, reads miss and writes and removals are skipped, without waiting.</para>
/// <para>Thread safety: all members are safe for concurrent use.</para>
/// </remarks>
public sealed class RedisCacheAdapter : ICacheAdapter
{
    /// <summary>
    /// The longest value read back, in bytes: the library's 58-byte entry header and its 1 MiB bound on a document
    /// (docs/caching.md). A value is read with <c>GETRANGE 0 MaxValueBytes</c>, so a larger one costs no more than this.
    /// </summary>
    internal const int MaxValueBytes = 58 + (1024 * 1024);

    private readonly IConnectionMultiplexer _multiplexer;
    private readonly IDatabaseAsync _database;
    private readonly string _prefix;
    private readonly TimeSpan _timeout;

    /// <summary>Creates the adapter over a multiplexer that the caller owns (and disposes).</summary>
    /// <param name="multiplexer">The connection to Redis, shared with the rest of the application.</param>
    /// <param name="options">The options; default ones when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="multiplexer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public RedisCacheAdapter(IConnectionMultiplexer multiplexer, RedisCacheAdapterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        options ??= new RedisCacheAdapterOptions();
        if (options.KeyPrefix is null)
        {
            throw new ArgumentException("RedisCacheAdapterOptions.KeyPrefix must not be null", nameof(options));
        }

        RedisCalls.CheckTimeout(options.Timeout, "RedisCacheAdapterOptions.Timeout", nameof(options));
        _multiplexer = multiplexer;
        _database = multiplexer.GetDatabase(options.Database);
        _prefix = options.KeyPrefix;
        _timeout = options.Timeout;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="TimeoutException">Redis did not answer within the timeout.</exception>
    /// <exception cref="RedisException">Redis answered with an error.</exception>
    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_multiplexer.IsConnected)
        {
            return null;
        }

        // GETRANGE, not GET: whoever can write this Redis cannot make an instance read a 512 MB value. A missing key
        // reads as empty, which no entry is.
        RedisValue value = await RedisCalls.BoundedAsync(_database.StringGetRangeAsync(_prefix + key, 0, MaxValueBytes), _timeout, cancellationToken).ConfigureAwait(false);
        byte[]? bytes = (byte[]?)value;
        return bytes is null || bytes.Length == 0 || bytes.Length > MaxValueBytes ? null : bytes;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeToLive"/> is not positive.</exception>
    /// <exception cref="TimeoutException">Redis did not answer within the timeout.</exception>
    /// <exception cref="RedisException">Redis answered with an error.</exception>
    public async ValueTask SetAsync(string key, byte[] value, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        if (!_multiplexer.IsConnected)
        {
            return;
        }

        _ = await RedisCalls.BoundedAsync(_database.StringSetAsync(_prefix + key, value, new Expiration(timeToLive), ValueCondition.Always), _timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="TimeoutException">Redis did not answer within the timeout.</exception>
    /// <exception cref="RedisException">Redis answered with an error.</exception>
    public async ValueTask RemoveAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_multiplexer.IsConnected)
        {
            return;
        }

        _ = await RedisCalls.BoundedAsync(_database.KeyDeleteAsync(_prefix + key), _timeout, cancellationToken).ConfigureAwait(false);
    }
}
