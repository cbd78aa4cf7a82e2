using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Distributed;

namespace Auth0.Api.Aot.AspNetCore;

/// <summary>
/// Discovery documents and JWKS in any <see cref="IDistributedCache"/> (SQL Server, Cosmos DB, a Memcached or Redis
/// provider), so that a fleet of instances fetches each from the issuer once per lifetime. Set it as
/// <see cref="ApiClientOptions.Cache"/>.
/// </summary>
/// <remarks>
/// <para>Only documents: DPoP replay protection needs an atomic add-if-absent, which <see cref="IDistributedCache"/>
/// lacks (a get then a set lets two instances both accept one proof), so replays stay in memory or on Redis
/// (<c>Auth0.Api.Aot.Redis</c>). See docs/scale-out.md.</para>
/// <para>Values are the library's opaque bytes with an absolute expiry of the TTL it asks for; what is read back is
/// untrusted and checked by the library, which ignores and overwrites anything corrupt or foreign. Each call is
/// bounded by the timeout and throws past it; the library then fetches from the issuer, and a verification never
/// fails for the cache.</para>
/// <para>Thread safety: as safe as the cache it wraps (the providers shipped by Microsoft are).</para>
/// </remarks>
public sealed class DistributedCacheAdapter : ICacheAdapter
{
    /// <summary>The default timeout of each call: 100 ms.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(100);

    private readonly IDistributedCache _cache;
    private readonly TimeSpan _timeout;

    /// <summary>Creates the adapter.</summary>
    /// <param name="cache">The distributed cache, as registered (e.g. <c>AddDistributedSqlServerCache</c>).</param>
    /// <param name="timeout">How long one call waits for the cache, from 1 ms to 10 s. Default: <see cref="DefaultTimeout"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="cache"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is out of range.</exception>
    public DistributedCacheAdapter(IDistributedCache cache, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        TimeSpan bound = timeout ?? DefaultTimeout;
        if (bound < TimeSpan.FromMilliseconds(1) || bound > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), "timeout must be from 1 ms to 10 s");
        }

        _cache = cache;
        _timeout = bound;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="TimeoutException">The cache did not answer within the timeout.</exception>
    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        Task<byte[]?> call = _cache.GetAsync(key, cancellationToken);
        try
        {
            return await call.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!call.IsCompleted)
        {
            Observe(call);
            throw;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeToLive"/> is not positive.</exception>
    /// <exception cref="TimeoutException">The cache did not answer within the timeout.</exception>
    public async ValueTask SetAsync(string key, byte[] value, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        DistributedCacheEntryOptions entry = new() { AbsoluteExpirationRelativeToNow = timeToLive };
        await BoundedAsync(_cache.SetAsync(key, value, entry, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="TimeoutException">The cache did not answer within the timeout.</exception>
    public async ValueTask RemoveAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await BoundedAsync(_cache.RemoveAsync(key, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    // Waits at most the timeout. A call given up on may still fault later: its exception is observed, so that it is not
    // reported as an unobserved task exception.
    private async Task BoundedAsync(Task call, CancellationToken cancellationToken)
    {
        try
        {
            await call.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!call.IsCompleted)
        {
            Observe(call);
            throw;
        }
    }

    private static void Observe(Task call) =>
        _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
