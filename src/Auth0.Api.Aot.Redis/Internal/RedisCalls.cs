using System;
using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Redis.Internal;

/// <summary>What the Redis store and cache share: option checks, the bound on each call, and key namespacing.</summary>
internal static class RedisCalls
{
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(10);

    private static readonly SearchValues<char> s_base64Url = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static void CheckTimeout(TimeSpan timeout, string optionName, string paramName)
    {
        if (timeout < TimeSpan.FromMilliseconds(1) || timeout > MaxTimeout)
        {
            throw new ArgumentException(optionName + " must be from 1 ms to 10 s", paramName);
        }
    }

    /// <summary>Whether <paramref name="value"/> is only base64url characters (what a key part may be made of).</summary>
    public static bool IsBase64Url(ReadOnlySpan<char> value) => !value.ContainsAnyExcept(s_base64Url);

    /// <summary>The first 16 bytes of SHA-256(UTF-8 value), base64url: a namespace of fixed length and alphabet whatever the value holds.</summary>
    public static string Namespace(string value)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        return Convert.ToBase64String(hash[..16]).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>
    /// Waits for a Redis call at most <paramref name="timeout"/> (real time: Redis runs on it), or until the caller
    /// cancels. A call given up on may still fault later: its exception is observed so that it is not reported as unobserved.
    /// </summary>
    /// <exception cref="TimeoutException">The call did not complete in time.</exception>
    public static async Task<T> BoundedAsync<T>(Task<T> call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await call.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!call.IsCompleted)
        {
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }

    /// <summary>A failure of the store itself, not the caller's cancellation.</summary>
    public static bool IsStoreFault(Exception exception, CancellationToken cancellationToken) =>
        exception is not OutOfMemoryException && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
