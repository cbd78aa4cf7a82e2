// Creates the authentication handler for each request without reflection. AddScheme registers the handler type as a
// transient service built from its constructor, which the container calls through reflection under NativeAOT (an
// argument array and a dynamic invoke per request), and the base handler's constructor asks the logger factory for a
// logger each time (a lock and a dictionary lookup). After each AddScheme, the handler's registrations are replaced by
// one that calls this factory, which resolves the handler's singletons once and hands it one logger.

using System;
using System.Text.Encodings.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Auth0.Api.Aot.AspNetCore;

/// <summary>Builds <see cref="Auth0ApiHandler"/> instances from services resolved once.</summary>
internal sealed class Auth0ApiHandlerFactory(IOptionsMonitor<Auth0ApiOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder, Auth0ApiClients clients)
{
    private readonly OneLoggerFactory _loggers = new(loggerFactory.CreateLogger(typeof(Auth0ApiHandler).FullName!));

    /// <summary>A handler for one request.</summary>
    public Auth0ApiHandler Create() => new(options, _loggers, encoder, clients);

    /// <summary>Registers the factory, and the handler as a transient service made by it; call after <c>AddScheme</c>.</summary>
    public static void Register(IServiceCollection services)
    {
        // AddScheme adds a registration of the handler type per scheme (AddTransient, not TryAdd): the last one would win.
        services.RemoveAll<Auth0ApiHandler>();
        services.TryAddSingleton(static provider => new Auth0ApiHandlerFactory(
            provider.GetRequiredService<IOptionsMonitor<Auth0ApiOptions>>(),
            provider.GetRequiredService<ILoggerFactory>(),
            provider.GetRequiredService<UrlEncoder>(),
            provider.GetRequiredService<Auth0ApiClients>()));
        services.AddTransient(static provider => provider.GetRequiredService<Auth0ApiHandlerFactory>().Create());
    }

    // The logger the base handler asks for by its type's name, made once: the application's logger factory keeps every
    // logger it made in step with the logging configuration, so this one still follows filter changes.
    private sealed class OneLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("Logger providers are added to the application's logger factory.");

        public void Dispose()
        {
        }
    }
}
