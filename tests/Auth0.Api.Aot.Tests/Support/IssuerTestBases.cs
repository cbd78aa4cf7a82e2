using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Tests.Support;

/// <summary>Base of test classes that need one loopback issuer (<see cref="H"/>) for each test, on the system clock.</summary>
public abstract class IssuerTests : IAsyncLifetime
{
    private protected Harness H { get; private set; } = null!;

    public async Task InitializeAsync() => H = await Harness.StartAsync();

    public async Task DisposeAsync() => await H.DisposeAsync();
}

/// <summary>
/// Base of the key-source test classes: a loopback issuer minting tokens on a fake clock, and clients that read the
/// same clock, so that every TTL, back-off, cooldown and staleness bound is driven by <see cref="Time"/>.
/// </summary>
public abstract class FakeClockIssuerTests : IAsyncLifetime
{
    private int _hangingRequests;

    private protected FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>
    /// Requests that reached the issuer during a <c>hang</c> outage. A client sends a request only after arming its
    /// timeout on <see cref="Time"/>, so once this count has moved, advancing the clock past the timeout ends that request.
    /// </summary>
    private protected int HangingRequests => Volatile.Read(ref _hangingRequests);

    private protected Harness H { get; set; } = null!;

    public async Task InitializeAsync()
    {
        H = await Harness.StartAsync();
        H.Issuer.Clock = Time;
    }

    public async Task DisposeAsync() => await H.DisposeAsync();

    /// <summary>
    /// Makes the issuer fail one way: <c>refused</c> (stopped), <c>500</c>, <c>garbage</c> (HTML for JSON),
    /// <c>no-usable-keys</c>, <c>reset</c> (connection aborted), <c>hang</c> (no answer until the client gives up).
    /// </summary>
    private protected async Task StartOutageAsync(string outage)
    {
        switch (outage)
        {
            case "refused":
                await H.Issuer.StopAsync();
                break;
            case "500":
                H.Issuer.Intercept = context => { context.Response.StatusCode = 500; return Task.FromResult(true); };
                break;
            case "garbage":
                H.Issuer.Intercept = async context => { await context.Response.WriteAsync("<html>oops</html>"); return true; };
                break;
            case "no-usable-keys":
                H.Issuer.JwksKeys[0].Set("kty", "oct");
                break;
            case "reset":
                H.Issuer.Intercept = context => { context.Abort(); return Task.FromResult(true); };
                break;
            case "hang":
                H.Issuer.Intercept = async context =>
                {
                    Interlocked.Increment(ref _hangingRequests);
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    return true;
                };
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(outage), outage, "no such outage");
        }
    }

    /// <summary>
    /// Waits until the refreshes a verification started have ended, then moves <see cref="Time"/> past the back-off.
    /// During a <c>hang</c> outage a request ends only when the clock passes the client's Timeout: the clock moves past
    /// it (by <paramref name="pastTimeout"/>) each time one more request has reached the issuer (<see cref="HangingRequests"/>
    /// above <paramref name="hangingBefore"/>, read before that verification), never on a guess that one is in flight, so
    /// how far the clock moves does not depend on how fast the machine is.
    /// </summary>
    /// <remarks><paramref name="refreshing"/> reads the client's refresh state (the key source is internal, and this file is shared with test projects that cannot see it).</remarks>
    private protected async Task AdvanceThroughAttemptAsync(Func<bool> refreshing, string outage, int hangingBefore, TimeSpan pastTimeout, TimeSpan pastBackoff)
    {
        int hanging = hangingBefore;
        await Eventually.TrueAsync(() =>
        {
            if (outage == "hang" && HangingRequests is int arrived && arrived > hanging)
            {
                hanging = arrived;
                Time.Advance(pastTimeout);
            }

            return !refreshing();
        });
        Time.Advance(pastBackoff);
    }

    private protected ApiClient Client(Action<ApiClientOptions>? configure = null) => H.Client(o =>
    {
        o.TimeProvider = Time;
        configure?.Invoke(o);
    });
}
