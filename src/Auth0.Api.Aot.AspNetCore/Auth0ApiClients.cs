using System;
using System.Collections.Concurrent;
using System.Net.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Auth0.Api.Aot.AspNetCore;

/// <summary>
/// One <see cref="ApiClient"/> per Auth0 API scheme, built on first use from the scheme's options with the HTTP client
/// of <see cref="IHttpClientFactory"/> and the service provider's <see cref="TimeProvider"/>, and disposed with the
/// service provider. Resolve it to use the scheme's client directly (token exchange, key snapshots). Each client's
/// failed key fetches (<see cref="ApiClient.KeySourceFailed"/>) are logged at Warning.
/// </summary>
public sealed class Auth0ApiClients : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<ApiClient>> _clients = new(StringComparer.Ordinal);
    private readonly IOptionsMonitor<Auth0ApiOptions> _options;
    private readonly IHttpClientFactory _httpClients;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile bool _disposed;

    /// <summary>Creates the registry (through dependency injection).</summary>
    /// <param name="options">The schemes' options.</param>
    /// <param name="httpClients">The HTTP client factory.</param>
    /// <param name="time">The clock.</param>
    public Auth0ApiClients(IOptionsMonitor<Auth0ApiOptions> options, IHttpClientFactory httpClients, TimeProvider time)
        : this(options, httpClients, time, null)
    {
    }

    /// <summary>Creates the registry (through dependency injection), logging failed key fetches.</summary>
    /// <param name="options">The schemes' options.</param>
    /// <param name="httpClients">The HTTP client factory.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggerFactory">The loggers (category <c>Auth0.Api.Aot.AspNetCore.Auth0ApiClients</c>); none logs nothing.</param>
    public Auth0ApiClients(IOptionsMonitor<Auth0ApiOptions> options, IHttpClientFactory httpClients, TimeProvider time, ILoggerFactory? loggerFactory)
    {
        _options = options;
        _httpClients = httpClients;
        _time = time;
        _logger = loggerFactory?.CreateLogger<Auth0ApiClients>() ?? NullLogger<Auth0ApiClients>.Instance;
    }

    /// <summary>The client of <paramref name="scheme"/>.</summary>
    /// <param name="scheme">The scheme name (default <see cref="Auth0ApiDefaults.AuthenticationScheme"/>).</param>
    /// <returns>The client.</returns>
    /// <exception cref="ConfigurationException">The scheme's options are invalid (also <see cref="MissingRequiredArgumentException"/>).</exception>
    public ApiClient Get(string scheme = Auth0ApiDefaults.AuthenticationScheme)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ApiClient client = _clients.GetOrAdd(scheme, name => new Lazy<ApiClient>(() => Create(name))).Value;
        if (_disposed)
        {
            // Built while the registry was being disposed: dispose it too, so nothing outlives the service provider.
            client.Dispose();
            ObjectDisposedException.ThrowIf(true, this);
        }

        return client;
    }

    private ApiClient Create(string scheme)
    {
        ApiClientOptions client = _options.Get(scheme).Client;

        // The client copies its options: the host's HTTP client and clock are lent for the copy and the caller's
        // options object is left as it was.
        // options object is left as it was (under a lock: two schemes may share one options object).
        lock (client)
        {
            (HttpClient? http, TimeProvider? time) = (client.HttpClient, client.TimeProvider);
            client.HttpClient ??= _httpClients.CreateClient(Auth0ApiDefaults.HttpClientName);
            client.TimeProvider ??= _time;
            try
            {
                ApiClient created = new(client);
                ILogger logger = _logger;
                created.KeySourceFailed += failure => Log.KeySourceFailed(
                    logger,
                    scheme,
                    failure.Document,
                    failure.Host,
                    failure.Port,
                    failure.Kind,
                    failure.ServingStale ? "serving the stale copy" : failure.ServingCached ? "the cached copy is still fresh" : "nothing cached: requests that need it are answered 503");
                return created;
            }
            finally
            {
                (client.HttpClient, client.TimeProvider) = (http, time);
            }
        }
    }

    /// <summary>Disposes the clients built so far.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (Lazy<ApiClient> client in _clients.Values)
        {
            if (client.IsValueCreated)
            {
                client.Value.Dispose();
            }
        }
    }
}
