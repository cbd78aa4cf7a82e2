using System;

namespace Auth0.Api.Aot.Redis;

/// <summary>Options of a <see cref="RedisCacheAdapter"/>; read once, when the adapter is created.</summary>
public sealed class RedisCacheAdapterOptions
{
    /// <summary>The default <see cref="Timeout"/>: 250 ms.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Put before every key (the library's keys already start with <c>auth0-api-aot:v2:</c>), e.g. to keep two
    /// environments apart in one Redis database. Default: none.
    /// </summary>
    public string KeyPrefix { get; set; } = string.Empty;

    /// <summary>The Redis database number. Default: -1, the multiplexer's default database.</summary>
    public int Database { get; set; } = -1;

    /// <summary>
    /// How long one read, write or removal waits for Redis, from 1 ms to 10 s; past it the call fails and the library
    /// fetches from the issuer instead. Default: 250 ms (real time, including the wait for a thread-pool thread).
    /// </summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;
}
