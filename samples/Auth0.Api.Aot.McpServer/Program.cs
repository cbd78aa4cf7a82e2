// An MCP server (Model Context Protocol, streamable HTTP transport) protected by Auth0 access tokens with
// Auth0.Api.Aot.AspNetCore:
//
//   POST /mcp                                     JSON-RPC (initialize, tools/list, tools/call): any valid access token
//   GET  /.well-known/oauth-protected-resource/mcp RFC 9728 metadata, anonymous: where an MCP client finds the tenant
//
// Tools: whoami (any token), list_orders (the scope read:orders) and upstream_orders (read:orders; exchanges the
// caller's token On-Behalf-Of for one whose audience is the upstream orders API, and calls that API with it).
//
// As the MCP authorization specification asks: a request without a token is 401 with a WWW-Authenticate challenge
// whose resource_metadata points at the metadata document (AdvertiseResourceMetadata), and a tools/call for a tool
// the token's scopes do not grant is 403 insufficient_scope naming the scope, so the client can ask the user for more.
// Settings come from appsettings.json's "Auth0Api" and "Upstream" sections, overridden by environment variables
// (Auth0Api__Domain, Auth0Api__Audience, Auth0Api__ClientId, Auth0Api__ClientSecret from a secret store, ...).
//
// Run it against the embedded loopback issuer, no tenant needed: dotnet run --project samples/Auth0.Api.Aot.McpServer.Client -c Release

using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Auth0.Api.Aot;
using Auth0.Api.Aot.AspNetCore;
using Auth0.Api.Aot.McpServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol;
using ModelContextProtocol.AspNetCore;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);

// Refusals (400, 401, 403, 503) get an application/problem+json body with the OAuth error code, never the token.
builder.Services.AddProblemDetails();

builder.Services.AddAuthentication(Auth0ApiDefaults.AuthenticationScheme)
    .AddAuth0Api(Auth0ApiDefaults.AuthenticationScheme, builder.Configuration.GetSection("Auth0Api"), options =>
    {
        // OfflineJwks: the issuer's JWKS given up front, for runs without a tenant (the sample's client sets it): no
        // discovery or JWKS request is made, and token exchange goes to the domain's /oauth/token. A real deployment
        // leaves it unset.
        if (builder.Configuration["OfflineJwks"] is { Length: > 0 } jwks && options.Client.Domain is { } domain)
        {
            options.Client.StaticJwks = new Dictionary<string, string> { [domain] = jwks };
        }

        // IssuerCertificateSha256: only for the embedded loopback issuer, whose certificate is self-signed, and only in
        // Development with a loopback domain: the pinned certificate then stands in for the chain (the host name is
        // still checked). A real tenant is trusted as any HTTPS server is; the setting anywhere else stops the start.
        if (builder.Configuration["IssuerCertificateSha256"] is { Length: > 0 } pinned)
        {
            if (!builder.Environment.IsDevelopment() || !IsLoopback(options.Client.Domain))
            {
                throw new InvalidOperationException("IssuerCertificateSha256 is for the embedded loopback issuer in Development only");
            }

            options.Client.HttpClient = new HttpClient(new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                        certificate is not null && (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) == System.Net.Security.SslPolicyErrors.None
                            && string.Equals(certificate.GetCertHashString(HashAlgorithmName.SHA256), pinned, StringComparison.OrdinalIgnoreCase),
                },
            });
        }
    });
builder.Services.AddAuthorization();
builder.Services.AddHttpContextAccessor();

// The upstream orders API the upstream_orders tool calls with the exchanged token.
builder.Services.Configure<UpstreamOptions>(builder.Configuration.GetSection("Upstream"));
builder.Services.AddHttpClient(OrderTools.UpstreamClient, client => client.Timeout = TimeSpan.FromSeconds(10))
    .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

// Tools' arguments and results go through source-generated JSON (ToolJsonContext), then the SDK's own types.
JsonSerializerOptions toolJson = new(McpJsonUtilities.DefaultOptions)
{
    TypeInfoResolver = JsonTypeInfoResolver.Combine(ToolJsonContext.Default, McpJsonUtilities.DefaultOptions.TypeInfoResolver),
};
builder.Services.AddMcpServer()
    // Stateless: every POST stands alone (no session to pin to one instance) and is verified with its own token; each
    // tool call runs within the HTTP request that carried it, so IHttpContextAccessor gives that request.
    .WithHttpTransport(transport => transport.SessionMode = HttpServerSessionMode.Stateless)
    .WithTools<OrderTools>(toolJson);

WebApplication app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();

// After authorization (so only authenticated requests reach it): a tools/call for a tool whose scopes the token lacks
// is answered 403 insufficient_scope here, before the MCP handler, as the MCP specification's scope challenge asks.
app.UseMiddleware<ToolScopeMiddleware>();

app.MapMcp("/mcp").RequireAuthorization().WithMetadata(ToolScopeMiddleware.McpEndpoint);
app.MapProtectedResourceMetadata();

app.Run();

// Whether a domain ("127.0.0.1:5001") names a loopback address: the embedded issuer's, never a tenant's.
static bool IsLoopback(string? domain) =>
    domain is not null && System.Net.IPAddress.TryParse(domain.Split(':')[0], out System.Net.IPAddress? address) && System.Net.IPAddress.IsLoopback(address);
