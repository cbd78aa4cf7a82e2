// Readers for the code that the typed-claims generator emits. Each reads one claim value at the reader's current token
// and answers false (never throws) when the JSON type is wrong, so a generated reader turns every problem into a
// ClaimError. Accepted JSON, by property type:
//   string          a string (escapes decoded; a lone-surrogate escape is invalid)
//   bool            true or false
//   int, long       an integer in range (no fraction, no exponent)
//   double          any number
//   DateTimeOffset  a NumericDate: an integer in [-62135596800, 253402300799] seconds since the epoch
//   string[]        an array of strings; or one string: one element, or its space-separated words (SpaceDelimited)
//   JsonElement     any value (a copy, independent of the payload)

using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Auth0.Api.Aot;

/// <summary>Reads claim values for code generated from <see cref="AccessTokenClaimsAttribute"/> types.</summary>
/// <remarks>Not meant to be called directly. Thread safety: stateless.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ClaimReader
{
    private const long MinNumericDate = -62135596800L;
    private const long MaxNumericDate = 253402300799L;

    // Invalid UTF-8 is refused as TryReadString refuses it, not replaced.
    private static readonly System.Text.UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A reader over a payload, with the limits used for tokens.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>The reader, before its first token.</returns>
    public static Utf8JsonReader CreateReader(ReadOnlySpan<byte> payload) => new(payload, new JsonReaderOptions { MaxDepth = 64 });

    /// <summary>Reads a string.</summary>
    /// <param name="reader">The reader, at the value.</param>
    /// <param name="value">The string.</param>
    /// <returns>Whether the value is a string.</returns>
    public static bool TryReadString(ref Utf8JsonReader reader, [NotNullWhen(true)] out string? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        try
        {
            value = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            // An escape that decodes to invalid UTF-16 (a lone surrogate).
            return false;
        }
    }

    /// <summary>Reads <c>true</c> or <c>false</c>.</summary>
    /// <param name="reader">The reader, at the value.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether the value is a boolean.</returns>
    public static bool TryReadBoolean(ref Utf8JsonReader reader, out bool value)
    {
        value = reader.TokenType == JsonTokenType.True;
        return reader.TokenType is JsonTokenType.True or JsonTokenType.False;
    }

    /// <summary>Reads an integer that fits in 32 bits.</summary>
    /// <param name="reader">The reader, at the value.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether the value is such an integer.</returns>
    public static bool TryReadInt32(ref Utf8JsonReader reader, out int value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out value);
    }

    /// <summary>Reads an integer that fits in 64 bits.</summary>
    /// <param name="reader">The reader, at the value.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether the value is such an integer.</returns>
    public static bool TryReadInt64(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value);
    }

    /// <summary>Reads a number.</summary>
    /// <param name="reader">The reader, at the value.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether the value is a finite number.</returns>
    public static bool TryReadDouble(ref Utf8JsonReader reader, out double value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out value) && double.IsFinite(value);
    }

    /// <summary>Reads a NumericDate (RFC 7519 section 2) as whole seconds since the epoch.</summary>
    /// <param name="reader">The reader, at the value.</param>
    /// <param name="value">The instant.</param>
    /// <returns>Whether the value is an integer within the range of <see cref="DateTimeOffset"/>.</returns>
    public static bool TryReadNumericDate(ref Utf8JsonReader reader, out DateTimeOffset value)
    {
        value = default;
        if (!TryReadInt64(ref reader, out long seconds) || seconds is < MinNumericDate or > MaxNumericDate)
        {
            return false;
        }

        value = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    /// <summary>Reads an array of strings, or a single string as one element or as its space-separated words.</summary>
    /// <param name="reader">The reader, at the value; after an array, at its end.</param>
    /// <param name="spaceDelimited">Whether a single string is split on spaces.</param>
    /// <param name="value">The strings.</param>
    /// <returns>Whether the value is a string or an array of strings only.</returns>
    /// <remarks>Allocates the returned array and strings only: arrays are counted before they are read, words are cut from the UTF-8 bytes.</remarks>
    public static bool TryReadStringArray(ref Utf8JsonReader reader, bool spaceDelimited, [NotNullWhen(true)] out string[]? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.String)
        {
            return spaceDelimited ? TryReadWords(ref reader, out value) : TryReadSingle(ref reader, out value);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        // Count first, on a copy of the reader, so that the array has its final size and no list is needed.
        Utf8JsonReader counter = reader;
        int count = 0;
        while (counter.Read() && counter.TokenType != JsonTokenType.EndArray)
        {
            if (counter.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                return false;
            }

            count++;
        }

        string[] items = count == 0 ? [] : new string[count];
        for (int i = 0; i < count; i++)
        {
            reader.Read();
            if (!TryReadString(ref reader, out string? item))
            {
                reader = counter;
                return false;
            }

            items[i] = item;
        }

        reader.Read();
        value = items;
        return true;
    }

    private static bool TryReadSingle(ref Utf8JsonReader reader, [NotNullWhen(true)] out string[]? value)
    {
        value = TryReadString(ref reader, out string? single) ? [single] : null;
        return value is not null;
    }

    // Space-separated words (RFC 6749 section 3.3), cut from the raw bytes when the string has no escapes.
    private static bool TryReadWords(ref Utf8JsonReader reader, [NotNullWhen(true)] out string[]? value)
    {
        value = null;
        try
        {
            return TryReadWordsCore(ref reader, out value);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool TryReadWordsCore(ref Utf8JsonReader reader, [NotNullWhen(true)] out string[]? value)
    {
        value = null;
        if (reader.ValueIsEscaped)
        {
            if (!TryReadString(ref reader, out string? unescaped))
            {
                return false;
            }

            value = unescaped.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return true;
        }

        ReadOnlySpan<byte> text = reader.ValueSpan;
        int count = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != (byte)' ' && (i == 0 || text[i - 1] == (byte)' '))
            {
                count++;
            }
        }

        string[] words = count == 0 ? [] : new string[count];
        int word = 0;
        for (int start = 0; start < text.Length;)
        {
            if (text[start] == (byte)' ')
            {
                start++;
                continue;
            }

            int length = text[start..].IndexOf((byte)' ');
            length = length < 0 ? text.Length - start : length;
            words[word++] = s_strictUtf8.GetString(text.Slice(start, length));
            start += length;
        }

        value = words;
        return true;
    }

    /// <summary>Copies any value.</summary>
    /// <param name="reader">The reader, at the value; after an object or array, at its end.</param>
    /// <returns>A copy of the value, independent of the payload.</returns>
    public static JsonElement ReadElement(ref Utf8JsonReader reader) => JsonElement.ParseValue(ref reader);
}
