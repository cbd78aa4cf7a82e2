// A fresh consumer of the four packages, as a user would write one (docs/packaging.md, "The fresh-consumer check"):
// a token verified with seeded keys (Auth0.Api.Aot), typed claims read by the generator that the package carries as an
// analyzer, the Ed25519 provider (Auth0.Api.Aot.Sodium, its native libsodium included) registered and checked against
// RFC 8032's first test vector, the ASP.NET Core handler (Auth0.Api.Aot.AspNetCore) answering 200 and 401 over real
// HTTP on loopback, and the Redis registration (Auth0.Api.Aot.Redis) validated without connecting. Exits 0 when every
// check holds, 1 with the first that does not. No network beyond 127.0.0.1. Built for net10.0 by .ci/run, and for
// net8.0 too by tests/Packaging/check-images.sh (ConsumerTargetFramework), where the Sodium package, which targets
// net10.0 only, is left out.
using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Auth0.Api.Aot;
using Auth0.Api.Aot.AspNetCore;
using Auth0.Api.Aot.Redis;
#if NET10_0_OR_GREATER
using Auth0.Api.Aot.Sodium;
#endif
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

const string Domain = "issuer.example";
const string Audience = "https://api.example.com";

using RSA rsa = RSA.Create(2048);
RSAParameters publicKey = rsa.ExportParameters(includePrivateParameters: false);
string jwks = "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"consumer-key\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\""
    + Base64UrlOf(publicKey.Modulus!) + "\",\"e\":\"" + Base64UrlOf(publicKey.Exponent!) + "\"}]}";
long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
string token = Sign(rsa, "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"consumer-key\"}",
    "{\"iss\":\"https://" + Domain + "/\",\"sub\":\"auth0|consumer\",\"aud\":\"" + Audience + "\",\"iat\":" + now
    + ",\"exp\":" + (now + 3600) + ",\"scope\":\"read:orders write:orders\"}");
Dictionary<string, string> seeded = new() { [Domain] = jwks };

// 1. The core package: a token verified with seeded keys, no discovery or JWKS request.
using (ApiClient client = new(new ApiClientOptions { Domain = Domain, Audience = Audience, StaticJwks = seeded }))
{
    AccessTokenClaims claims = await client.VerifyAccessTokenAsync(token);
    Check(claims.Subject == "auth0|consumer", "the token's subject");

    // 2. The generator, run by this build from the package's analyzers folder.
    OrderClaims order = await client.VerifyAccessTokenAsync<OrderClaims>(token);
    Check(order.Subject == "auth0|consumer" && order.Scopes is ["read:orders", "write:orders"], "the typed claims");
    AccessTokenResult forged = await client.TryVerifyAccessTokenAsync(token[..^2] + (token[^2] == 'A' ? "BA" : "AA"));
    Check(!forged.IsValid && forged.Failure == VerificationFailure.SignatureInvalid, "a forged signature refused");
    Console.WriteLine("core: token verified with seeded keys, typed claims generated, forgery refused");
}

#if NET10_0_OR_GREATER
// 3. The Sodium package: the provider registered for EdDSA proofs, and libsodium verifying RFC 8032 7.1 TEST 1.
using (ApiClient client = new(new ApiClientOptions
{
    Domain = Domain,
    Audience = Audience,
    StaticJwks = seeded,
    DPoPAlgorithms = SigningAlgorithms.ES256 | SigningAlgorithms.EdDSA,
    Ed25519Provider = SodiumEd25519.Instance,
}))
{
    Check(SodiumEd25519.Instance.TryImportPublicKey(Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"), out IEd25519PublicKey? ed25519), "the RFC 8032 public key imported");
    byte[] signature = Convert.FromHexString("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    Check(ed25519!.Verify([], signature), "the RFC 8032 signature verified");
    signature[0] ^= 1;
    Check(!ed25519.Verify([], signature), "a changed RFC 8032 signature refused");
    Check((await client.VerifyAccessTokenAsync(token)).Subject == "auth0|consumer", "a token verified by a client with the Ed25519 provider");
    Console.WriteLine("sodium: Ed25519 provider registered, RFC 8032 vector verified");
}
#endif

// 4. The ASP.NET Core package: AddAuth0Api on real Kestrel, on a free loopback port.
WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Services.AddAuthentication(Auth0ApiDefaults.AuthenticationScheme)
    .AddAuth0Api(options =>
    {
        options.Client.Domain = Domain;
        options.Client.Audience = Audience;
        options.Client.StaticJwks = seeded;
    });
builder.Services.AddAuthorization();
await using (WebApplication app = builder.Build())
{
    app.UseAuthentication();
    app.UseAuthorization();
    app.MapGet("/me", (HttpContext context) => context.GetAccessTokenClaims<OrderClaims>().Subject).RequireAuthorization();
    await app.StartAsync();
    Uri address = new(new List<string>(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses)[0]);
    using HttpClient http = new() { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    using HttpRequestMessage authorised = new(HttpMethod.Get, "/me") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
    using HttpResponseMessage ok = await http.SendAsync(authorised);
    Check(ok.StatusCode == HttpStatusCode.OK && await ok.Content.ReadAsStringAsync() == "auth0|consumer", "GET /me with the token: 200 and the subject");
    using HttpResponseMessage refused = await http.GetAsync(new Uri("/me", UriKind.Relative));
    Check(refused.StatusCode == HttpStatusCode.Unauthorized && refused.Headers.WwwAuthenticate.ToString().StartsWith("Bearer", StringComparison.Ordinal), "GET /me without a token: 401 with a Bearer challenge");
    await app.StopAsync();
    Console.WriteLine("aspnetcore: AddAuth0Api answered 200 with the token and 401 without, over HTTP");
}

// 5. The Redis package: AddAuth0ApiRedis registered and its scheme check passed; nothing connects until the scheme's
// options are first read.
ServiceCollection services = new();
services.AddLogging();
services.AddAuthentication(Auth0ApiDefaults.AuthenticationScheme)
    .AddAuth0Api(options =>
    {
        options.Client.Domain = Domain;
        options.Client.Audience = Audience;
    })
    .AddAuth0ApiRedis("127.0.0.1:6379", redis => redis.ReplayStore.Timeout = TimeSpan.FromMilliseconds(250));
await using (ServiceProvider provider = services.BuildServiceProvider())
{
    AuthenticationOptions authentication = provider.GetRequiredService<IOptions<AuthenticationOptions>>().Value;
    Check(authentication.DefaultScheme == Auth0ApiDefaults.AuthenticationScheme, "the Auth0 scheme registered beside Redis");
    Console.WriteLine("redis: AddAuth0ApiRedis registered and validated, not connected");
}

#if NET10_0_OR_GREATER
Console.WriteLine("fresh consumer: every package installed and ran");
#else
Console.WriteLine("fresh consumer: every package but Auth0.Api.Aot.Sodium (net10.0 only) installed and ran");
#endif
return 0;

static string Sign(RSA key, string header, string payload)
{
    string input = Base64UrlOf(Encoding.UTF8.GetBytes(header)) + "." + Base64UrlOf(Encoding.UTF8.GetBytes(payload));
    byte[] signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    return input + "." + Base64UrlOf(signature);
}

// Base64url without padding (RFC 7515), written out so that the same source builds for net8.0, which has no Base64Url.
static string Base64UrlOf(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

static void Check(bool condition, string what)
{
    if (!condition)
    {
        Console.Error.WriteLine("fresh consumer check failed: " + what);
        Environment.Exit(1);
    }
}

/// <summary>Typed claims: the package's generator writes the reader for this class when this project builds.</summary>
[AccessTokenClaims]
internal sealed partial class OrderClaims
{
    [Claim("sub")] public required string Subject { get; init; }
    [Claim("scope", SpaceDelimited = true)] public required string[] Scopes { get; init; }
}
