// RFC 9728 protected resource metadata: the document at /.well-known/oauth-protected-resource (plus the resource's
// path, section 3.1) that tells clients, MCP clients first, which authorization servers issue tokens for this API and
// how to present them. Built once per scheme from the options and the client, serialised by a source-generated
// context, and served with a short public cache lifetime.

using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Auth0.Api.Aot.AspNetCore;

/// <summary>Maps the RFC 9728 protected resource metadata endpoint.</summary>
public static class ProtectedResourceMetadata
{
    /// <summary>
    /// Serves the protected resource metadata of <paramref name="scheme"/> at
    /// <see cref="Auth0ApiDefaults.ProtectedResourceMetadataPath"/> followed by the resource's path, if it has one:
    /// <c>resource</c>, <c>authorization_servers</c> (the configured domains), <c>scopes_supported</c>,
    /// <c>bearer_methods_supported</c>, <c>dpop_signing_alg_values_supported</c> and
    /// <c>dpop_bound_access_tokens_required</c>. Anonymous: clients read it before they have a token.
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="scheme">The Auth0 API scheme.</param>
    /// <returns>The endpoint's builder.</returns>
    public static IEndpointConventionBuilder MapProtectedResourceMetadata(this IEndpointRouteBuilder endpoints, string scheme = Auth0ApiDefaults.AuthenticationScheme)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        Auth0ApiOptions options = endpoints.ServiceProvider.GetRequiredService<IOptionsMonitor<Auth0ApiOptions>>().Get(scheme);
        ApiClient client = endpoints.ServiceProvider.GetRequiredService<Auth0ApiClients>().Get(scheme);
        byte[] document = JsonSerializer.SerializeToUtf8Bytes(Create(options, client), ProtectedResourceMetadataJsonContext.Default.ProtectedResourceMetadataDocument);
        return endpoints.MapGet(Path(options, client), async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.Headers.CacheControl = "public, max-age=300";
            context.Response.ContentLength = document.Length;
            await context.Response.Body.WriteAsync(document, context.RequestAborted).ConfigureAwait(false);
        }).AllowAnonymous();
    }

    /// <summary>The metadata path: the well-known prefix and, for a resource URL with a path, that path (RFC 9728 section 3.1).</summary>
    internal static string Path(Auth0ApiOptions options, ApiClient client)
    {
        string resource = options.Resource ?? client.Audience;
        return Uri.TryCreate(resource, UriKind.Absolute, out Uri? uri) && uri.AbsolutePath is { Length: > 1 } path
            ? Auth0ApiDefaults.ProtectedResourceMetadataPath + path.TrimEnd('/')
            : Auth0ApiDefaults.ProtectedResourceMetadataPath;
    }

    internal static ProtectedResourceMetadataDocument Create(Auth0ApiOptions options, ApiClient client) => new()
    {
        Resource = options.Resource ?? client.Audience,
        AuthorizationServers = [.. client.AuthorizationServers],
        ScopesSupported = options.ScopesSupported.Count > 0 ? [.. options.ScopesSupported] : null,
        BearerMethodsSupported = ["header"],
        DPoPSigningAlgValuesSupported = client.DPoPMode == DPoPMode.Disabled ? null : [.. client.DPoPSigningAlgorithms],
        DPoPBoundAccessTokensRequired = client.IsDPoPRequired,
    };
}

/// <summary>The RFC 9728 section 2 members this API publishes.</summary>
internal sealed class ProtectedResourceMetadataDocument
{
    [JsonPropertyName("resource")]
    public required string Resource { get; init; }

    [JsonPropertyName("authorization_servers")]
    public required IReadOnlyList<string> AuthorizationServers { get; init; }

    [JsonPropertyName("scopes_supported")]
    public IReadOnlyList<string>? ScopesSupported { get; init; }

    [JsonPropertyName("bearer_methods_supported")]
    public required IReadOnlyList<string> BearerMethodsSupported { get; init; }

    [JsonPropertyName("dpop_signing_alg_values_supported")]
    public IReadOnlyList<string>? DPoPSigningAlgValuesSupported { get; init; }

    [JsonPropertyName("dpop_bound_access_tokens_required")]
    public bool DPoPBoundAccessTokensRequired { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(ProtectedResourceMetadataDocument))]
internal sealed partial class ProtectedResourceMetadataJsonContext : JsonSerializerContext
{
}
