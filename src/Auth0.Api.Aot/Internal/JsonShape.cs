// The documents this library reads besides the token and the proof (a JWKS, a discovery document, a key snapshot) are
// read with Utf8JsonReader, not with the serializer. The serializer, even with source-generated metadata, kept about
// 0.7 MiB in every NativeAOT binary (its converters, the metadata objects, the reflection-free type loader they need)
// and its metadata cost a seeded app's cold start about 2 million instructions to build, more than reading the body.
// The rules are the serializer's with the options that the library's source-generated context had (strict numbers,
// no comments, no trailing commas, case-sensitive names), so every body reads as it did:
//   - the document is one JSON value (no comments, no trailing commas, depth at most 64, nothing after it);
//   - null is "no document"; any other value that is not an object fails;
//   - names match exactly (case-sensitive, after unescaping); unknown members are skipped; a member given twice keeps
//     its last value; every escaped name, known or not, must unescape (no lone surrogate), as the serializer unescapes
//     each one;
//   - a string member is a string or null; a number member is a JSON number that fits its type exactly (no fraction,
//     no exponent, no string, no null); a member of another type fails the body;
//   - a string value that is read fails if it is not UTF-8 or its escapes make no UTF-16 string; a skipped value is
//     not checked beyond the reader's syntax.
// A failure is a JsonException or, for a string GetString cannot transcode, an InvalidOperationException (the
// serializer reported both as a JsonException); each reader turns them into its own message. JwksReaderTests and
// DocumentReaderTests compare the readers with the serializer over corpora of bodies, good and bad.

using System;
using System.Text.Json;

namespace Auth0.Api.Aot.Internal;

internal static class JsonShape
{
    /// <summary>A key source's refusal of a body that is JSON <c>null</c>.</summary>
    public const string NotAnObject = "response is not a JSON object";

    /// <summary>A key source's refusal of a body that is not JSON, or not of the expected shape.</summary>
    public const string WrongShape = "response is not valid JSON of the expected shape";

    /// <summary>A reader over one whole JSON document, with the serializer's limits.</summary>
    public static Utf8JsonReader Reader(ReadOnlySpan<byte> body) =>
        new(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false, MaxDepth = 64 });

    /// <summary>Reads the document's first token: <see langword="true"/> for an object, <see langword="false"/> for <c>null</c>.</summary>
    /// <exception cref="JsonException">The document is empty or another value.</exception>
    public static bool StartObject(ref Utf8JsonReader reader)
    {
        Expect(reader.Read());
        if (reader.TokenType == JsonTokenType.Null)
        {
            return false;
        }

        Expect(reader.TokenType == JsonTokenType.StartObject);
        return true;
    }

    /// <summary>
    /// Moves to the next member name of the object the reader is in (its escapes checked): <see langword="false"/> at
    /// the object's end.
    /// </summary>
    public static bool NextMember(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
        {
            return false;
        }

        CheckName(ref reader);
        return true;
    }

    /// <summary>Checks that nothing but whitespace follows the document's value.</summary>
    /// <exception cref="JsonException">Another token follows (the reader throws on anything that is not one).</exception>
    public static void End(ref Utf8JsonReader reader) => Expect(!reader.Read());

    /// <summary>The string or <c>null</c> the reader is on.</summary>
    /// <exception cref="JsonException">The value is of another type.</exception>
    /// <exception cref="InvalidOperationException">The string is not UTF-8, or its escapes make no UTF-16 string.</exception>
    public static string? ReadString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(reader.TokenType == JsonTokenType.String);
        return reader.GetString();
    }

    /// <summary>The integer the reader is on.</summary>
    /// <exception cref="JsonException">The value is not a JSON number, or not an integer that fits.</exception>
    public static int ReadInt32(ref Utf8JsonReader reader)
    {
        Expect(reader.TokenType == JsonTokenType.Number);
        Expect(reader.TryGetInt32(out int value));
        return value;
    }

    /// <inheritdoc cref="ReadInt32"/>
    public static long ReadInt64(ref Utf8JsonReader reader)
    {
        Expect(reader.TokenType == JsonTokenType.Number);
        Expect(reader.TryGetInt64(out long value));
        return value;
    }

    /// <exception cref="JsonException"><paramref name="condition"/> is false.</exception>
    public static void Expect(bool condition)
    {
        if (!condition)
        {
            throw new JsonException();
        }
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
}
