using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Internal;

/// <summary>
/// The default <see cref="IDPoPReplayStore"/>: a concurrent map of proof digests to their expiry, bounded by
/// <see cref="Capacity"/>. When full it first drops expired entries; if it is still full the proof is refused (fail
/// closed: evicting a live entry would let that proof be replayed). Only proofs that passed every other check, for a
/// valid bound token, are recorded, so filling it takes valid tokens.
/// </summary>
internal sealed class MemoryReplayStore : IDPoPReplayStore
{
    private readonly ConcurrentDictionary<string, long> _seen = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly object _purgeGate = new();

    public MemoryReplayStore(int capacity, TimeProvider time)
    {
        Capacity = capacity;
        _time = time;
    }

    public int Capacity { get; }

    public int Count => _seen.Count;

    public ValueTask<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (_seen.TryGetValue(key, out long existing) && existing >= now)
        {
            return new ValueTask<bool>(false);
        }

        if (_seen.Count >= Capacity)
        {
            Purge(now);
            if (_seen.Count >= Capacity)
            {
                return new ValueTask<bool>(false);
            }
        }

        long expiry = expiresAt.ToUnixTimeSeconds();
        bool added = _seen.TryAdd(key, expiry) || (_seen.TryGetValue(key, out long old) && old < now && _seen.TryUpdate(key, expiry, old));
        return new ValueTask<bool>(added);
    }

    private void Purge(long now)
    {
        lock (_purgeGate)
        {
            foreach ((string key, long expiry) in _seen)
            {
                if (expiry < now)
                {
                    _seen.TryRemove(key, out _);
                }
            }
        }
    }
}
