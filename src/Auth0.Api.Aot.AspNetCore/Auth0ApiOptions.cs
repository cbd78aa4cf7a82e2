using System;
using System.Collections.Generic;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Auth0.Api.Aot.AspNetCore;

/// <summary>
/// Options of an Auth0 API authentication scheme: the core verifier's options (<see cref="Client"/>) and how the
/// handler reads requests and answers refusals.
/// </summary>
public sealed class Auth0ApiOptions : AuthenticationSchemeOptions
{
    /// <summary>Creates the options with default events.</summary>
    public Auth0ApiOptions()
    {
        Events = new Auth0ApiEvents();
    }

    /// <summary>
    /// The verifier's options: <see cref="ApiClientOptions.Domain"/> (or <c>Domains</c>, or a resolver),
    /// <see cref="ApiClientOptions.Audience"/>, the DPoP mode, nonces, replay store, caching. Leave
    /// <see cref="ApiClientOptions.HttpClient"/> and <see cref="ApiClientOptions.TimeProvider"/> unset: the handler takes
    /// them from <see cref="System.Net.Http.IHttpClientFactory"/> (client <see cref="Auth0ApiDefaults.HttpClientName"/>)
    /// and from the service provider's <see cref="TimeProvider"/>.
    /// </summary>
    public ApiClientOptions Client { get; set; } = new();

    /// <summary>The events raised while authenticating, challenging and forbidding.</summary>
    public new Auth0ApiEvents Events
    {
        get => (Auth0ApiEvents)base.Events!;
        set => base.Events = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// The public origin of the API (<c>https://api.example.com</c>), when the process cannot see it: behind a proxy or
    /// load balancer that does not forward <c>X-Forwarded-Proto</c>/<c>X-Forwarded-Host</c> through the
    /// <c>ForwardedHeaders</c> middleware. The URL a DPoP proof's <c>htu</c> is compared with is then this origin, the
    /// request's path base and its path; <see langword="null"/> (default) takes scheme and host from the request.
    /// </summary>
    public Uri? PublicOrigin { get; set; }

    /// <summary>
    /// Computes the absolute URL a DPoP proof's <c>htu</c> is compared with, when neither the request nor
    /// <see cref="PublicOrigin"/> gives it (a gateway that rewrites paths, say). Query and fragment are ignored by the
    /// comparison.
    /// </summary>
    public Func<HttpContext, string>? RequestUrlResolver { get; set; }

    /// <summary>
    /// Whether challenges carry RFC 9728's <c>resource_metadata</c> parameter, pointing at the document
    /// <c>MapProtectedResourceMetadata()</c> serves (at <see cref="Auth0ApiDefaults.ProtectedResourceMetadataPath"/> on
    /// the public origin). MCP clients discover the authorization server this way. Default: <see langword="false"/>.
    /// </summary>
    public bool AdvertiseResourceMetadata { get; set; }

    /// <summary>
    /// The <c>resource</c> of the protected resource metadata: the API's identifier as clients ask for tokens for it.
    /// Default: <see cref="ApiClientOptions.Audience"/>.
    /// </summary>
    public string? Resource { get; set; }

    /// <summary>The <c>scopes_supported</c> of the protected resource metadata. Default: none listed.</summary>
    public IList<string> ScopesSupported { get; } = new List<string>();

    /// <summary>
    /// Whether refusals get an <c>application/problem+json</c> body (through <c>IProblemDetailsService</c> when the app
    /// registered one) with the OAuth error code; never the token. Default: <see langword="true"/>.
    /// </summary>
    public bool WriteProblemDetails { get; set; } = true;

    /// <summary>
    /// Whether the discovery documents and keys of the configured domains are fetched in the background when the host
    /// starts, so the first request does not wait for them. A failure is logged at Warning, not fatal. Default:
    /// <see langword="true"/>.
    /// </summary>
    public bool WarmUpKeys { get; set; } = true;

    /// <summary>The claim type <c>IsInRole</c> and <c>[Authorize(Roles = ...)]</c> read. Default: <c>permissions</c>.</summary>
    public string RoleClaimType { get; set; } = "permissions";

    /// <summary>The claim type of <c>Identity.Name</c>. Default: <c>sub</c>.</summary>
    public string NameClaimType { get; set; } = "sub";

    /// <summary>Checks the options; the handler runs it at startup through options validation.</summary>
    /// <exception cref="InvalidOperationException">An option is invalid; the message names it.</exception>
    public override void Validate()
    {
        base.Validate();
        if (Client is null)
        {
            throw new InvalidOperationException("Auth0ApiOptions.Client must be set");
        }

        if (PublicOrigin is { } origin && (!origin.IsAbsoluteUri || (origin.Scheme != Uri.UriSchemeHttps && origin.Scheme != Uri.UriSchemeHttp) || origin.AbsolutePath != "/" || origin.Query.Length > 0 || origin.Fragment.Length > 0 || origin.UserInfo.Length > 0))
        {
            throw new InvalidOperationException("Auth0ApiOptions.PublicOrigin must be an absolute http(s) origin without path, query, fragment or user info");
        }

        if (EventsType is { } eventsType && !typeof(Auth0ApiEvents).IsAssignableFrom(eventsType))
        {
            throw new InvalidOperationException("Auth0ApiOptions.EventsType must derive from Auth0ApiEvents");
        }

        if (string.IsNullOrWhiteSpace(NameClaimType))
        {
            throw new InvalidOperationException("Auth0ApiOptions.NameClaimType must not be empty");
        }

        if (string.IsNullOrWhiteSpace(RoleClaimType))
        {
            throw new InvalidOperationException("Auth0ApiOptions.RoleClaimType must not be empty");
        }
    }
}
