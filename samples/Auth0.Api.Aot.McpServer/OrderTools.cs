using System;
using System.ComponentModel;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Auth0.Api.Aot.McpServer;

/// <summary>
/// The server's tools. Each reads the caller's verified token from the HTTP request that carried the call (the
/// transport is stateless, so there is always one), and checks its own scopes too: the middleware's 403 is what an MCP
/// client expects, the tool's check is what holds should the tool ever be reached another way.
/// </summary>
[McpServerToolType]
internal sealed class OrderTools(IHttpContextAccessor accessor, Auth0ApiClients clients, IHttpClientFactory httpClients, IOptions<UpstreamOptions> upstream)
{
    public const string ListOrdersName = "list_orders";
    public const string UpstreamOrdersName = "upstream_orders";
    public const string UpstreamClient = "upstream";

    /// <summary>Who the token stands for: <c>sub</c>, its scopes, and Bearer or DPoP.</summary>
    [McpServerTool(Name = "whoami", ReadOnly = true), Description("Who the caller's access token stands for.")]
    public WhoAmI WhoAmI()
    {
        HttpContext context = Current();
        AccessTokenClaims claims = context.GetAccessTokenClaims()!;
        string scheme = context.Features.Get<IAuth0ApiFeature>()?.Result.Scheme ?? string.Empty;
        return new WhoAmI(claims.Subject ?? string.Empty, scheme, [.. claims.Scopes]);
    }

    /// <summary>The caller's orders; needs <c>read:orders</c>.</summary>
    [McpServerTool(Name = ListOrdersName, ReadOnly = true), Description("Lists the caller's orders. Needs the scope read:orders.")]
    public Order[] ListOrders([Description("At most this many orders.")] int limit = 10)
    {
        HttpContext context = Current();
        Demand(context, ListOrdersName);
        string customer = context.GetAccessTokenClaims()!.Subject ?? string.Empty;
        Order[] all = [new(1, customer, "2 books"), new(2, customer, "1 lamp")];
        return all[..Math.Clamp(limit, 0, all.Length)];
    }

    /// <summary>
    /// The caller's orders as the upstream orders API has them: the caller's token is exchanged On-Behalf-Of for one
    /// whose audience is that API (the exchanged token, not the caller's, goes upstream), then the API is called.
    /// </summary>
    [McpServerTool(Name = UpstreamOrdersName, ReadOnly = true), Description("Fetches the caller's orders from the upstream orders API, on the caller's behalf. Needs the scope read:orders.")]
    public async Task<UpstreamOrders> UpstreamOrdersAsync(CancellationToken cancellationToken)
    {
        HttpContext context = Current();
        Demand(context, UpstreamOrdersName);
        UpstreamOptions settings = upstream.Value;
        if (settings.Audience is not { Length: > 0 } audience || settings.OrdersUrl is not { Length: > 0 } ordersUrl)
        {
            throw new McpException("The upstream orders API is not configured.");
        }

        OnBehalfOfTokenResult exchanged;
        try
        {
            exchanged = await clients.Get().GetTokenOnBehalfOfAsync(CallersToken(context), audience, ToolScopes.ReadOrders, cancellationToken).ConfigureAwait(false);
        }
        catch (BaseAuthException e)
        {
            // The code and status only: the description may come from the token endpoint and is not for the caller.
            throw new McpException($"The token exchange failed ({e.ErrorCode}, {e.StatusCode}).");
        }

        using HttpRequestMessage request = new(HttpMethod.Get, new Uri(ordersUrl));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", exchanged.AccessToken);
        using HttpResponseMessage response = await httpClients.CreateClient(UpstreamClient).SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new McpException($"The upstream orders API answered {(int)response.StatusCode}.");
        }

        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return new UpstreamOrders(audience, exchanged.Scope ?? string.Empty, body);
    }

    private HttpContext Current() => accessor.HttpContext ?? throw new InvalidOperationException("A tool runs within the HTTP request that carried the call.");

    // A tool error (isError), as MCP reports a failed call, for a caller that reached the tool without its scopes.
    private static void Demand(HttpContext context, string tool)
    {
        if (ToolScopes.Required.TryGetValue(tool, out string[]? scopes) && !ToolScopes.Granted(context, scopes))
        {
            throw new McpException($"The access token lacks the scope {string.Join(' ', scopes)} that {tool} needs.");
        }
    }

    // The verified access token, without its scheme ("Bearer " or "DPoP "): the subject token of the exchange. It is the
    // Authorization header's because this app verifies that header (several lines are refused); an app that supplies
    // the token another way (OnMessageReceived) must take it from there instead. A DPoP-bound token is exchanged for an
    // unbound one: the upstream API then gets a Bearer token.
    private static string CallersToken(HttpContext context)
    {
        string authorization = context.Request.Headers.Authorization.ToString();
        int space = authorization.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 ? authorization[(space + 1)..].Trim() : throw new InvalidOperationException("The request has no access token.");
    }
}

/// <summary>The upstream orders API: the audience to exchange for and the URL to call.</summary>
internal sealed class UpstreamOptions
{
    public string? Audience { get; set; }

    public string? OrdersUrl { get; set; }
}

/// <summary>The result of <c>whoami</c>.</summary>
internal sealed record WhoAmI(string Subject, string Scheme, string[] Scopes);

/// <summary>An order, as <c>list_orders</c> returns it.</summary>
internal sealed record Order(int Id, string Customer, string Items);

/// <summary>The result of <c>upstream_orders</c>: the audience and scope the exchanged token got, and the API's answer.</summary>
internal sealed record UpstreamOrders(string Audience, string Scope, string Orders);

/// <summary>The source-generated JSON of the tools' arguments and results.</summary>
[JsonSerializable(typeof(WhoAmI))]
[JsonSerializable(typeof(Order[]))]
[JsonSerializable(typeof(UpstreamOrders))]
[JsonSerializable(typeof(int))]
internal sealed partial class ToolJsonContext : JsonSerializerContext;
