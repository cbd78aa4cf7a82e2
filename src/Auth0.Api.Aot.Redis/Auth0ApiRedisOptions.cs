using Auth0.Api.Aot.AspNetCore;

namespace Auth0.Api.Aot.Redis;

/// <summary>What <c>AddAuth0ApiRedis</c> registers, for which scheme; read once, at registration.</summary>
public sealed class Auth0ApiRedisOptions
{
    /// <summary>The Auth0 API scheme whose client gets the Redis stores. Default: <see cref="Auth0ApiDefaults.AuthenticationScheme"/>.</summary>
    public string Scheme { get; set; } = Auth0ApiDefaults.AuthenticationScheme;

    /// <summary>
    /// Whether DPoP proofs are recorded in Redis (<see cref="RedisDPoPReplayStore"/>), unless the scheme's options
    /// already set <see cref="ApiClientOptions.DPoPReplayStore"/>. Default: <see langword="true"/>.
    /// </summary>
    public bool UseReplayStore { get; set; } = true;

    /// <summary>
    /// Whether discovery documents and JWKS are shared through Redis (<see cref="RedisCacheAdapter"/>), unless the
    /// scheme's options already set <see cref="ApiClientOptions.Cache"/>. Default: <see langword="true"/>.
    /// </summary>
    public bool UseCache { get; set; } = true;

    /// <summary>
    /// Options of the replay store. <see cref="RedisDPoPReplayStoreOptions.Audience"/> defaults to the scheme's
    /// <see cref="ApiClientOptions.Audience"/>, <see cref="RedisDPoPReplayStoreOptions.TimeProvider"/> to the service
    /// provider's, and mode changes are logged (category <c>Auth0.Api.Aot.Redis</c>) besides calling
    /// <see cref="RedisDPoPReplayStoreOptions.ModeChanged"/>.
    /// </summary>
    public RedisDPoPReplayStoreOptions ReplayStore { get; } = new();

    /// <summary>Options of the document cache.</summary>
    public RedisCacheAdapterOptions Cache { get; } = new();
}
