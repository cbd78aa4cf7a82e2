using System;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// What every benchmark class sets up once per benchmark process: a <see cref="LocalIssuer"/> on loopback (HTTPS,
/// discovery + JWKS, a generated 2048-bit RSA key), an <see cref="HttpClient"/> that trusts it, an
/// <see cref="ApiClient"/> whose discovery and JWKS caches are warm, and helpers that mint Auth0-shaped tokens.
/// </summary>
internal sealed class BenchmarkIssuer : IAsyncDisposable
{
    /// <summary>The API identifier: the first <c>aud</c> entry and <see cref="ApiClientOptions.Audience"/>.</summary>
    public const string Audience = "https://api.example.com";

    /// <summary>The second <c>aud</c> entry Auth0 adds when <c>openid</c> is requested.</summary>
    public const string UserInfoAudience = "https://tenant.auth0.com/userinfo";

    public const string Subject = "auth0|65f1c0b8e4a7d3f2a1b0c9d8";

    public const string AuthorizedParty = "xNKxk0dAAv3Vn8MCC2ce7q1jt6Yv3Ln9";

    public const string Scope = "openid profile read:messages";

    private BenchmarkIssuer(LocalIssuer issuer, HttpClient http, ApiClient client)
    {
        Issuer = issuer;
        Http = http;
        Client = client;
        PublicParameters = issuer.Key.Rsa!.ExportParameters(false);
    }

    public LocalIssuer Issuer { get; }

    public HttpClient Http { get; }

    /// <summary>A client with default options except the HTTP client and a one-day cache TTL (see <see cref="StartAsync"/>).</summary>
    public ApiClient Client { get; }

    /// <summary>The public half of the issuer's signing key (modulus and exponent).</summary>
    public RSAParameters PublicParameters { get; }

    public string Kid => Issuer.Key.Kid;

    /// <summary>
    /// Starts the issuer and builds the client. The cache TTL is raised from the default 600 s to a day so that a long
    /// benchmark process never crosses a cache expiry (which would turn one measured call into an HTTPS refetch).
    /// The caches are not warmed here: the caller does it with a token it asserts on. The verified-token cache is off
    /// unless <paramref name="cacheVerifiedTokens"/> says otherwise, so that a benchmark that presents one token again
    /// and again measures a first-seen verification each time (SameTokenAgainBenchmarks measures the cache).
    /// </summary>
    /// <param name="cacheVerifiedTokens">The client's <see cref="ApiClientOptions.VerifiedTokenCache"/>.</param>
    public static async Task<BenchmarkIssuer> StartAsync(bool cacheVerifiedTokens = false)
    {
        LocalIssuer issuer = await LocalIssuer.StartAsync().ConfigureAwait(false);
        HttpClient http = issuer.CreateHttpClient();
        ApiClient client = new(new ApiClientOptions
        {
            Domain = issuer.Domain,
            Audience = Audience,
            HttpClient = http,
            CacheTtl = TimeSpan.FromDays(1),
            VerifiedTokenCache = cacheVerifiedTokens,
        });
        return new BenchmarkIssuer(issuer, http, client);
    }

    /// <summary>
    /// Mints an RS256 token shaped like an Auth0 access token: header alg, typ JWT, kid; payload iss, sub, aud (the API
    /// and the userinfo audience), iat, exp, azp, scope, permissions.
    /// </summary>
    public string CreateAccessToken(DateTimeOffset issuedAt, DateTimeOffset expiresAt) =>
        Issuer.CreateToken(Audience, (_, payload) => payload
            .Set("sub", Subject)
            .Set("aud", new[] { Audience, UserInfoAudience })
            .Set("iat", issuedAt.ToUnixTimeSeconds())
            .Set("exp", expiresAt.ToUnixTimeSeconds())
            .Set("azp", AuthorizedParty)
            .Set("scope", Scope)
            .Set("permissions", new[] { "read:messages", "write:messages" }));

    /// <summary>The same payload under the header <c>{"alg":"none","typ":"JWT"}</c>, with an empty signature.</summary>
    public static string ToAlgNone(string token)
    {
        string[] parts = token.Split('.');
        return System.Buffers.Text.Base64Url.EncodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}"u8) + "." + parts[1] + ".";
    }

    /// <summary>Verifies through <see cref="Client"/>, waiting if the call did not complete synchronously.</summary>
    public AccessTokenResult Verify(string token)
    {
        ValueTask<AccessTokenResult> pending = Client.TryVerifyAccessTokenAsync(token);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// IdentityModel parameters with the checks <see cref="ApiClient"/> makes: issuer, audience, RS256 only, the
    /// issuer's key, lifetime with no clock skew, exp required, signature required.
    /// </summary>
    public TokenValidationParameters CreateValidationParameters() => new()
    {
        ValidateIssuer = true,
        ValidIssuer = Issuer.Issuer,
        ValidateAudience = true,
        ValidAudience = Audience,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        IssuerSigningKey = new RsaSecurityKey(PublicParameters) { KeyId = Kid },
        ValidateIssuerSigningKey = false,
        ValidateLifetime = true,
        ClockSkew = TimeSpan.Zero,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
    };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Http.Dispose();
        await Issuer.DisposeAsync().ConfigureAwait(false);
    }
}
