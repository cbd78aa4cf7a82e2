using System;
using System.Threading.Tasks;
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
    private protected FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    private protected Harness H { get; set; } = null!;

    public async Task InitializeAsync()
    {
        H = await Harness.StartAsync();
        H.Issuer.Clock = Time;
    }

    public async Task DisposeAsync() => await H.DisposeAsync();

    private protected ApiClient Client(Action<ApiClientOptions>? configure = null) => H.Client(o =>
    {
        o.TimeProvider = Time;
        configure?.Invoke(o);
    });
}
