using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace Auth0.Api.Aot.Internal;

/// <summary>
/// A string-keyed cache bounded by entry count (least recently used entries are evicted first) and by per-entry
/// time to live, measured on the injected <see cref="TimeProvider"/>'s monotonic timestamp.
/// </summary>
/// <remarks>
/// Semantics follow auth0-api-python's <c>InMemoryCache</c> (reference section 7.6): a get moves a hit to most
/// recent; a set re-inserts as most recent; a set of a new key at capacity evicts the least recent first; an entry
/// whose TTL has elapsed is a miss and is removed. A TTL of zero is a miss on the next get.
/// Thread safety: all members are safe for concurrent use (one lock, held for O(1) work).
/// </remarks>
internal sealed class BoundedCache<TValue>
    where TValue : class
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _map;
    private readonly LinkedList<Entry> _order = new();
    private readonly TimeProvider _timeProvider;

    public BoundedCache(int maxEntries, TimeProvider timeProvider)
    {
        Debug.Assert(maxEntries >= 1);
        MaxEntries = maxEntries;
        _timeProvider = timeProvider;
        _map = new Dictionary<string, LinkedListNode<Entry>>(StringComparer.Ordinal);
    }

    public int MaxEntries { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _map.Count;
            }
        }
    }

    public bool TryGet(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TValue? value)
    {
        long now = _timeProvider.GetTimestamp();
        lock (_gate)
        {
            if (_map.TryGetValue(key, out LinkedListNode<Entry>? node))
            {
                if (now >= node.Value.ExpiresAt)
                {
                    _map.Remove(key);
                    _order.Remove(node);
                }
                else
                {
                    if (node != _order.Last)
                    {
                        _order.Remove(node);
                        _order.AddLast(node);
                    }

                    value = node.Value.Value;
                    return true;
                }
            }
        }

        value = null;
        return false;
    }

    /// <summary>Stores <paramref name="value"/>; a <see langword="null"/> <paramref name="ttl"/> never expires.</summary>
    public void Set(string key, TValue value, TimeSpan? ttl)
    {
        long expiresAt = long.MaxValue;
        if (ttl is TimeSpan span)
        {
            long now = _timeProvider.GetTimestamp();
            double ticks = span.TotalSeconds * _timeProvider.TimestampFrequency;
            expiresAt = ticks >= long.MaxValue - now ? long.MaxValue : now + (long)ticks;
        }

        Entry entry = new(key, value, expiresAt);
        lock (_gate)
        {
            if (_map.TryGetValue(key, out LinkedListNode<Entry>? existing))
            {
                _order.Remove(existing);
                _map.Remove(key);
            }
            else if (_map.Count >= MaxEntries)
            {
                LinkedListNode<Entry> oldest = _order.First!;
                _order.RemoveFirst();
                _map.Remove(oldest.Value.Key);
            }

            _map[key] = _order.AddLast(entry);
        }
    }

    /// <summary>The live value of <paramref name="key"/>, or a new one from <paramref name="create"/>, stored without expiry.</summary>
    public TValue GetOrAdd(string key, Func<string, TValue> create)
    {
        if (TryGet(key, out TValue? existing))
        {
            return existing;
        }

        lock (_gate)
        {
            if (_map.TryGetValue(key, out LinkedListNode<Entry>? node))
            {
                return node.Value.Value;
            }

            TValue created = create(key);
            if (_map.Count >= MaxEntries)
            {
                LinkedListNode<Entry> oldest = _order.First!;
                _order.RemoveFirst();
                _map.Remove(oldest.Value.Key);
            }

            _map[key] = _order.AddLast(new Entry(key, created, long.MaxValue));
            return created;
        }
    }

    /// <summary>The live entries, least recently used first (no expiry check, no reordering).</summary>
    /// <remarks>Key-value pairs, whose list the binary has anyway, rather than a list of value tuples of its own.</remarks>
    public List<KeyValuePair<string, TValue>> ToList()
    {
        lock (_gate)
        {
            List<KeyValuePair<string, TValue>> entries = new(_map.Count);
            foreach (Entry entry in _order)
            {
                entries.Add(new(entry.Key, entry.Value));
            }

            return entries;
        }
    }

    public bool Remove(string key)
    {
        lock (_gate)
        {
            if (_map.Remove(key, out LinkedListNode<Entry>? node))
            {
                _order.Remove(node);
                return true;
            }

            return false;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _map.Clear();
            _order.Clear();
        }
    }

    private readonly struct Entry(string key, TValue value, long expiresAt)
    {
        public string Key { get; } = key;

        public TValue Value { get; } = value;

        public long ExpiresAt { get; } = expiresAt;
    }
}
