using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Tests.Api;

/// <summary>Ports of auth0-api-python tests/test_api_client.py construction cases (reference section 11.1) and the .NET options.</summary>
public sealed class ConstructionTests
{
    [Fact]
    public void Init_missing_args()
    {
        Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = string.Empty, Audience = "my-audience" }));
        Assert.Throws<MissingRequiredArgumentException>(() => new ApiClient(new ApiClientOptions { Domain = "auth0.local", Audience = string.Empty }));
    }

    [Fact]
    public void Missing_audience_is_MissingRequiredArgument_with_python_message()
    {
        MissingRequiredArgumentException e = Assert.Throws<MissingRequiredArgumentException>(() => new ApiClient(new ApiClientOptions { Domain = "auth0.local" }));
        Assert.Equal("The argument 'audience' is required but was not provided.", e.Message);
        Assert.Equal("audience", e.Argument);
        Assert.Equal("invalid_request", e.ErrorCode);
        Assert.Equal(400, e.StatusCode);
    }

    [Fact]
    public void Missing_domain_and_domains()
    {
        ConfigurationException e = Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Audience = "a" }));
        Assert.Equal("Must provide either 'domain' or 'domains' parameter. Use 'domain' for single-domain mode, 'domains' for multi-domain support.", e.Message);
        Assert.Equal("invalid_configuration", e.ErrorCode);
        Assert.Equal(500, e.StatusCode);
    }

    [Fact]
    public void Domain_only()
    {
        using ApiClient client = new(new ApiClientOptions { Domain = "auth0.local", Audience = "a" });
        Assert.Equal("auth0.local", client.Domain);
        Assert.Null(client.AllowedIssuers);
        Assert.Equal("https://auth0.local/", client.DomainIssuer);
    }

    [Fact]
    public void Domains_list_is_normalised()
    {
        using ApiClient client = new(new ApiClientOptions { Domains = ["tenant1.auth0.com", "TENANT2.AUTH0.COM", "https://tenant3.auth0.com/"], Audience = "a" });
        Assert.Equal(["https://tenant1.auth0.com/", "https://tenant2.auth0.com/", "https://tenant3.auth0.com/"], client.AllowedIssuers);
    }

    [Fact]
    public void Domain_and_domains_hybrid()
    {
        using ApiClient client = new(new ApiClientOptions { Domain = "auth0.local", Domains = ["tenant1.auth0.com"], Audience = "a" });
        Assert.Equal("auth0.local", client.Domain);
        Assert.Equal(["https://tenant1.auth0.com/"], client.AllowedIssuers);
    }

    [Fact]
    public void Empty_domains_list()
    {
        ConfigurationException e = Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domains = [], Audience = "a" }));
        Assert.Equal("domains list cannot be empty", e.Message);
    }

    [Theory]
    [InlineData("tenant.auth0.com", "")]
    [InlineData("   ", "tenant.auth0.com")]
    [InlineData(null, "tenant.auth0.com")]
    public void Domains_with_blank_entries(string? first, string? second)
    {
        string?[] domains = [first, second];
        ConfigurationException e = Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domains = domains!, Audience = "a" }));
        Assert.Equal("domains list must contain only non-empty strings", e.Message);
    }

    [Theory]
    [InlineData("http://tenant.auth0.com", "https required")]
    [InlineData("tenant.auth0.com/path", "path/query/fragment are not allowed")]
    [InlineData("user:pass@tenant.auth0.com", "credentials are not allowed")]
    public void Invalid_domains_entry_is_ConfigurationException_not_raw(string domain, string reason)
    {
        ConfigurationException e = Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domains = [domain], Audience = "a" }));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Client_id_requires_domain()
    {
        ConfigurationException e = Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domains = ["t.auth0.com"], ClientId = "cid", Audience = "a" }));
        Assert.Equal("The 'domain' parameter is required when 'client_id' is configured.", e.Message);
        using ApiClient withDomain = new(new ApiClientOptions { Domain = "auth0.local", Domains = ["t.auth0.com"], ClientId = "cid", Audience = "a" });
        using ApiClient withoutClientId = new(new ApiClientOptions { Domains = ["t.auth0.com"], Audience = "a" });
        Assert.Equal("cid", withDomain.ClientId);
        Assert.Null(withoutClientId.ClientId);
    }

    [Fact]
    public void Domains_resolver_is_stored_and_alone_satisfies_domain_or_domains()
    {
        DomainsResolver resolver = (_, _) => new ValueTask<IReadOnlyList<string>>(new[] { "t.auth0.com" });
        using ApiClient client = new(new ApiClientOptions { DomainsResolver = resolver, Audience = "a" });
        Assert.Same(resolver, client.Resolver);
        Assert.Null(client.AllowedIssuers);
        Assert.Null(client.Domain);
    }

    [Fact]
    public async Task Sync_resolver_overload_is_wrapped()
    {
        // The domain's JWKS is pinned: the token verifies through the wrapped resolver's answer without any request.
        ApiClientOptions options = new()
        {
            Audience = "a",
            StaticJwks = new Dictionary<string, string> { ["t.auth0.com"] = "{\"keys\":[" + Support.TestKeys.Primary.PublicJwk().ToJson() + "]}" },
        };
        List<string> asked = [];
        options.UseDomainsResolver(c =>
        {
            asked.Add(c.UnverifiedIssuer);
            return [c.UnverifiedIssuer];
        });
        using ApiClient client = new(options);
        Assert.NotNull(client.Resolver);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string payload = new Testing.ClaimSet().Set("iss", "https://t.auth0.com/").Set("sub", "s").Set("aud", "a").Set("iat", now).Set("exp", now + 3600).ToJson();
        string token = Support.TestKeys.Primary.SignCompact(Testing.LocalIssuer.StandardHeader(Support.TestKeys.Primary).ToJson(), payload);
        Assert.Equal("https://t.auth0.com/", (await client.VerifyAccessTokenAsync(token)).Issuer);
        Assert.Equal(["https://t.auth0.com/"], asked);
        Assert.Throws<ArgumentNullException>("resolver", () => options.UseDomainsResolver(null!));
    }

    [Fact]
    public void Domains_and_resolver_together_is_a_configuration_error()
    {
        ConfigurationException e = Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions
        {
            Domains = ["t.auth0.com"],
            DomainsResolver = (_, _) => new ValueTask<IReadOnlyList<string>>(new[] { "t.auth0.com" }),
            Audience = "a",
        }));
        Assert.Equal("Set either 'Domains' (a static list) or 'DomainsResolver', not both", e.Message);
    }

    [Fact]
    public void Client_id_requires_domain_with_a_resolver_too()
    {
        DomainsResolver resolver = (_, _) => new ValueTask<IReadOnlyList<string>>(new[] { "t.auth0.com" });
        ConfigurationException e = Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { DomainsResolver = resolver, ClientId = "cid", Audience = "a" }));
        Assert.Equal("The 'domain' parameter is required when 'client_id' is configured.", e.Message);
        using ApiClient hybrid = new(new ApiClientOptions { Domain = "auth0.local", DomainsResolver = resolver, ClientId = "cid", Audience = "a" });
        Assert.Equal("auth0.local", hybrid.Domain);
        Assert.Same(resolver, hybrid.Resolver);
    }

    [Fact]
    public void Cache_configuration_validation()
    {
        Assert.Equal("CacheTtl must be a non-negative duration",
            Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d", Audience = "a", CacheTtl = TimeSpan.FromSeconds(-1) })).Message);
        foreach (int max in new[] { 0, 1, -5 })
        {
            Assert.Equal("CacheMaxEntries must be an integer greater than 1",
                Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d", Audience = "a", CacheMaxEntries = max })).Message);
        }

        using ApiClient client = new(new ApiClientOptions { Domain = "d", Audience = "a", CacheTtl = TimeSpan.Zero, CacheMaxEntries = 2 });
        Assert.Equal(TimeSpan.Zero, client.CacheTtl);
    }

    [Fact]
    public void Cache_max_entries_applies_to_both_caches()
    {
        using ApiClient two = new(new ApiClientOptions { Domain = "d", Audience = "a", CacheMaxEntries = 2 });
        Assert.Equal(2, two.Keys.Discovery.MaxEntries);
        Assert.Equal(2, two.Keys.Jwks.MaxEntries);
        using ApiClient defaults = new(new ApiClientOptions { Domain = "d", Audience = "a" });
        Assert.Equal(100, defaults.Keys.Discovery.MaxEntries);
        Assert.Equal(100, defaults.Keys.Jwks.MaxEntries);
    }

    [Theory]
    [InlineData("https://tenant.auth0.com/", "https://tenant.auth0.com/")]
    [InlineData("https://tenant.auth0.com", "https://tenant.auth0.com/")]
    [InlineData("TENANT.auth0.com/", "https://tenant.auth0.com/")]
    public void Domain_is_normalised_like_domains(string domain, string expected)
    {
        using ApiClient client = new(new ApiClientOptions { Domain = domain, Audience = "a" });
        Assert.Equal(expected, client.DomainIssuer);
    }

    [Theory]
    [InlineData("http://tenant.auth0.com")]
    [InlineData("tenant.auth0.com/path")]
    [InlineData("user@tenant.auth0.com")]
    [InlineData("tenant auth0.com")]
    public void Invalid_domain_is_ConfigurationException(string domain)
    {
        ConfigurationException e = Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = domain, Audience = "a" }));
        Assert.StartsWith("Invalid 'domain': invalid domain URL", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_are_snapshotted()
    {
        ApiClientOptions options = new() { Domain = "first.auth0.com", Audience = "a" };
        using ApiClient client = new(options);
        options.Domain = "second.auth0.com";
        options.Audience = "b";
        Assert.Equal("https://first.auth0.com/", client.DomainIssuer);
        Assert.Equal("a", client.Audience);
    }

    [Fact]
    public void Null_options_throw_ArgumentNull()
    {
        Assert.Throws<ArgumentNullException>("options", () => new ApiClient(null!));
    }

    [Theory]
    [InlineData(SigningAlgorithms.None)]
    [InlineData(SigningAlgorithms.ES512)]
    [InlineData(SigningAlgorithms.RS256 | SigningAlgorithms.ES512)]
    [InlineData((SigningAlgorithms)(1 << 20))]
    public void Access_token_algorithms_outside_the_table_are_refused(SigningAlgorithms algorithms)
    {
        Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d", Audience = "a", AccessTokenAlgorithms = algorithms }));
    }

    [Fact]
    public void Other_options_are_validated()
    {
        Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d", Audience = "a", Timeout = TimeSpan.Zero }));
        Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d", Audience = "a", ClockSkew = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d", Audience = "a", MaxTokenLength = 10 }));
        using ApiClient client = new(new ApiClientOptions { Domain = "d", Audience = "a", Timeout = TimeSpan.FromSeconds(3) });
        Assert.Equal(TimeSpan.FromSeconds(3), client.Timeout);
    }

    [Fact]
    public void Defaults_match_the_python_sdk()
    {
        ApiClientOptions options = new();
        Assert.Equal(TimeSpan.FromSeconds(600), options.CacheTtl);
        Assert.Equal(100, options.CacheMaxEntries);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Equal(TimeSpan.Zero, options.ClockSkew);
        Assert.Equal(16 * 1024, options.MaxTokenLength);
        Assert.Equal(SigningAlgorithms.RS256, options.AccessTokenAlgorithms);
        Assert.Equal("RS256 PS256", JwsAlgorithm.FormatNames(SigningAlgorithms.PS256 | SigningAlgorithms.RS256));
    }

    [Fact]
    public void A_cache_signing_key_must_be_at_least_32_bytes()
    {
        ConfigurationException e = Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d", Audience = "a", CacheSigningKey = new byte[31] }));
        Assert.Equal("CacheSigningKey must be at least 32 bytes", e.Message);
        using ApiClient client = new(new ApiClientOptions { Domain = "d", Audience = "a", CacheSigningKey = new byte[32] });
        Assert.Equal("d", client.Domain);
    }
}
