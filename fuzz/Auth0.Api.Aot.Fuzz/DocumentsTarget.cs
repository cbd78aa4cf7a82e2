using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Fuzz;

/// <summary>
/// <c>documents</c>: the library's JSON readers against the System.Text.Json serializer they replaced (source-generated
/// metadata with the options the library's context had). The first byte chooses the reader, the rest is the body:
/// <list type="bullet">
///   <item>0 mod 3: a discovery document (<c>DiscoveryReader</c>) against the serializer's <c>DiscoveryDocumentDto</c>;</item>
///   <item>1 mod 3: a JWKS body (<c>JwksReader</c>) against the serializer's <c>JsonWebKeySetDto</c>;</item>
///   <item>2 mod 3: a key snapshot (<c>KeySnapshotReader</c>, UTF-8 bytes) against the serializer's <c>KeySnapshotDto</c>,
///   and, when the bytes are UTF-8, the same as a string; a snapshot that reads is written back
///   (<c>KeySnapshotReader.Write</c>) byte for byte as the serializer writes it.</item>
/// </list>
/// Both must give the same document, or both refuse it (with the same message, for the key-source readers); the readers
/// throw only what they document.
/// </summary>
internal static class DocumentsTarget
{
    /// <summary>Throws unless the harness is sound: a document each reader accepts reads the same both ways.</summary>
    public static void SelfTest()
    {
        Run([0, .. "{\"issuer\":\"https://tenant.example.com/\",\"jwks_uri\":\"https://tenant.example.com/.well-known/jwks.json\"}"u8]);
        Run([1, .. Encoding.UTF8.GetBytes(Interop.Instance.Jwks)]);
        Run([2, .. "{\"version\":1,\"documents\":[{\"kind\":\"jwks\",\"key\":\"k\",\"fetched_at\":1,\"max_age\":60,\"body\":\"{}\"}]}"u8]);
        InvariantViolationException.ThrowIf(DiscoveryReader.Read("{\"issuer\":\"a\"}"u8).Issuer != "a", "harness: the discovery reader reads nothing");
        InvariantViolationException.ThrowIf(KeySnapshotReader.Read("{\"version\":1}"u8)?.Version != 1, "harness: the snapshot reader reads nothing");
    }

    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        byte[] body = data[1..].ToArray();
        switch (data[0] % 3)
        {
            case 0:
                Same(Describe(() => DiscoveryReader.Read(body)), Describe(() => Parse(body, DocumentsJson.Default.DiscoveryDocumentDto)), "a discovery document");
                break;
            case 1:
                Same(Describe(() => JwksReader.Read(body)), Describe(() => Parse(body, DocumentsJson.Default.JsonWebKeySetDto)), "a JWKS");
                break;
            default:
                Same(Describe(() => KeySnapshotReader.Read(body), serializer: false), Describe(() => JsonSerializer.Deserialize(body, DocumentsJson.Default.KeySnapshotDto), serializer: true), "a snapshot");
                if (Utf8(body) is { } text)
                {
                    Same(Describe(() => KeySnapshotReader.Read(text), serializer: false), Describe(() => JsonSerializer.Deserialize(text, DocumentsJson.Default.KeySnapshotDto), serializer: true), "a snapshot string");
                }

                if (KeySnapshotReaderResult(body) is { Documents: { } documents } && documents.All(d => d is not null))
                {
                    List<KeySnapshotDocumentDto> list = documents.Select(d => d!).ToList();
                    byte[] written = KeySnapshotReader.Write(list);
                    byte[] expected = JsonSerializer.SerializeToUtf8Bytes(new KeySnapshotDto { Version = 1, Documents = [.. list] }, DocumentsJson.Default.KeySnapshotDto);
                    InvariantViolationException.ThrowIf(!written.AsSpan().SequenceEqual(expected), "a snapshot is written otherwise than the serializer writes it");
                }

                break;
        }
    }

    private static KeySnapshotDto? KeySnapshotReaderResult(byte[] body)
    {
        try
        {
            return KeySnapshotReader.Read(body);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string? Utf8(byte[] body)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(body);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static void Same(string library, string serializer, string what) =>
        InvariantViolationException.ThrowIf(library != serializer, what + " reads otherwise than the serializer read it: " + library + " / " + serializer);

    // What KeySource.Parse made of a body when the library used the serializer.
    private static T Parse<T>(byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
        where T : class
    {
        T? document;
        try
        {
            document = JsonSerializer.Deserialize(body, typeInfo);
        }
        catch (JsonException)
        {
            throw new KeySourceException("response is not valid JSON of the expected shape");
        }

        return document ?? throw new KeySourceException("response is not a JSON object");
    }

    private static string Describe(Func<DiscoveryDocumentDto> read)
    {
        try
        {
            DiscoveryDocumentDto dto = read();
            return "issuer=" + Show(dto.Issuer) + ";jwks=" + Show(dto.JwksUri) + ";token=" + Show(dto.TokenEndpoint);
        }
        catch (KeySourceException exception)
        {
            return "refused: " + exception.Message;
        }
    }

    private static string Describe(Func<JsonWebKeySetDto> read)
    {
        try
        {
            JsonWebKeySetDto dto = read();
            return dto.Keys is null ? "keys=<null>" : "keys=" + string.Join(" | ", dto.Keys.Select(key => key is null ? "null" : string.Join(",",
                new[] { key.Kty, key.Kid, key.Use, key.Alg, key.N, key.E, key.Crv, key.X, key.Y, key.D, key.P, key.Q, key.K }.Select(Show))
                + ";ops=" + (key.KeyOps is null ? "<null>" : "[" + string.Join(",", key.KeyOps.Select(Show)) + "]")));
        }
        catch (KeySourceException exception)
        {
            return "refused: " + exception.Message;
        }
    }

    // The reader documents JsonException and InvalidOperationException, which KeySnapshot.Import maps to one message, so
    // only "refused" is compared; the serializer reported a JsonException (for a string with a lone surrogate an
    // ArgumentException, which the reader refuses as JSON). Anything else the reader throws escapes: a finding.
    private static string Describe(Func<KeySnapshotDto?> read, bool serializer)
    {
        try
        {
            KeySnapshotDto? dto = read();
            return dto is null ? "null" : "version=" + dto.Version + ";docs=" + (dto.Documents is null ? "<null>" : string.Join(" | ", dto.Documents.Select(d => d is null ? "null"
                : string.Join(",", Show(d.Kind), Show(d.Key), d.FetchedAt, d.MaxAge, Show(d.Body)))));
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException || (serializer && exception is ArgumentException))
        {
            return "refused";
        }
    }

    // Shown with its length: two different strings never describe alike.
    private static string Show(string? value) => value is null ? "<null>" : value.Length + ":" + value;
}

[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Metadata,
    PropertyNameCaseInsensitive = false,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(DiscoveryDocumentDto))]
[JsonSerializable(typeof(JsonWebKeySetDto))]
[JsonSerializable(typeof(KeySnapshotDto))]
internal sealed partial class DocumentsJson : JsonSerializerContext
{
}
