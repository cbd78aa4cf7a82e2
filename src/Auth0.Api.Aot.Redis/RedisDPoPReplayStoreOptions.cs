using System;

namespace Auth0.Api.Aot.Redis;

/// <summary>Options of a <see cref="RedisDPoPReplayStore"/>; read once, when the store is created.</summary>
public sealed class RedisDPoPReplayStoreOptions
{
    /// <summary>The default <see cref="Timeout"/>: 250 ms.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>The default <see cref="MaxClockSkew"/>: 30 s.</summary>
    public static readonly TimeSpan DefaultMaxClockSkew = TimeSpan.FromSeconds(30);

    internal static readonly TimeSpan MaxMaxClockSkew = TimeSpan.FromMinutes(10);

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
    /// How long one proof waits for Redis, from 1 ms to 10 s; past it the call counts as Redis unavailable (503, or the
    /// fallback). Default: 250 ms. It is measured in real time and includes the wait for a thread-pool thread to run
    /// the answer's continuation, so on a CPU-saturated host a short timeout turns a slow answer into a 503; a long one
    /// holds requests while Redis is hung. A disconnected multiplexer is not waited for at all.
    /// </summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>
    /// How far the clocks of the instances sharing this Redis may differ, from 0 to 10 minutes; added to every record's
    /// TTL. An instance whose clock is behind the one that recorded a proof accepts it for that much longer, so the
    /// record must outlive it by as much. Default: 30 s. Every instance must also use the same
    /// <see cref="ApiClientOptions.DPoPIatOffset"/>: the TTL is computed from the recording instance's window.
    /// </summary>
    public TimeSpan MaxClockSkew { get; set; } = DefaultMaxClockSkew;

    /// <summary>
    /// Whether proofs are recorded in this instance's memory while Redis cannot answer, instead of being refused with 503.
    /// Default: <see langword="false"/> (fail closed). Turning it on trades replay protection for availability: during
    /// an outage each instance knows only the proofs it saw itself, so a proof can be replayed to another instance, and
    /// a proof recorded in Redis before the outage can be replayed once to any instance. After the outage, an instance
    /// refuses through Redis what it accepted from memory, until those records expire.
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
