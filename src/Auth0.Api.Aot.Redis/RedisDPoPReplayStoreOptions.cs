using System;

namespace Auth0.Api.Aot.Redis;

/// <summary>Options of a <see cref="RedisDPoPReplayStore"/>; read once, when the store is created.</summary>
public sealed class RedisDPoPReplayStoreOptions
{
    /// <summary>The default <see cref="Timeout"/>: 50 ms.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>The default <see cref="KeyPrefix"/>.</summary>
    public const string DefaultKeyPrefix = "auth0-api-aot:";

    /// <summary>
    /// The API's audience (<see cref="ApiClientOptions.Audience"/>): keys are namespaced by a hash of it, so that two
    /// APIs sharing one Redis never see each other's proofs. Required; <c>AddAuth0ApiRedis</c> sets it from the scheme's
    /// options.
    /// </summary>
    public string? Audience { get; set; }

    /// <summary>Put before every key, e.g. to share one Redis database between applications. Default: <c>auth0-api-aot:</c>.</summary>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>The Redis database number. Default: -1, the multiplexer's default database.</summary>
    public int Database { get; set; } = -1;

    /// <summary>
    /// How long one proof waits for Redis, from 1 ms to 10 s; past it the call counts as Redis unavailable. Default: 50 ms.
    /// A disconnected multiplexer is not waited for at all.
    /// </summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>
    /// Whether proofs are recorded in this instance's memory while Redis cannot answer, instead of being refused with 503.
    /// Default: <see langword="false"/> (fail closed). Turning it on trades replay protection for availability: during
    /// an outage each instance knows only the proofs it saw itself, so a proof can be replayed to another instance, and
    /// a proof recorded in Redis before the outage can be replayed once to any instance.
    /// </summary>
    public bool FallbackToMemory { get; set; }

    /// <summary>The most records the fallback store holds, from 1 to 100,000,000. Default: 2,000,000 (as the library's default store).</summary>
    public int FallbackCapacity { get; set; } = ApiClientOptions.DefaultDPoPReplayCapacity;

    /// <summary>
    /// The clock that a proof's remaining window (the TTL set in Redis) is measured on, and that the fallback store
    /// expires records by: the <see cref="ApiClient"/>'s own. Default: <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Called, on the thread of the call that noticed, when <see cref="RedisDPoPReplayStore.Mode"/> changes (Redis went
    /// down or came back), so that the host can log or count it. Calls that notice changes at the same moment may report
    /// them out of order; <see cref="RedisDPoPReplayStore.Mode"/> is the state in force. It must not throw: an exception
    /// it throws fails that call's proof as the store unavailable.
    /// </summary>
    public Action<RedisReplayMode>? ModeChanged { get; set; }
}
