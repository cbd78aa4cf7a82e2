// The demo: an embedded OpenID provider on loopback (HTTPS, discovery + JWKS, generated RSA key), a token minted
// by it, verified through Auth0.Api.Aot, then tampered tokens rejected. No Auth0 tenant and no network beyond
// 127.0.0.1. Exits non-zero if any outcome is not the expected one.

using System;
using System.Net.Http;
using System.Threading.Tasks;
using Auth0.Api.Aot;
using Auth0.Api.Aot.Testing;

const string Audience = "https://api.example.com";

await using LocalIssuer issuer = await LocalIssuer.StartAsync();
using HttpClient http = issuer.CreateHttpClient();
using ApiClient client = new(new ApiClientOptions
{
    Domain = issuer.Domain,
    Audience = Audience,
    HttpClient = http, // trusts the local issuer's self-signed certificate
});

Console.WriteLine($"Local issuer:  {issuer.Issuer}  (discovery + JWKS on loopback, key '{issuer.Key.Kid}')");

string token = issuer.CreateToken(Audience, (_, payload) => payload
    .Set("sub", "auth0|demo-user")
    .Set("azp", "demo-client")
    .Set("scope", "read:messages write:messages")
    .Set("permissions", new[] { "read:messages", "write:messages" })
    .Set("https://example.com/roles", new[] { "admin" }));

Console.WriteLine();
Console.WriteLine("1. A valid token");
AccessTokenClaims claims = await client.VerifyAccessTokenAsync(token);
Console.WriteLine($"   iss         {claims.Issuer}");
Console.WriteLine($"   sub         {claims.Subject}");
Console.WriteLine($"   aud         {string.Join(", ", claims.Audience)}");
Console.WriteLine($"   azp         {claims.AuthorizedParty}");
Console.WriteLine($"   scopes      {string.Join(", ", claims.Scopes)}");
Console.WriteLine($"   permissions {string.Join(", ", claims.Permissions)}");
Console.WriteLine($"   roles       {(claims.TryGetClaim("https://example.com/roles", out var roles) ? roles.GetRawText() : "-")}");
Console.WriteLine($"   issued      {claims.IssuedAt:u}");
Console.WriteLine($"   expires     {claims.ExpiresAt:u}");
Console.WriteLine($"   (HTTP requests to the issuer so far: {issuer.TotalRequests}: discovery and JWKS, now cached)");

int failures = 0;

Console.WriteLine();
Console.WriteLine("2. The same token with its payload changed (sub -> auth0|attacker), signature kept");
string[] parts = token.Split('.');
string forgedPayload = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(
    System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])).Replace("auth0|demo-user", "auth0|attacker", StringComparison.Ordinal)));
failures += await ExpectRejectedAsync(client, parts[0] + "." + forgedPayload + "." + parts[2], VerificationFailure.SignatureInvalid);

Console.WriteLine();
Console.WriteLine("3. An unsigned token (alg: none)");
string unsigned = System.Buffers.Text.Base64Url.EncodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}"u8) + "." + parts[1] + ".";
failures += await ExpectRejectedAsync(client, unsigned, VerificationFailure.AlgorithmNotAllowed);

Console.WriteLine();
Console.WriteLine("4. An expired token, through the non-throwing API");
string expired = issuer.CreateToken(Audience, (_, payload) => payload.Set("exp", DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds()));
AccessTokenResult result = await client.TryVerifyAccessTokenAsync(expired);
Console.WriteLine($"   valid={result.IsValid} failure={result.Failure} description=\"{result.ErrorDescription}\"");
failures += result.Failure == VerificationFailure.Expired ? 0 : 1;

Console.WriteLine();
Console.WriteLine("5. The same valid token, read into a generated typed claims class, then authorization checks");
DemoClaims typed = await client.VerifyAccessTokenAsync<DemoClaims>(token);
Console.WriteLine($"   Subject={typed.Subject} Scopes=[{string.Join(", ", typed.Scopes)}] Roles=[{string.Join(", ", typed.Roles ?? [])}]");
ClaimChecks.RequireAllScopes(typed.Scopes, "read:messages");
Console.WriteLine("   scope read:messages: granted");
try
{
    claims.RequireAllScopes("delete:messages");
    Console.WriteLine("   scope delete:messages: GRANTED (unexpected)");
    failures++;
}
catch (InsufficientScopeException e)
{
    Console.WriteLine($"   scope delete:messages: refused, HTTP {e.StatusCode} {e.ErrorCode}: {e.Headers["WWW-Authenticate"]}");
}

Console.WriteLine();
Console.WriteLine(failures == 0 ? "Demo finished: every outcome was as expected." : $"Demo FAILED: {failures} unexpected outcome(s).");
return failures == 0 ? 0 : 1;

static async Task<int> ExpectRejectedAsync(ApiClient client, string token, VerificationFailure expected)
{
    try
    {
        await client.VerifyAccessTokenAsync(token);
        Console.WriteLine("   ACCEPTED (unexpected)");
        return 1;
    }
    catch (VerifyAccessTokenException e)
    {
        Console.WriteLine($"   rejected: {e.ErrorCode} (HTTP {e.StatusCode}), failure {e.Failure}");
        Console.WriteLine($"   WWW-Authenticate: {e.Headers["WWW-Authenticate"]}");
        return e.Failure == expected ? 0 : 1;
    }
}

/// <summary>The claims this API reads, checked and typed by the generated reader (no reflection).</summary>
[AccessTokenClaims]
internal sealed partial class DemoClaims
{
    [Claim("sub")]
    public required string Subject { get; init; }

    [Claim("scope", SpaceDelimited = true)]
    public required string[] Scopes { get; init; }

    [Claim("https://example.com/roles")]
    public string[]? Roles { get; init; }
}
