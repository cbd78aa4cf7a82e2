using System;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot;

/// <summary>
/// Remembers DPoP proofs already used, so that a replayed proof is refused (RFC 9449 section 11.1). The default is a
/// bounded in-memory store per <see cref="ApiClient"/>; several instances behind a load balancer share one through an
/// implementation over a shared store (Redis <c>SET key value NX PX ttl</c>, say).
/// </summary>
/// <remarks>Implementations must be safe for concurrent use and atomic: two concurrent adds of one key, one wins.</remarks>
public interface IDPoPReplayStore
{
    /// <summary>Records <paramref name="key"/> until <paramref name="expiresAt"/> unless it is already recorded.</summary>
    /// <param name="key">A fixed-length digest of the proof key's thumbprint and the proof's <c>jti</c>.</param>
    /// <param name="expiresAt">When the proof can no longer be accepted, so the record may be dropped.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the key was new (the proof is fresh); <see langword="false"/> for a replay.</returns>
    public ValueTask<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}
