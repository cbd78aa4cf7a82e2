using System;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot;

/// <summary>
/// The library's bounded in-memory replay store, as an <see cref="IDPoPReplayStore"/>: for a store that falls back to
/// local memory while its shared store is down (the <c>Auth0.Api.Aot.Redis</c> package does), or for wrapping. An
/// <see cref="ApiClient"/> with no <see cref="ApiClientOptions.DPoPReplayStore"/> already has one of its own; setting
/// this one adds nothing.
/// </summary>
/// <remarks>
/// <para>Records are held until their expiry, never evicted: a full store answers <see cref="DPoPReplayResult.Unavailable"/>
/// for a new key, and still <see cref="DPoPReplayResult.Replayed"/> for a key it holds (the Redis store's fallback relies
/// on it).
/// Unlike the built-in default, it counts no per-key share (<see cref="ApiClientOptions.DPoPReplayMaxKeyShare"/>): the
/// keys it is given are digests that do not tell which client key a proof was signed with.</para>
/// <para>Thread safety: all members are safe for concurrent use; <see cref="TryAddAsync"/> is atomic and completes
/// synchronously.</para>
/// </remarks>
public sealed class MemoryDPoPReplayStore : IDPoPReplayStore
{
    private const int MaxCapacity = 100_000_000;
    private const int DigestBytes = 32;
    private readonly MemoryReplayStore _store;

    /// <summary>Creates an empty store.</summary>
    /// <param name="capacity">The most records held at once, from 1 to 100,000,000.</param>
    /// <param name="timeProvider">The clock that expiries are compared with. Default: <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is out of range.</exception>
    public MemoryDPoPReplayStore(int capacity = ApiClientOptions.DefaultDPoPReplayCapacity, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        _store = new MemoryReplayStore(capacity, capacity, timeProvider ?? TimeProvider.System);
    }

    /// <summary>The most records held at once.</summary>
    public int Capacity => _store.Capacity;

    /// <summary>Records held now (live, or expired and not yet dropped).</summary>
    public int Count => _store.Count;

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not 43 base64url characters (a 32-byte digest).</exception>
    public ValueTask<DPoPReplayResult> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> digest = stackalloc byte[DigestBytes];
        if (!Base64UrlStrict.TryDecode(key, digest, out int written) || written != DigestBytes)
        {
            throw new ArgumentException("The key must be 43 base64url characters (a 32-byte digest)", nameof(key));
        }

        // Whole seconds, rounded up: a record is never dropped before expiresAt.
        long milliseconds = expiresAt.ToUnixTimeMilliseconds();
        long seconds = (milliseconds / 1000) + (milliseconds % 1000 > 0 ? 1 : 0);
        ReplayRecord record = _store.TryAdd(digest, digest, seconds);
        return new(record switch
        {
            ReplayRecord.Recorded => DPoPReplayResult.FirstUse,
            ReplayRecord.Replayed => DPoPReplayResult.Replayed,
            _ => DPoPReplayResult.Unavailable,
        });
    }
}
