using System;
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

    // ---- The allocation-free fast path of Matches must agree with the full parser on every input ----

    private static readonly string[] s_corpus =
    [
        "https://api.example.com/resource", "https://api.example.com/resource/", "https://api.example.com/", "https://api.example.com",
        "https://API.example.com/resource", "https://api.example.com/Resource", "http://api.example.com/resource",
        "https://api.example.com:443/resource", "https://api.example.com:8443/resource", "https://api.example.com./resource",
        "https://api.example.com/resource?x=1", "https://api.example.com/resource#f", "https://api.example.com/resource?x#y",
        "https://api.example.com/a/../resource", "https://api.example.com/./resource", "https://api.example.com/a/.", "https://api.example.com/a/..",
        "https://api.example.com/a/%2e%2e/resource", "https://api.example.com/a%20b", "https://api.example.com/a b",
        "https://api.example.com/%7e", "https://api.example.com/~", "https://api.example.com\\resource", "https:api.example.com/resource",
        "https:///api.example.com/resource", "https://user@api.example.com/resource", "https://xn--bcher-kva.example/x", "https://bücher.example/x",
        "https://1.2.3.4/r", "https://0x7f.1/r", "https://127.0.0.1/r", "https://127.1/r", "https://a.1/r", "https://1a.example/r",
        "https://-a.example/r", "https://a-.example/r", "https://a..example/r", "https://[::1]/r", "wss://api.example.com/resource",
        "https://api.example.com/a'b", "https://api.example.com/a^b", "https://api.example.com/a|b", "https://api.example.com/a:b@c",
        "https://api.example.com/a;b=c,d", "https://api.example.com/.well-known/x", "https://api.example.com/a/...", "https://api.example.com/..a",
        " https://api.example.com/resource", "https://api.example.com/resource ", "https://api.exa\tmple.com/resource", "foo://api.example.com/resource",
        "https://api.example.com/r\u00e9", "https://api.example.com/%", "https://api.example.com/a%2Fb", "https://api.example.com/a%2fb",
        "https://" + new string('a', 63) + ".example.com/p", "https://" + new string('a', 64) + ".example.com/p", "https://" + new string('A', 64) + ".example.com/p",
        "https://" + string.Join('.', System.Linq.Enumerable.Repeat(new string('b', 50), 5)) + "/p",
    ];

    public static readonly TheoryData<string> Corpus = new(s_corpus);

    [Theory]
    [MemberData(nameof(Corpus))]
    public void A_url_the_fast_path_accepts_is_its_own_normal_form(string url)
    {
        int end = url.AsSpan().IndexOfAny('?', '#');
        string prefix = end < 0 ? url : url[..end];
        if (HtuNormalizer.IsInNormalForm(prefix))
        {
            Assert.True(HtuNormalizer.TryNormalize(url, out string? normalized));
            Assert.Equal(prefix, normalized);
        }
    }

    [Fact]
    public void Matches_agrees_with_comparing_normal_forms_for_every_pair()
    {
        int fast = 0;
        foreach (string a in s_corpus)
        {
            foreach (string b in s_corpus)
            {
                bool expected = HtuNormalizer.TryNormalize(a, out string? na) && HtuNormalizer.TryNormalize(b, out string? nb) && na == nb;
                Assert.True(expected == HtuNormalizer.Matches(a, b), a + " vs " + b);
                fast += expected && HtuNormalizer.IsInNormalForm(a.Split('?', '#')[0]) ? 1 : 0;
            }
        }

        // The common case (same simple URL on both sides, query or fragment aside) is served by the fast path.
        Assert.True(fast >= 10, fast.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(HtuNormalizer.Matches(null, "https://api.example.com/"));
        Assert.False(HtuNormalizer.Matches("https://api.example.com/", null));
    }

    [Fact]
    public void The_fast_path_allocates_nothing()
    {
        string proof = "https://api.example.com/orders/42";
        string request = "https://api.example.com/orders/42?page=2";
        Assert.True(HtuNormalizer.Matches(proof, request));
        long before = System.GC.GetAllocatedBytesForCurrentThread();
        bool matched = HtuNormalizer.Matches(proof, request);
        Assert.Equal(0, System.GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(matched);
    }
}
