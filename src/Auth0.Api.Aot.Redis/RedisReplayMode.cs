namespace Auth0.Api.Aot.Redis;

/// <summary>Which store a <see cref="RedisDPoPReplayStore"/> records proofs in, as of its last call.</summary>
public enum RedisReplayMode
{
    /// <summary>Redis answered the last call: proofs are recorded once for every instance that shares it.</summary>
    Shared = 0,

    /// <summary>
    /// Redis is down, slow past the timeout or failing, and proofs are refused with 503 (fail closed,
    /// <see cref="VerificationFailure.ProofReplayStoreUnavailable"/>): the default while Redis cannot answer.
    /// </summary>
    Unavailable = 1,

    /// <summary>
    /// Redis is down, slow past the timeout or failing, and proofs are recorded in this instance's memory
    /// (<see cref="RedisDPoPReplayStoreOptions.FallbackToMemory"/>): a proof can then be replayed to another instance.
    /// </summary>
    LocalFallback = 2,
}
