using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Tests.Parsing;

/// <summary>The span parser on its own: what it records for later stages, and its refusals.</summary>
public sealed class TokenParserTests
{
    private static string Token(string header, string payload, string signature = "c2ln") =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + "." + signature;

    private static (bool Ok, ParsedToken Parsed, AuthError Error, byte[] Buffer) Parse(string token, SigningAlgorithms allowed = SigningAlgorithms.RS256)
    {
        byte[] buffer = new byte[TokenParser.BufferSize(token.Length)];
        bool ok = TokenParser.TryParse(token, buffer, allowed, "api"u8, out ParsedToken parsed, out AuthError error);
        return (ok, parsed, error, buffer);
    }

    [Fact]
    public void Records_kid_iss_audience_and_times()
    {
        var (ok, parsed, _, buffer) = Parse(Token("{\"alg\":\"RS256\",\"kid\":\"k1\"}", "{\"iss\":\"https://t/\",\"aud\":[\"x\",\"api\"],\"exp\":20,\"nbf\":5,\"iat\":10,\"cnf\":{\"jkt\":\"a\"},\"x\":{\"y\":[1,2]}}"));
        Assert.True(ok);
        Assert.Same(JwsAlgorithm.RS256, parsed.Algorithm);
        Assert.Equal("k1", Encoding.UTF8.GetString(parsed.Kid(buffer)));
        Assert.Equal("https://t/", Encoding.UTF8.GetString(parsed.Iss(buffer)));
        Assert.Equal(AudienceMatch.Matched, parsed.Audience);
        Assert.Equal((20L, 5L, 10L), (parsed.Exp, parsed.Nbf, parsed.Iat));
        Assert.Equal(3, parsed.SignatureLength);
    }

    [Theory]
    [InlineData("{\"aud\":\"api\"}", (int)AudienceMatch.Matched)]
    [InlineData("{\"aud\":\"API\"}", (int)AudienceMatch.MismatchSingle)]
    [InlineData("{\"aud\":[]}", (int)AudienceMatch.MismatchArray)]
    [InlineData("{\"sub\":\"s\"}", (int)AudienceMatch.Missing)]
    [InlineData("{\"aud\":\"\\u0061pi\"}", (int)AudienceMatch.Matched)]
    public void Matches_the_audience_during_the_parse(string payload, int expectedMatch)
    {
        AudienceMatch expected = (AudienceMatch)expectedMatch;
        var (ok, parsed, _, _) = Parse(Token("{\"alg\":\"RS256\",\"kid\":\"k\"}", payload));
        Assert.True(ok);
        Assert.Equal(expected, parsed.Audience);
    }

    [Theory]
    [InlineData("[]", "the header is not a JSON object")]
    [InlineData("{\"alg\":\"RS256\",\"kid\":\"k\"", "the header is not valid JSON")]
    [InlineData("{\"alg\":\"RS256\",\"kid\":\"k\"}x", "the header is not valid JSON")]
    [InlineData("{\"alg\":1,\"kid\":\"k\"}", "'alg' is not a string")]
    [InlineData("{\"alg\":\"RS256\",\"kid\":7}", "'kid' is not a string")]
    [InlineData("{\"alg\":\"RS256\",\"kid\":\"k\",\"typ\":[\"JWT\"]}", "'typ' is not a string")]
    public void Refuses_malformed_headers(string header, string reason)
    {
        var (ok, _, error, _) = Parse(Token(header, "{}"));
        Assert.False(ok);
        Assert.Equal(VerificationFailure.MalformedToken, error.Kind);
        Assert.Equal("Failed to parse token header: " + reason, error.Message);
    }

    [Fact]
    public void Refuses_invalid_utf8()
    {
        string header = Base64Url.EncodeToString([(byte)'{', 0xC3, 0x28, (byte)'}']);
        var (ok, _, error, _) = Parse(header + ".e30.c2ln");
        Assert.False(ok);
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_headers_with_too_many_unknown_members()
    {
        StringBuilder header = new("{\"alg\":\"RS256\",\"kid\":\"k\"");
        for (int i = 0; i < 17; i++)
        {
            header.Append(",\"m").Append(i).Append("\":1");
        }

        var (ok, _, error, _) = Parse(Token(header.Append('}').ToString(), "{}"));
        Assert.False(ok);
        Assert.Contains("too many header members", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_escaped_alg_and_member_names()
    {
        var (ok, parsed, _, _) = Parse(Token("{\"\\u0061lg\":\"RS\\u00325\\u0036\",\"kid\":\"k\"}", "{}"));
        Assert.True(ok);
        Assert.Same(JwsAlgorithm.RS256, parsed.Algorithm);
    }

    [Fact]
    public void Deeply_nested_payloads_are_refused_not_crashed()
    {
        string payload = "{\"x\":" + new string('[', 100) + new string(']', 100) + "}";
        var (ok, _, error, _) = Parse(Token("{\"alg\":\"RS256\",\"kid\":\"k\"}", payload));
        Assert.False(ok);
        Assert.Equal(VerificationFailure.MalformedToken, error.Kind);
    }

    [Fact]
    public void Empty_signature_is_refused()
    {
        var (ok, _, error, _) = Parse(Token("{\"alg\":\"RS256\",\"kid\":\"k\"}", "{}", string.Empty));
        Assert.False(ok);
        Assert.Equal(VerificationFailure.MalformedToken, error.Kind);
    }

    [Theory]
    [InlineData("{\"exp\":1x}", "the payload is not valid JSON")]
    [InlineData("{\"aud\":[\"a\",]}", "the payload is not valid JSON")]
    [InlineData("{\"cnf\":{\"jkt\":\"x\",}}", "the payload is not valid JSON")]
    [InlineData("{\"a\":1}}", "the payload is not valid JSON")]
    [InlineData("{\"iss\":tru}", "the payload is not valid JSON")]
    [InlineData("[1,", "the payload is not a JSON object")]
    [InlineData("{\"exp\":\"x\",", "Invalid 'exp' claim: must be an integer NumericDate")]
    [InlineData("{\"iss\":[1,", "Invalid token issuer format: domain must be a non-empty string")]
    public void Payload_errors_come_in_document_order(string payload, string reason)
    {
        var (ok, _, error, _) = Parse(Token("{\"alg\":\"RS256\",\"kid\":\"k\"}", payload));
        Assert.False(ok);
        Assert.EndsWith(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", (int)Confirmation.Absent)]
    [InlineData("-0.0e3", (int)Confirmation.Absent)]
    [InlineData("1e-400", (int)Confirmation.Absent)]
    [InlineData("1", (int)Confirmation.Invalid)]
    [InlineData("1e400", (int)Confirmation.Invalid)]
    public void A_numeric_cnf_is_absent_only_when_it_reads_as_zero(string cnf, int expected)
    {
        var (ok, parsed, _, _) = Parse(Token("{\"alg\":\"RS256\",\"kid\":\"k\"}", "{\"cnf\":" + cnf + "}"));
        Assert.True(ok);
        Assert.Equal((Confirmation)expected, parsed.Confirmation);
    }

    // RFC 7519 section 4: a repeated claim name is refused, registered or not, so that every later reader (the claims'
    // JsonElement keeps the last, a ClaimsPrincipal one claim per member) sees the one value.
    [Theory]
    [InlineData("{\"roles\":\"user\",\"roles\":\"admin\"}", "roles")]
    [InlineData("{\"https://example.com/roles\":[\"user\"],\"sub\":\"s\",\"https://example.com/roles\":[\"admin\"]}", "https://example.com/roles")]
    [InlineData("{\"roles\":\"user\",\"r\\u006fles\":\"admin\"}", "roles")]
    [InlineData("{\"r\\u006fles\":\"user\",\"roles\":\"admin\"}", "roles")]
    [InlineData("{\"a\\/b\":1,\"a/b\":2}", "a/b")]
    [InlineData("{\"\":1,\"\":2}", "")]
    [InlineData("{\"x\":{},\"x\":null}", "x")]
    public void Repeated_member_names_are_refused(string payload, string name)
    {
        var (ok, _, error, _) = Parse(Token("{\"alg\":\"RS256\",\"kid\":\"k\"}", payload));
        Assert.False(ok);
        Assert.Equal(VerificationFailure.MalformedToken, error.Kind);
        Assert.Equal("Failed to parse token payload: duplicate claim '" + name + "'", error.Message);
    }

    [Theory]
    [InlineData("{\"roles\":1,\"Roles\":2,\"role\":3,\"roles_\":4}")]
    [InlineData("{\"\\u0061\":1,\"b\":2,\"\\u0062c\":3}")]
    [InlineData("{\"x\":{\"a\":1,\"a\":2},\"y\":[{\"b\":1,\"b\":2}]}")]
    [InlineData("{\"a\":\"a\",\"b\":\"a\",\"\":\"\"}")]
    public void Distinct_names_are_accepted_and_nested_objects_are_not_judged(string payload)
    {
        var (ok, _, error, _) = Parse(Token("{\"alg\":\"RS256\",\"kid\":\"k\"}", payload));
        Assert.True(ok, error.Message);
    }

    // Past 16 other names, or after an escaped one, the names are compared after the pass: a repeat is found wherever it
    // is, and distinct names of any number pass.
    [Theory]
    [InlineData(17, 0, false)]
    [InlineData(17, 16, false)]
    [InlineData(40, 0, false)]
    [InlineData(40, 39, false)]
    [InlineData(40, 5, true)]
    [InlineData(2000, 1999, false)]
    public void Many_members_are_compared_whole(int count, int repeatOf, bool escapeFirst)
    {
        StringBuilder payload = new("{\"sub\":\"s\"");
        for (int i = 0; i < count; i++)
        {
            payload.Append(",\"").Append(escapeFirst && i == 0 ? "\\u006d" : "m").Append(i).Append("\":").Append(i);
        }

        var (distinctOk, _, distinctError, _) = Parse(Token("{\"alg\":\"RS256\",\"kid\":\"k\"}", payload.ToString() + "}"));
        Assert.True(distinctOk, distinctError.Message);

        payload.Append(",\"m").Append(repeatOf).Append("\":true}");
        var (ok, _, error, _) = Parse(Token("{\"alg\":\"RS256\",\"kid\":\"k\"}", payload.ToString()));
        Assert.False(ok);
        Assert.Equal("Failed to parse token payload: duplicate claim 'm" + repeatOf + "'", error.Message);
    }

    [Fact]
    public void A_repeated_name_is_shown_only_as_printable_ascii_and_cut_short()
    {
        string name = "a\\\"b\\r\\n" + new string('x', 100);
        var (ok, _, error, _) = Parse(Token("{\"alg\":\"RS256\",\"kid\":\"k\"}", "{\"" + name + "\":1,\"" + name + "\":2}"));
        Assert.False(ok);
        Assert.StartsWith("Failed to parse token payload: duplicate claim 'aU+0022bU+000DU+000Axxx", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("...'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('"', error.Message);
        Assert.True(error.Message.Length < 200, error.Message);
    }

    [Fact]
    public void The_deepest_payload_the_parse_accepts_is_compared_without_throwing()
    {
        // An escaped name sends the names to the comparison after the pass, which reads the payload again.
        for (int depth = 60; depth <= 70; depth++)
        {
            string payload = "{\"\\u0061\":1,\"x\":" + new string('[', depth) + new string(']', depth) + "}";
            var (ok, _, error, _) = Parse(Token("{\"alg\":\"RS256\",\"kid\":\"k\"}", payload));
            Assert.True(ok || error.Message.EndsWith("the payload is not valid JSON", StringComparison.Ordinal), error.Message);
            Assert.Equal(depth <= 63, ok);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(40)]
    public void A_repeated_name_is_reported_after_the_rest_of_the_payload_checked_out(int others)
    {
        // However many names come between (the compared-as-they-come limit is 16), a later bad claim or bad JSON is
        // reported first, and the repeat only when the rest is sound.
        string between = string.Concat(Enumerable.Range(0, others).Select(i => ",\"m" + i + "\":" + i));
        string header = "{\"alg\":\"RS256\",\"kid\":\"k\"}";
        Assert.EndsWith("Invalid 'exp' claim: must be an integer NumericDate", Parse(Token(header, "{\"a\":1" + between + ",\"a\":2,\"exp\":\"x\"}")).Error.Message, StringComparison.Ordinal);
        Assert.EndsWith("the payload is not valid JSON", Parse(Token(header, "{\"a\":1" + between + ",\"a\":2,\"b\":tru}")).Error.Message, StringComparison.Ordinal);
        Assert.EndsWith("duplicate claim 'a'", Parse(Token(header, "{\"a\":1" + between + ",\"a\":2,\"exp\":5}")).Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(17, false)]
    [InlineData(40, true)]
    public void Comparing_names_allocates_nothing(int custom, bool escapeOne)
    {
        // Past 16 custom names, or with an escaped one, the names are compared from pooled buffers.
        StringBuilder payload = new("{\"iss\":\"https://t/\",\"sub\":\"s\",\"aud\":\"api\",\"exp\":20");
        for (int i = 0; i < custom; i++)
        {
            payload.Append(",\"").Append(escapeOne && i == 7 ? "\\u0063" : "c").Append(i).Append("\":\"v\"");
        }

        string token = Token("{\"alg\":\"RS256\",\"kid\":\"k\"}", payload.Append('}').ToString());
        byte[] buffer = new byte[TokenParser.BufferSize(token.Length)];
        for (int warm = 0; warm < 3; warm++)
        {
            Assert.True(TokenParser.TryParse(token, buffer, SigningAlgorithms.RS256, "api"u8, out _, out _));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool ok = TokenParser.TryParse(token, buffer, SigningAlgorithms.RS256, "api"u8, out _, out AuthError error);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(ok, error.Message);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void The_comparison_after_the_pass_agrees_with_a_hash_set()
    {
        // 500 payloads of 17 to 80 short names drawn from a small alphabet (so that many repeat), half with an escaped
        // name: refused as a duplicate exactly when a set of the names would hold fewer than there are.
        Random random = new(20261203);
        int refused = 0;
        for (int round = 0; round < 500; round++)
        {
            int count = random.Next(17, 81);
            List<string> names = [];
            StringBuilder payload = new("{");
            for (int i = 0; i < count; i++)
            {
                string name = new(Enumerable.Range(0, random.Next(1, 5)).Select(_ => "abcdefg"[random.Next(7)]).ToArray());
                names.Add(name);
                string written = round % 2 == 0 && name.Length > 0 && i == count / 2 ? "\\u00" + ((int)name[0]).ToString("x2", System.Globalization.CultureInfo.InvariantCulture) + name[1..] : name;
                payload.Append(i == 0 ? "\"" : ",\"").Append(written).Append("\":").Append(i);
            }

            var (ok, _, error, _) = Parse(Token("{\"alg\":\"RS256\",\"kid\":\"k\"}", payload.Append('}').ToString()));
            bool repeats = new HashSet<string>(names, StringComparer.Ordinal).Count < names.Count;
            Assert.True(ok != repeats, payload.ToString());
            if (!ok)
            {
                refused++;
                string shown = error.Message["Failed to parse token payload: duplicate claim '".Length..^1];
                Assert.True(names.Count(n => n == shown) > 1, shown);
            }
        }

        Assert.InRange(refused, 50, 499);
    }
}
