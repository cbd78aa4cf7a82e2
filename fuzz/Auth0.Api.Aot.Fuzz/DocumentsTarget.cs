using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Auth0.Api.Aot.Internal;
using Auth0.Api.Aot.Tests.Parsing;

namespace Auth0.Api.Aot.Fuzz;

/// <summary>
/// <c>documents</c>: the library's JSON readers against the System.Text.Json serializer they replaced (source-generated
/// metadata with the options the library's context had). The first byte chooses the reader, the rest is the body:
/// <list type="bullet">
///   <item>0 mod 4: a discovery document (<c>DiscoveryReader</c>) against the serializer's <c>DiscoveryDocumentDto</c>;</item>
///   <item>1 mod 4: a JWKS body (<c>JwksReader</c>) against the serializer's <c>JsonWebKeySetDto</c>;</item>
///   <item>2 mod 4: a key snapshot (<c>KeySnapshotJson</c>, UTF-8 bytes) against the serializer's <c>KeySnapshotDto</c>,
///   and, when the bytes are UTF-8, the same as a string; the documents of a snapshot that reads are written back
///   (<c>KeySnapshotJson.Write</c>) byte for byte as the serializer writes them;</item>
///   <item>3 mod 4: a key snapshot string made of the body's UTF-16 code units (little-endian pairs), so that lone
///   surrogates reach <c>KeySnapshotJson.Read(string)</c>: valid UTF-16 reads as the serializer reads it, and a string
///   that is not is refused with a <c>JsonException</c> (the one deliberate difference: the serializer threw an
///   <c>ArgumentException</c>).</item>
/// </list>
/// Both must give the same document, or both refuse it (with the same message, for the key-source readers); the readers
/// throw only what they document.
/// </summary>
internal static class DocumentsTarget
{
    /// <summary>
    /// Throws unless the harness is sound: through <see cref="Check"/>, a document of each kind is accepted with the
    /// expected reading and a snapshot's documents are written back; and a difference is reported.
    /// </summary>
    public static void SelfTest()
    {
        Expect([0, .. "{\"issuer\":\"https://tenant.example.com/\",\"jwks_uri\":null}"u8], "issuer=27:https://tenant.example.com/;jwks=<null>;token=<null>");
        Expect([1, .. "{\"keys\":[null,{\"kid\":\"k\",\"key_ops\":[\"verify\"]}]}"u8], "keys=null | <null>,1:k,<null>,<null>,<null>,<null>,<null>,<null>,<null>,<null>,<null>,<null>,<null>;ops=[6:verify]");
        Expect([2, .. "{\"version\":1,\"documents\":[null,{\"kind\":\"jwks\",\"key\":\"k\",\"fetched_at\":1,\"max_age\":60,\"body\":\"{}\"}]}"u8],
            "version=1;docs=null | 4:jwks,1:k,1,60,2:{} (written)");
        Expect([3, .. "{\"version\":1}"u8.ToArray().SelectMany(b => new byte[] { b, 0 })], "version=1;docs=<null>");
        Expect([3, 0x00, 0xD8], "refused (JsonException, not UTF-16)");
        Expect([1, .. Encoding.UTF8.GetBytes(Interop.Instance.Jwks)], null);
        bool reported = false;
        try
        {
            Same("a", "b", "harness");
        }
        catch (InvariantViolationException)
        {
            reported = true;
        }

        InvariantViolationException.ThrowIf(!reported, "harness: a difference is not reported");
    }

    public static void Run(ReadOnlySpan<byte> data) => Check(data);

    // The library's reading of the input (its description), after the checks against the serializer.
    private static string Check(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return "empty";
        }

        byte[] body = data[1..].ToArray();
        switch (data[0] % 4)
        {
            case 0:
            {
                string read = Describe(() => DiscoveryReader.Read(body));
                Same(read, Describe(() => SerializerParse.Parse(body, SerializerReferenceJson.Default.DiscoveryDocumentDto)), "a discovery document");
                return read;
            }

            case 1:
            {
                string read = Describe(() => JwksReader.Read(body));
                Same(read, Describe(() => SerializerParse.Parse(body, SerializerReferenceJson.Default.JsonWebKeySetDto)), "a JWKS");
                return read;
            }

            case 2:
            {
                KeySnapshotDto? dto = null;
                string read = Describe(() => dto = KeySnapshotJson.Read(body));
                Same(read, Describe(() => JsonSerializer.Deserialize(body, SerializerReferenceJson.Default.KeySnapshotDto)), "a snapshot");
                if (Utf8(body) is { } text)
                {
                    Same(Describe(() => KeySnapshotJson.Read(text)), Describe(() => JsonSerializer.Deserialize(text, SerializerReferenceJson.Default.KeySnapshotDto)), "a snapshot string");
                }

                List<KeySnapshotDocumentDto> documents = dto?.Documents?.OfType<KeySnapshotDocumentDto>().ToList() ?? [];
                if (documents.Count == 0)
                {
                    return read;
                }

                byte[] written = KeySnapshotJson.Write(documents);
                byte[] expected = JsonSerializer.SerializeToUtf8Bytes(new KeySnapshotDto { Version = 1, Documents = [.. documents] }, SerializerReferenceJson.Default.KeySnapshotDto);
                InvariantViolationException.ThrowIf(!written.AsSpan().SequenceEqual(expected), "a snapshot is written otherwise than the serializer writes it");
                return read + " (written)";
            }

            default:
            {
                string text = new(MemoryMarshal.Cast<byte, char>(body.AsSpan(0, body.Length & ~1)));
                if (Utf8(text) is null)
                {
                    try
                    {
                        KeySnapshotJson.Read(text);
                    }
                    catch (JsonException)
                    {
                        return "refused (JsonException, not UTF-16)";
                    }

                    throw new InvariantViolationException("a snapshot string that is not UTF-16 is not refused as JSON");
                }

                string read = Describe(() => KeySnapshotJson.Read(text));
                Same(read, Describe(() => JsonSerializer.Deserialize(text, SerializerReferenceJson.Default.KeySnapshotDto)), "a snapshot string");
                return read;
            }
        }
    }

    private static void Expect(byte[] input, string? reading)
    {
        string read = Check(input);
        InvariantViolationException.ThrowIf(reading is null ? read.StartsWith("refused", StringComparison.Ordinal) : read != reading, "harness: " + (reading ?? "a fixture document") + " is read as " + read);
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

    // The string's UTF-8 bytes, or null when it has a lone surrogate.
    private static byte[]? Utf8(string text)
    {
        try
        {
            return new UTF8Encoding(false, true).GetBytes(text);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static void Same(string library, string serializer, string what) =>
        InvariantViolationException.ThrowIf(library != serializer, what + " reads otherwise than the serializer read it: " + library + " / " + serializer);

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

    // Both sides report every failure as a JsonException, which KeySnapshot.Import maps to one message, so only "refused"
    // is compared (only a string with a lone surrogate made the serializer throw an ArgumentException, and such strings
    // take the other branch of Check). Anything else either side throws escapes: a finding.
    private static string Describe(Func<KeySnapshotDto?> read)
    {
        try
        {
            KeySnapshotDto? dto = read();
            return dto is null ? "null" : "version=" + dto.Version + ";docs=" + (dto.Documents is null ? "<null>" : string.Join(" | ", dto.Documents.Select(d => d is null ? "null"
                : string.Join(",", Show(d.Kind), Show(d.Key), d.FetchedAt, d.MaxAge, Show(d.Body)))));
        }
        catch (JsonException)
        {
            return "refused";
        }
    }

    // Shown with its length: two different strings never describe alike.
    private static string Show(string? value) => value is null ? "<null>" : value.Length + ":" + value;
}
