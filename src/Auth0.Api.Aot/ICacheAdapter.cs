using System;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot;

/// <summary>
/// A store shared by several instances (Redis, a distributed cache) that holds discovery documents and JWKS, so that a
/// fleet fetches each from the issuer once per lifetime instead of once per instance. Set it as
/// <see cref="ApiClientOptions.Cache"/>; the per-instance in-memory cache stays in front of it.
/// </summary>
/// <remarks>
/// <para>Values are opaque bytes (the document as received, with its times and a checksum); keys start with
/// <c>auth0-api-aot:v2:</c>. A value read from the store is untrusted input: one that is corrupt, truncated, of another
/// format, written under another key, expired or with implausible times is ignored, the document is fetched from the
/// issuer, and the value is overwritten; an intact one is then validated exactly like a fetched document. No such
/// value fails a verification or makes it throw. The checksum detects damage, not forgery: whoever can write the store
/// can make the library trust a key set, so it must be writable by the instances that share it only.</para>
/// <para>Failures of the store never fail a verification: the library falls back to HTTP. Implementations must be safe
/// for concurrent use.</para>
/// </remarks>
public interface ICacheAdapter
{
    /// <summary>Reads a value.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The value, or <see langword="null"/> when absent or expired.</returns>
    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Stores a value that expires after <paramref name="timeToLive"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="timeToLive">How long the store should keep it; positive.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the value is stored.</returns>
    public ValueTask SetAsync(string key, byte[] value, TimeSpan timeToLive, CancellationToken cancellationToken);

    /// <summary>Removes a value; a missing key is not an error.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the value is removed.</returns>
    public ValueTask RemoveAsync(string key, CancellationToken cancellationToken);
}
