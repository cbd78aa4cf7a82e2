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

    // ---- A '%' that starts no escape (fuzz/findings/htu): it is a '%' of its own, never part of an escape ----

    [Theory]
    [InlineData("https://h/a%2%46", "https://h/a%2F")]
    [InlineData("https://h/a%2%46", "https://h/a/")]
    [InlineData("https://h/a%5%66", "https://h/a%5f")]
    [InlineData("https://h/a%5%66", "https://h/a_")]
    [InlineData("https://h/a%%32%46", "https://h/a%2F")]
    [InlineData("https://h/a%", "https://h/a%25")]
    [InlineData("https://h/a%zz", "https://h/a%25zz")]
    [InlineData("https://h/a%2", "https://h/a%252")]
    public void A_stray_percent_does_not_match_an_escape(string proof, string request)
    {
        Assert.False(HtuNormalizer.Matches(proof, request));
        Assert.False(HtuNormalizer.Matches(request, proof));
    }

    [Theory]
    [InlineData("https://h/a%2%46", "https://h/a%%32F")]
    [InlineData("https://h/a%4%46", "https://h/a%%34%46")]
    [InlineData("https://h/a%5%66", "https://h/a%5%66")]
    [InlineData("https://h/%%7e", "https://h/%~")]
    [InlineData("https://h/%%41%42", "https://h/%%41B")]
    [InlineData("https://h/a%", "https://h/a%")]
    public void A_stray_percent_matches_the_same_characters_written_otherwise(string proof, string request)
    {
        Assert.True(HtuNormalizer.Matches(proof, request));
        Assert.True(HtuNormalizer.Matches(request, proof));
    }

    // The form keeps a stray '%' as it is; a hex digit right after it that a second hex digit follows is written as its
    // escape, so that on reading the form again the '%' still starts no escape.
    [Theory]
    [InlineData("https://h/a%2%46", "https://h/a%%32F")]
    [InlineData("https://h/a%5%66", "https://h/a%%35f")]
    [InlineData("https://h/a%5f", "https://h/a_")]
    [InlineData("https://h/a%2F", "https://h/a%2F")]
    [InlineData("https://h/%%41%42", "https://h/%%41B")]
    [InlineData("https://h/%%34", "https://h/%4")]
    [InlineData("https://h/%", "https://h/%")]
    [InlineData("https://h/%zz%4", "https://h/%zz%4")]
    [InlineData("https://h/%%7e", "https://h/%~")]
    [InlineData("https://h/%%%", "https://h/%%%")]
    [InlineData("https://h/%4%4%4", "https://h/%4%4%4")]
    [InlineData("https://h/%%34%34%34", "https://h/%%3444")]
    [InlineData("https://h/%^1", "https://h/%%5E1")]
    public void The_comparison_form_of_a_stray_percent(string url, string expected)
    {
        Assert.True(HtuNormalizer.TryNormalizeForComparison(url, out string? comparable));
        Assert.Equal(expected, comparable);
    }

    // The inputs of fuzz/findings/htu, each file read as the htu target reads it: UTF-8 (invalid bytes as U+FFFD), the
    // proof's htu up to the first newline and the request URL after it.
    private static readonly Dictionary<string, (string Htu, string? Url)> s_fuzzFindings = new()
    {
        ["stray-percent-afl-1"] = (
            "https://h\ufffd\u007f$443@\ufffd`\ufffd\ufffd\ufffdt`s:/ api%%%%%%a%43@\ufffd`\ufffd\ufffd\ufffdt`s:/ api%%%%%%a%\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\u0000@\ufffd.m/a^b",
            "h\ufffdtps://api."),
        ["stray-percent-afl-2"] = (
            "https://api.ple.com/a%5pi.p}%%%%%%%666666\u0001664h\ufffd\u001bps:A/tps:66666666a\u0001~ds.0le.co\ufffd\ufffdhttps:+/a//%om/g%5pi.p}%%%%%%%%%%%7e%%%%%%%%%%%%",
            null),
        ["stray-percent-afl-3"] = (
            "http:https://d.plehls://apI8\ufffdze\u001ccom/a%5%66666/\u0000\u0000\ufffd\u0000.ple5/ap\u0005\ufffd\ufffd\u0005pme/apiJple.com/",
            null),
        ["stray-percent-false-match"] = ("https://h/a%2%46", "https://h/a%2F"),
        ["stray-percent-minimal"] = ("https://h/a%5%66", "https://h/a%5f"),
    };

    [Theory]
    [InlineData("stray-percent-afl-1")]
    [InlineData("stray-percent-afl-2")]
    [InlineData("stray-percent-afl-3")]
    [InlineData("stray-percent-false-match")]
    [InlineData("stray-percent-minimal")]
    public void Each_fuzz_finding_has_a_stable_form_and_matches_only_by_it(string finding)
    {
        (string htu, string? url) = s_fuzzFindings[finding];
        string? left = AssertStableForm(htu);
        string? right = url is null ? null : AssertStableForm(url);
        Assert.Equal(left is not null && left == right, HtuNormalizer.Matches(htu, url));
        if (url is not null)
        {
            Assert.True(!HtuNormalizer.Matches(htu, url) || DecodedPath(htu) == DecodedPath(url), htu + " vs " + url);
        }
    }

    public static TheoryData<string> StableFormCorpus()
    {
        HashSet<string> urls = new(s_corpus, StringComparer.Ordinal);
        foreach (HtuFixtureRow row in HtuFixture.Rows)
        {
            urls.Add(row.Input);
        }

        return new TheoryData<string>(urls);
    }

    [Theory]
    [MemberData(nameof(StableFormCorpus))]
    public void The_comparison_form_is_its_own_comparison_form(string url) => AssertStableForm(url);

    // Random paths over an alphabet that makes stray '%' signs, escapes of hex digits and of '/', and dot segments. The
    // seed is fixed, so every run checks the same paths.
    [Fact]
    public void Random_paths_match_only_when_their_decoded_bytes_are_equal()
    {
        const string Alphabet = "%%%%a/~2F5f46Ee";
        Random random = new(20261201);
        Dictionary<string, string> firstByForm = new(StringComparer.Ordinal);
        int matched = 0;
        for (int n = 0; n < 20_000; n++)
        {
            char[] path = new char[random.Next(1, 11)];
            for (int i = 0; i < path.Length; i++)
            {
                path[i] = Alphabet[random.Next(Alphabet.Length)];
            }

            string url = "https://h/" + new string(path);
            string form = AssertStableForm(url)!;

            // An equivalent spelling, or not: one character written as its escape, or one escape as its character.
            string other = "https://h/" + Respell(new string(path), random);
            AssertStableForm(other);
            if (HtuNormalizer.Matches(url, other))
            {
                matched++;
                Assert.True(DecodedPath(url) == DecodedPath(other), url + " vs " + other);
            }

            // Every earlier path with the same form matches this one and decodes to the same bytes.
            if (firstByForm.TryGetValue(form, out string? first))
            {
                Assert.True(HtuNormalizer.Matches(first, url), first + " vs " + url);
                Assert.True(DecodedPath(first) == DecodedPath(url), first + " vs " + url);
            }
            else
            {
                firstByForm.Add(form, url);
            }
        }

        Assert.True(matched > 1000, matched.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(firstByForm.Count < 20_000);

        static string Respell(string path, Random random)
        {
            int at = random.Next(path.Length);
            if (path[at] == '%' && at + 2 < path.Length && Uri.IsHexDigit(path[at + 1]) && Uri.IsHexDigit(path[at + 2]))
            {
                char decoded = (char)Convert.ToByte(path.Substring(at + 1, 2), 16);
                return string.Concat(path.AsSpan(0, at), [decoded], path.AsSpan(at + 3));
            }

            string escape = random.Next(2) == 0 ? ((int)path[at]).ToString("X2", System.Globalization.CultureInfo.InvariantCulture) : ((int)path[at]).ToString("x2", System.Globalization.CultureInfo.InvariantCulture);
            return string.Concat(path.AsSpan(0, at), "%" + escape, path.AsSpan(at + 1));
        }
    }

    /// <summary>Asserts that the comparison form of <paramref name="url"/>, if any, is its own comparison form.</summary>
    private static string? AssertStableForm(string url)
    {
        bool compared = HtuNormalizer.TryNormalizeForComparison(url, out string? form);
        Assert.Equal(HtuNormalizer.TryNormalize(url, out _), compared);
        if (!compared || form!.StartsWith("null", StringComparison.Ordinal))
        {
            // A non-special URL's form has the opaque origin "null", which does not parse again.
            return form;
        }

        Assert.True(HtuNormalizer.TryNormalizeForComparison(form, out string? again), form);
        Assert.Equal(form, again);
        return form;
    }

    /// <summary>
    /// The plain normal form's origin, then its path percent-decoded as the URL Standard decodes (a '%' + two hex digits
    /// is that byte, any other character, a '%' that starts no escape included, itself: the normal form is ASCII), in hex; null if it does not
    /// parse. Two URLs that match are the same bytes by this reading (the converse does not hold: %2F is not '/').
    /// </summary>
    private static string? DecodedPath(string url)
    {
        if (!HtuNormalizer.TryNormalize(url, out string? normalized))
        {
            return null;
        }

        int path = normalized.StartsWith("null", StringComparison.Ordinal) ? 4 : normalized.IndexOf('/', normalized.IndexOf("://", StringComparison.Ordinal) + 3);
        List<byte> bytes = [];
        for (int i = path; i < normalized.Length; i++)
        {
            if (normalized[i] == '%' && i + 2 < normalized.Length && Uri.IsHexDigit(normalized[i + 1]) && Uri.IsHexDigit(normalized[i + 2]))
            {
                bytes.Add(Convert.ToByte(normalized.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                Assert.True(char.IsAscii(normalized[i]), normalized);
                bytes.Add((byte)normalized[i]);
            }
        }

        return normalized[..path] + " " + Convert.ToHexString(bytes.ToArray());
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
