using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
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
            Assert.True(HtuNormalizer.TryNormalizeForComparison(url, out string? comparable));
            Assert.Equal(prefix, comparable);
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
                bool expected = HtuNormalizer.TryNormalizeForComparison(a, out string? na) && HtuNormalizer.TryNormalizeForComparison(b, out string? nb) && na == nb;
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

    // ---- tests/Fixtures/Htu/htu-corpus.json: expectations made by a WHATWG parser (Node.js URL; see generate.mjs) ----

    public static TheoryData<string> FixtureInputs()
    {
        TheoryData<string> data = [];
        foreach (HtuFixtureRow row in HtuFixture.Rows)
        {
            data.Add(row.Input);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FixtureInputs))]
    public void Every_fixture_row_normalises_as_the_whatwg_parser_does(string input)
    {
        HtuFixtureRow row = HtuFixture.Row(input);
        bool parsed = HtuNormalizer.TryNormalize(input, out string? normalized);
        bool compared = HtuNormalizer.TryNormalizeForComparison(input, out string? comparable);
        if (row.Normalized is null)
        {
            Assert.False(parsed, "Node.js refused " + input + " but the normaliser gave " + normalized);
            Assert.False(compared);
            Assert.False(HtuNormalizer.Matches(input, input));
        }
        else
        {
            Assert.True(parsed, "Node.js parsed " + input + " as " + row.Whatwg);
            Assert.Equal(row.Normalized, normalized);
            Assert.True(compared);
            Assert.Equal(row.Comparable, comparable);
            Assert.True(HtuNormalizer.Matches(input, input));
        }
    }

    [Fact]
    public void Every_fixture_pair_matches_as_rfc_3986_normalisation_says()
    {
        Assert.NotEmpty(HtuFixture.Pairs);
        foreach ((string a, string b, bool match) in HtuFixture.Pairs)
        {
            Assert.True(match == HtuNormalizer.Matches(a, b), a + " vs " + b);
            Assert.True(match == HtuNormalizer.Matches(b, a), b + " vs " + a);
        }
    }

    [Fact]
    public void Matches_agrees_with_the_fixture_for_every_pair_of_rows()
    {
        int matched = 0;
        foreach (HtuFixtureRow a in HtuFixture.Rows)
        {
            foreach (HtuFixtureRow b in HtuFixture.Rows)
            {
                bool expected = a.Comparable is not null && a.Comparable == b.Comparable;
                Assert.True(expected == HtuNormalizer.Matches(a.Input, b.Input), a.Input + " vs " + b.Input);
                matched += expected ? 1 : 0;
            }
        }

        // More than the diagonal: rows that differ as text and are the same resource.
        Assert.True(matched > HtuFixture.Rows.Count, matched.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    // Node.js 20's URL (ada 2.9.2) leaves dot segments after a segment that starts with '.', and gives a non-special
    // URL ending in "/.." an empty path; the URL Standard's path state (and RFC 3986 5.2.4) resolve them as below.
    // These rows are kept out of the generated fixture and checked here against the Standard.
    [Theory]
    [InlineData("https://api.example.com/a/.b/../c", "https://api.example.com/a/c")]
    [InlineData("https://api.example.com/a/.b/./c", "https://api.example.com/a/.b/c")]
    [InlineData("foo://api.example.com/..", "null/")]
    public void Dot_segments_where_node_20_departs_from_the_standard(string input, string expected)
    {
        Assert.True(HtuNormalizer.TryNormalize(input, out string? normalized));
        Assert.Equal(expected, normalized);
    }

    [Fact]
    public void A_normalised_url_costs_only_its_string()
    {
        string input = "HTTPS://API.Example.COM:443/a/../orders/%7e42?page=2";
        Assert.True(HtuNormalizer.TryNormalizeForComparison(input, out string? warm));
        long before = System.GC.GetAllocatedBytesForCurrentThread();
        bool parsed = HtuNormalizer.TryNormalizeForComparison(input, out string? normalized);
        long allocated = System.GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(parsed);
        Assert.NotNull(normalized);
        Assert.Equal("https://api.example.com/orders/~42", normalized);
        Assert.Equal(warm, normalized);
        Assert.True(allocated <= 32 + (2 * normalized.Length), allocated.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("https://api.example.com/%7E", "https://api.example.com/~")]
    [InlineData("https://api.example.com/%7e", "https://api.example.com/~")]
    [InlineData("https://api.example.com/a%2D%2e%5F%41%7a", "https://api.example.com/a-._Az")]
    [InlineData("https://api.example.com/a%2fb", "https://api.example.com/a%2Fb")]
    [InlineData("https://127.1/r", "https://127.0.0.1/r")]
    [InlineData("https://0x7f.1/r", "https://127.0.0.1/r")]
    [InlineData("https://2130706433/r", "https://127.0.0.1/r")]
    [InlineData("https://0177.0.0.1/r", "https://127.0.0.1/r")]
    public void Rfc_3986_equivalent_urls_match(string proof, string request)
    {
        Assert.True(HtuNormalizer.Matches(proof, request));
        Assert.True(HtuNormalizer.Matches(request, proof));
    }

    [Theory]
    [InlineData("https://api.example.com/a%2Fb", "https://api.example.com/a/b")]
    [InlineData("https://api.example.com/a%3Fb", "https://api.example.com/a?b")]
    [InlineData("https://api.example.com/p%257E", "https://api.example.com/p~")]
    [InlineData("https://127.1/r", "https://127.0.0.2/r")]
    [InlineData("https://a.1/r", "https://a.1/r")]
    public void Reserved_escapes_and_invalid_hosts_do_not_match(string proof, string request)
    {
        Assert.False(HtuNormalizer.Matches(proof, request));
    }

    [Fact]
    public void No_input_throws()
    {
        // Attacker text: every fixture row cut at every length, and with one character replaced by a character that
        // steers the parser, at every position.
        char[] steering = ['%', '.', ':', '/', '\\', '[', ']', '@', '?', '#', '0', 'x', 'f', '~', '^', ' ', '\t', '\u00e9', '\ud800', '\udc00', '\u3002'];
        int parsed = 0;
        foreach (HtuFixtureRow row in HtuFixture.Rows)
        {
            string input = row.Input;
            for (int i = 0; i <= input.Length; i++)
            {
                parsed += Normalizes(input[..i]);
                foreach (char c in steering)
                {
                    parsed += i < input.Length ? Normalizes(string.Concat(input.AsSpan(0, i), [c], input.AsSpan(i + 1))) : Normalizes(input + c);
                }
            }
        }

        Assert.True(parsed > 1000, parsed.ToString(System.Globalization.CultureInfo.InvariantCulture));

        static int Normalizes(string url)
        {
            bool matched = HtuNormalizer.Matches(url, "https://127.0.0.1/r");
            return HtuNormalizer.TryNormalize(url, out _) | HtuNormalizer.TryNormalizeForComparison(url, out _) | matched ? 1 : 0;
        }
    }

    [Fact]
    public void Huge_numbers_and_long_inputs_are_refused_without_overflow()
    {
        Assert.False(HtuNormalizer.TryNormalize("https://" + new string('9', 5000) + "/r", out _));
        Assert.False(HtuNormalizer.TryNormalize("https://0x" + new string('f', 5000) + "/r", out _));
        Assert.False(HtuNormalizer.TryNormalize("https://api.example.com:" + new string('9', 5000) + "/r", out _));
        Assert.True(HtuNormalizer.TryNormalize("https://0x" + new string('0', 5000) + "7f.1/r", out string? padded));
        Assert.Equal("https://127.0.0.1/r", padded);
        Assert.True(HtuNormalizer.TryNormalize("https://api.example.com/" + new string('\u00e9', 5000), out string? escaped));
        Assert.Equal(24 + (5000 * 6), escaped.Length);
        Assert.False(HtuNormalizer.TryNormalize("https://api.example.com/" + new string('a', HtuNormalizer.MaxUrlLength), out _));
        Assert.True(HtuNormalizer.TryNormalize("https://api.example.com/" + new string('a', HtuNormalizer.MaxUrlLength - 24), out _));
    }
}

/// <summary>
/// tests/Fixtures/Htu/htu-corpus.json, copied to the test output: inputs and what Node.js's WHATWG <c>URL</c> made of
/// them (see generate.mjs beside it). Read with <see cref="JsonDocument"/>: reflection-based serialization is off here.
/// </summary>
internal static class HtuFixture
{
    private static readonly Lazy<(List<HtuFixtureRow> Rows, List<(string A, string B, bool Match)> Pairs)> s_fixture = new(Load);

    public static IReadOnlyList<HtuFixtureRow> Rows => s_fixture.Value.Rows;

    public static IReadOnlyList<(string A, string B, bool Match)> Pairs => s_fixture.Value.Pairs;

    public static HtuFixtureRow Row(string input)
    {
        foreach (HtuFixtureRow row in Rows)
        {
            if (row.Input == input)
            {
                return row;
            }
        }

        throw new InvalidOperationException("No fixture row for " + input);
    }

    private static (List<HtuFixtureRow>, List<(string, string, bool)>) Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Htu", "htu-corpus.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        List<HtuFixtureRow> rows = [];
        foreach (JsonElement row in document.RootElement.GetProperty("rows").EnumerateArray())
        {
            rows.Add(new HtuFixtureRow(
                row.GetProperty("input").GetString()!,
                row.GetProperty("whatwg").GetString(),
                row.GetProperty("normalized").GetString(),
                row.GetProperty("comparable").GetString()));
        }

        List<(string, string, bool)> pairs = [];
        foreach (JsonElement pair in document.RootElement.GetProperty("pairs").EnumerateArray())
        {
            pairs.Add((pair.GetProperty("a").GetString()!, pair.GetProperty("b").GetString()!, pair.GetProperty("match").GetBoolean()));
        }

        return (rows, pairs);
    }
}

/// <summary>One row of the htu fixture; the three values are null where Node.js's <c>URL</c> refused the input.</summary>
internal sealed record HtuFixtureRow(string Input, string? Whatwg, string? Normalized, string? Comparable);
