using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Mcd;

/// <summary>
/// Ports of the auth0-api-python _resolve_allowed_domains cases (reference section 11.5) through the real verification
/// path: a token whose <c>iss</c> is the issuer under test is verified, and the allowed list shows in what is accepted and
/// refused. The tenants' JWKS are pinned with StaticJwks and the HttpClient records every request and reaches no host, so
/// each test also shows that no discovery request was made. The static list, the resolver (sync and async) and its
/// validation, with the Python messages.
/// </summary>
public sealed class ResolveAllowedDomainsTests : IDisposable
{
    private const string Tenant1 = "https://tenant1.auth0.com/";
    private const string Tenant2 = "https://tenant2.auth0.com/";
    private const string Tenant3 = "https://tenant3.auth0.com/";

    private static readonly string s_jwks = "{\"keys\":[" + TestKeys.Primary.PublicJwk().ToJson() + "]}";

    private readonly RoutingHandler _routing = new();
    private readonly HttpClient _http;

    public ResolveAllowedDomainsTests()
    {
        _http = _routing.CreateClient();
    }

    public void Dispose()
    {
        _http.Dispose();
        _routing.Dispose();
    }

    /// <summary>A client whose <paramref name="pinned"/> domains have the test key's JWKS: no request is needed to verify their tokens.</summary>
    private ApiClient Client(Action<ApiClientOptions> configure, params string[] pinned)
    {
        ApiClientOptions options = new() { Audience = Harness.Audience, HttpClient = _http };
        configure(options);
        options.StaticJwks = pinned.ToDictionary(domain => domain, _ => s_jwks);
        return new ApiClient(options);
    }

    private ApiClient Resolver(Func<DomainsResolverContext, IReadOnlyList<string>> resolver) =>
        Client(o => o.UseDomainsResolver(resolver), Tenant1, Tenant2, Tenant3);

    /// <summary>A token of <paramref name="issuer"/> signed with the pinned key.</summary>
    private static string Token(string issuer)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        ClaimSet payload = new ClaimSet().Set("iss", issuer).Set("sub", "user_123").Set("aud", Harness.Audience).Set("iat", now).Set("exp", now + 3600);
        return TestKeys.Primary.SignCompact(LocalIssuer.StandardHeader(TestKeys.Primary).ToJson(), payload.ToJson());
    }

    private static async Task AcceptsAsync(ApiClient client, string issuer) =>
        Assert.Equal(issuer, (await client.VerifyAccessTokenAsync(Token(issuer))).Issuer);

    private static async Task<VerifyAccessTokenException> NotAllowedAsync(ApiClient client, string issuer) =>
        await client.RejectsAsync(Token(issuer), VerificationFailure.IssuerNotAllowed, "not in the list of allowed domains");

    private async Task<DomainsResolverException> ResolverFailsAsync(Func<DomainsResolverContext, IReadOnlyList<string>> resolver, string contains)
    {
        using ApiClient client = Resolver(resolver);
        return await ResolverFailsAsync(client, contains);
    }

    private async Task<DomainsResolverException> ResolverFailsAsync(ApiClient client, string contains)
    {
        DomainsResolverException e = await Assert.ThrowsAsync<DomainsResolverException>(async () => await client.VerifyAccessTokenAsync(Token(Tenant1)));
        Assert.Contains(contains, e.Message, StringComparison.Ordinal);
        Assert.Equal(500, e.StatusCode);
        Assert.Equal("domains_resolver_error", e.ErrorCode);

        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(Token(Tenant1));
        Assert.Equal(VerificationFailure.DomainsResolverFailed, result.Failure);
        Assert.Equal(e.Message, result.ErrorDescription);
        Assert.Empty(_routing.Requests);
        return e;
    }

    [Fact]
    public async Task Static_list()
    {
        using ApiClient client = Client(o => o.Domains = ["tenant1.auth0.com", "tenant2.auth0.com"], Tenant1, Tenant2);
        await AcceptsAsync(client, Tenant1);
        await AcceptsAsync(client, Tenant2);
        VerifyAccessTokenException e = await NotAllowedAsync(client, "https://unknown.auth0.com/");
        Assert.Equal("iss", e.Claim);
        Assert.Empty(_routing.Requests);
    }

    [Fact]
    public async Task With_resolver()
    {
        List<string> asked = [];
        using ApiClient client = Resolver(c =>
        {
            asked.Add(c.UnverifiedIssuer);
            return c.UnverifiedIssuer.Contains("tenant1", StringComparison.Ordinal) ? ["tenant1.auth0.com"] : ["tenant2.auth0.com", "tenant3.auth0.com"];
        });
        await AcceptsAsync(client, Tenant1);
        await AcceptsAsync(client, Tenant2);
        await AcceptsAsync(client, Tenant3);
        await NotAllowedAsync(client, "https://tenant4.auth0.com/");

        // Asked on every verification, with the token's normalised issuer (RejectsAsync verifies twice).
        Assert.Equal([Tenant1, Tenant2, Tenant3, "https://tenant4.auth0.com/", "https://tenant4.auth0.com/"], asked);
        Assert.Empty(_routing.Requests);
    }

    [Fact]
    public async Task Resolver_rejects()
    {
        using ApiClient client = Resolver(_ => ["tenant1.auth0.com"]);
        await NotAllowedAsync(client, Tenant2);
        await AcceptsAsync(client, Tenant1);
        Assert.Empty(_routing.Requests);
    }

    [Fact]
    public async Task Resolver_error()
    {
        DomainsResolverException e = await ResolverFailsAsync(_ => throw new InvalidOperationException("Database connection failed"), "Domains resolver function failed");
        Assert.Contains("Database connection failed", e.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(e.InnerException);
    }

    [Fact]
    public async Task Resolver_invalid_return_type_is_a_null_list() =>
        await ResolverFailsAsync(_ => null!, "Domains resolver must return a list");

    [Fact]
    public async Task Resolver_empty_list() =>
        await ResolverFailsAsync(_ => [], "Domains resolver returned an empty list");

    [Fact]
    public async Task Resolver_receives_context()
    {
        DomainsResolverContext? seen = null;
        using ApiClient client = Resolver(c =>
        {
            seen = c;
            return ["tenant1.auth0.com"];
        });
        Dictionary<string, string> headers = new() { ["host"] = "api.example.com", ["user-agent"] = "test" };
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(Token(Tenant1), "https://api.example.com/protected", headers);
        Assert.Equal(Tenant1, claims.Issuer);
        Assert.NotNull(seen);
        Assert.Equal("https://api.example.com/protected", seen.RequestUrl);
        Assert.Equal("api.example.com", seen.RequestHeaders!["host"]);
        Assert.Equal("test", seen.RequestHeaders["User-Agent"]);
        Assert.Equal(Tenant1, seen.UnverifiedIssuer);
    }

    /// <summary>
    /// No allow-list: whatever the token claims, only the configured domain's discovery is requested, and its issuer
    /// decides. The claimed issuer is never contacted.
    /// </summary>
    [Fact]
    public async Task Single_domain_mode()
    {
        await using LocalIssuer issuer = await LocalIssuer.StartAsync(TestKeys.Primary);
        using RoutingHandler routing = new(issuer);
        using HttpClient http = routing.CreateClient();
        using ApiClient client = new(new ApiClientOptions { Domain = issuer.Domain, Audience = Harness.Audience, HttpClient = http });

        await client.RejectsAsync(issuer.CreateToken(Harness.Audience, (_, p) => p.Set("iss", Tenant1)), VerificationFailure.ClaimMismatch, "Token issuer does not match the discovery issuer");
        Assert.Equal([issuer.Issuer + ".well-known/openid-configuration"], routing.Requests.Select(u => u.ToString()));

        Assert.Equal(issuer.Issuer, (await client.VerifyAccessTokenAsync(issuer.CreateToken(Harness.Audience))).Issuer);
        Assert.Equal([issuer.Issuer + ".well-known/openid-configuration", issuer.Issuer + ".well-known/jwks.json"], routing.Requests.Select(u => u.ToString()));
    }

    [Fact]
    public async Task Async_resolver_success()
    {
        using ApiClient client = Client(
            o => o.DomainsResolver = async (_, _) =>
            {
                await Task.Yield();
                return ["tenant1.auth0.com", "tenant2.auth0.com"];
            },
            Tenant1,
            Tenant2,
            Tenant3);
        await AcceptsAsync(client, Tenant1);
        await AcceptsAsync(client, Tenant2);
        await NotAllowedAsync(client, Tenant3);
        Assert.Empty(_routing.Requests);
    }

    [Fact]
    public async Task Async_resolver_error()
    {
        using ApiClient client = Client(
            o => o.DomainsResolver = async (_, _) =>
            {
                await Task.Yield();
                throw new InvalidOperationException("database connection lost");
            },
            Tenant1);
        await ResolverFailsAsync(client, "database connection lost");
    }

    [Theory]
    [InlineData("tenant1.auth0.com", null)]
    [InlineData("", "tenant1.auth0.com")]
    [InlineData("tenant1.auth0.com", "   ")]
    public async Task Resolver_returns_non_string_or_blank_items(string? first, string? second) =>
        await ResolverFailsAsync(_ => new[] { first, second }!, "Domains resolver must return a list of non-empty strings");

    [Theory]
    [InlineData("http://invalid.com", "https required")]
    [InlineData("tenant1.auth0.com/path", "path/query/fragment are not allowed")]
    [InlineData("user:pw@tenant1.auth0.com", "credentials are not allowed")]
    public async Task Resolver_returns_invalid_domain_format(string invalid, string reason)
    {
        DomainsResolverException e = await ResolverFailsAsync(_ => ["tenant1.auth0.com", invalid], "Domains resolver returned invalid domain: ");
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blank_entries_are_reported_before_invalid_ones() =>
        await ResolverFailsAsync(_ => ["http://invalid.com", ""], "Domains resolver must return a list of non-empty strings");

    [Fact]
    public async Task A_list_that_throws_while_read_is_a_resolver_failure() =>
        await ResolverFailsAsync(_ => new ThrowingList(), "Domains resolver function failed: list broke");

    [Fact]
    public async Task A_resolver_answer_is_normalised_like_a_configured_domain()
    {
        using ApiClient client = Resolver(_ => ["  HTTPS://Tenant1.Auth0.COM//  "]);
        await AcceptsAsync(client, Tenant1);
        await NotAllowedAsync(client, Tenant2);
        Assert.Empty(_routing.Requests);
    }

    private sealed class ThrowingList : IReadOnlyList<string>
    {
        public string this[int index] => throw new InvalidOperationException("list broke");

        public int Count => 1;

        public IEnumerator<string> GetEnumerator() => throw new InvalidOperationException("list broke");

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
