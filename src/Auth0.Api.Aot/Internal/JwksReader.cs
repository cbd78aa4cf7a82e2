// Reads a JWKS body (RFC 7517 section 5) into a JsonWebKeySetDto with Utf8JsonReader, instead of the serializer's
// source-generated metadata: building that metadata (a JsonTypeInfo per type, a JsonPropertyInfo per member) cost a
// seeded app's cold start about 2 million instructions, more than the reading itself, and its code stayed in every
// NativeAOT binary. The rules are the serializer's with the context's options (Auth0JsonContext), so a body reads the
// same as it did:
//   - the document is one JSON value (no comments, no trailing commas, depth at most 64, nothing after it);
//   - null is "not a JSON object"; any other value that is not an object is "not valid JSON of the expected shape";
//   - keys is null or an array whose elements are null or objects; a key's string members are strings or null, and
//     key_ops is null or an array of strings or nulls; a member of another type is "not of the expected shape";
//   - names match exactly (case-sensitive, after unescaping); unknown members are skipped; a member given twice keeps
//     its last value; every escaped name, known or not, must unescape (no lone surrogate), as the serializer unescapes
//     each one;
//   - a string value that is read (a key's members) fails if it is not UTF-8 or its escapes make no UTF-16 string; a
//     skipped value is not checked beyond the reader's syntax.
// JwksReaderTests compares it with the serializer over a corpus of bodies, good and bad.

using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Auth0.Api.Aot.Internal;

internal static class JwksReader
{
    private const string NotAnObject = "response is not a JSON object";
    private const string WrongShape = "response is not valid JSON of the expected shape";

    /// <summary>The JWKS in <paramref name="body"/>.</summary>
    /// <exception cref="KeySourceException">The body is not a JSON object of the expected shape (the serializer's messages).</exception>
    public static JsonWebKeySetDto Read(ReadOnlySpan<byte> body)
    {
        bool isNull;
        JsonWebKeySetDto dto = new();
        try
        {
            Utf8JsonReader reader = new(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false, MaxDepth = 64 });
            if (!reader.Read())
            {
                throw new KeySourceException(WrongShape);
            }

            isNull = reader.TokenType == JsonTokenType.Null;
            if (!isNull)
            {
                Expect(reader.TokenType == JsonTokenType.StartObject);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    CheckName(ref reader);
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
            }

            // Only whitespace may follow the value: the reader throws on any other token.
            Expect(!reader.Read());
        }
        catch (JsonException)
        {
            throw new KeySourceException(WrongShape);
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid UTF-8 (GetString cannot transcode it): the serializer reports a JsonException.
            throw new KeySourceException(WrongShape);
        }

        return isNull ? throw new KeySourceException(NotAnObject) : dto;
    }

    private static JsonWebKeyDto?[]? ReadKeys(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(reader.TokenType == JsonTokenType.StartArray);
        List<JsonWebKeyDto?> keys = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                keys.Add(null);
                continue;
            }

            Expect(reader.TokenType == JsonTokenType.StartObject);
            keys.Add(ReadKey(ref reader));
        }

        return [.. keys];
    }

    // The members JwkReader knows (a DPoP proof's jwk reads the same ones), by its member bits.
    private static JsonWebKeyDto ReadKey(ref Utf8JsonReader reader)
    {
        JsonWebKeyDto key = new();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            CheckName(ref reader);
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

            JwkReader.Set(key, member, ReadString(ref reader));
        }

        return key;
    }

    // The serializer unescapes every member name, known or not, into UTF-8 bytes, and fails the body on a \u escape that
    // makes no UTF-16 string: a low surrogate first, or a high one not followed at once by an escaped low one
    // (JsonException, as for bad syntax). ValueTextEquals unescapes only when the name could still match, and CopyString
    // also refuses raw bytes that are not UTF-8 (the serializer does not look at those), so the escapes are checked
    // here. The reader has checked their syntax: a backslash starts an escape, and \u has four hex digits.
    private static void CheckName(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return;
        }

        ReadOnlySpan<byte> name = reader.ValueSpan; // the reader reads one span: never a sequence
        int i = name.IndexOf((byte)'\\');
        while (i >= 0 && i < name.Length)
        {
            if (name[i] != (byte)'\\')
            {
                i++;
                continue;
            }

            if (name[i + 1] != (byte)'u')
            {
                i += 2;
                continue;
            }

            int scalar = Hex4(name.Slice(i + 2, 4));
            i += 6;
            if (scalar is < 0xD800 or > 0xDFFF)
            {
                continue;
            }

            Expect(scalar < 0xDC00 && i + 6 <= name.Length && name[i] == (byte)'\\' && name[i + 1] == (byte)'u'
                && Hex4(name.Slice(i + 2, 4)) is >= 0xDC00 and <= 0xDFFF);
            i += 6;
        }
    }

    private static int Hex4(ReadOnlySpan<byte> digits)
    {
        int value = 0;
        foreach (byte digit in digits)
        {
            value = (value << 4) | (digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10);
        }

        return value;
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(reader.TokenType == JsonTokenType.String);
        return reader.GetString();
    }

    // key_ops: a null element is kept, as the serializer keeps it (the key checks look for "verify" among them).
    private static string[]? ReadStrings(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(reader.TokenType == JsonTokenType.StartArray);
        List<string> values = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            values.Add(ReadString(ref reader)!);
        }

        return [.. values];
    }

    private static void Expect(bool condition)
    {
        if (!condition)
        {
            throw new KeySourceException(WrongShape);
        }
    }
}
