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
/// <para>Values are opaque bytes (the document with its expiry); keys start with <c>auth0-api-aot:v1:</c>. Documents
/// read from the store are validated exactly like fetched ones: a corrupt or foreign value is ignored and refetched.</para>
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
