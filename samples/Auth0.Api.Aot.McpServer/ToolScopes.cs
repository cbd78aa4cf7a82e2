using System;
using System.Collections.Frozen;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;
using Auth0.Api.Aot.AspNetCore;
using Auth0.Api.Aot.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Auth0.Api.Aot.McpServer;

/// <summary>The scope each tool needs, in one place: the middleware's 403 and the tools' own checks read it.</summary>
internal static class ToolScopes
{
    public const string ReadOrders = "read:orders";

    /// <summary>Tool name to the scopes it needs; a tool not listed needs only a valid token.</summary>
    public static readonly FrozenDictionary<string, string[]> Required = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [OrderTools.ListOrdersName] = [ReadOrders],
        [OrderTools.UpstreamOrdersName] = [ReadOrders],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Whether the verified token of the request grants every scope of <paramref name="scopes"/>.</summary>
    public static bool Granted(HttpContext context, string[] scopes)
    {
        IReadOnlyList<string> granted = context.GetAccessTokenClaims()?.Scopes ?? [];
        foreach (string scope in scopes)
        {
            bool found = false;
            foreach (string have in granted)
            {
                found |= string.Equals(have, scope, StringComparison.Ordinal);
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// Answers a <c>tools/call</c> for a tool whose scopes the token lacks with 403 and an <c>insufficient_scope</c>
/// challenge naming them (with <c>resource_metadata</c>), before the MCP handler sees it: the MCP authorization
/// specification's scope challenge, which lets a client ask the user to consent to more. The check is the library's
/// scope requirement, so the challenge is the handler's own, as for a <c>RequireScope</c> endpoint.
/// </summary>
internal sealed class ToolScopeMiddleware(RequestDelegate next, IAuthorizationService authorization)
{
    /// <summary>Marks the MCP endpoint (the route, not a path string: <c>/mcp/</c> reaches it too).</summary>
    public static readonly object McpEndpoint = new();

    // A JSON-RPC request to this server is small. A body this middleware cannot read (larger, not UTF-8 JSON) is
    // refused rather than passed on unchecked: the check must not depend on every tool repeating it.
    private const int MaxInspectedBytes = 64 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !IsMcpEndpoint(context.GetEndpoint()) || context.User.Identity?.IsAuthenticated != true)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (context.Request.ContentType is { } type && type.Contains("charset", StringComparison.OrdinalIgnoreCase)
            && !type.Contains("charset=utf-8", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        context.Request.EnableBuffering(MaxInspectedBytes + 1, MaxInspectedBytes + 1L);
        (bool readable, string? tool) = await ReadToolNameAsync(context.Request).ConfigureAwait(false);
        if (!readable)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        context.Request.Body.Position = 0;
        if (tool is not null && ToolScopes.Required.TryGetValue(tool, out string[]? scopes))
        {
            AuthorizationPolicy policy = new AuthorizationPolicyBuilder().RequireScope(scopes).Build();
            AuthorizationResult result = await authorization.AuthorizeAsync(context.User, context, policy).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                // The failed scope requirement recorded its scopes; the handler's forbid writes the 403 challenge.
                await context.ForbidAsync(Auth0ApiDefaults.AuthenticationScheme).ConfigureAwait(false);
                return;
            }
        }

        await next(context).ConfigureAwait(false);
    }

    private static bool IsMcpEndpoint(Endpoint? endpoint)
    {
        foreach (object item in endpoint?.Metadata ?? EndpointMetadataCollection.Empty)
        {
            if (ReferenceEquals(item, McpEndpoint))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the body fits the limit, and the <c>params.name</c> of a single <c>tools/call</c> request, else null.</summary>
    private static async Task<(bool Readable, string? Tool)> ReadToolNameAsync(HttpRequest request)
    {
        if (request.ContentLength is > MaxInspectedBytes)
        {
            return (false, null);
        }

        // One byte more than the limit tells a body that is too large (chunked bodies have no Content-Length).
        byte[] buffer = new byte[MaxInspectedBytes + 1];
        int length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length)).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        if (length > MaxInspectedBytes)
        {
            return (false, null);
        }

        try
        {
            using JsonDocument message = JsonDocument.Parse(buffer.AsMemory(0, length));
            JsonElement root = message.RootElement;
            return (true, root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("method", out JsonElement method) && method.ValueEquals("tools/call")
                && root.TryGetProperty("params", out JsonElement parameters) && parameters.ValueKind == JsonValueKind.Object
                && parameters.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String
                    ? name.GetString()
                    : null);
        }
        catch (JsonException)
        {
            // Not JSON: the MCP handler refuses it (no tool can be called by a body it cannot parse either).
            return (true, null);
        }
    }
}
