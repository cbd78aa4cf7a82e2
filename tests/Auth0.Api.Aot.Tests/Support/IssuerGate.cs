using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Internal;
using Auth0.Api.Aot.Testing;
using Microsoft.AspNetCore.Http;

namespace Auth0.Api.Aot.Tests.Support;

/// <summary>
/// Holds the loopback issuer's answers on chosen paths until the test lets each one go, and tells the test when each
/// request has arrived. A test then knows exactly when a background fetch reached the issuer, and decides when it may
/// end, without waiting on the wall clock or reading request counts in a loop. Every wait here is bounded by
/// <see cref="HangGuard"/> only so that a broken test fails instead of hanging; no outcome depends on that bound.
/// </summary>
/// <remarks>
/// Installed as the issuer's <see cref="LocalIssuer.Intercept"/> (replacing any other). A held request that the client
/// abandons (its timeout on the fake clock, its caller's cancellation, the client's disposal) ends unanswered.
/// </remarks>
internal sealed class IssuerGate
{
    /// <summary>How long a wait may last before the test fails as hung: far beyond any wait on a busy machine.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, Path> _paths = new(StringComparer.Ordinal);

    private IssuerGate(string[] paths)
    {
        foreach (string path in paths)
        {
            _paths.Add(path, new Path());
        }
    }

    /// <summary>From now on, holds every request to <paramref name="paths"/> at <paramref name="issuer"/> until released.</summary>
    public static IssuerGate Install(LocalIssuer issuer, params string[] paths)
    {
        IssuerGate gate = new(paths);
        issuer.Intercept = gate.HoldAsync;
        return gate;
    }

    /// <summary>Waits until one more request to <paramref name="path"/> has arrived (and been counted by the issuer).</summary>
    public async Task ArrivedAsync(string path)
    {
        bool arrived = await _paths[path].Arrived.WaitAsync(HangGuard).ConfigureAwait(false);
        Assert.True(arrived, "No request to " + path + " arrived within the hang guard.");
    }

    /// <summary>Lets <paramref name="count"/> held (or future) requests to <paramref name="path"/> be answered as usual.</summary>
    public void Release(string path, int count = 1) => _paths[path].Answer.Release(count);

    private async Task<bool> HoldAsync(HttpContext context)
    {
        if (!_paths.TryGetValue(context.Request.Path.Value ?? string.Empty, out Path? path))
        {
            return false;
        }

        path.Arrived.Release();
        try
        {
            await path.Answer.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client gave up on the request: nobody reads an answer.
            return true;
        }

        return false;
    }

    private sealed class Path
    {
        public SemaphoreSlim Arrived { get; } = new(0);

        public SemaphoreSlim Answer { get; } = new(0);
    }
}

/// <summary>Waits for background refreshes of a client's caches, once nothing but the client itself can hold them up.</summary>
internal static class Refreshes
{
    /// <summary>
    /// Waits until no fetch of the given discovery and JWKS keys is in flight. Call it only once every answer such a
    /// fetch waits for has been let go (an <see cref="IssuerGate"/> released, or no gate): what is left of the fetch is
    /// the client reading the answer and publishing it, which nothing the test does can delay or hurry. The library
    /// offers no signal for that last step, so its state is read until it holds (<see cref="Eventually"/>), the wall
    /// clock bounding the wait only as a hang guard.
    /// </summary>
    public static Task EndedAsync(KeySource keys, string discoveryKey, string? jwksKey = null) =>
        Eventually.TrueAsync(
            () => !keys.Discovery.IsRefreshing(discoveryKey) && (jwksKey is null || !keys.Jwks.IsRefreshing(jwksKey)),
            (int)IssuerGate.HangGuard.TotalMilliseconds);
}
