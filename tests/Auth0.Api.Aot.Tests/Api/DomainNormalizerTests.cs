using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Tests.Api;

/// <summary>Ports of auth0-api-python tests/test_utils.py normalize_domain cases (reference sections 6.1 and 11.11).</summary>
public sealed class DomainNormalizerTests
{
    [Theory]
    [InlineData("tenant.auth0.com", "https://tenant.auth0.com/")]
    [InlineData("https://tenant.auth0.com", "https://tenant.auth0.com/")]
    [InlineData("tenant.auth0.com/", "https://tenant.auth0.com/")]
    [InlineData("https://tenant.auth0.com/", "https://tenant.auth0.com/")]
    [InlineData("TENANT.AUTH0.COM", "https://tenant.auth0.com/")]
    [InlineData("HTTPS://Tenant.Auth0.COM", "https://tenant.auth0.com/")]
    [InlineData("  tenant.auth0.com  ", "https://tenant.auth0.com/")]
    [InlineData("auth.example.com", "https://auth.example.com/")]
    [InlineData("tenant.auth0.com///", "https://tenant.auth0.com/")]
    [InlineData("https://https://x.com", "https://x.com/")]
    [InlineData("tenant.auth0.com:443", "https://tenant.auth0.com:443/")]
    [InlineData("127.0.0.1:8443", "https://127.0.0.1:8443/")]
    [InlineData("x.com//", "https://x.com/")]
    [InlineData("tenant.auth0.com.", "https://tenant.auth0.com./")]
    [InlineData("https://TENANT.auth0.com:8443", "https://tenant.auth0.com:8443/")]
    public void Normalises(string input, string expected)
    {
        Assert.True(DomainNormalizer.TryNormalize(input, out string? normalized, out _));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("http://tenant.auth0.com", "https required")]
    [InlineData("HTTP://tenant.auth0.com", "https required")]
    [InlineData("tenant.auth0.com/some/path", "path/query/fragment are not allowed")]
    [InlineData("tenant.auth0.com?foo=bar", "path/query/fragment are not allowed")]
    [InlineData("tenant.auth0.com#section", "path/query/fragment are not allowed")]
    [InlineData("https://x.com/?", "path/query/fragment are not allowed")]
    [InlineData("x.com/a", "path/query/fragment are not allowed")]
    [InlineData("x.com?q", "path/query/fragment are not allowed")]
    [InlineData("x.com#f", "path/query/fragment are not allowed")]
    [InlineData("https://user@x.com", "credentials are not allowed")]
    [InlineData("ftp://x.com", "path/query/fragment are not allowed")]
    [InlineData("https://x.com/.well-known", "path/query/fragment are not allowed")]
    [InlineData("user:pass@tenant.auth0.com", "credentials are not allowed")]
    [InlineData("", "non-empty string")]
    [InlineData("   ", "non-empty string")]
    [InlineData(null, "non-empty string")]
    [InlineData("tenant\\auth0.com", "invalid host")]
    [InlineData("tenant auth0.com", "invalid host")]
    public void Rejects(string? input, string reason)
    {
        Assert.False(DomainNormalizer.TryNormalize(input, out _, out string? error));
        Assert.Contains(reason, error, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Discovery_url_is_built_from_the_normalised_issuer_only()
    {
        Assert.Equal("https://tenant.auth0.com:8443/.well-known/openid-configuration", DomainNormalizer.DiscoveryUrl(DomainNormalizer.Normalize("TENANT.auth0.com:8443/")));
    }
}
