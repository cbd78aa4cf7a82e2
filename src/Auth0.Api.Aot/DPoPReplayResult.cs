namespace Auth0.Api.Aot;

/// <summary>
/// What an <see cref="IDPoPReplayStore"/> answers for one proof. The default value is <see cref="Unavailable"/>, so a
/// store that returns an uninitialised result refuses the proof (fail closed) instead of accepting it.
/// </summary>
public enum DPoPReplayResult
{
    /// <summary>
    /// The store cannot say: it is down, timed out, or full. The proof is refused with 503
    /// <c>temporarily_unavailable</c>, <c>Retry-After</c> and no challenge (<see cref="VerificationFailure.ProofReplayStoreUnavailable"/>),
    /// never as a replay.
    /// </summary>
    Unavailable = 0,

    /// <summary>The key was not recorded and now is: the proof is fresh.</summary>
    FirstUse = 1,

    /// <summary>The key is already recorded and not expired: the proof is refused as a replay (400 <c>invalid_dpop_proof</c>).</summary>
    Replayed = 2,
}
