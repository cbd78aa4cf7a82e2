using System;
using Auth0.Api.Aot.Internal;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Tests.Caching;

/// <summary>Ports of auth0-api-python tests/test_cache.py (reference section 11.10) on a fake clock.</summary>
public sealed class BoundedCacheTests
{
    private readonly FakeTimeProvider _time = new();

    private BoundedCache<string> Cache(int max = 100) => new(max, _time);

    [Fact]
    public void Get_and_set()
    {
        BoundedCache<string> cache = Cache();
        cache.Set("k", "v", null);
        Assert.True(cache.TryGet("k", out string? value));
        Assert.Equal("v", value);
    }

    [Fact]
    public void Ttl_expiry()
    {
        BoundedCache<string> cache = Cache();
        cache.Set("k", "v", TimeSpan.FromSeconds(1));
        Assert.True(cache.TryGet("k", out _));
        _time.Advance(TimeSpan.FromSeconds(1.1));
        Assert.False(cache.TryGet("k", out _));
    }

    [Fact]
    public void Delete_and_delete_missing()
    {
        BoundedCache<string> cache = Cache();
        cache.Set("k", "v", null);
        Assert.True(cache.Remove("k"));
        Assert.False(cache.TryGet("k", out _));
        Assert.False(cache.Remove("missing"));
    }

    [Fact]
    public void Clear()
    {
        BoundedCache<string> cache = Cache();
        cache.Set("a", "1", null);
        cache.Set("b", "2", null);
        cache.Set("c", "3", null);
        cache.Clear();
        Assert.Equal(0, cache.Count);
        Assert.False(cache.TryGet("a", out _));
    }

    [Fact]
    public void Expired_entry_is_gone_on_every_later_get()
    {
        BoundedCache<string> cache = Cache();
        cache.Set("k", "v", TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(cache.TryGet("k", out _));
        Assert.False(cache.TryGet("k", out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Get_nonexistent()
    {
        Assert.False(Cache().TryGet("nope", out string? value));
        Assert.Null(value);
    }

    [Fact]
    public void Overwrite_with_new_ttl()
    {
        BoundedCache<string> cache = Cache();
        cache.Set("k", "v1", TimeSpan.FromSeconds(1));
        cache.Set("k", "v2", TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(cache.TryGet("k", out string? value));
        Assert.Equal("v2", value);
    }

    [Fact]
    public void No_ttl_never_expires()
    {
        BoundedCache<string> cache = Cache();
        cache.Set("k", "v", null);
        _time.Advance(TimeSpan.FromDays(365));
        Assert.True(cache.TryGet("k", out _));
    }

    [Fact]
    public void Ttl_zero_expires_immediately()
    {
        BoundedCache<string> cache = Cache();
        cache.Set("k", "v", TimeSpan.Zero);
        Assert.False(cache.TryGet("k", out _));
    }

    [Fact]
    public void Max_entries_evicts_the_least_recently_used()
    {
        BoundedCache<string> cache = Cache(3);
        cache.Set("k1", "1", null);
        cache.Set("k2", "2", null);
        cache.Set("k3", "3", null);
        cache.TryGet("k1", out _);
        cache.TryGet("k2", out _);
        cache.TryGet("k3", out _);
        cache.Set("k4", "4", null);
        Assert.False(cache.TryGet("k1", out _));
        Assert.True(cache.TryGet("k2", out _));
        Assert.True(cache.TryGet("k3", out _));
        Assert.True(cache.TryGet("k4", out _));
    }

    [Fact]
    public void Lru_access_order()
    {
        BoundedCache<string> cache = Cache(3);
        cache.Set("k1", "1", null);
        cache.Set("k2", "2", null);
        cache.Set("k3", "3", null);
        cache.TryGet("k1", out _);
        cache.TryGet("k2", out _);
        cache.Set("k4", "4", null);
        Assert.False(cache.TryGet("k3", out _));
        Assert.True(cache.TryGet("k1", out _));
        Assert.True(cache.TryGet("k2", out _));
        Assert.True(cache.TryGet("k4", out _));
    }

    [Fact]
    public void Concurrent_use_keeps_the_bound()
    {
        BoundedCache<string> cache = Cache(16);
        System.Threading.Tasks.Parallel.For(0, 20_000, i =>
        {
            string key = "k" + (i % 64);
            cache.Set(key, key, TimeSpan.FromMinutes(1));
            if (cache.TryGet(key, out string? value))
            {
                Assert.Equal(key, value);
            }
        });
        Assert.Equal(16, cache.Count);
    }
}
