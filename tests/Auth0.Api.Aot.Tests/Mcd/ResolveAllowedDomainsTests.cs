using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Tests.Mcd;

/// <summary>
/// Ports of the auth0-api-python _resolve_allowed_domains cases (reference section 11.5) against the same internal
/// step: the static list, the resolver (sync and async) and its validation, with the Python messages. No network.
/// </summary>
public sealed class ResolveAllowedDomainsTests
{
    private const string Tenant1 = "https://tenant1.auth0.com/";
    private const string Tenant2 = "https://tenant2.auth0.com/";

    private static ApiClient Client(Action<ApiClientOptions> configure)
    {
        ApiClientOptions options = new() { Audience = "my-audience" };
        configure(options);
        return new ApiClient(options);
    }

    private static ApiClient Resolver(Func<DomainsResolverContext, IReadOnlyList<string>> resolver) => Client(o => o.UseDomainsResolver(resolver));

    private static async Task<DomainsResolverException> ResolverFailsAsync(ApiClient client, string contains)
    {
        DomainsResolverException e = await Assert.ThrowsAsync<DomainsResolverException>(async () => await client.ResolveAllowedIssuersAsync(Tenant1, null, null));
        Assert.Contains(contains, e.Message, StringComparison.Ordinal);
        Assert.Equal(500, e.StatusCode);
        Assert.Equal("domains_resolver_error", e.ErrorCode);
        return e;
    }

    [Fact]
    public async Task Static_list()
    {
        using ApiClient client = Client(o => o.Domains = ["tenant1.auth0.com", "tenant2.auth0.com"]);
        Assert.Equal([Tenant1, Tenant2], await client.ResolveAllowedIssuersAsync(Tenant1, null, null));
        VerifyAccessTokenException e = await Assert.ThrowsAsync<VerifyAccessTokenException>(async () => await client.ResolveAllowedIssuersAsync("https://unknown.auth0.com/", null, null));
        Assert.Contains("not in the list of allowed domains", e.Message, StringComparison.Ordinal);
        Assert.Equal(VerificationFailure.IssuerNotAllowed, e.Failure);
    }

    [Fact]
    public async Task With_resolver()
    {
        using ApiClient client = Resolver(c => c.UnverifiedIssuer.Contains("tenant1", StringComparison.Ordinal) ? ["tenant1.auth0.com"] : ["tenant2.auth0.com", "tenant3.auth0.com"]);
        Assert.Equal([Tenant1], await client.ResolveAllowedIssuersAsync(Tenant1, null, null));
        Assert.Equal([Tenant2, "https://tenant3.auth0.com/"], await client.ResolveAllowedIssuersAsync(Tenant2, null, null));
    }

    [Fact]
    public async Task Resolver_rejects()
    {
        using ApiClient client = Resolver(_ => ["tenant1.auth0.com"]);
        VerifyAccessTokenException e = await Assert.ThrowsAsync<VerifyAccessTokenException>(async () => await client.ResolveAllowedIssuersAsync(Tenant2, null, null));
        Assert.Contains("not in the list of allowed domains", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolver_error()
    {
        using ApiClient client = Resolver(_ => throw new InvalidOperationException("Database connection failed"));
        DomainsResolverException e = await ResolverFailsAsync(client, "Domains resolver function failed");
        Assert.Contains("Database connection failed", e.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(e.InnerException);
    }

    [Fact]
    public async Task Resolver_invalid_return_type_is_a_null_list() =>
        await ResolverFailsAsync(Resolver(_ => null!), "Domains resolver must return a list");

    [Fact]
    public async Task Resolver_empty_list() =>
        await ResolverFailsAsync(Resolver(_ => []), "Domains resolver returned an empty list");

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
        await client.ResolveAllowedIssuersAsync(Tenant1, "https://api.example.com/protected", headers);
        Assert.NotNull(seen);
        Assert.Equal("https://api.example.com/protected", seen.RequestUrl);
        Assert.Equal("api.example.com", seen.RequestHeaders!["host"]);
        Assert.Equal("test", seen.RequestHeaders["User-Agent"]);
        Assert.Equal(Tenant1, seen.UnverifiedIssuer);
    }

    [Fact]
    public async Task Single_domain_mode()
    {
        using ApiClient client = Client(o => o.Domain = "auth0.local");
        Assert.Null(await client.ResolveAllowedIssuersAsync("https://auth0.local/", null, null));
    }

    [Fact]
    public async Task Async_resolver_success()
    {
        using ApiClient client = Client(o => o.DomainsResolver = async (_, ct) =>
        {
            await Task.Delay(10, ct);
            return ["tenant1.auth0.com", "tenant2.auth0.com"];
        });
        Assert.Equal([Tenant1, Tenant2], await client.ResolveAllowedIssuersAsync(Tenant1, null, null));
    }

    [Fact]
    public async Task Async_resolver_error()
    {
        using ApiClient client = Client(o => o.DomainsResolver = async (_, ct) =>
        {
            await Task.Delay(10, ct);
            throw new InvalidOperationException("database connection lost");
        });
        await ResolverFailsAsync(client, "database connection lost");
    }

    [Theory]
    [InlineData("tenant1.auth0.com", null)]
    [InlineData("", "tenant1.auth0.com")]
    [InlineData("tenant1.auth0.com", "   ")]
    public async Task Resolver_returns_non_string_or_blank_items(string? first, string? second) =>
        await ResolverFailsAsync(Resolver(_ => new[] { first, second }!), "Domains resolver must return a list of non-empty strings");

    [Theory]
    [InlineData("http://invalid.com", "https required")]
    [InlineData("tenant1.auth0.com/path", "path/query/fragment are not allowed")]
    [InlineData("user:pw@tenant1.auth0.com", "credentials are not allowed")]
    public async Task Resolver_returns_invalid_domain_format(string invalid, string reason)
    {
        DomainsResolverException e = await ResolverFailsAsync(Resolver(_ => ["tenant1.auth0.com", invalid]), "Domains resolver returned invalid domain: ");
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blank_entries_are_reported_before_invalid_ones() =>
        await ResolverFailsAsync(Resolver(_ => ["http://invalid.com", ""]), "Domains resolver must return a list of non-empty strings");

    [Fact]
    public async Task A_list_that_throws_while_read_is_a_resolver_failure() =>
        await ResolverFailsAsync(Resolver(_ => new ThrowingList()), "Domains resolver function failed: list broke");

    [Fact]
    public async Task A_resolver_answer_is_normalised_like_a_configured_domain()
    {
        using ApiClient client = Resolver(_ => ["  HTTPS://Tenant1.Auth0.COM//  "]);
        Assert.Equal([Tenant1], await client.ResolveAllowedIssuersAsync(Tenant1, null, null));
    }

    private sealed class ThrowingList : IReadOnlyList<string>
    {
        public string this[int index] => throw new InvalidOperationException("list broke");

        public int Count => 1;

        public IEnumerator<string> GetEnumerator() => throw new InvalidOperationException("list broke");

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
