using System;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace Auth0.Api.Aot.Tests.Claims;

/// <summary>The value readers behind generated typed claims: accepted JSON, refusals that never throw, reader positions.</summary>
public sealed class ClaimReaderTests
{
    // Positions a reader on the value of {"v": <json>, "next": 1}.
    private static Utf8JsonReader At(string json)
    {
        Utf8JsonReader reader = ClaimReader.CreateReader(Encoding.UTF8.GetBytes("{\"v\":" + json + ",\"next\":1}"));
        reader.Read();
        reader.Read();
        reader.Read();
        return reader;
    }

    // After a read, the next token must be the "next" property: the reader was left at the end of the value.
    private static void AssertAfterValue(ref Utf8JsonReader reader)
    {
        Assert.True(reader.Read());
        Assert.Equal(JsonTokenType.PropertyName, reader.TokenType);
        Assert.True(reader.ValueTextEquals("next"u8));
    }

    [Theory]
    [InlineData("[\"a\",\"b\",\"c\"]", false, new[] { "a", "b", "c" })]
    [InlineData("[]", false, new string[0])]
    [InlineData("\"one\"", false, new[] { "one" })]
    [InlineData("\"one two\"", false, new[] { "one two" })]
    [InlineData("\"read:a  write:b \"", true, new[] { "read:a", "write:b" })]
    [InlineData("\" \"", true, new string[0])]
    [InlineData("\"r\\u00e9ad w\"", true, new[] { "r\u00e9ad", "w" })]
    [InlineData("\"caf\u00e9 th\u00e9\"", true, new[] { "caf\u00e9", "th\u00e9" })]
    public void String_arrays_from_arrays_or_strings(string json, bool spaceDelimited, string[] expected)
    {
        Utf8JsonReader reader = At(json);
        Assert.True(ClaimReader.TryReadStringArray(ref reader, spaceDelimited, out string[]? value));
        Assert.Equal(expected, value);
        AssertAfterValue(ref reader);
    }

    [Theory]
    [InlineData("[\"a\",1]")]
    [InlineData("[\"a\",[\"b\"]]")]
    [InlineData("[\"a\",{\"b\":1}]")]
    [InlineData("[\"a\",\"\\ud800\"]")]
    [InlineData("[null]")]
    public void A_bad_element_is_refused_and_the_reader_left_after_the_array(string json)
    {
        Utf8JsonReader reader = At(json);
        Assert.False(ClaimReader.TryReadStringArray(ref reader, false, out string[]? value));
        Assert.Null(value);
        AssertAfterValue(ref reader);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("{}")]
    [InlineData("true")]
    [InlineData("null")]
    public void Other_json_is_not_a_string_array(string json)
    {
        Utf8JsonReader reader = At(json);
        Assert.False(ClaimReader.TryReadStringArray(ref reader, true, out _));
    }

    [Fact]
    public void A_large_array_is_read_whole()
    {
        string json = "[" + string.Join(',', System.Linq.Enumerable.Range(0, 100_000).Select(i => "\"p" + i + "\"")) + "]";
        Utf8JsonReader reader = At(json);
        Assert.True(ClaimReader.TryReadStringArray(ref reader, false, out string[]? value));
        Assert.Equal(100_000, value.Length);
        Assert.Equal("p99999", value[^1]);
        AssertAfterValue(ref reader);
    }

    [Theory]
    [InlineData("0", true, 0L)]
    [InlineData("253402300799", true, 253402300799L)]
    [InlineData("-62135596800", true, -62135596800L)]
    [InlineData("253402300800", false, 0L)]
    [InlineData("1.5", false, 0L)]
    [InlineData("1e3", false, 0L)]
    [InlineData("\"1700000000\"", false, 0L)]
    public void NumericDates_are_whole_seconds_in_range(string json, bool ok, long seconds)
    {
        Utf8JsonReader reader = At(json);
        Assert.Equal(ok, ClaimReader.TryReadNumericDate(ref reader, out DateTimeOffset value));
        if (ok)
        {
            Assert.Equal(seconds, value.ToUnixTimeSeconds());
        }
    }

    [Fact]
    public void Numbers_booleans_and_strings()
    {
        Utf8JsonReader reader = At("2147483648");
        Assert.False(ClaimReader.TryReadInt32(ref reader, out _));
        Assert.True(ClaimReader.TryReadInt64(ref reader, out long big));
        Assert.Equal(2147483648L, big);
        reader = At("2.5");
        Assert.False(ClaimReader.TryReadInt64(ref reader, out _));
        Assert.True(ClaimReader.TryReadDouble(ref reader, out double d));
        Assert.Equal(2.5, d);
        reader = At("1e400");
        Assert.False(ClaimReader.TryReadDouble(ref reader, out _));
        reader = At("false");
        Assert.True(ClaimReader.TryReadBoolean(ref reader, out bool b));
        Assert.False(b);
        reader = At("0");
        Assert.False(ClaimReader.TryReadBoolean(ref reader, out _));
        reader = At("\"\\ud800\"");
        Assert.False(ClaimReader.TryReadString(ref reader, out _));
        reader = At("\"\\u0041\"");
        Assert.True(ClaimReader.TryReadString(ref reader, out string? s));
        Assert.Equal("A", s);
    }

    [Fact]
    public void A_json_element_is_an_independent_copy()
    {
        Utf8JsonReader reader = At("{\"a\":[1,2]}");
        JsonElement element = ClaimReader.ReadElement(ref reader);
        AssertAfterValue(ref reader);
        Assert.Equal(2, element.GetProperty("a").GetArrayLength());
    }

    [Fact]
    public void Space_delimited_words_allocate_only_the_returned_array_and_strings()
    {
        byte[] payload = Encoding.UTF8.GetBytes("{\"v\":\"openid profile read:messages\"}");

        // A first call (JIT, static initialisation) allocates more when this test runs alone: measure the second.
        Utf8JsonReader warm = ClaimReader.CreateReader(payload);
        warm.Read();
        warm.Read();
        warm.Read();
        Assert.True(ClaimReader.TryReadStringArray(ref warm, true, out _));

        Utf8JsonReader reader = ClaimReader.CreateReader(payload);
        reader.Read();
        reader.Read();
        reader.Read();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(ClaimReader.TryReadStringArray(ref reader, true, out string[]? words));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // 64-bit sizes: a string[n] is 24 + 8n bytes; a string of n chars is 22 + 2n bytes, rounded up to 8.
        Assert.Equal(["openid", "profile", "read:messages"], words);
        Assert.Equal(24 + (3 * 8) + StringSize(6) + StringSize(7) + StringSize(13), allocated);
    }

    private static long StringSize(int length) => (22 + (2 * length) + 7) & ~7;
}
