using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Fuzz;

/// <summary>A broken invariant: escapes the target on purpose, so that afl-fuzz records the input as a crash.</summary>
internal sealed class InvariantViolationException : Exception
{
    public InvariantViolationException(string message)
        : base(message)
    {
    }

    public static void ThrowIf(bool broken, string message)
    {
        if (broken)
        {
            throw new InvariantViolationException(message);
        }
    }
}

/// <summary>
/// Known, open findings (fuzz/findings/) are filtered out so that a CI run fails only on new ones; with
/// <c>FUZZ_KNOWN_FINDINGS=report</c> the filters are off, and replaying a finding's input reproduces it. No finding is
/// open now, so no target reads it; it stays for the next filter (docs/fuzzing.md, "A finding").
/// </summary>
internal static class KnownFindings
{
    public static bool Report { get; } = Environment.GetEnvironmentVariable("FUZZ_KNOWN_FINDINGS") == "report";
}

/// <summary>A clock that never moves: the fixture's time, so that its tokens and proofs stay fresh and runs repeat.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>
/// The HttpClient handler of every client the targets build: keys are pinned, so any request is a bug in the harness or
/// the library; it fails as a network error would (the library must turn that into a result), and is counted.
/// </summary>
internal sealed class NoNetworkHandler : HttpMessageHandler
{
    private static int s_requests;

    public static int Requests => Volatile.Read(ref s_requests);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref s_requests);
        return Task.FromException<HttpResponseMessage>(new HttpRequestException("the fuzz harness has no network"));
    }
}

internal static class Sync
{
    /// <summary>
    /// The result of a verification that has keys pinned and so must complete at once: one that does not is waited for
    /// (a hang is afl-fuzz's to report), and an exception escapes.
    /// </summary>
    public static T Wait<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}

/// <summary>
/// A replay store that takes every proof as new, so that runs do not depend on the inputs before them; the key it is
/// given is still checked (43 base64url characters: a SHA-256 digest).
/// </summary>
internal sealed class ForgetfulReplayStore : IDPoPReplayStore
{
    public ValueTask<DPoPReplayResult> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        InvariantViolationException.ThrowIf(
            key is not { Length: 43 } || key.AsSpan().ContainsAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            "the replay key is not a base64url SHA-256 digest: " + key);
        return new ValueTask<DPoPReplayResult>(DPoPReplayResult.FirstUse);
    }
}
