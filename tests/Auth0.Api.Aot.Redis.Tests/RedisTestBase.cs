using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using StackExchange.Redis;

namespace Auth0.Api.Aot.Redis.Tests;

/// <summary>
/// Base of the Redis test classes: per test, a loopback issuer (<see cref="H"/>) and a redis-server of its own
/// (<see cref="Redis"/>); multiplexers made through <see cref="Connect"/> are disposed after the test.
/// </summary>
public abstract class RedisTestBase : IAsyncLifetime
{
    private protected const string Url = "https://api.example.com/resource";
    private protected static readonly SigningKey ProofKey = TestKeys.Ec;
    private readonly List<IDisposable> _owned = [];

    private protected Harness H { get; private set; } = null!;

    private protected RedisServer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        H = await Harness.StartAsync();
        Redis = await RedisServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (IDisposable owned in _owned)
        {
            owned.Dispose();
        }

        await Redis.DisposeAsync();
        await H.DisposeAsync();
    }

    /// <summary>
    /// How long a call may take before the test fails as hung. It is below <see cref="ClientTimeout"/>, so a call that
    /// ends within it was ended by the adapter's or store's own timeout (or at once), never by StackExchange.Redis's.
    /// </summary>
    private protected static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    /// <summary>StackExchange.Redis's own timeouts (milliseconds) on every multiplexer here: twice <see cref="HangGuard"/>.</summary>
    private protected const int ClientTimeout = 120_000;

    /// <summary>
    /// A multiplexer of its own: one per simulated instance. Its own timeouts are <see cref="ClientTimeout"/> (options
    /// given later in a configuration string win).
    /// </summary>
    private protected ConnectionMultiplexer Connect(string? configuration = null)
    {
        ConnectionMultiplexer multiplexer = ConnectionMultiplexer.Connect((configuration ?? Redis.Configuration) + ",asyncTimeout=" + ClientTimeout + ",syncTimeout=" + ClientTimeout);
        _owned.Add(multiplexer);
        return multiplexer;
    }

    private protected T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>
    /// The stores' timeout in every test but those of the timeout itself: generous, because it is real time and
    /// includes the wait for a thread-pool thread, which a loaded test machine can make long.
    /// </summary>
    private protected static readonly TimeSpan Generous = TimeSpan.FromSeconds(2);

    private protected static RedisDPoPReplayStoreOptions StoreOptions(Action<RedisDPoPReplayStoreOptions>? configure = null)
    {
        RedisDPoPReplayStoreOptions options = new() { Audience = Harness.Audience, Timeout = Generous };
        configure?.Invoke(options);
        return options;
    }

    private protected static RedisCacheAdapterOptions CacheOptions(Action<RedisCacheAdapterOptions>? configure = null)
    {
        RedisCacheAdapterOptions options = new() { Timeout = Generous };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>An API instance: its own client over <paramref name="store"/>.</summary>
    private protected ApiClient Instance(IDPoPReplayStore store, Action<ApiClientOptions>? configure = null) => Own(H.Client(o =>
    {
        o.DPoPReplayStore = store;
        configure?.Invoke(o);
    }));

    private protected string BoundToken() => H.Token((_, p) => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(ProofKey))));

    private protected static string Proof(string token, DateTimeOffset? issuedAt = null) => DPoPProofs.Create(ProofKey, token, "GET", Url, issuedAt ?? DateTimeOffset.UtcNow);

    private protected static async Task<RequestVerificationResult> VerifyAsync(ApiClient client, string token, string proof) =>
        await client.TryVerifyRequestAsync("DPoP " + token, proof, "GET", Url);
}
