// Plays an MCP client against samples/Auth0.Api.Aot.McpServer over real HTTP (the streamable HTTP transport: JSON-RPC
// POSTs answered as JSON or as a server-sent event), the way an agent would: a call without a token is challenged,
// the challenge's resource_metadata leads to the protected resource metadata and from there to the authorization
// server; with a token minted by that server (the embedded loopback issuer), initialize, tools/list and tools/call
// work, a tool whose scope the token lacks is refused 403 insufficient_scope, and the On-Behalf-Of tool exchanges the
// caller's token at the issuer's token endpoint and calls an upstream API (hosted here) with the token it got.
//
//   dotnet run --project samples/Auth0.Api.Aot.McpServer.Client -c Release [-- <server>]
//
// <server> is the server's published binary (what .ci/run passes) or its .dll; the default is the server as built
// beside this client. Exits 0 only when every check holds; the server's own log is printed when one does not. No token
// or secret is ever printed.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Samples;
using Auth0.Api.Aot.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

const string ProtocolVersion = "2025-11-25";
const string UpstreamAudience = "https://orders.example.com";
const string ClientId = "mcp-server-sample";
string clientSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
string upstreamToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
int upstreamCalls = 0;
SampleChecks checks = new();

string serverPath = Path.GetFullPath(args.Length > 0 ? args[0] : SampleProcess.RecordedAppPath());
await using LocalIssuer issuer = await LocalIssuer.StartAsync();

// The issuer's token endpoint answers the server's On-Behalf-Of exchange with a token for the upstream API.
issuer.TokenHandler = (context, request) => LocalIssuer.Respond(context, 200, "application/json",
    "{\"access_token\":\"" + upstreamToken + "\",\"expires_in\":300,\"token_type\":\"Bearer\",\"scope\":\"read:orders\","
    + "\"issued_token_type\":\"urn:ietf:params:oauth:token-type:access_token\"}");

// The upstream orders API: it accepts the exchanged token only, never the caller's.
await using WebApplication upstream = StartUpstream();
string upstreamOrigin = upstream.Urls.First();

using SampleProcess server = SampleProcess.Start(serverPath, (origin, environment) =>
{
    environment["Auth0Api__Domain"] = issuer.Domain;
    environment["Auth0Api__Audience"] = origin + "/mcp";   // the MCP server's own URL, as the MCP spec has it (RFC 8707)
    environment["Auth0Api__PublicOrigin"] = origin;       // what DPoP proofs' htu is checked against, not the Host header
    environment["Auth0Api__ClientId"] = ClientId;
    environment["Auth0Api__ClientSecret"] = clientSecret;
    environment["OfflineJwks"] = issuer.JwksJson();
    environment["IssuerCertificateSha256"] = issuer.CertificateSha256;
    environment["ASPNETCORE_ENVIRONMENT"] = "Development";   // the certificate pin is refused anywhere else
    environment["Upstream__Audience"] = UpstreamAudience;
    environment["Upstream__OrdersUrl"] = upstreamOrigin + "/orders";
});
string resource = server.Origin + "/mcp";
string metadataPath = "/.well-known/oauth-protected-resource/mcp";

Console.WriteLine($"Local issuer: {issuer.Issuer}");
Console.WriteLine($"Upstream API: {upstreamOrigin}");
Console.WriteLine($"MCP server:   {serverPath} (pid {server.Id}) on {resource}");
using HttpClient http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(15) };
return await server.RunChecksAsync(http, metadataPath, checks, "MCP server sample", RunChecksAsync);

async Task RunChecksAsync()
{
    // 1. An MCP client's first request, without a token: 401, and the challenge says where the metadata is.
    string metadataUrl;
    using (HttpResponseMessage none = await PostAsync(null, Initialize(1)))
    {
        string challenge = SampleProcess.Challenge(none);
        metadataUrl = Parameter(challenge, "resource_metadata") ?? string.Empty;
        Check(
            "initialize without a token: 401 Bearer with resource_metadata",
            none.StatusCode == HttpStatusCode.Unauthorized
                && challenge.StartsWith("Bearer ", StringComparison.Ordinal)
                && metadataUrl == server.Origin + metadataPath,
            $"{(int)none.StatusCode} {challenge}");
        Console.WriteLine($"      WWW-Authenticate: {challenge}");
    }

    // 2. The metadata, at the URL the challenge named: the resource, and the authorization server to get a token from.
    using (JsonDocument metadata = JsonDocument.Parse(await http.GetStringAsync(new Uri(metadataUrl))))
    {
        JsonElement root = metadata.RootElement;
        Check(
            "RFC 9728 metadata names the resource, the issuer and read:orders",
            root.GetProperty("resource").GetString() == resource
                && root.GetProperty("authorization_servers")[0].GetString() == issuer.Issuer
                && root.GetProperty("scopes_supported").EnumerateArray().Any(s => s.GetString() == "read:orders"),
            root.GetRawText());
    }

    // 3. With a token from that issuer for this resource: initialize, tools/list, tools/call.
    string reader = "Bearer " + issuer.CreateToken(resource, (_, p) => p.Set("sub", "auth0|agent-user").Set("scope", "read:orders"));
    using (HttpResponseMessage initialized = await PostAsync(reader, Initialize(2)))
    {
        using JsonDocument answer = await RpcResultAsync(initialized, 2);
        JsonElement result = answer.RootElement.GetProperty("result");
        Check(
            "initialize with a token: 200, a protocol version and the server's name",
            initialized.StatusCode == HttpStatusCode.OK
                && result.GetProperty("protocolVersion").GetString() is { Length: > 0 }
                && result.GetProperty("serverInfo").GetProperty("name").GetString() is { Length: > 0 }
                && result.GetProperty("capabilities").TryGetProperty("tools", out _),
            $"{(int)initialized.StatusCode} {answer.RootElement.GetRawText()}");
    }

    using (HttpResponseMessage listed = await PostAsync(reader, Rpc(3, "tools/list", "{}")))
    {
        using JsonDocument answer = await RpcResultAsync(listed, 3);
        string[] names = [.. answer.RootElement.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString() ?? string.Empty)];
        Check(
            "tools/list: whoami, list_orders and upstream_orders",
            listed.StatusCode == HttpStatusCode.OK && names.Contains("whoami") && names.Contains("list_orders") && names.Contains("upstream_orders"),
            $"{(int)listed.StatusCode} {string.Join(", ", names)}");
    }

    using (HttpResponseMessage called = await PostAsync(reader, CallTool(4, "list_orders", "{\"limit\":5}")))
    {
        using JsonDocument answer = await RpcResultAsync(called, 4);
        JsonElement result = answer.RootElement.GetProperty("result");
        string text = ToolText(result);
        Check(
            "tools/call list_orders with read:orders: 200 with the caller's orders",
            called.StatusCode == HttpStatusCode.OK
                && !IsError(result)
                && text.Contains("\"auth0|agent-user\"", StringComparison.Ordinal)
                && text.Contains("2 books", StringComparison.Ordinal),
            $"{(int)called.StatusCode} {result.GetRawText()}");
    }

    // 4. A token without read:orders: a tool that needs it is refused 403 insufficient_scope, naming the scope and the
    //    metadata (the MCP scope challenge); a tool that needs no scope still works with it.
    string profileOnly = "Bearer " + issuer.CreateToken(resource, (_, p) => p.Set("sub", "auth0|agent-user").Set("scope", "read:profile"));
    using (HttpResponseMessage refused = await PostAsync(profileOnly, CallTool(5, "list_orders", "{}")))
    {
        string challenge = SampleProcess.Challenge(refused);
        Check(
            "tools/call list_orders without read:orders: 403 insufficient_scope naming it",
            refused.StatusCode == HttpStatusCode.Forbidden
                && challenge.StartsWith("Bearer error=\"insufficient_scope\"", StringComparison.Ordinal)
                && Parameter(challenge, "scope") == "read:orders"
                && Parameter(challenge, "resource_metadata") == metadataUrl,
            $"{(int)refused.StatusCode} {challenge}");
        Console.WriteLine($"      WWW-Authenticate: {challenge}");
    }

    // The same refusal by another way in: a trailing slash reaches the same endpoint, and a body padded past what the
    // scope check reads is refused (413), not passed on unchecked.
    using (HttpResponseMessage slash = await PostAsync(profileOnly, CallTool(5, "list_orders", "{}"), resource + "/"))
    {
        Check("tools/call list_orders at /mcp/ without read:orders: 403 too", slash.StatusCode == HttpStatusCode.Forbidden, $"{(int)slash.StatusCode}");
    }

    string padded = CallTool(5, "list_orders", "{}")[..^1] + ",\"pad\":\"" + new string('x', 70 * 1024) + "\"}";
    using (HttpResponseMessage large = await PostAsync(profileOnly, padded))
    {
        Check("a tools/call too large for the scope check: 413, not passed on", large.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)large.StatusCode}");
    }

    using (HttpResponseMessage who = await PostAsync(profileOnly, CallTool(6, "whoami", "{}")))
    {
        using JsonDocument answer = await RpcResultAsync(who, 6);
        JsonElement result = answer.RootElement.GetProperty("result");
        string text = ToolText(result);
        Check(
            "tools/call whoami without read:orders: 200, the caller and its scopes",
            who.StatusCode == HttpStatusCode.OK && !IsError(result) && text.Contains("\"auth0|agent-user\"", StringComparison.Ordinal) && text.Contains("read:profile", StringComparison.Ordinal),
            $"{(int)who.StatusCode} {result.GetRawText()}");
    }

    // 5. On-Behalf-Of: the server exchanges the caller's token (client credentials in Basic) for one whose audience is
    //    the upstream API, and calls that API with it.
    using (HttpResponseMessage delegated = await PostAsync(reader, CallTool(7, "upstream_orders", "{}")))
    {
        using JsonDocument answer = await RpcResultAsync(delegated, 7);
        JsonElement result = answer.RootElement.GetProperty("result");
        string text = ToolText(result);
        TokenRequest? exchange = issuer.TokenRequests.LastOrDefault();
        bool exchangedRightly = exchange is not null
            && exchange.BasicCredentials == ClientId + ":" + clientSecret
            && exchange.Values("grant_type").SequenceEqual(["urn:ietf:params:oauth:grant-type:token-exchange"])
            && exchange.Values("subject_token").SequenceEqual([reader["Bearer ".Length..]])
            && exchange.Values("audience").SequenceEqual([UpstreamAudience]);
        Check(
            "tools/call upstream_orders: the caller's token exchanged On-Behalf-Of, the upstream API called with the new one",
            delegated.StatusCode == HttpStatusCode.OK
                && !IsError(result)
                && exchangedRightly
                && Volatile.Read(ref upstreamCalls) == 1
                && text.Contains("upstream book", StringComparison.Ordinal),
            $"{(int)delegated.StatusCode} exchange requests {issuer.TokenRequests.Count}, form fields [{string.Join(", ", exchange?.Form.Select(f => f.Key) ?? [])}], as expected {exchangedRightly}, upstream calls {upstreamCalls}, {result.GetRawText()}");
    }

    // 6. A token from another issuer's key: 401 invalid_token, still pointing at the metadata.
    SigningKey stranger = SigningKey.CreateRsa("not-the-issuers-key");
    string forged = "Bearer " + issuer.CreateToken(resource, (_, p) => p.Set("scope", "read:orders"), stranger);
    using (HttpResponseMessage bad = await PostAsync(forged, CallTool(8, "list_orders", "{}")))
    {
        string challenge = SampleProcess.Challenge(bad);
        Check(
            "a token the issuer did not sign: 401 invalid_token with resource_metadata",
            bad.StatusCode == HttpStatusCode.Unauthorized
                && challenge.StartsWith("Bearer error=\"invalid_token\"", StringComparison.Ordinal)
                && Parameter(challenge, "resource_metadata") == metadataUrl,
            $"{(int)bad.StatusCode} {challenge}");
    }
}

// A JSON-RPC POST as the streamable HTTP transport sends it: JSON in, JSON or an event stream back.
async Task<HttpResponseMessage> PostAsync(string? authorization, string body, string? url = null)
{
    HttpRequestMessage request = new(HttpMethod.Post, new Uri(url ?? resource)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
    request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", ProtocolVersion);
    if (authorization is not null)
    {
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
    }

    using (request)
    {
        return await http.SendAsync(request);
    }
}

WebApplication StartUpstream()
{
    WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    WebApplication app = builder.Build();
    app.Run(async context =>
    {
        bool exchanged = context.Request.Path == "/orders"
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString()), Encoding.UTF8.GetBytes("Bearer " + upstreamToken));
        if (!exchanged)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        Interlocked.Increment(ref upstreamCalls);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("[{\"id\":7,\"items\":\"1 upstream book\"}]");
    });
    app.StartAsync().GetAwaiter().GetResult();
    return app;
}

void Check(string name, bool ok, string detail) => checks.Check(name, ok, detail);

static string Initialize(int id) => Rpc(id, "initialize",
    "{\"protocolVersion\":\"" + ProtocolVersion + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"Auth0.Api.Aot.McpServer.Client\",\"version\":\"1.0.0\"}}");

static string CallTool(int id, string tool, string arguments) => Rpc(id, "tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}");

static string Rpc(int id, string method, string parameters) =>
    "{\"jsonrpc\":\"2.0\",\"id\":" + id.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",\"method\":\"" + method + "\",\"params\":" + parameters + "}";

// The JSON-RPC response with this id, from a JSON body or from the data of an event stream's message events.
static async Task<JsonDocument> RpcResultAsync(HttpResponseMessage response, int id)
{
    string body = await response.Content.ReadAsStringAsync();
    IEnumerable<string> messages = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
        ? body.Split('\n').Where(line => line.StartsWith("data:", StringComparison.Ordinal)).Select(line => line["data:".Length..].Trim())
        : [body];
    foreach (string message in messages)
    {
        JsonDocument document = JsonDocument.Parse(message);
        if (document.RootElement.TryGetProperty("id", out JsonElement answered) && answered.ValueKind == JsonValueKind.Number && answered.GetInt32() == id)
        {
            if (document.RootElement.TryGetProperty("error", out JsonElement error))
            {
                string detail = error.GetRawText();
                document.Dispose();
                throw new InvalidOperationException($"JSON-RPC error for request {id}: {detail}");
            }

            return document;
        }

        document.Dispose();
    }

    throw new InvalidOperationException($"no JSON-RPC response for request {id} in a {(int)response.StatusCode} answer of {body.Length} characters");
}

// A tool result's text: its structured content when it has some, else its text content blocks.
static string ToolText(JsonElement result)
{
    if (result.TryGetProperty("structuredContent", out JsonElement structured))
    {
        return structured.GetRawText();
    }

    StringBuilder text = new();
    foreach (JsonElement block in result.GetProperty("content").EnumerateArray())
    {
        if (block.TryGetProperty("text", out JsonElement value))
        {
            text.Append(value.GetString());
        }
    }

    return text.ToString();
}

static bool IsError(JsonElement result) => result.TryGetProperty("isError", out JsonElement isError) && isError.ValueKind == JsonValueKind.True;

// A challenge parameter's quoted value (the first one), or null.
static string? Parameter(string challenge, string name)
{
    string marker = name + "=\"";
    int start = challenge.IndexOf(marker, StringComparison.Ordinal);
    if (start < 0)
    {
        return null;
    }

    start += marker.Length;
    int end = challenge.IndexOf('"', start);
    return end < 0 ? null : challenge[start..end];
}
