using System;
using Auth0.Api.Aot.AspNetCore;
using Auth0.Api.Aot.Redis.Internal;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Auth0.Api.Aot.Redis;

/// <summary>Shares an Auth0 API scheme's DPoP replay store and document cache across instances, in Redis.</summary>
public static partial class Auth0ApiRedisAuthenticationBuilderExtensions
{
    /// <summary>
    /// Connects to Redis with <paramref name="connectionString"/> (StackExchange.Redis syntax, e.g.
    /// <c>redis.internal:6379,password=...</c>; <c>abortConnect=false</c> is forced, so the application starts while
    /// Redis is down and the multiplexer reconnects on its own) and gives the scheme's client the Redis stores. The
    /// connection is disposed with the service provider.
    /// </summary>
    /// <remarks>
    /// The scheme must be an Auth0 API scheme (<c>AddAuth0Api</c>): otherwise the application fails at startup (or when
    /// the authentication options are first built), naming it. One call per scheme.
    /// </remarks>
    /// <param name="builder">The authentication builder, after <c>AddAuth0Api</c>.</param>
    /// <param name="connectionString">The StackExchange.Redis configuration string.</param>
    /// <param name="configure">Sets the scheme, which stores to use and their options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="connectionString"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="connectionString"/> is not a valid configuration string or names no endpoint; or the scheme is empty.
    /// </exception>
    /// <exception cref="InvalidOperationException"><c>AddAuth0ApiRedis</c> was already called for the scheme.</exception>
    public static AuthenticationBuilder AddAuth0ApiRedis(this AuthenticationBuilder builder, string connectionString, Action<Auth0ApiRedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connectionString);
        ConfigurationOptions configuration;
        try
        {
            configuration = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException)
        {
            // StackExchange.Redis's message names the option it could not read, and a password holding ',' splits into
            // options: "password=ab,cd=1" is refused as "Keyword 'cd' is not supported". Neither its message nor the
            // exception (which a logger would print) is passed on.
            throw new ArgumentException(
                "The Redis connection string is not valid: an option is unknown or has a bad value (the parser's message is left out, as it can quote part of a password; a password holding ',' or '=' must be given as ConfigurationOptions.Password through the overload that takes a multiplexer)",
                nameof(connectionString));
        }

        if (configuration.EndPoints.Count == 0)
        {
            // The string itself is not repeated: it may hold a password.
            throw new ArgumentException("The Redis connection string names no endpoint (host:port)", nameof(connectionString));
        }

        configuration.AbortOnConnectFail = false;
        return Add(builder, _ => ConnectionMultiplexer.Connect(configuration), owned: true, configure);
    }

    /// <summary>
    /// Gives the scheme's client the Redis stores over a multiplexer the application owns, e.g.
    /// <c>provider =&gt; provider.GetRequiredService&lt;IConnectionMultiplexer&gt;()</c>. Create it with
    /// <c>AbortOnConnectFail=false</c>, so that it reconnects on its own.
    /// </summary>
    /// <remarks>
    /// The scheme must be an Auth0 API scheme (<c>AddAuth0Api</c>): otherwise the application fails at startup (or when
    /// the authentication options are first built), naming it. One call per scheme.
    /// </remarks>
    /// <param name="builder">The authentication builder, after <c>AddAuth0Api</c>.</param>
    /// <param name="multiplexer">Returns the multiplexer; called once. It is not disposed by this registration.</param>
    /// <param name="configure">Sets the scheme, which stores to use and their options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="multiplexer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The scheme is empty.</exception>
    /// <exception cref="InvalidOperationException"><c>AddAuth0ApiRedis</c> was already called for the scheme.</exception>
    public static AuthenticationBuilder AddAuth0ApiRedis(this AuthenticationBuilder builder, Func<IServiceProvider, IConnectionMultiplexer> multiplexer, Action<Auth0ApiRedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(multiplexer);
        return Add(builder, multiplexer, owned: false, configure);
    }

    private static AuthenticationBuilder Add(AuthenticationBuilder builder, Func<IServiceProvider, IConnectionMultiplexer> multiplexer, bool owned, Action<Auth0ApiRedisOptions>? configure)
    {
        Auth0ApiRedisOptions redis = new();
        configure?.Invoke(redis);
        if (string.IsNullOrEmpty(redis.Scheme))
        {
            throw new ArgumentException("Auth0ApiRedisOptions.Scheme must be set", nameof(configure));
        }

        string scheme = redis.Scheme;
        foreach (ServiceDescriptor service in builder.Services)
        {
            if (service.IsKeyedService && service.ServiceType == typeof(RedisConnection) && string.Equals(service.ServiceKey as string, scheme, StringComparison.Ordinal))
            {
                // A second call would add a second connection whose stores the first call's PostConfigure already set.
                throw new InvalidOperationException("AddAuth0ApiRedis was already called for the scheme '" + scheme + "'");
            }
        }

        builder.Services.AddKeyedSingleton(scheme, (provider, _) => new RedisConnection(multiplexer(provider), owned));

        // A scheme that is not an Auth0 API scheme (a typo, or AddAuth0Api("orders", ...) with the default Scheme) would
        // leave every Auth0 scheme on its in-memory replay store, silently: fail where authentication is set up instead.
        builder.Services.AddOptions<AuthenticationOptions>()
            .Validate(options => IsAuth0ApiScheme(options, scheme), "AddAuth0ApiRedis: the scheme '" + scheme + "' is not an Auth0 API scheme (AddAuth0Api); set Auth0ApiRedisOptions.Scheme to the name given to AddAuth0Api")
            .ValidateOnStart();
        builder.Services.AddOptions<Auth0ApiOptions>(scheme).PostConfigure<IServiceProvider>((options, provider) =>
        {
            IConnectionMultiplexer connection = provider.GetRequiredKeyedService<RedisConnection>(scheme).Multiplexer;
            ApiClientOptions client = options.Client;
            if (redis.UseReplayStore && client.DPoPReplayProtection && client.DPoPReplayStore is null)
            {
                client.DPoPReplayStore = new RedisDPoPReplayStore(connection, ReplayOptions(redis.ReplayStore, client, provider, scheme));
            }

            if (redis.UseCache && client.Cache is null)
            {
                client.Cache = new RedisCacheAdapter(connection, redis.Cache);
            }
        });
        return builder;
    }

    // A copy for this scheme's client: the audience, the clock and a logging callback filled in, the caller's object untouched.
    private static RedisDPoPReplayStoreOptions ReplayOptions(RedisDPoPReplayStoreOptions given, ApiClientOptions client, IServiceProvider provider, string scheme)
    {
        ILogger logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Auth0.Api.Aot.Redis");
        Action<RedisReplayMode>? callback = given.ModeChanged;
        return new RedisDPoPReplayStoreOptions
        {
            Audience = given.Audience ?? client.Audience,
            KeyPrefix = given.KeyPrefix,
            Database = given.Database,
            Timeout = given.Timeout,
            MaxClockSkew = given.MaxClockSkew,
            FallbackToMemory = given.FallbackToMemory,
            FallbackCapacity = given.FallbackCapacity,
            TimeProvider = given.TimeProvider ?? client.TimeProvider ?? provider.GetService<TimeProvider>(),
            ModeChanged = mode =>
            {
                LogModeChanged(logger, mode == RedisReplayMode.Shared ? LogLevel.Information : LogLevel.Warning, scheme, mode);
                callback?.Invoke(mode);
            },
        };
    }

    private static bool IsAuth0ApiScheme(AuthenticationOptions options, string scheme) =>
        options.SchemeMap.TryGetValue(scheme, out AuthenticationSchemeBuilder? found) && found.HandlerType == typeof(Auth0ApiHandler);

    [LoggerMessage(EventId = 1, EventName = "RedisReplayModeChanged", Message = "Auth0 API scheme {Scheme}: DPoP replay store mode is now {Mode}")]
    private static partial void LogModeChanged(ILogger logger, LogLevel level, string scheme, RedisReplayMode mode);
}
