// Runs samples/Auth0.Api.Aot.MinimalApi against the embedded loopback issuer and checks its answers over real HTTP:
// no tenant, no network beyond 127.0.0.1. The issuer (tests/Auth0.Api.Aot.Testing) mints the tokens; the sample gets
// the issuer's JWKS up front (OfflineJwks), so it makes no outbound request and needs no certificate trust.
//
//   dotnet run --project samples/Auth0.Api.Aot.MinimalApi.Client -c Release [-- <app>]
//
// <app> is the sample's NativeAOT binary (what .ci/run passes) or its .dll; the default is the sample as built beside
// this client. Exits 0 only when every check holds; the app's own log is printed when one does not.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Tasks;
using Auth0.Api.Aot.Samples;
using Auth0.Api.Aot.Testing;

const string Audience = "https://api.example.com";
SampleChecks checks = new();

string appPath = Path.GetFullPath(args.Length > 0 ? args[0] : SampleProcess.RecordedAppPath());
await using LocalIssuer issuer = await LocalIssuer.StartAsync();

// The sample reads its settings from the environment, as it would in a container.
// No PublicOrigin: the loopback origin is not the API's (https://api.example.com, which resource_metadata names), so the
// sample checks htu against the Host header and warns about it at startup (a deployment sets Auth0Api__PublicOrigin).
using SampleProcess app = SampleProcess.Start(appPath, (_, environment) =>
{
    environment["Auth0Api__Domain"] = issuer.Domain;
    environment["Auth0Api__Audience"] = Audience;
    environment["Auth0Api__DPoPNonceKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    environment["OfflineJwks"] = issuer.JwksJson();

    // The library's metrics and traces through OpenTelemetry's console exporter, checked after the requests.
    environment["Telemetry__Console"] = "true";
});
string origin = app.Origin;

Console.WriteLine($"Local issuer: {issuer.Issuer}");
Console.WriteLine($"Sample:       {appPath} (pid {app.Id}) on {origin}");
using HttpClient http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(origin), Timeout = TimeSpan.FromSeconds(15) };
return await app.RunChecksAsync(http, "/.well-known/oauth-protected-resource", checks, "MinimalApi sample", RunChecksAsync);

async Task RunChecksAsync()
{
    // 1. No token: 401 offering both schemes, each pointing at the RFC 9728 metadata, which a client then reads.
    using (HttpResponseMessage none = await http.SendAsync(Request("/me")))
    {
        string challenge = Challenge(none);

        // RFC 9728 section 3.1: the metadata URL is the resource identifier (the audience, an https URL) with the
        // well-known path inserted. That host is not this loopback server, so the document is read from the app itself.
        const string MetadataPath = "/.well-known/oauth-protected-resource";
        Check(
            "no token: 401 with the Bearer and DPoP challenges",
            none.StatusCode == HttpStatusCode.Unauthorized
                && challenge.StartsWith("Bearer realm=\"api\"", StringComparison.Ordinal)
                && challenge.Contains(", DPoP algs=\"ES256\"", StringComparison.Ordinal)
                && challenge.Contains("resource_metadata=\"" + Audience + MetadataPath + "\"", StringComparison.Ordinal),
            $"{(int)none.StatusCode} {challenge}");

        using JsonDocument metadata = JsonDocument.Parse(await http.GetStringAsync(new Uri(origin + MetadataPath)));
        JsonElement root = metadata.RootElement;
        Check(
            "protected resource metadata names the issuer and the audience",
            root.GetProperty("resource").GetString() == Audience
                && root.GetProperty("authorization_servers")[0].GetString() == issuer.Issuer
                && root.GetProperty("scopes_supported")[0].GetString() == "read:orders",
            root.GetRawText());
    }

    // 2. A Bearer token with the scope.
    string reader = issuer.CreateToken(Audience, (_, p) => p.Set("sub", "auth0|reader").Set("scope", "read:orders"));
    using (HttpResponseMessage bearer = await http.SendAsync(Request("/orders", "Bearer " + reader)))
    {
        string body = await bearer.Content.ReadAsStringAsync();
        Check("Bearer token with read:orders: 200", bearer.StatusCode == HttpStatusCode.OK && body.Contains("\"auth0|reader\"", StringComparison.Ordinal), $"{(int)bearer.StatusCode} {body}");
    }

    // 3. A Bearer token without it: 403, and the challenge names the missing scope.
    string other = issuer.CreateToken(Audience, (_, p) => p.Set("scope", "read:profile"));
    using (HttpResponseMessage forbidden = await http.SendAsync(Request("/orders", "Bearer " + other)))
    {
        string challenge = Challenge(forbidden);
        string error = await ProblemErrorAsync(forbidden);
        Check(
            "wrong scope: 403 insufficient_scope naming read:orders",
            forbidden.StatusCode == HttpStatusCode.Forbidden
                && challenge.StartsWith("Bearer error=\"insufficient_scope\"", StringComparison.Ordinal)
                && challenge.Contains("scope=\"read:orders\"", StringComparison.Ordinal)
                && error == "insufficient_scope",
            $"{(int)forbidden.StatusCode} {challenge} {error}");
    }

    // 3b. A token with the scope but without a claim OrderClaims requires (sub): 401 invalid_token naming it.
    string anonymousReader = issuer.CreateToken(Audience, (_, p) => p.Remove("sub").Set("scope", "read:orders"));
    using (HttpResponseMessage unfit = await http.SendAsync(Request("/orders", "Bearer " + anonymousReader)))
    {
        string challenge = Challenge(unfit);
        Check(
            "typed claims: a token without sub is 401 invalid_token naming it",
            unfit.StatusCode == HttpStatusCode.Unauthorized
                && challenge.StartsWith("Bearer error=\"invalid_token\", error_description=\"Missing required claim: sub\"", StringComparison.Ordinal),
            $"{(int)unfit.StatusCode} {challenge}");
    }

    // 4. DPoP: a token bound to the client's key (cnf.jkt). The first proof has no nonce: 401 use_dpop_nonce with a
    //    DPoP-Nonce header; the retry, whose proof carries that nonce, is 200.
    SigningKey proofKey = SigningKey.CreateEc("client-proof-key");
    string bound = issuer.CreateToken(Audience, (_, p) => p
        .Set("sub", "auth0|dpop-client")
        .Set("scope", "read:orders")
        .Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(proofKey))));
    string ordersUrl = origin + "/orders";
    string? nonce = null;
    using (HttpResponseMessage first = await http.SendAsync(Request("/orders", "DPoP " + bound, DPoPProofs.Create(proofKey, bound, "GET", ordersUrl, DateTimeOffset.UtcNow))))
    {
        nonce = first.Headers.TryGetValues("DPoP-Nonce", out IEnumerable<string>? values) ? values.Single() : null;
        string challenge = Challenge(first);
        Check(
            "DPoP without a nonce: 401 use_dpop_nonce with DPoP-Nonce",
            first.StatusCode == HttpStatusCode.Unauthorized && nonce is { Length: > 0 } && challenge.Contains("DPoP error=\"use_dpop_nonce\"", StringComparison.Ordinal),
            $"{(int)first.StatusCode} {challenge}");
    }

    using (HttpResponseMessage retry = await http.SendAsync(Request("/orders", "DPoP " + bound, DPoPProofs.Create(proofKey, bound, "GET", ordersUrl, DateTimeOffset.UtcNow, (_, p) => p.Set("nonce", nonce ?? string.Empty)))))
    {
        Check("DPoP retry with the nonce: 200", retry.StatusCode == HttpStatusCode.OK, $"{(int)retry.StatusCode} {Challenge(retry)}");
    }

    // 5. DPoP from then on: a fresh proof for each request, with the nonce the client holds.
    using (HttpResponseMessage me = await http.SendAsync(Request("/me", "DPoP " + bound, DPoPProofs.Create(proofKey, bound, "GET", origin + "/me", DateTimeOffset.UtcNow, (_, p) => p.Set("nonce", nonce ?? string.Empty)))))
    {
        string body = await me.Content.ReadAsStringAsync();
        Check("DPoP request: 200, authenticated as dpop", me.StatusCode == HttpStatusCode.OK && body.Contains("\"scheme\":\"dpop\"", StringComparison.Ordinal), $"{(int)me.StatusCode} {body}");
    }

    // 6. A proof made for another method (htm POST, sent with GET): 400 invalid_dpop_proof.
    string wrongMethod = DPoPProofs.Create(proofKey, bound, "POST", ordersUrl, DateTimeOffset.UtcNow, (_, p) => p.Set("nonce", nonce ?? string.Empty));
    using (HttpResponseMessage bad = await http.SendAsync(Request("/orders", "DPoP " + bound, wrongMethod)))
    {
        string challenge = Challenge(bad);
        string error = await ProblemErrorAsync(bad);
        Check(
            "bad proof: 400 invalid_dpop_proof",
            bad.StatusCode == HttpStatusCode.BadRequest && challenge.Contains("DPoP error=\"invalid_dpop_proof\"", StringComparison.Ordinal) && error == "invalid_dpop_proof",
            $"{(int)bad.StatusCode} {challenge} {error}");
    }

    // 7. OpenTelemetry (Telemetry__Console=true): the verification counter is exported (every 2 s) and verifications
    // are traced, and nothing the client sent (a token, a proof, a signature) is in what was exported.
    bool counted = await app.WaitForOutputAsync("auth0.api.verifications", TimeSpan.FromSeconds(20));
    bool traced = await app.WaitForOutputAsync("auth0.verify", TimeSpan.FromSeconds(5));
    Check("telemetry: the verifications counter and the verification spans are exported", counted && traced, $"counter {counted}, span {traced}");
    string[] sent = [.. new[] { reader, other, anonymousReader, bound, wrongMethod }.SelectMany(credential => credential.Split('.')).Where(part => part.Length >= 16)];
    string? leaked = app.FirstOutputLineContainingAny(sent);
    Check("telemetry and logs hold no token, proof or signature", leaked is null, leaked is null ? "none" : "a line holds a credential");
}

void Check(string name, bool ok, string detail) => checks.Check(name, ok, detail);

static HttpRequestMessage Request(string path, string? authorization = null, string? dpop = null)
{
    HttpRequestMessage request = new(HttpMethod.Get, new Uri(path, UriKind.Relative));
    if (authorization is not null)
    {
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
    }

    if (dpop is not null)
    {
        request.Headers.TryAddWithoutValidation("DPoP", dpop);
    }

    return request;
}

static string Challenge(HttpResponseMessage response) => SampleProcess.Challenge(response);

// The OAuth error code of an application/problem+json body.
static async Task<string> ProblemErrorAsync(HttpResponseMessage response)
{
    if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
    {
        return "(no problem body)";
    }

    using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    return problem.RootElement.TryGetProperty("error", out JsonElement error) ? error.GetString() ?? string.Empty : "(no error member)";
}
