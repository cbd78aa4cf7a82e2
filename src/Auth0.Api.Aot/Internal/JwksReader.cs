// Reads a JWKS body (RFC 7517 section 5) into a JsonWebKeySetDto with Utf8JsonReader and the serializer's rules
// (JsonShape says which, and why not the serializer). Besides them: keys is null or an array whose elements are null or
// objects; a key's string members are strings or null, and key_ops is null or an array of strings or nulls.
// JwksReaderTests compares it with the serializer over a corpus of bodies, good and bad.

using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Auth0.Api.Aot.Internal;

internal static class JwksReader
{
    /// <summary>The JWKS in <paramref name="body"/>.</summary>
    /// <exception cref="KeySourceException">The body is not a JSON object of the expected shape (the serializer's messages).</exception>
    public static JsonWebKeySetDto Read(ReadOnlySpan<byte> body)
    {
        bool isObject;
        JsonWebKeySetDto dto = new();
        try
        {
            Utf8JsonReader reader = JsonShape.Reader(body);
            isObject = JsonShape.StartObject(ref reader);
            while (isObject && JsonShape.NextMember(ref reader))
            {
                bool keys = reader.ValueTextEquals("keys"u8);
                reader.Read();
                if (keys)
                {
                    dto.Keys = ReadKeys(ref reader);
                }
                else
                {
                    reader.Skip();
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

    private static JsonWebKeyDto?[]? ReadKeys(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        JsonShape.Expect(reader.TokenType == JsonTokenType.StartArray);
        List<JsonWebKeyDto?> keys = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                keys.Add(null);
                continue;
            }

            JsonShape.Expect(reader.TokenType == JsonTokenType.StartObject);
            keys.Add(ReadKey(ref reader));
        }

        return [.. keys];
    }

    // The members JwkReader knows (a DPoP proof's jwk reads the same ones), by its member bits.
    private static JsonWebKeyDto ReadKey(ref Utf8JsonReader reader)
    {
        JsonWebKeyDto key = new();
        while (JsonShape.NextMember(ref reader))
        {
            int member = JwkReader.MemberBit(ref reader);
            reader.Read();
            if (member == 0)
            {
                reader.Skip();
                continue;
            }

            if (member == JwkReader.KeyOps)
            {
                key.KeyOps = ReadStrings(ref reader);
                continue;
            }

            JwkReader.Set(key, member, JsonShape.ReadString(ref reader));
        }

        return key;
    }

    // key_ops: a null element is kept, as the serializer keeps it (the key checks look for "verify" among them).
    private static string[]? ReadStrings(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        JsonShape.Expect(reader.TokenType == JsonTokenType.StartArray);
        List<string> values = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            values.Add(JsonShape.ReadString(ref reader)!);
        }

        return [.. values];
    }
}
