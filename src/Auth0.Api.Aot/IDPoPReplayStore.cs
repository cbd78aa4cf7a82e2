using System;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot;

/// <summary>
/// Remembers DPoP proofs already used, so that a replayed proof is refused (RFC 9449 section 11.1). The default is a
/// bounded in-memory store per <see cref="ApiClient"/>; several instances behind a load balancer share one through an
/// implementation over a shared store (Redis <c>SET key 1 NX PXAT expiresAt</c>, say).
/// </summary>
/// <remarks>
/// <para>A proof is offered to the store only after every other check passed (the token, the proof, the
/// <c>cnf.jkt</c> binding and the server nonce), so only proofs of valid bound tokens take a place in it.</para>
/// <para>Thread safety: implementations must be safe for concurrent use, and <see cref="TryAddAsync"/> atomic: of two
/// concurrent adds of one key, exactly one answers <see cref="DPoPReplayResult.FirstUse"/>.</para>
/// <para>Failure: a store that is down, slow past its own timeout, or full answers <see cref="DPoPReplayResult.Unavailable"/>
/// (a value, not an exception). It must never evict a live key to make room, which would let that proof be replayed.
/// An exception it throws anyway is not passed to the caller of a <c>Try*</c> method: it becomes
/// <see cref="DPoPReplayResult.Unavailable"/> (503, with the exception as the cause), except an
/// <see cref="OperationCanceledException"/> for the caller's own cancellation, which propagates.</para>
/// </remarks>
public interface IDPoPReplayStore
{
    /// <summary>Records <paramref name="key"/> until <paramref name="expiresAt"/> unless it is already recorded.</summary>
    /// <param name="key">
    /// A fixed-length digest of the proof key's thumbprint and the proof's <c>jti</c>: 43 base64url characters, no
    /// proof content. The same proof gives the same key on every instance.
    /// </param>
    /// <param name="expiresAt">
    /// When the proof can no longer be accepted (its <c>iat</c> plus <see cref="ApiClientOptions.DPoPIatOffset"/>, plus
    /// one second), so the record may be dropped then and not before; a key whose record has expired is new again.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation (the caller's request was aborted).</param>
    /// <returns>
    /// <see cref="DPoPReplayResult.FirstUse"/> when the key was new and is now recorded;
    /// <see cref="DPoPReplayResult.Replayed"/> when it was already recorded; <see cref="DPoPReplayResult.Unavailable"/>
    /// when the store cannot record it (down or full). Any other value is treated as <see cref="DPoPReplayResult.Unavailable"/>.
    /// </returns>
    public ValueTask<DPoPReplayResult> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}
