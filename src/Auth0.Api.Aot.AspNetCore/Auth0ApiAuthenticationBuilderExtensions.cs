using System;
using System.Net.Http;
using Auth0.Api.Aot.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Auth0.Api.Aot.AspNetCore;

/// <summary>Registers the Auth0 API authentication scheme.</summary>
public static class Auth0ApiAuthenticationBuilderExtensions
{
    /// <summary>Adds the Auth0 API scheme under <see cref="Auth0ApiDefaults.AuthenticationScheme"/>.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configure">Sets the options: at least <c>Client.Domain</c> and <c>Client.Audience</c>.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddAuth0Api(this AuthenticationBuilder builder, Action<Auth0ApiOptions> configure) =>
        builder.AddAuth0Api(Auth0ApiDefaults.AuthenticationScheme, configure);

    /// <summary>Adds an Auth0 API scheme named <paramref name="scheme"/>.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="scheme">The scheme name.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddAuth0Api(this AuthenticationBuilder builder, string scheme, Action<Auth0ApiOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(configure);
        AddServices(builder.Services, scheme);
        builder.AddScheme<Auth0ApiOptions, Auth0ApiHandler>(scheme, configure);
        Auth0ApiHandlerFactory.Register(builder.Services);
        return builder;
    }

    /// <summary>
    /// Adds an Auth0 API scheme whose options come from <paramref name="section"/> (see
    /// <see cref="Auth0ApiConfiguration"/>; bound without reflection), then from <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="scheme">The scheme name.</param>
    /// <param name="section">The configuration section, e.g. <c>builder.Configuration.GetSection("Auth0Api")</c>.</param>
    /// <param name="configure">Sets what configuration cannot (delegates, stores), or overrides it.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddAuth0Api(this AuthenticationBuilder builder, string scheme, IConfiguration section, Action<Auth0ApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        return builder.AddAuth0Api(scheme, options =>
        {
            Auth0ApiConfiguration configuration = new();
            section.Bind(configuration);
            configuration.ApplyTo(options);
            configure?.Invoke(options);
        });
    }

    private static void AddServices(IServiceCollection services, string scheme)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new Auth0ApiClients(
            provider.GetRequiredService<IOptionsMonitor<Auth0ApiOptions>>(),
            provider.GetRequiredService<System.Net.Http.IHttpClientFactory>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, Auth0ApiAuthorizationHandler>());
        services.AddHttpClient(Auth0ApiDefaults.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler
            {
                // Discovery and JWKS redirects are refused by the verifier; the handler never follows them either.
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })

            // The token-exchange requests carry the client secret (HTTP Basic): no header value reaches a log, on
            // net8.0 either, where the factory logs them by default.
            .RedactLoggedHeaders(static _ => true);

        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(provider => new Auth0ApiWarmUp(
            provider.GetRequiredService<Auth0ApiClients>(),
            provider.GetRequiredService<IOptionsMonitor<Auth0ApiOptions>>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Auth0ApiWarmUp>>(),
            scheme,
            provider.GetService<IOptions<Microsoft.AspNetCore.HostFiltering.HostFilteringOptions>>()?.Value,
            provider.GetService<IOptions<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>>()?.Value));

        // Fail at startup, naming the option, rather than on the first request.
        services.AddOptions<Auth0ApiOptions>(scheme)
            .Validate(
                static options =>
                {
                    options.Validate();
                    options.Client.Validate();
                    return true;
                })
            .ValidateOnStart();
    }
}
