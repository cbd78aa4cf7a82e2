// The discovery document and the key snapshot, read with Utf8JsonReader and the serializer's rules (JsonShape says
// which, and why not the serializer). DocumentReaderTests compares both with the serializer over corpora of bodies.

using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Auth0.Api.Aot.Internal;

/// <summary>Reads the members of an OpenID Provider Metadata document that this library uses.</summary>
internal static class DiscoveryReader
{
    /// <summary>The discovery document in <paramref name="body"/>.</summary>
    /// <exception cref="KeySourceException">The body is not a JSON object of the expected shape (the serializer's messages).</exception>
    public static DiscoveryDocumentDto Read(ReadOnlySpan<byte> body)
    {
        bool isObject;
        DiscoveryDocumentDto dto = new();
        try
        {
            Utf8JsonReader reader = JsonShape.Reader(body);
            isObject = JsonShape.StartObject(ref reader);
            while (isObject && JsonShape.NextMember(ref reader))
            {
                int member = reader.ValueTextEquals("issuer"u8) ? 1
                    : reader.ValueTextEquals("jwks_uri"u8) ? 2
                    : reader.ValueTextEquals("token_endpoint"u8) ? 3
                    : 0;
                reader.Read();
                switch (member)
                {
                    case 1:
                        dto.Issuer = JsonShape.ReadString(ref reader);
                        break;
                    case 2:
                        dto.JwksUri = JsonShape.ReadString(ref reader);
                        break;
                    case 3:
                        dto.TokenEndpoint = JsonShape.ReadString(ref reader);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            JsonShape.End(ref reader);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            throw new KeySourceException(JsonShape.WrongShape);
        }

        return isObject ? dto : throw new KeySourceException(JsonShape.NotAnObject);
    }
}

/// <summary>Reads and writes a key snapshot (<see cref="KeySnapshotDto"/>, version 1) as JSON.</summary>
internal static class KeySnapshotJson
{
    /// <summary>The snapshot <paramref name="snapshot"/>, or <see langword="null"/> when it is JSON <c>null</c>.</summary>
    /// <exception cref="JsonException">
    /// The snapshot is not JSON, or not of the snapshot's shape (a string in it included); or it is not UTF-16 text (a lone surrogate has no UTF-8
    /// form, and is not JSON text: RFC 8259 section 8.1), which the serializer refused with an <see cref="ArgumentException"/>.
    /// </exception>
    public static KeySnapshotDto? Read(string snapshot)
    {
        // The exact length (a lone surrogate counts as its three-byte replacement, so the buffer holds any outcome).
        byte[] utf8 = new byte[Encoding.UTF8.GetByteCount(snapshot)];
        JsonShape.Expect(Utf8.FromUtf16(snapshot, utf8, out _, out int written, replaceInvalidSequences: false) == OperationStatus.Done);
        return Read(utf8.AsSpan(0, written));
    }

    /// <summary>The snapshot in <paramref name="utf8"/>, or <see langword="null"/> when it is JSON <c>null</c>.</summary>
    /// <exception cref="JsonException">
    /// The snapshot is not JSON, or not of the snapshot's shape, or a string in it is not UTF-8 or has escapes that make
    /// no UTF-16 string (the serializer's one exception for all of them).
    /// </exception>
    public static KeySnapshotDto? Read(ReadOnlySpan<byte> utf8)
    {
        try
        {
            Utf8JsonReader reader = JsonShape.Reader(utf8);
            KeySnapshotDto? dto = null;
            if (JsonShape.StartObject(ref reader))
            {
                dto = new KeySnapshotDto();
                while (JsonShape.NextMember(ref reader))
                {
                    int member = reader.ValueTextEquals("version"u8) ? 1 : reader.ValueTextEquals("documents"u8) ? 2 : 0;
                    reader.Read();
                    switch (member)
                    {
                        case 1:
                            dto.Version = JsonShape.ReadInt32(ref reader);
                            break;
                        case 2:
                            dto.Documents = ReadDocuments(ref reader);
                            break;
                        default:
                            reader.Skip();
                            break;
                    }
                }
            }

            JsonShape.End(ref reader);
            return dto;
        }
        catch (InvalidOperationException exception)
        {
            // GetString could not transcode a string: the serializer reports that as a JsonException too.
            throw new JsonException(null, exception);
        }
    }

    /// <summary>Writes <paramref name="documents"/> as a version 1 snapshot, as the serializer wrote it (compact, its default escaping).</summary>
    public static byte[] Write(List<KeySnapshotDocumentDto> documents)
    {
        ArrayBufferWriter<byte> buffer = new();
        using (Utf8JsonWriter writer = new(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version"u8, 1);
            writer.WriteStartArray("documents"u8);
            foreach (KeySnapshotDocumentDto document in documents)
            {
                writer.WriteStartObject();
                writer.WriteString("kind"u8, document.Kind);
                writer.WriteString("key"u8, document.Key);
                writer.WriteNumber("fetched_at"u8, document.FetchedAt);
                writer.WriteNumber("max_age"u8, document.MaxAge);
                writer.WriteString("body"u8, document.Body);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static KeySnapshotDocumentDto?[]? ReadDocuments(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        JsonShape.Expect(reader.TokenType == JsonTokenType.StartArray);
        List<KeySnapshotDocumentDto?> documents = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                documents.Add(null);
                continue;
            }

            JsonShape.Expect(reader.TokenType == JsonTokenType.StartObject);
            documents.Add(ReadDocument(ref reader));
        }

        return [.. documents];
    }

    private static KeySnapshotDocumentDto ReadDocument(ref Utf8JsonReader reader)
    {
        KeySnapshotDocumentDto document = new();
        while (JsonShape.NextMember(ref reader))
        {
            int member = reader.ValueTextEquals("kind"u8) ? 1
                : reader.ValueTextEquals("key"u8) ? 2
                : reader.ValueTextEquals("fetched_at"u8) ? 3
                : reader.ValueTextEquals("max_age"u8) ? 4
                : reader.ValueTextEquals("body"u8) ? 5
                : 0;
            reader.Read();
            switch (member)
            {
                case 1:
                    document.Kind = JsonShape.ReadString(ref reader);
                    break;
                case 2:
                    document.Key = JsonShape.ReadString(ref reader);
                    break;
                case 3:
                    document.FetchedAt = JsonShape.ReadInt64(ref reader);
                    break;
                case 4:
                    document.MaxAge = JsonShape.ReadInt64(ref reader);
                    break;
                case 5:
                    document.Body = JsonShape.ReadString(ref reader);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return document;
    }
}
