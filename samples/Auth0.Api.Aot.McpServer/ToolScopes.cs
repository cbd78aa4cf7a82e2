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
    // A JSON-RPC request to this server is small; a larger body is left to the MCP handler to refuse.
    private const int MaxInspectedBytes = 64 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Path != "/mcp" || context.User.Identity?.IsAuthenticated != true)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Request.EnableBuffering();
        string? tool = await ReadToolNameAsync(context.Request).ConfigureAwait(false);
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

    /// <summary>The <c>params.name</c> of a single <c>tools/call</c> request, else null.</summary>
    private static async Task<string?> ReadToolNameAsync(HttpRequest request)
    {
        if (request.ContentLength is > MaxInspectedBytes)
        {
            return null;
        }

        byte[] buffer = new byte[MaxInspectedBytes];
        int length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length)).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        try
        {
            using JsonDocument message = JsonDocument.Parse(buffer.AsMemory(0, length));
            JsonElement root = message.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("method", out JsonElement method) && method.ValueEquals("tools/call")
                && root.TryGetProperty("params", out JsonElement parameters) && parameters.ValueKind == JsonValueKind.Object
                && parameters.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String
                    ? name.GetString()
                    : null;
        }
        catch (JsonException)
        {
            // Not JSON, or a batch cut short: the MCP handler answers it.
            return null;
        }
    }
}
