// Operations: key warm-up when the host starts (a failure is logged, not fatal: the first request retries after the
// back-off), and a health check over the cached keys of every configured issuer.

using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Auth0.Api.Aot.AspNetCore;

/// <summary>Builds a scheme's client when the host starts (so a bad key snapshot stops it) and fetches its keys in the background.</summary>
internal sealed class Auth0ApiWarmUp(Auth0ApiClients clients, IOptionsMonitor<Auth0ApiOptions> options, ILogger<Auth0ApiWarmUp> logger, string scheme, Microsoft.AspNetCore.HostFiltering.HostFilteringOptions? hostFiltering = null, Microsoft.AspNetCore.Builder.ForwardedHeadersOptions? forwarded = null) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _warmUp;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ApiClient client = clients.Get(scheme);
        Auth0ApiOptions schemeOptions = options.Get(scheme);
        if (HostChoosesHtuOrigin(schemeOptions, hostFiltering, forwarded))
        {
            Log.HostChoosesHtuOrigin(logger, scheme);
        }

        if (schemeOptions.WarmUpKeys)
        {
            _warmUp = Task.Run(() => WarmUpAsync(client), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_warmUp is { } warmUp)
        {
            await Task.WhenAny(warmUp, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>
    /// Whether a DPoP proof's <c>htu</c> is checked against an origin the client picks: DPoP accepted, no
    /// <see cref="Auth0ApiOptions.PublicOrigin"/> or <see cref="Auth0ApiOptions.RequestUrlResolver"/>, and either host
    /// filtering absent or allowing any host (<c>AllowedHosts</c> unset or <c>*</c>), or the forwarded-headers options
    /// taking <c>X-Forwarded-Host</c> without an <c>AllowedHosts</c> list of their own (the middleware replaces
    /// <c>Host</c> after host filtering checked it). A proof a client made for another server (<c>htu</c>
    /// <c>https://evil.example/orders</c>) then passes with <c>Host: evil.example</c>.
    /// </summary>
    internal static bool HostChoosesHtuOrigin(Auth0ApiOptions options, Microsoft.AspNetCore.HostFiltering.HostFilteringOptions? hostFiltering, Microsoft.AspNetCore.Builder.ForwardedHeadersOptions? forwarded = null) =>
        options.Client.DPoPMode != DPoPMode.Disabled
        && options.PublicOrigin is null
        && options.RequestUrlResolver is null
        && (AnyHost(hostFiltering?.AllowedHosts)
            || (forwarded is not null && (forwarded.ForwardedHeaders & Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedHost) != 0 && AnyHost(forwarded.AllowedHosts)));

    private static bool AnyHost(IList<string>? allowed) => allowed is null || allowed.Count == 0 || allowed.Contains("*");

    private async Task WarmUpAsync(ApiClient client)
    {
        try
        {
            foreach (KeyStatus status in await client.WarmUpAsync(_stopping.Token).ConfigureAwait(false))
            {
                if (status.State == KeyState.Fresh)
                {
                    Log.KeysReady(logger, scheme, status.Issuer);
                }
                else
                {
                    Log.KeysNotReady(logger, scheme, status.Issuer, status.State, status.Error ?? "none");
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The host stopped first.
        }
    }
}

/// <summary>Healthy when every configured issuer's keys are fresh (or not needed yet), Degraded when some are served stale, else the failure status.</summary>
internal sealed class Auth0ApiKeysHealthCheck(Auth0ApiClients clients, string scheme) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<KeyStatus> statuses = clients.Get(scheme).GetKeyStatus();
        Dictionary<string, object> data = new(statuses.Count, StringComparer.Ordinal);
        bool failing = false;
        bool stale = false;
        foreach (KeyStatus status in statuses)
        {
            data[status.Issuer] = status.State.ToString();
            failing |= status.State == KeyState.Failing;
            stale |= status.State == KeyState.Stale;
        }

        HealthCheckResult result = failing
            ? new HealthCheckResult(context.Registration.FailureStatus, "The keys of an issuer cannot be fetched: its tokens are answered 503", data: data)
            : stale
                ? HealthCheckResult.Degraded("The keys of an issuer are past their lifetime and served while refreshes fail", data: data)
                : HealthCheckResult.Healthy("Issuer keys are fresh or not needed yet", data);
        return Task.FromResult(result);
    }
}

/// <summary>Registers the health check of an Auth0 API scheme's keys.</summary>
public static class Auth0ApiHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check over the cached keys of <paramref name="scheme"/>'s configured issuers: Healthy when fresh
    /// (or not fetched yet), Degraded when served stale during an outage, <paramref name="failureStatus"/> (Unhealthy by
    /// default) when an issuer's keys cannot be had. It reads the cache only; it never fetches.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="scheme">The Auth0 API scheme.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">The status when keys cannot be had.</param>
    /// <param name="tags">Tags for filtering.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddAuth0ApiKeys(this IHealthChecksBuilder builder, string scheme = Auth0ApiDefaults.AuthenticationScheme, string name = "auth0-api-keys", HealthStatus failureStatus = HealthStatus.Unhealthy, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, services => new Auth0ApiKeysHealthCheck(services.GetRequiredService<Auth0ApiClients>(), scheme), failureStatus, tags));
    }
}
