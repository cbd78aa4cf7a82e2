using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Tests.Caching;

/// <summary>An in-memory <see cref="ICacheAdapter"/> whose values a test can read and replace.</summary>
internal sealed class RecordingCacheAdapter : ICacheAdapter
{
    private readonly ConcurrentDictionary<string, byte[]> _values = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimeSpan> _timesToLive = new(StringComparer.Ordinal);

    public byte[]? this[string key]
    {
        get => _values.TryGetValue(key, out byte[]? value) ? value : null;
        set
        {
            if (value is null)
            {
                _values.TryRemove(key, out _);
            }
            else
            {
                _values[key] = value;
            }
        }
    }

    /// <summary>The one key that contains <paramref name="part"/> (<c>:discovery:</c> or <c>:jwks:</c>).</summary>
    public string KeyContaining(string part) => Assert.Single(_values.Keys, k => k.Contains(part, StringComparison.Ordinal));

    /// <summary>The time to live of the last write of <paramref name="key"/>.</summary>
    public TimeSpan? TimeToLive(string key) => _timesToLive.TryGetValue(key, out TimeSpan ttl) ? ttl : null;

    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => new(this[key]);

    public ValueTask SetAsync(string key, byte[] value, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        Assert.True(timeToLive > TimeSpan.Zero);
        _values[key] = value.ToArray();
        _timesToLive[key] = timeToLive;
        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveAsync(string key, CancellationToken cancellationToken)
    {
        _values.TryRemove(key, out _);
        return ValueTask.CompletedTask;
    }
}
