// A non-throwing JSON syntax check (RFC 8259), run before Utf8JsonReader reads attacker input, so that a malformed
// header, payload or proof is refused without a first-chance exception: Utf8JsonReader reports bad syntax only by
// throwing JsonException, which costs microseconds and shows in every exception counter.
//
// It accepts exactly what Utf8JsonReader with default options (no comments, no trailing commas, isFinalBlock true)
// reads without throwing, to the same maximum depth: one value, optionally surrounded by the four JSON whitespace
// characters. Strings are scanned with a vectorised search for '"', '\' and control characters; escapes are checked
// for form (\uXXXX has four hex digits), not for surrogate pairing, which is checked where a value is decoded
// (JsonEscapes). The input must already be valid UTF-8 (callers check that first, with Utf8.IsValid).

using System;
using System.Buffers;

namespace Auth0.Api.Aot.Internal;

internal static class JsonSyntax
{
    private static readonly SearchValues<byte> s_stringSpecials = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"u8);

    /// <summary>Whether <paramref name="json"/> is one JSON value nested at most <paramref name="maxDepth"/> (at most 64) containers deep.</summary>
    public static bool IsValid(ReadOnlySpan<byte> json, int maxDepth)
    {
        int i = SkipWhitespace(json, 0);
        return TrySkipValue(json, ref i, 0, maxDepth) && SkipWhitespace(json, i) == json.Length;
    }

    /// <summary>
    /// Moves <paramref name="i"/> past the value that starts there (after any whitespace), checking it; the value sits
    /// inside <paramref name="depth"/> containers, and may open containers up to <paramref name="maxDepth"/> in all.
    /// </summary>
    public static bool TrySkipValue(ReadOnlySpan<byte> json, ref int i, int depth, int maxDepth)
    {
        System.Diagnostics.Debug.Assert(maxDepth is > 0 and <= 64);
        ulong objects = 0; // bit d set: the container at depth d + 1 is an object
        int baseDepth = depth;
        i = SkipWhitespace(json, i);

    Value:
        if (i >= json.Length)
        {
            return false;
        }

        switch (json[i])
        {
            case (byte)'{':
                if (depth >= maxDepth)
                {
                    return false;
                }

                objects |= 1UL << depth;
                depth++;
                i = SkipWhitespace(json, i + 1);
                if (i < json.Length && json[i] == (byte)'}')
                {
                    depth--;
                    i++;
                    goto AfterValue;
                }

                goto Member;
            case (byte)'[':
                if (depth >= maxDepth)
                {
                    return false;
                }

                objects &= ~(1UL << depth);
                depth++;
                i = SkipWhitespace(json, i + 1);
                if (i < json.Length && json[i] == (byte)']')
                {
                    depth--;
                    i++;
                    goto AfterValue;
                }

                goto Value;
            case (byte)'"':
                i = SkipString(json, i, out _);
                break;
            case (byte)'t':
                i = SkipLiteral(json, i, "true"u8);
                break;
            case (byte)'f':
                i = SkipLiteral(json, i, "false"u8);
                break;
            case (byte)'n':
                i = SkipLiteral(json, i, "null"u8);
                break;
            default:
                i = SkipNumber(json, i);
                break;
        }

        if (i < 0)
        {
            return false;
        }

    AfterValue:
        if (depth == baseDepth)
        {
            return true;
        }

        i = SkipWhitespace(json, i);

        if (i >= json.Length)
        {
            return false;
        }

        bool inObject = (objects & (1UL << (depth - 1))) != 0;
        byte next = json[i];
        if (next == (byte)',')
        {
            i = SkipWhitespace(json, i + 1);
            if (inObject)
            {
                goto Member;
            }

            goto Value;
        }

        if (next == (inObject ? (byte)'}' : (byte)']'))
        {
            depth--;
            i++;
            goto AfterValue;
        }

        return false;

    Member:
        if (i >= json.Length || json[i] != (byte)'"')
        {
            return false;
        }

        i = SkipString(json, i, out _);
        if (i < 0)
        {
            return false;
        }

        i = SkipWhitespace(json, i);
        if (i >= json.Length || json[i] != (byte)':')
        {
            return false;
        }

        i = SkipWhitespace(json, i + 1);
        goto Value;
    }

    /// <summary>A reader positioned on the string whose text (between its quotes) is at <paramref name="start"/>, to compare or decode it.</summary>
    public static System.Text.Json.Utf8JsonReader StringReader(ReadOnlySpan<byte> json, int start, int length)
    {
        System.Text.Json.Utf8JsonReader reader = new(json.Slice(start - 1, length + 2));
        reader.Read();
        return reader;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        // Compact JSON (every token an issuer signs) has none: one comparison settles it.
        while ((uint)i < (uint)json.Length && json[i] <= (byte)' ' && json[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }

        return i;
    }

    // From the opening quote to just past the closing one; -1 when the string is not well formed.
    public static int SkipString(ReadOnlySpan<byte> json, int i, out bool escaped)
    {
        escaped = false;
        i++;
        while (true)
        {
            int special = json[i..].IndexOfAny(s_stringSpecials);
            if (special < 0)
            {
                return -1;
            }

            i += special;
            byte c = json[i];
            if (c == (byte)'"')
            {
                return i + 1;
            }

            if (c != (byte)'\\' || i + 1 >= json.Length)
            {
                return -1;
            }

            escaped = true;
            switch (json[i + 1])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    i += 2;
                    break;
                case (byte)'u':
                    if (i + 6 > json.Length || !IsHex(json[i + 2]) || !IsHex(json[i + 3]) || !IsHex(json[i + 4]) || !IsHex(json[i + 5]))
                    {
                        return -1;
                    }

                    i += 6;
                    break;
                default:
                    return -1;
            }
        }
    }

    private static bool IsHex(byte c) => char.IsAsciiHexDigit((char)c);

    public static int SkipLiteral(ReadOnlySpan<byte> json, int i, ReadOnlySpan<byte> literal) =>
        json[i..].StartsWith(literal) ? i + literal.Length : -1;

    // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    public static int SkipNumber(ReadOnlySpan<byte> json, int i)
    {
        if (json[i] == (byte)'-')
        {
            i++;
        }

        if (i >= json.Length || !char.IsAsciiDigit((char)json[i]))
        {
            return -1;
        }

        if (json[i] == (byte)'0')
        {
            i++;
        }
        else
        {
            i = SkipDigits(json, i);
        }

        if (i < json.Length && json[i] == (byte)'.')
        {
            int start = ++i;
            i = SkipDigits(json, i);
            if (i == start)
            {
                return -1;
            }
        }

        if (i < json.Length && json[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < json.Length && json[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            int start = i;
            i = SkipDigits(json, i);
            if (i == start)
            {
                return -1;
            }
        }

        return i;
    }

    private static int SkipDigits(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && char.IsAsciiDigit((char)json[i]))
        {
            i++;
        }

        return i;
    }
}

/// <summary>
/// A forward cursor over one JSON text that checks what it passes (the rules of <see cref="JsonSyntax"/>), for a parser
/// that reads members and values itself in one pass instead of a syntax check followed by Utf8JsonReader. Nothing here
/// throws: a method that finds bad syntax returns <see langword="false"/>.
/// </summary>
internal ref struct JsonCursor(ReadOnlySpan<byte> json)
{
    private readonly ReadOnlySpan<byte> _json = json;
    private int _position;

    /// <summary>The first byte of the next token (after whitespace), or 0 at the end of the text.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public byte Peek()
    {
        _position = JsonSyntax.SkipWhitespace(_json, _position);
        return _position < _json.Length ? _json[_position] : (byte)0;
    }

    /// <summary>Consumes <paramref name="c"/> when it is the next token.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool TryConsume(byte c)
    {
        if (Peek() != c)
        {
            return false;
        }

        _position++;
        return true;
    }

    /// <summary>Whether only whitespace is left.</summary>
    public bool AtEnd() => Peek() == 0 && _position == _json.Length;

    /// <summary>Reads the string at the cursor; <paramref name="start"/> and <paramref name="length"/> cover its text between the quotes, as written.</summary>
    public bool TryReadString(out int start, out int length, out bool escaped)
    {
        escaped = false;
        start = length = 0;
        if (Peek() != (byte)'"')
        {
            return false;
        }

        int end = JsonSyntax.SkipString(_json, _position, out escaped);
        if (end < 0)
        {
            return false;
        }

        start = _position + 1;
        length = end - start - 1;
        _position = end;
        return true;
    }

    /// <summary>Reads the number at the cursor; <paramref name="start"/> and <paramref name="length"/> cover it.</summary>
    public bool TryReadNumber(out int start, out int length)
    {
        start = length = 0;
        byte c = Peek();
        if (c != (byte)'-' && !char.IsAsciiDigit((char)c))
        {
            return false;
        }

        int end = JsonSyntax.SkipNumber(_json, _position);
        if (end < 0)
        {
            return false;
        }

        start = _position;
        length = end - start;
        _position = end;
        return true;
    }

    /// <summary>
    /// Checks the first token of the value at the cursor without moving, as Utf8JsonReader.Read would: an object or
    /// array start is fine; a string, number or literal must be whole.
    /// </summary>
    public bool FirstTokenIsValid()
    {
        byte c = Peek();
        if (c is (byte)'{' or (byte)'[')
        {
            return true;
        }

        int end = _position;
        if (c == 0 || !JsonSyntax.TrySkipValue(_json, ref end, 0, 1))
        {
            return false;
        }

        // A number must also end where a token may: Utf8JsonReader refuses "1x" as it reads the number.
        return c is not ((byte)'-' or >= (byte)'0' and <= (byte)'9') || IsDelimiter(end);
    }

    /// <summary>Whether the cursor is where a token may end: the end of the text, whitespace, a comma or a closing bracket.</summary>
    public readonly bool AtDelimiter() => IsDelimiter(_position);

    private readonly bool IsDelimiter(int position) =>
        position == _json.Length || _json[position] is (byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

    /// <summary>Moves past the value at the cursor, checking it; it sits inside <paramref name="depth"/> containers.</summary>
    public bool TrySkipValue(int depth, int maxDepth) => JsonSyntax.TrySkipValue(_json, ref _position, depth, maxDepth);
}

/// <summary>
/// Checks the escapes of a JSON string as written (between its quotes) before it is decoded: a <c>\uXXXX</c> escape of
/// a high surrogate must be followed by one of a low surrogate, and a low surrogate must not stand alone.
/// Utf8JsonReader's <c>GetString</c>, <c>CopyString</c> and <c>ValueTextEquals</c> throw on such a string; this lets the
/// parsers refuse it as a result instead.
/// </summary>
internal static class JsonEscapes
{
    public static bool AreValid(ReadOnlySpan<byte> raw)
    {
        int i = raw.IndexOf((byte)'\\');
        if (i < 0)
        {
            return true;
        }

        while (i < raw.Length)
        {
            if (raw[i] != (byte)'\\')
            {
                i++;
                continue;
            }

            if (i + 1 >= raw.Length)
            {
                return false;
            }

            if (raw[i + 1] != (byte)'u')
            {
                i += 2;
                continue;
            }

            if (!TryReadEscape(raw, i, out int unit))
            {
                return false;
            }

            i += 6;
            if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                return false;
            }

            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (!TryReadEscape(raw, i, out int low) || low is < 0xDC00 or > 0xDFFF)
                {
                    return false;
                }

                i += 6;
            }
        }

        return true;
    }

    private static bool TryReadEscape(ReadOnlySpan<byte> raw, int i, out int unit)
    {
        unit = 0;
        if (i + 6 > raw.Length || raw[i] != (byte)'\\' || raw[i + 1] != (byte)'u')
        {
            return false;
        }

        for (int k = 2; k < 6; k++)
        {
            int digit = HexValue(raw[i + k]);
            if (digit < 0)
            {
                return false;
            }

            unit = (unit << 4) | digit;
        }

        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
