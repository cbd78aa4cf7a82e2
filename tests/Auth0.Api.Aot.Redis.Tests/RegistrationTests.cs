using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using Auth0.Api.Aot.AspNetCore;
using Auth0.Api.Aot.Redis.Internal;
using Auth0.Api.Aot.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Auth0.Api.Aot.Redis.Tests;

/// <summary>
/// <c>AddAuth0ApiRedis</c>: a connection string or the application's multiplexer gives the scheme's client the Redis
/// replay store (namespaced by the scheme's audience) and document cache, leaves stores the options already set, and
/// disposes only the connection it created.
/// </summary>
public sealed class RegistrationTests : RedisTestBase
{
    // The scheme under test: the loopback issuer, its trusted HTTP client, no background warm-up.
    private void Scheme(Auth0ApiOptions options)
    {
        options.Client.Domain = H.Issuer.Domain;
        options.Client.Audience = Harness.Audience;
        options.Client.HttpClient = H.Http;
        options.WarmUpKeys = false;
    }

    // Generous store timeouts (see RedisTestBase.Generous), and anything else the test sets.
    private static Action<Auth0ApiRedisOptions> Timeouts(Action<Auth0ApiRedisOptions>? configure = null) => o =>
    {
        o.ReplayStore.Timeout = Generous;
        o.Cache.Timeout = Generous;
        configure?.Invoke(o);
    };

    [Fact]
    public async Task A_connection_string_gives_the_schemes_client_both_redis_stores()
    {
        ServiceCollection services = new();
        services.AddLogging();
        services.AddAuthentication()
            .AddAuth0Api(Scheme)
            .AddAuth0ApiRedis(Redis.Configuration, Timeouts(o => o.ReplayStore.KeyPrefix = "svc:"));
        IConnectionMultiplexer multiplexer;
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            ApiClientOptions client = provider.GetRequiredService<IOptionsMonitor<Auth0ApiOptions>>().Get(Auth0ApiDefaults.AuthenticationScheme).Client;
            RedisDPoPReplayStore store = Assert.IsType<RedisDPoPReplayStore>(client.DPoPReplayStore);
            Assert.IsType<RedisCacheAdapter>(client.Cache);

            ApiClient api = provider.GetRequiredService<Auth0ApiClients>().Get();
            string token = BoundToken();
            string proof = Proof(token);
            Assert.True((await VerifyAsync(api, token, proof)).IsValid);
            Assert.Equal(VerificationFailure.ProofReplayed, (await VerifyAsync(api, token, proof)).Failure);

            multiplexer = provider.GetRequiredKeyedService<RedisConnection>(Auth0ApiDefaults.AuthenticationScheme).Multiplexer;
            string[] keys = multiplexer.GetServers().Single().Keys(pattern: "*").Select(k => k.ToString()).ToArray();
            Assert.Single(keys, k => k.StartsWith("svc:dpop:", StringComparison.Ordinal));
            Assert.Equal(2, keys.Count(k => k.StartsWith("auth0-api-aot:v2:", StringComparison.Ordinal)));
        }

        Assert.False(multiplexer.IsConnected);
    }

    [Fact]
    public async Task The_applications_multiplexer_is_used_not_disposed_and_stores_already_set_are_kept()
    {
        ConnectionMultiplexer multiplexer = Connect();
        MemoryDPoPReplayStore mine = new(16);
        ServiceCollection services = new();
        services.AddLogging();
        services.AddSingleton<IConnectionMultiplexer>(multiplexer);
        services.AddAuthentication()
            .AddAuth0Api("api", o =>
            {
                Scheme(o);
                o.Client.DPoPReplayStore = mine;
            })
            .AddAuth0ApiRedis(static provider => provider.GetRequiredService<IConnectionMultiplexer>(), Timeouts(o => o.Scheme = "api"));
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            ApiClientOptions client = provider.GetRequiredService<IOptionsMonitor<Auth0ApiOptions>>().Get("api").Client;
            Assert.Same(mine, client.DPoPReplayStore);
            Assert.IsType<RedisCacheAdapter>(client.Cache);
            Assert.Null(provider.GetRequiredService<IOptionsMonitor<Auth0ApiOptions>>().Get(Auth0ApiDefaults.AuthenticationScheme).Client.Cache);
        }

        Assert.True(multiplexer.IsConnected);
    }

    [Fact]
    public async Task Mode_changes_of_the_replay_store_are_logged_and_reach_the_callers_callback()
    {
        RecordingLoggerProvider logs = new();
        ConcurrentQueue<RedisReplayMode> modes = new();
        ServiceCollection services = new();
        services.AddLogging(logging => logging.AddProvider(logs));
        services.AddAuthentication()
            .AddAuth0Api(Scheme)
            .AddAuth0ApiRedis(Redis.Configuration, Timeouts(o => o.ReplayStore.ModeChanged = modes.Enqueue));
        await using ServiceProvider provider = services.BuildServiceProvider();
        ApiClient api = provider.GetRequiredService<Auth0ApiClients>().Get();
        string token = BoundToken();
        Assert.True((await VerifyAsync(api, token, Proof(token))).IsValid);

        await Redis.KillAsync();
        Assert.Equal(VerificationFailure.ProofReplayStoreUnavailable, (await VerifyAsync(api, token, Proof(token))).Failure);

        Assert.Equal([RedisReplayMode.Unavailable], modes.ToArray());
        (LogLevel level, EventId id, string message) = Assert.Single(logs.Records);
        Assert.Equal((LogLevel.Warning, "RedisReplayModeChanged"), (level, id.Name));
        Assert.Equal("Auth0 API scheme Auth0Api: DPoP replay store mode is now Unavailable", message);
    }

    [Fact]
    public async Task A_scheme_that_is_not_an_auth0_api_scheme_fails_at_startup_naming_it()
    {
        // AddAuth0Api("orders", ...) with the default Scheme: the stores would go to a scheme that does not exist.
        ServiceCollection services = new();
        services.AddLogging();
        services.AddAuthentication()
            .AddAuth0Api("orders", Scheme)
            .AddAuth0ApiRedis(Redis.Configuration, Timeouts());
        await using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException atStartup = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("the scheme 'Auth0Api' is not an Auth0 API scheme", atStartup.Message, StringComparison.Ordinal);
        OptionsValidationException atFirstUse = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<Microsoft.AspNetCore.Authentication.AuthenticationOptions>>().Value);
        Assert.Contains("'Auth0Api'", atFirstUse.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scheme_of_another_handler_fails_at_startup_and_a_matching_scheme_starts()
    {
        ServiceCollection services = new();
        services.AddLogging();
        services.AddAuthentication()
            .AddAuth0Api("orders", Scheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, OtherHandler>("other", null)
            .AddAuth0ApiRedis(Redis.Configuration, Timeouts(o => o.Scheme = "other"));
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            Assert.Contains("'other'", Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate()).Message, StringComparison.Ordinal);
        }

        ServiceCollection matching = new();
        matching.AddLogging();
        matching.AddAuthentication()
            .AddAuth0Api("orders", Scheme)
            .AddAuth0ApiRedis(Redis.Configuration, Timeouts(o => o.Scheme = "orders"));
        await using ServiceProvider started = matching.BuildServiceProvider();
        started.GetRequiredService<IStartupValidator>().Validate();
        Assert.IsType<RedisDPoPReplayStore>(started.GetRequiredService<IOptionsMonitor<Auth0ApiOptions>>().Get("orders").Client.DPoPReplayStore);
    }

    [Fact]
    public void A_second_registration_for_one_scheme_is_refused_and_another_schemes_is_not()
    {
        ServiceCollection services = new();
        Microsoft.AspNetCore.Authentication.AuthenticationBuilder builder = services.AddAuthentication().AddAuth0Api(Scheme).AddAuth0Api("orders", Scheme);
        builder.AddAuth0ApiRedis(Redis.Configuration);
        Assert.Contains("'Auth0Api'", Assert.Throws<InvalidOperationException>(() => builder.AddAuth0ApiRedis(Redis.Configuration)).Message, StringComparison.Ordinal);
        builder.AddAuth0ApiRedis(Redis.Configuration, o => o.Scheme = "orders");
    }

    [Theory]
    [InlineData("", "not valid")]
    [InlineData("abortConnect=false,password=hunter2", "no endpoint")]
    [InlineData("localhost,password=hunter2,nonsense=hunter2", "not valid")]
    [InlineData("localhost:6379,password=hun,ter2=1", "not valid")]
    [InlineData("localhost:6379,password=hun,connectTimeout=ter2", "not valid")]
    public void A_connection_string_without_an_endpoint_is_refused_without_repeating_it(string connectionString, string reason)
    {
        // A password that holds ',' splits into options, which StackExchange.Redis's own message names ("Keyword 'ter2'
        // is not supported"): neither that message nor its exception is passed on.
        Microsoft.AspNetCore.Authentication.AuthenticationBuilder builder = new ServiceCollection().AddAuthentication().AddAuth0Api(Scheme);
        ArgumentException refused = Assert.Throws<ArgumentException>("connectionString", () => builder.AddAuth0ApiRedis(connectionString));
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", refused.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ter2", refused.ToString(), StringComparison.Ordinal);
        Assert.Null(refused.InnerException);
    }

    [Fact]
    public void Arguments_are_checked()
    {
        ServiceCollection services = new();
        Microsoft.AspNetCore.Authentication.AuthenticationBuilder builder = services.AddAuthentication();
        Assert.Throws<ArgumentNullException>("connectionString", () => builder.AddAuth0ApiRedis((string)null!));
        Assert.Throws<ArgumentNullException>("multiplexer", () => builder.AddAuth0ApiRedis((Func<IServiceProvider, IConnectionMultiplexer>)null!));
        Assert.Throws<ArgumentNullException>("builder", () => Auth0ApiRedisAuthenticationBuilderExtensions.AddAuth0ApiRedis(null!, "localhost"));
        Assert.Throws<ArgumentException>("configure", () => builder.AddAuth0ApiRedis("localhost", o => o.Scheme = ""));
    }
}

/// <summary>A handler of another kind than Auth0's, for a scheme that AddAuth0ApiRedis must refuse.</summary>
internal sealed class OtherHandler(IOptionsMonitor<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions> options, ILoggerFactory logger, System.Text.Encodings.Web.UrlEncoder encoder)
    : Microsoft.AspNetCore.Authentication.AuthenticationHandler<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<Microsoft.AspNetCore.Authentication.AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(Microsoft.AspNetCore.Authentication.AuthenticateResult.NoResult());
}

/// <summary>Keeps what category <c>Auth0.Api.Aot.Redis</c> logs.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Records { get; } = new();

    public ILogger CreateLogger(string categoryName) => categoryName == "Auth0.Api.Aot.Redis" ? new Logger(Records) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<(LogLevel, EventId, string)> records) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            records.Enqueue((logLevel, eventId, formatter(state, exception)));
    }
}
