using System;
using System.Linq;
using System.Text;
using System.Text.Json;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Tests.Parsing;

/// <summary>
/// JwksReader against the serializer it replaced (source-generated metadata with the options the library's context had, which
/// SerializerReferenceJson repeats): every body of the corpus gives the same keys, or the same error message.
/// </summary>
public sealed class JwksReaderTests
{
    private const string Rsa = "\"kty\":\"RSA\",\"kid\":\"k1\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\"AQAB\",\"e\":\"AQAB\"";

    public static TheoryData<string> Bodies() =>
    [
        // Good shapes.
        "{\"keys\":[{" + Rsa + "}]}",
        " \r\n\t{\"keys\":[{" + Rsa + "},{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"BB\",\"kid\":\"k2\"}]} \n",
        "{\"keys\":[]}",
        "{}",
        "{\"keys\":null}",
        "{\"keys\":[null,{" + Rsa + "},null]}",
        "{\"other\":{\"deep\":[1,2,{\"a\":null}]},\"keys\":[{" + Rsa + ",\"x5c\":[\"MII\"],\"extra\":{\"n\":\"no\"}}],\"tail\":true}",
        "{\"keys\":[{" + Rsa + ",\"kid\":\"second\"}]}", // a member twice: the last value
        "{\"keys\":[{\"kid\":\"a\"}],\"keys\":[{\"kid\":\"b\"}]}",
        "{\"keys\":[{\"k\\u0069d\":\"escaped \\u00e9 \\\"name\\\"\",\"n\":null,\"e\":null}]}",
        "{\"keys\":[{\"KID\":\"case\",\"Kty\":\"RSA\"}]}", // names are case-sensitive: both ignored
        "{\"keys\":[{\"key_ops\":[\"verify\",null,\"sign\"],\"d\":\"x\",\"p\":\"x\",\"q\":\"x\",\"k\":\"x\"}]}",
        "{\"keys\":[{\"key_ops\":null,\"key_ops\":[]}]}",
        "{\"keys\":[{}]}",
        "{\"keys\":[{\"kid\":\"outer\",\"jwk\":{\"kid\":\"inner\",\"keys\":[]}}]}", // a nested object is skipped whole
        "{\"keys\":[{" + Rsa + "}],\"keys\":null}",
        "\uFEFF{\"keys\":[]}", // a byte order mark
        "{\"keys\":1}",
        // Not an object, or not of the shape.
        "null",
        " null ",
        "",
        "   ",
        "[]",
        "\"keys\"",
        "42",
        "true",
        "{\"keys\":{}}",
        "{\"keys\":\"[]\"}",
        "{\"keys\":[1]}",
        "{\"keys\":[[]]}",
        "{\"keys\":[\"k\"]}",
        "{\"keys\":[{\"kid\":1}]}",
        "{\"keys\":[{\"kid\":true}]}",
        "{\"keys\":[{\"n\":{}}]}",
        "{\"keys\":[{\"n\":[\"a\"]}]}",
        "{\"keys\":[{\"key_ops\":\"verify\"}]}",
        "{\"keys\":[{\"key_ops\":[1]}]}",
        "{\"keys\":[{\"key_ops\":[[\"verify\"]]}]}",
        // Not JSON, or more than one value.
        "{\"keys\":[{" + Rsa + "}]",
        "{\"keys\":[{" + Rsa + "},]}",
        "{\"keys\":[{" + Rsa + "}],}",
        "{\"keys\":[]} {}",
        "{\"keys\":[]} x",
        "null null",
        "{/* comment */\"keys\":[]}",
        "{\"keys\":[]}// comment",
        "{'keys':[]}",
        "{\"keys\":[{\"kid\":\"\\x\"}]}",
        "{\"keys\":[{\"kid\":\"unterminated}]}",
        "{\"a\":" + string.Concat(Enumerable.Repeat("[", 64)) + string.Concat(Enumerable.Repeat("]", 64)) + ",\"keys\":[]}",
        "{\"a\":" + string.Concat(Enumerable.Repeat("[", 62)) + string.Concat(Enumerable.Repeat("]", 62)) + ",\"keys\":[]}",
        "{\"a\":" + string.Concat(Enumerable.Repeat("[", 63)) + string.Concat(Enumerable.Repeat("]", 63)) + ",\"keys\":[]}",
        "{\"keys\":[{\"x5c\":" + string.Concat(Enumerable.Repeat("[", 61)) + string.Concat(Enumerable.Repeat("]", 61)) + "}]}",
        "{\"keys\":[{\"x5c\":" + string.Concat(Enumerable.Repeat("[", 62)) + string.Concat(Enumerable.Repeat("]", 62)) + "}]}",
        // Escapes that do not make a UTF-16 string (a lone or reversed surrogate), in names and values, read or skipped.
        "{\"keys\":[],\"\\uDC00\":1}",
        "{\"keys\":[],\"zz\\uDC00\":1}",
        "{\"keys\":[],\"\\uD800" + new string('a', 40) + "\":1}",
        "{\"\\uD800\":1,\"keys\":[]}",
        "{\"keys\":[{\"zz\\uD800\":\"v\"}]}",
        "{\"keys\":[{\"\\uDC00" + new string('a', 40) + "\":\"v\"}]}",
        "{\"keys\":[{\"k\\uD800\":\"v\"}]}",
        "{\"keys\":[],\"zz\\uD83D\\uDE00\\\\uD800\\n\\u00e9" + new string('a', 40) + "\":1}", // a pair, an escaped backslash
        "{\"keys\":[],\"zz\\uD800\\n" + new string('a', 40) + "\":1}",
        "{\"keys\":[],\"zz\\uD800\\uD800" + new string('a', 40) + "\":1}",
        "{\"keys\":[],\"zz\\uDBFF\\uDFFF" + new string('a', 40) + "\":1}",
        "{\"keys\":[],\"zz" + new string('a', 40) + "\\uD800\":1}",
        "{\"keys\":[],\"zz" + new string('a', 40) + "\\uD800\\u00\":1}",
        "{\"keys\":[],\"zz" + new string('a', 40) + "\\uD800u\\uDC00\":1}",
        "{\"keys\":[{\"kid\":\"\\uD800\"}]}",
        "{\"keys\":[{\"kid\":\"\\uDC00\\uD800\"}]}",
        "{\"keys\":[{\"kid\":\"\\uD83D\\uDE00\"}]}",
        "{\"keys\":[{\"key_ops\":[\"\\uD800\"]}]}",
        "{\"keys\":[{\"x5c\":[\"\\uD800\"],\"unknown\":\"\\uDC00\"}]}",
        // Escaped and differently cased names; the serializer's metadata names are ordinary members here.
        "{\"\\u006beys\":[{\"\\u006b\\u0069\\u0064\":\"a\"}]}",
        "{\"Keys\":[{\"kid\":\"a\"}]}",
        "{\"keys\":[{\"KEY_OPS\":1,\"Kid\":2}]}",
        "{\"$id\":\"1\",\"keys\":[{\"$ref\":\"1\",\"kid\":\"a\"}]}",
        "{\"$type\":\"x\",\"keys\":[]}",
        "{\"keys\":{\"$values\":[]}}",
        // A later value replaces an earlier one, null included; a later wrong type fails the body.
        "{\"keys\":[{\"kid\":\"a\",\"kid\":null}]}",
        "{\"keys\":[{\"key_ops\":[\"verify\"],\"key_ops\":null}]}",
        "{\"keys\":[],\"keys\":{}}",
        "{\"keys\":[{}, 1]}",
        "{\"keys\":[{\"kid\":\"a\"}],\"keys\":[{\"kid\":1}]}",
        // Byte order marks, odd whitespace, control characters.
        "\uFEFF",
        "\uFEFFnull",
        "\uFEFF\uFEFF{}",
        "\u00A0{}",
        "{\"keys\":[]}\u0000",
        "{\"keys\":[{\"kid\":\"a\tb\"}]}",
        "{\"keys\":[{\"kid\":\"a\\tb\\u0000\"}]}",
        // Numbers the reader must still check for syntax where they are skipped.
        "{\"a\":01,\"keys\":[]}",
        "{\"a\":1e,\"keys\":[]}",
        "{\"a\":-,\"keys\":[]}",
        "{\"a\":1e99999,\"keys\":[]}",
        "{\"keys\":[" + string.Join(",", Enumerable.Repeat("{" + Rsa + "}", 2_000)) + "]}",
    ];

    // Bodies with bytes that are not UTF-8 (each char of the string is one byte: Latin-1).
    public static TheoryData<string> RawBodies() =>
    [
        "{\"keys\":[],\"\u00C3\u0028\":1}",
        "{\"keys\":[{\"\u00FF\":\"v\"}]}",
        "{\"keys\":[{\"x5c\":[\"\u00FF\u00FE\"],\"other\":\"\u00C0\u00AF\"}]}",
        "{\"keys\":[{\"kid\":\"\u00C0\u00AF\"}]}",
        "{\"keys\":[{\"kid\":\"\u00ED\u00A0\u0080\"}]}",
        "{\"keys\":[{\"kid\":\"\u00F4\u0090\u0080\u0080\"}]}",
        "{\"keys\":[{\"key_ops\":[\"verify\",\"\u00FF\"]}]}",
        "{\"keys\":[],\"\\u0041\u00FF\":1}",
        "{\"keys\":[{\"k\\u0069d\u00FF\":\"v\"}]}",
        "{\"keys\":[{\"kid\":\"\\u0041\u00FF\"}]}",
        "{\"keys\":[]}\u00FF",
        "\u00FF{\"keys\":[]}",
        "\u00EF\u00BB{\"keys\":[]}",
    ];

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Reads_every_body_as_the_serializer_did(string body)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(body);
        Assert.Equal(Describe(() => SerializerParse.Parse(utf8, SerializerReferenceJson.Default.JsonWebKeySetDto)), Describe(() => JwksReader.Read(utf8)));
    }

    [Theory]
    [MemberData(nameof(RawBodies))]
    public void Reads_every_body_that_is_not_utf8_as_the_serializer_did(string latin1)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(latin1);
        Assert.Equal(Describe(() => SerializerParse.Parse(bytes, SerializerReferenceJson.Default.JsonWebKeySetDto)), Describe(() => JwksReader.Read(bytes)));
    }

    [Fact]
    public void The_corpus_has_bodies_that_read_and_bodies_that_fail()
    {
        Assert.Equal("keys: RSA,k1,sig,RS256,AQAB,AQAB,<null>,<null>,<null>,<null>,<null>,<null>,<null>;ops=<null>", Describe(() => JwksReader.Read(Encoding.UTF8.GetBytes("{\"keys\":[{" + Rsa + "}]}"))));
        Assert.Equal("keys: <null>,second,<null>,<null>,<null>,<null>,<null>,<null>,<null>,<null>,<null>,<null>,<null>;ops=<null>", Describe(() => JwksReader.Read("{\"keys\":[{\"kid\":\"first\",\"kid\":\"second\"}]}"u8.ToArray())));
        Assert.Equal("error: response is not a JSON object", Describe(() => JwksReader.Read("null"u8.ToArray())));
        Assert.Equal("error: response is not valid JSON of the expected shape", Describe(() => JwksReader.Read("{\"keys\":[1]}"u8.ToArray())));
    }

    [Fact]
    public void A_string_that_is_not_utf8_is_refused_as_the_serializer_refused_it()
    {
        byte[] utf8 = [.. "{\"keys\":[{\"kid\":\""u8, 0xC3, 0x28, .. "\"}]}"u8];
        string expected = Describe(() => SerializerParse.Parse(utf8, SerializerReferenceJson.Default.JsonWebKeySetDto));
        Assert.StartsWith("error: ", expected, StringComparison.Ordinal);
        Assert.Equal(expected, Describe(() => JwksReader.Read(utf8)));
    }

    private static string Describe(Func<JsonWebKeySetDto> read)
    {
        JsonWebKeySetDto dto;
        try
        {
            dto = read();
        }
        catch (KeySourceException exception)
        {
            return "error: " + exception.Message;
        }

        if (dto.Keys is null)
        {
            return "keys: null";
        }

        return "keys: " + string.Join(" | ", dto.Keys.Select(key => key is null ? "null" : string.Join(",",
            new[] { key.Kty, key.Kid, key.Use, key.Alg, key.N, key.E, key.Crv, key.X, key.Y, key.D, key.P, key.Q, key.K }.Select(v => v ?? "<null>"))
            + ";ops=" + (key.KeyOps is null ? "<null>" : "[" + string.Join(",", key.KeyOps.Select(v => v ?? "<null>")) + "]")));
    }
}
