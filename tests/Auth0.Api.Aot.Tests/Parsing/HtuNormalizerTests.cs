using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Tests.Parsing;

/// <summary>Every row of reference section 5.3 (what a WHATWG parser produces), plus WHATWG rules System.Uri gets wrong.</summary>
public sealed class HtuNormalizerTests
{
    [Theory]
    [InlineData("https://API.EXAMPLE.COM/resource", "https://api.example.com/resource")]
    [InlineData("HTTPS://api.example.com/R", "https://api.example.com/R")]
    [InlineData("https://api.example.com:443/resource", "https://api.example.com/resource")]
    [InlineData("http://api.example.com:80/r", "http://api.example.com/r")]
    [InlineData("https://api.example.com:8443/r", "https://api.example.com:8443/r")]
    [InlineData("https://api.example.com", "https://api.example.com/")]
    [InlineData("https://api.example.com/resource/?abc=def#f", "https://api.example.com/resource/")]
    [InlineData("https://api.example.com/resource/", "https://api.example.com/resource/")]
    [InlineData("https://api.example.com/resource", "https://api.example.com/resource")]
    [InlineData("https://user:pw@api.example.com/r?x#y", "https://api.example.com/r")]
    [InlineData("https://api.example.com/a/../b/./c", "https://api.example.com/b/c")]
    [InlineData("https://api.example.com/a b", "https://api.example.com/a%20b")]
    [InlineData("https://api.example.com/p%2fq%7e", "https://api.example.com/p%2Fq%7E")]
    [InlineData("https://bücher.example/x", "https://xn--bcher-kva.example/x")]
    [InlineData("https://api.example.com./r", "https://api.example.com./r")]
    [InlineData("https://[::1]:443/r", "https://[::1]/r")]
    [InlineData("foo://api.example.com/r", "null/r")]
    public void Reference_table(string input, string expected)
    {
        Assert.True(HtuNormalizer.TryNormalize(input, out string? normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("https:\\\\api.example.com\\a\\b", "https://api.example.com/a/b")]
    [InlineData("https:///api.example.com/x", "https://api.example.com/x")]
    [InlineData("  https://api.example.com/x  ", "https://api.example.com/x")]
    [InlineData("https://api.exa\tmple.com/x\n", "https://api.example.com/x")]
    [InlineData("https://api.example.com/a/%2e%2E/b", "https://api.example.com/b")]
    [InlineData("https://api.example.com/a/..", "https://api.example.com/")]
    [InlineData("https://api.example.com/a/.", "https://api.example.com/a/")]
    [InlineData("https://api.example.com:0443/r", "https://api.example.com/r")]
    [InlineData("https://api.example.com:/r", "https://api.example.com/r")]
    [InlineData("https://api.example.com/\u00e9", "https://api.example.com/%C3%A9")]
    [InlineData("https://api.example.com/a%7b{", "https://api.example.com/a%7B%7B")]
    [InlineData("https://[0:0:0:0:0:0:0:1]/r", "https://[::1]/r")]
    [InlineData("wss://Example.COM:443/socket", "wss://example.com/socket")]
    public void Whatwg_rules_that_system_uri_differs_on(string input, string expected)
    {
        Assert.True(HtuNormalizer.TryNormalize(input, out string? normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("/relative")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("https://")]
    [InlineData("https://api.example.com:99999/r")]
    [InlineData("https://api.example.com:8a/r")]
    [InlineData("https://exa mple.com/r")]
    [InlineData("https://[::1/r")]
    [InlineData("1http://x/")]
    public void Unparseable_urls_never_match(string? input)
    {
        Assert.False(HtuNormalizer.TryNormalize(input, out _));
    }

    [Fact]
    public void A_trailing_slash_and_a_trailing_dot_matter()
    {
        Assert.True(HtuNormalizer.TryNormalize("https://api.example.com/resource/", out string? withSlash));
        Assert.True(HtuNormalizer.TryNormalize("https://api.example.com/resource", out string? without));
        Assert.NotEqual(withSlash, without);
        Assert.True(HtuNormalizer.TryNormalize("https://api.example.com./r", out string? dotted));
        Assert.True(HtuNormalizer.TryNormalize("https://api.example.com/r", out string? plain));
        Assert.NotEqual(dotted, plain);
    }
}
