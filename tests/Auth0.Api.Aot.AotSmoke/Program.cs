// NativeAOT smoke test: verifies real tokens end to end (HTTPS discovery + JWKS on loopback, RSA and ECDSA signatures,
// source-generated JSON) inside a NativeAOT binary, and checks that bad tokens are refused with the right failure.
// The last section starts a redis-server of its own (from PATH) on a free loopback port and runs two instances over
// the Redis replay store and document cache (Auth0.Api.Aot.Redis, StackExchange.Redis). Exits 0 only when every
// check holds.

using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading.Tasks;
using Auth0.Api.Aot;
using Auth0.Api.Aot.Redis;
using Auth0.Api.Aot.Testing;
using StackExchange.Redis;

const string Audience = "https://aot-smoke.example.com";
int passed = 0;
int failed = 0;

void Check(string name, bool ok, string detail)
{
    Console.WriteLine($"{(ok ? "PASS" : "FAIL")}  {name}{(ok ? string.Empty : "  -- " + detail)}");
    if (ok)
    {
        passed++;
    }
    else
    {
        failed++;
    }
}

Console.WriteLine($"Native AOT: {!System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported}");

await using (LocalIssuer issuer = await LocalIssuer.StartAsync())
{
    using HttpClient http = issuer.CreateHttpClient();
    using ApiClient client = new(new ApiClientOptions { Domain = issuer.Domain, Audience = Audience, HttpClient = http });

    string token = issuer.CreateToken(Audience, (_, p) => p.Set("sub", "auth0|aot").Set("permissions", new[] { "read:all" }));
    AccessTokenResult valid = await client.TryVerifyAccessTokenAsync(token, ["permissions"]);
    Check("RS256 token verifies", valid.IsValid && valid.Claims.Subject == "auth0|aot" && valid.Claims.Permissions.Count == 1, valid.ErrorDescription);
    Check("discovery and JWKS fetched once", issuer.DiscoveryRequests == 1 && issuer.JwksRequests == 1, $"{issuer.DiscoveryRequests}/{issuer.JwksRequests}");

    AccessTokenClaims again = await client.VerifyAccessTokenAsync(token);
    Check("throwing API returns claims", again.Issuer == issuer.Issuer, again.Issuer);

    string[] parts = token.Split('.');
    string tampered = parts[0] + "." + parts[1][..^2] + (parts[1][^2] == 'A' ? "B" : "A") + parts[1][^1] + "." + parts[2];
    AccessTokenResult forged = await client.TryVerifyAccessTokenAsync(tampered);
    Check("tampered payload refused", forged.Failure is VerificationFailure.SignatureInvalid or VerificationFailure.MalformedToken, forged.Failure.ToString());

    string none = System.Buffers.Text.Base64Url.EncodeToString("{\"alg\":\"none\",\"kid\":\"local-key-1\"}"u8) + "." + parts[1] + ".";
    Check("alg none refused", (await client.TryVerifyAccessTokenAsync(none)).Failure == VerificationFailure.AlgorithmNotAllowed, "accepted");

    string expired = issuer.CreateToken(Audience, (_, p) => p.Set("exp", DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds()));
    Check("expired token refused", (await client.TryVerifyAccessTokenAsync(expired)).Failure == VerificationFailure.Expired, "accepted");

    SigningKey proofKey = SigningKey.CreateEc("proof");
    string bound = issuer.CreateToken(Audience, (_, p) => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(proofKey))));
    const string ResourceUrl = "https://api.example.com/orders/42";
    RequestVerificationResult dpop = await client.TryVerifyRequestAsync("DPoP " + bound, DPoPProofs.Create(proofKey, bound, "POST", ResourceUrl, DateTimeOffset.UtcNow), "POST", ResourceUrl);
    Check("DPoP request verifies (proof, htu, ath, cnf.jkt)", dpop.IsValid, dpop.Error?.Message ?? string.Empty);

    using (NSec.Cryptography.Key edKey = Ed25519Proofs.NewKey())
    {
        using ApiClient edClient = new(new ApiClientOptions
        {
            Domain = issuer.Domain,
            Audience = Audience,
            HttpClient = http,
            DPoPAlgorithms = SigningAlgorithms.EdDSA,
            Ed25519Provider = Auth0.Api.Aot.Sodium.SodiumEd25519.Instance,
        });
        string edBound = issuer.CreateToken(Audience, (_, p) => p.Set("cnf", new ClaimSet().Set("jkt", Ed25519Proofs.Thumbprint(edKey))));
        RequestVerificationResult ed = await edClient.TryVerifyRequestAsync("DPoP " + edBound, Ed25519Proofs.Create(edKey, edBound, "GET", ResourceUrl, DateTimeOffset.UtcNow), "GET", ResourceUrl);
        Check("EdDSA DPoP request verifies (libsodium through NSec)", ed.IsValid, ed.Error?.Message ?? string.Empty);
        RequestVerificationResult edForged = await edClient.TryVerifyRequestAsync("DPoP " + edBound, Ed25519Proofs.Create(edKey, edBound, "GET", ResourceUrl, DateTimeOffset.UtcNow, signWith: Ed25519Proofs.NewKey()), "GET", ResourceUrl);
        Check("EdDSA proof signed by another key refused", edForged.Error is InvalidDPoPProofException, edForged.Error?.Message ?? "accepted");
    }

    ApiClientOptions resolved = new() { Audience = Audience, HttpClient = http };
    resolved.UseDomainsResolver(context => context.RequestHeaders?["x-tenant"] == "aot" ? [issuer.Domain] : ["other.example.com"]);
    using (ApiClient resolverClient = new(resolved))
    {
        string plain = issuer.CreateToken(Audience);
        RequestVerificationResult allowed = await resolverClient.TryVerifyRequestAsync(new Dictionary<string, string> { ["Authorization"] = "Bearer " + plain, ["X-Tenant"] = "aot" }, "GET", ResourceUrl);
        RequestVerificationResult refused = await resolverClient.TryVerifyRequestAsync(new Dictionary<string, string> { ["Authorization"] = "Bearer " + plain, ["X-Tenant"] = "else" }, "GET", ResourceUrl);
        Check("domains resolver allows and refuses per request", allowed.IsValid && refused.Error is VerifyAccessTokenException { Failure: VerificationFailure.IssuerNotAllowed }, allowed.Error?.Message ?? refused.Error?.Message ?? "accepted");
    }

    SmokeClaims typed = await client.VerifyAccessTokenAsync<SmokeClaims>(issuer.CreateToken(Audience, (_, p) => p.Set("sub", "auth0|typed").Set("scope", "read:a write:b")));
    Check("generated typed claims read (static abstract, no reflection)", typed.Subject == "auth0|typed" && typed.Scopes.Length == 2 && typed.ExpiresAt > DateTimeOffset.UtcNow, typed.Subject);
    try
    {
        ClaimChecks.RequireAllScopes(typed.Scopes, "admin");
        Check("missing scope is 403", false, "granted");
    }
    catch (InsufficientScopeException e)
    {
        Check("missing scope is 403 insufficient_scope", e.StatusCode == 403 && e.Headers["WWW-Authenticate"].Contains("scope=\"admin\"", StringComparison.Ordinal), e.Message);
    }

    using (ApiClient confidential = new(new ApiClientOptions { Domain = issuer.Domain, Audience = Audience, HttpClient = http, ClientId = "aot-client", ClientSecret = "aot-secret" }))
    {
        OnBehalfOfTokenResult downstream = await confidential.GetTokenOnBehalfOfAsync(issuer.CreateToken(Audience), "https://downstream.example.com", "read:a");
        TokenRequest sent = issuer.TokenRequests.TryPeek(out TokenRequest? first) ? first : throw new InvalidOperationException("no token request");
        Check("On-Behalf-Of exchange (form body, Basic auth, JSON answer)", downstream.AccessToken == "t" && sent.BasicCredentials == "aot-client:aot-secret" && sent.Values("audience").Count == 1, downstream.AccessToken);
    }

    RequestVerificationResult downgrade = await client.TryVerifyRequestAsync("Bearer " + bound, null, "POST", ResourceUrl);
    Check("DPoP-bound token as Bearer refused", downgrade.Error?.Headers["WWW-Authenticate"].Contains("not Bearer", StringComparison.Ordinal) == true, downgrade.Error?.Message ?? "accepted");

    try
    {
        await client.VerifyAccessTokenAsync(issuer.CreateToken("https://other.example.com"));
        Check("wrong audience throws", false, "accepted");
    }
    catch (VerifyAccessTokenException e)
    {
        Check("wrong audience throws with challenge", e.Headers["WWW-Authenticate"].StartsWith("Bearer error=\"invalid_token\"", StringComparison.Ordinal), e.Message);
    }
}

await using (LocalIssuer ecIssuer = await LocalIssuer.StartAsync(SigningKey.CreateEc("ec-1", "ES256")))
{
    using HttpClient http = ecIssuer.CreateHttpClient();
    using ApiClient client = new(new ApiClientOptions { Domain = ecIssuer.Domain, Audience = Audience, HttpClient = http, AccessTokenAlgorithms = SigningAlgorithms.ES256 });
    AccessTokenResult result = await client.TryVerifyAccessTokenAsync(ecIssuer.CreateToken(Audience));
    Check("ES256 token verifies (opt-in)", result.IsValid, result.ErrorDescription);
}

await using (LocalIssuer issuer = await LocalIssuer.StartAsync())
await using (RedisServer redis = await RedisServer.StartAsync())
{
    using HttpClient http = issuer.CreateHttpClient();
    using ConnectionMultiplexer first = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
    using ConnectionMultiplexer second = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
    // Generous timeouts (real time, including the wait for a thread-pool thread): a loaded CI machine must not turn a
    // prompt answer into a 503. The killed server below is not waited for: a disconnected multiplexer fails at once.
    TimeSpan generous = TimeSpan.FromSeconds(5);
    RedisDPoPReplayStore firstStore = new(first, new RedisDPoPReplayStoreOptions { Audience = Audience, Timeout = generous });
    using ApiClient one = new(new ApiClientOptions { Domain = issuer.Domain, Audience = Audience, HttpClient = http, DPoPReplayStore = firstStore, Cache = new RedisCacheAdapter(first, new RedisCacheAdapterOptions { Timeout = generous }) });
    using ApiClient two = new(new ApiClientOptions { Domain = issuer.Domain, Audience = Audience, HttpClient = http, DPoPReplayStore = new RedisDPoPReplayStore(second, new RedisDPoPReplayStoreOptions { Audience = Audience, Timeout = generous }), Cache = new RedisCacheAdapter(second, new RedisCacheAdapterOptions { Timeout = generous }) });
    SigningKey proofKey = SigningKey.CreateEc("redis-proof");
    string bound = issuer.CreateToken(Audience, (_, p) => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(proofKey))));
    const string ResourceUrl = "https://api.example.com/orders/42";
    string proof = DPoPProofs.Create(proofKey, bound, "GET", ResourceUrl, DateTimeOffset.UtcNow);
    RequestVerificationResult accepted = await one.TryVerifyRequestAsync("DPoP " + bound, proof, "GET", ResourceUrl);
    RequestVerificationResult replayed = await two.TryVerifyRequestAsync("DPoP " + bound, proof, "GET", ResourceUrl);
    Check("Redis: a proof accepted by one instance is a replay on the other", accepted.IsValid && replayed.Failure == VerificationFailure.ProofReplayed, accepted.Error?.Message ?? replayed.Failure.ToString());
    Check("Redis: the document cache makes two instances fetch the JWKS once", issuer.DiscoveryRequests == 1 && issuer.JwksRequests == 1, $"{issuer.DiscoveryRequests}/{issuer.JwksRequests}");

    await redis.KillAsync();
    RequestVerificationResult down = await one.TryVerifyRequestAsync("DPoP " + bound, DPoPProofs.Create(proofKey, bound, "GET", ResourceUrl, DateTimeOffset.UtcNow), "GET", ResourceUrl);
    Check("Redis: killed, the replay store fails closed with 503", down.Failure == VerificationFailure.ProofReplayStoreUnavailable && down.StatusCode == 503 && firstStore.Mode == RedisReplayMode.Unavailable, down.Failure.ToString());
}

Console.WriteLine($"AOT smoke: {passed} passed, {failed} failed");
return failed == 0 && passed > 0 ? 0 : 1;

/// <summary>A generated typed claims class, read under NativeAOT.</summary>
[AccessTokenClaims]
internal sealed partial class SmokeClaims
{
    [Claim("sub")]
    public required string Subject { get; init; }

    [Claim("scope", SpaceDelimited = true)]
    public required string[] Scopes { get; init; }

    [Claim("exp")]
    public required DateTimeOffset ExpiresAt { get; init; }
}
