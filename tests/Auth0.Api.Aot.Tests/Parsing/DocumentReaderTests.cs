using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Tests.Parsing;

/// <summary>
/// DiscoveryReader and KeySnapshotJson against the serializer they replaced (source-generated metadata with the
/// options the library's context had, which SerializerReferenceJson repeats): every body of the corpora gives the same
/// document, or the same error; and a snapshot is written byte for byte as the serializer wrote it.
/// </summary>
public sealed class DocumentReaderTests
{
    private const string Discovery = "\"issuer\":\"https://tenant.example.com/\",\"jwks_uri\":\"https://tenant.example.com/.well-known/jwks.json\",\"token_endpoint\":\"https://tenant.example.com/oauth/token\"";
    private const string Document = "{\"kind\":\"jwks\",\"key\":\"https://tenant.example.com/.well-known/jwks.json\",\"fetched_at\":1700000000,\"max_age\":600,\"body\":\"{\\\"keys\\\":[]}\"}";

    // Bodies for both readers: syntax, shape and escapes, whatever the members.
    private static readonly string[] s_common =
    [
        "{}",
        " \r\n\t{} \n",
        "null",
        " null ",
        "",
        "   ",
        "[]",
        "\"x\"",
        "42",
        "true",
        "{",
        "{}}",
        "{} {}",
        "{} x",
        "null null",
        "{,}",
        "{\"a\":1,}",
        "{/* comment */}",
        "{}// comment",
        "{'a':1}",
        "{\"a\":01}",
        "{\"a\":1e}",
        "{\"a\":-}",
        "{\"a\":1e99999}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"unterminated}",
        "{\"a\":" + string.Concat(Enumerable.Repeat("[", 62)) + string.Concat(Enumerable.Repeat("]", 62)) + "}",
        "{\"a\":" + string.Concat(Enumerable.Repeat("[", 63)) + string.Concat(Enumerable.Repeat("]", 63)) + "}",
        "{\"a\":" + string.Concat(Enumerable.Repeat("[", 64)) + string.Concat(Enumerable.Repeat("]", 64)) + "}",
        "{\"\\uDC00\":1}",
        "{\"zz\\uD800\":1}",
        "{\"\\uD800" + new string('a', 40) + "\":1}",
        "{\"zz\\uD83D\\uDE00\\\\uD800\\n\\u00e9" + new string('a', 40) + "\":1}",
        "{\"zz" + new string('a', 40) + "\\uD800u\\uDC00\":1}",
        "{\"other\":{\"deep\":[1,2,{\"a\":null}]},\"tail\":\"\\uD800\"}", // a skipped string is not unescaped
        "{\"$id\":\"1\",\"$type\":\"x\",\"$ref\":\"1\"}",
        "\uFEFF{}",
        "\uFEFF",
        "\u00A0{}",
        "{}\u0000",
    ];

    public static TheoryData<string> DiscoveryBodies()
    {
        TheoryData<string> bodies = [.. s_common];
        foreach (string body in (string[])
        [
            "{" + Discovery + "}",
            "{" + Discovery + ",\"scopes_supported\":[\"openid\"],\"nested\":{\"issuer\":1}}",
            "{\"issuer\":null,\"jwks_uri\":null,\"token_endpoint\":null}",
            "{\"issuer\":\"a\",\"issuer\":\"b\"}", // a member twice: the last value
            "{\"issuer\":\"a\",\"issuer\":null}",
            "{\"issuer\":\"a\",\"issuer\":1}",
            "{\"Issuer\":\"case\",\"JWKS_URI\":\"case\"}", // names are case-sensitive: both ignored
            "{\"\\u0069ssuer\":\"escaped\",\"jwks\\u005furi\":\"\\u00e9\\\"q\\\"\"}",
            "{\"issuer\":1}",
            "{\"issuer\":true}",
            "{\"jwks_uri\":{}}",
            "{\"jwks_uri\":[\"a\"]}",
            "{\"token_endpoint\":false}",
            "{\"issuer\":\"\\uD800\"}",
            "{\"issuer\":\"\\uDC00\\uD800\"}",
            "{\"issuer\":\"\\uD83D\\uDE00\"}",
            "{\"issuer\":\"a\\tb\\u0000\"}",
            "{\"issuer\":\"a\tb\"}",
            "{\"issuer\":\"\"}",
            "{" + Discovery + "",
            "{" + Discovery + ",}",
        ])
        {
            bodies.Add(body);
        }

        return bodies;
    }

    public static TheoryData<string> SnapshotBodies()
    {
        TheoryData<string> bodies = [.. s_common];
        foreach (string body in (string[])
        [
            "{\"version\":1,\"documents\":[" + Document + "]}",
            "{\"version\":1,\"documents\":[" + Document + "," + Document.Replace("jwks", "discovery", StringComparison.Ordinal) + "]}",
            "{\"documents\":[],\"version\":1}",
            "{\"version\":1}",
            "{\"version\":1,\"documents\":null}",
            "{\"version\":1,\"documents\":[null," + Document + ",null]}",
            "{\"version\":1,\"documents\":[{}]}",
            "{\"version\":2,\"documents\":[]}",
            "{\"version\":-1}",
            "{\"version\":0}",
            "{\"version\":-0}",
            "{\"version\":1,\"version\":2}",
            "{\"version\":1.0}",
            "{\"version\":1e0}",
            "{\"version\":1.5}",
            "{\"version\":2147483647}",
            "{\"version\":2147483648}",
            "{\"version\":-2147483649}",
            "{\"version\":\"1\"}",
            "{\"version\":null}",
            "{\"version\":true}",
            "{\"version\":[1]}",
            "{\"Version\":1,\"DOCUMENTS\":[1]}",
            "{\"\\u0076ersion\":1,\"documents\":[{\"\\u006bind\":\"jwks\"}]}",
            "{\"version\":1,\"documents\":{}}",
            "{\"version\":1,\"documents\":[1]}",
            "{\"version\":1,\"documents\":[[]]}",
            "{\"version\":1,\"documents\":[\"d\"]}",
            "{\"version\":1,\"documents\":[{\"kind\":1}]}",
            "{\"version\":1,\"documents\":[{\"key\":[]}]}",
            "{\"version\":1,\"documents\":[{\"body\":{}}]}",
            "{\"version\":1,\"documents\":[{\"kind\":null,\"key\":null,\"body\":null}]}",
            "{\"version\":1,\"documents\":[{\"fetched_at\":9223372036854775807,\"max_age\":-9223372036854775808}]}",
            "{\"version\":1,\"documents\":[{\"fetched_at\":9223372036854775808}]}",
            "{\"version\":1,\"documents\":[{\"fetched_at\":1.0}]}",
            "{\"version\":1,\"documents\":[{\"max_age\":\"600\"}]}",
            "{\"version\":1,\"documents\":[{\"max_age\":null}]}",
            "{\"version\":1,\"documents\":[{\"fetched_at\":1,\"fetched_at\":2,\"kind\":\"a\",\"kind\":\"b\"}]}",
            "{\"version\":1,\"documents\":[{\"body\":\"\\uD800\"}]}",
            "{\"version\":1,\"documents\":[{\"body\":\"\\uD83D\\uDE00 \\u00e9\"}]}",
            "{\"version\":1,\"documents\":[{\"extra\":{\"kind\":1},\"kind\":\"jwks\"}]}",
            "{\"version\":1,\"documents\":[" + Document + "],\"documents\":[]}",
            "{\"version\":1,\"documents\":[" + string.Join(",", Enumerable.Repeat(Document, 500)) + "]}",
            "{\"version\":1,\"documents\":[" + Document + "]",
            "{\"version\":1,\"documents\":[" + Document + ",]}",
            "{\"version\":1,\"documents\":[{\"kind\":\"jwks\",}]}",
            "{\"version\":1,\"documents\":[{}, 1]}",
            "{\"version\":1,\"documents\":[{\"body\":\"\u00e9\u4e2d\uD83D\uDE00\"}]}", // non-ASCII, raw
        ])
        {
            bodies.Add(body);
        }

        return bodies;
    }

    // Bodies with bytes that are not UTF-8 (each char of the string is one byte: Latin-1).
    public static TheoryData<string> RawDiscoveryBodies() =>
    [
        "{\"issuer\":\"\u00C3\u0028\"}",
        "{\"issuer\":\"\u00C0\u00AF\"}",
        "{\"issuer\":\"\u00ED\u00A0\u0080\"}",
        "{\"jwks_uri\":\"\\u0041\u00FF\"}",
        "{\"other\":\"\u00FF\u00FE\",\"issuer\":\"a\"}",
        "{\"\u00FF\":\"v\"}",
        "{\"issu\\u0065r\u00FF\":\"v\"}",
        "{}\u00FF",
        "\u00FF{}",
        "\u00EF\u00BB{}",
    ];

    [Theory]
    [MemberData(nameof(DiscoveryBodies))]
    public void Reads_every_discovery_document_as_the_serializer_did(string body)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(body);
        Assert.Equal(DescribeDiscovery(() => SerializerParse.Parse(utf8, SerializerReferenceJson.Default.DiscoveryDocumentDto)), DescribeDiscovery(() => DiscoveryReader.Read(utf8)));
    }

    [Theory]
    [MemberData(nameof(RawDiscoveryBodies))]
    public void Reads_every_discovery_document_that_is_not_utf8_as_the_serializer_did(string latin1)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(latin1);
        Assert.Equal(DescribeDiscovery(() => SerializerParse.Parse(bytes, SerializerReferenceJson.Default.DiscoveryDocumentDto)), DescribeDiscovery(() => DiscoveryReader.Read(bytes)));
    }

    [Theory]
    [MemberData(nameof(SnapshotBodies))]
    public void Reads_every_snapshot_as_the_serializer_did(string snapshot)
    {
        Assert.Equal(
            DescribeSnapshot(() => JsonSerializer.Deserialize(snapshot, SerializerReferenceJson.Default.KeySnapshotDto)),
            DescribeSnapshot(() => KeySnapshotJson.Read(snapshot)));
        Assert.Equal(
            DescribeSnapshot(() => JsonSerializer.Deserialize(Encoding.UTF8.GetBytes(snapshot), SerializerReferenceJson.Default.KeySnapshotDto)),
            DescribeSnapshot(() => KeySnapshotJson.Read(Encoding.UTF8.GetBytes(snapshot))));
    }

    // A snapshot string with a lone surrogate, inside a JSON string or not, has no UTF-8 form: the serializer threw an
    // ArgumentException (escaping KeySnapshot.Import); the reader refuses it as JSON, never reading a replacement character.
    // The strings are built here, not given as theory data: xunit's serialisation of theory cases replaces lone surrogates.
    [Fact]
    public void A_snapshot_that_is_not_utf16_is_refused_as_json()
    {
        string high = char.ConvertFromUtf32(0x1F600)[..1], low = char.ConvertFromUtf32(0x1F600)[1..];
        Assert.Equal(0xD83D, high[0]);
        string[] snapshots =
        [
            "{\"version\":1,\"documents\":[{\"kind\":\"jwks\",\"key\":\"k" + high + "\",\"max_age\":60,\"body\":\"{}\"}]}",
            "{\"version\":1,\"documents\":[{\"body\":\"" + low + high + "\"}]}",
            "{\"version\":1,\"unknown\":\"" + high + "\"}",
            "{\"version\":1}" + low,
        ];
        foreach (string snapshot in snapshots)
        {
            Assert.Throws<ArgumentException>(() => JsonSerializer.Deserialize(snapshot, SerializerReferenceJson.Default.KeySnapshotDto));
            Assert.Equal("error", DescribeSnapshot(() => KeySnapshotJson.Read(snapshot)));
        }

        Assert.Equal("version=1;docs=<null>", DescribeSnapshot(() => KeySnapshotJson.Read("{\"version\":1,\"unknown\":\"" + high + low + "\"}")));
    }

    [Fact]
    public void The_corpora_have_documents_that_read_and_documents_that_fail()
    {
        Assert.Equal("issuer=https://tenant.example.com/;jwks=https://tenant.example.com/.well-known/jwks.json;token=https://tenant.example.com/oauth/token",
            DescribeDiscovery(() => DiscoveryReader.Read(Encoding.UTF8.GetBytes("{" + Discovery + "}"))));
        Assert.Equal("issuer=b;jwks=<null>;token=<null>", DescribeDiscovery(() => DiscoveryReader.Read("{\"issuer\":\"a\",\"issuer\":\"b\"}"u8)));
        Assert.Equal("error: response is not a JSON object", DescribeDiscovery(() => DiscoveryReader.Read("null"u8)));
        Assert.Equal("error: response is not valid JSON of the expected shape", DescribeDiscovery(() => DiscoveryReader.Read("{\"issuer\":1}"u8)));

        Assert.Equal("version=1;docs=[jwks,https://tenant.example.com/.well-known/jwks.json,1700000000,600,{\"keys\":[]}]",
            DescribeSnapshot(() => KeySnapshotJson.Read(Encoding.UTF8.GetBytes("{\"version\":1,\"documents\":[" + Document + "]}"))));
        Assert.Equal("null", DescribeSnapshot(() => KeySnapshotJson.Read("null"u8)));
        Assert.Equal("error", DescribeSnapshot(() => KeySnapshotJson.Read("{\"version\":1.0}"u8)));
        Assert.Equal("error", DescribeSnapshot(() => KeySnapshotJson.Read("{\"version\":1,\"documents\":[{\"body\":\"\\uD800\"}]}"u8)));
    }

    public static TheoryData<string[]> Exports() =>
    [
        [],
        ["jwks", "https://tenant.example.com/.well-known/jwks.json", "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}"],
        ["discovery", "https://tenant.example.com/", "{\"issuer\":\"https://tenant.example.com/\",\"a\":\"<&>'+\\u00e9\u00e9\u4e2d\uD83D\uDE00\\n\"}", "jwks", "k", "\t\r\n\u0001\u007f"],
    ];

    [Theory]
    [MemberData(nameof(Exports))]
    public void Writes_a_snapshot_byte_for_byte_as_the_serializer_did(string[] parts)
    {
        List<KeySnapshotDocumentDto> documents = [];
        for (int i = 0; i < parts.Length; i += 3)
        {
            documents.Add(new KeySnapshotDocumentDto { Kind = parts[i], Key = parts[i + 1], FetchedAt = 1_700_000_000 + i, MaxAge = -i, Body = parts[i + 2] });
        }

        byte[] expected = JsonSerializer.SerializeToUtf8Bytes(new KeySnapshotDto { Version = 1, Documents = [.. documents] }, SerializerReferenceJson.Default.KeySnapshotDto);
        byte[] written = KeySnapshotJson.Write(documents);
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(written));
        Assert.Equal(expected, written);
        Assert.Equal(DescribeSnapshot(() => JsonSerializer.Deserialize(written, SerializerReferenceJson.Default.KeySnapshotDto)), DescribeSnapshot(() => KeySnapshotJson.Read(written)));
    }

    [Fact]
    public void The_library_does_not_use_the_serializer()
    {
        // The serializer kept about 0.7 MiB in every NativeAOT binary (docs/performance.md): no type of
        // System.Text.Json.Serialization (a context, its metadata), nor JsonSerializer, may come back into the library's
        // references. The attributes that name the documents' members for SerializerReferenceJson are metadata, no code.
        using PEReader pe = new(System.IO.File.OpenRead(typeof(ApiClient).Assembly.Location));
        MetadataReader metadata = pe.GetMetadataReader();
        List<string> serializerTypes = [];
        foreach (TypeReferenceHandle handle in metadata.TypeReferences)
        {
            TypeReference type = metadata.GetTypeReference(handle);
            string ns = metadata.GetString(type.Namespace), name = metadata.GetString(type.Name);
            bool serializer = (ns.StartsWith("System.Text.Json.Serialization", StringComparison.Ordinal) && !name.EndsWith("Attribute", StringComparison.Ordinal))
                || (ns == "System.Text.Json" && name == "JsonSerializer");
            if (serializer)
            {
                serializerTypes.Add(ns + "." + name);
            }
        }

        Assert.Empty(serializerTypes);
        Assert.Contains(metadata.TypeReferences, handle => metadata.GetString(metadata.GetTypeReference(handle).Name) == "Utf8JsonReader");
    }

    private delegate DiscoveryDocumentDto ReadDiscovery();

    private static string DescribeDiscovery(ReadDiscovery read)
    {
        DiscoveryDocumentDto dto;
        try
        {
            dto = read();
        }
        catch (KeySourceException exception)
        {
            return "error: " + exception.Message;
        }

        return "issuer=" + (dto.Issuer ?? "<null>") + ";jwks=" + (dto.JwksUri ?? "<null>") + ";token=" + (dto.TokenEndpoint ?? "<null>");
    }

    private delegate KeySnapshotDto? ReadSnapshot();

    // The serializer reported every failure as a JsonException (KeySnapshot.Import's "not valid JSON"), and so does the
    // reader, a string that makes no UTF-16 included.
    private static string DescribeSnapshot(ReadSnapshot read)
    {
        KeySnapshotDto? dto;
        try
        {
            dto = read();
        }
        catch (JsonException)
        {
            return "error";
        }

        if (dto is null)
        {
            return "null";
        }

        return "version=" + dto.Version + ";docs=" + (dto.Documents is null ? "<null>" : string.Join(" | ", dto.Documents.Select(document => document is null ? "null"
            : "[" + string.Join(",", document.Kind ?? "<null>", document.Key ?? "<null>", document.FetchedAt, document.MaxAge, document.Body ?? "<null>") + "]")));
    }
}
