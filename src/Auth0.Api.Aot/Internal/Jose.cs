// The JOSE reading layer shared by access tokens and DPoP proofs (RFC 7515):
//   JoseCompact: the compact serialisation split into exactly three '.'-separated segments (section 7.1);
//   JoseHeader:  a protected header read in one forward pass after a non-throwing syntax check (JsonSyntax): one JSON
//                object, no member twice (registered members by bit, up to 16 others by their unescaped names), every
//                escape decodable (JsonEscapes), and the position and type of each registered member's value recorded
//                for the caller, which applies its own rules (the access-token rules in TokenParser, the proof rules in
//                DPoPProofVerifier).
// Segments are decoded by Base64UrlStrict. Nothing here throws or allocates.

using System;
using System.Text.Json;

namespace Auth0.Api.Aot.Internal;

internal static class JoseCompact
{
    /// <summary>Finds the two dots of a compact JWS; otherwise <paramref name="segments"/> is how many segments there are.</summary>
    public static bool TrySplit(ReadOnlySpan<char> value, out int firstDot, out int secondDot, out int segments)
    {
        firstDot = value.IndexOf('.');
        secondDot = firstDot < 0 ? -1 : value[(firstDot + 1)..].IndexOf('.');
        if (secondDot >= 0)
        {
            secondDot += firstDot + 1;
            if (!value[(secondDot + 1)..].Contains('.'))
            {
                segments = 3;
                return true;
            }
        }

        segments = value.Count('.') + 1;
        return false;
    }
}

/// <summary>Where one header member's value is: for a string, its text between the quotes (as written, maybe escaped).</summary>
internal struct JoseValue
{
    public int Start;
    public int Length;
    public JsonTokenType Type;
    public bool Escaped;

    public readonly bool IsPresent => Type != JsonTokenType.None;

    public readonly bool IsString => Type == JsonTokenType.String;

    /// <summary>A reader positioned on this string value (its quotes included), to compare or decode it.</summary>
    public readonly Utf8JsonReader StringReader(ReadOnlySpan<byte> json) => JsonSyntax.StringReader(json, Start, Length);

    /// <summary>Whether this is a string equal to <paramref name="utf8"/> (compared unescaped).</summary>
    public readonly bool StringEquals(ReadOnlySpan<byte> json, ReadOnlySpan<byte> utf8)
    {
        if (!IsString)
        {
            return false;
        }

        if (!Escaped)
        {
            return json.Slice(Start, Length).SequenceEqual(utf8);
        }

        Utf8JsonReader reader = StringReader(json);
        return reader.ValueTextEquals(utf8);
    }
}

internal ref struct JoseHeader
{
    public const int MaxUnknownMembers = 16;
    public const int MaxNameLength = 64;

    /// <summary>Scratch bytes a caller provides for the names of unregistered members.</summary>
    public const int ScratchSize = MaxUnknownMembers * MaxNameLength;

    public const int Alg = 1 << 0, Kid = 1 << 1, Typ = 1 << 2, Crit = 1 << 3, Jku = 1 << 4, X5u = 1 << 5, X5c = 1 << 6,
        Jwk = 1 << 7, X5t = 1 << 8, X5tS256 = 1 << 9, Cty = 1 << 10;

    /// <summary>The registered members present.</summary>
    public int Seen;
    public JoseValue AlgValue;
    public JoseValue KidValue;
    public JoseValue TypValue;
    public JoseValue JwkValue;

    public readonly bool Has(int member) => (Seen & member) != 0;

    /// <summary>
    /// Reads <paramref name="json"/> (valid UTF-8) as a header; on failure <paramref name="problem"/> says why, in the
    /// words of the access-token messages (<c>the header is not valid JSON</c>...).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> json, Span<byte> scratch, out JoseHeader header, out string? problem)
    {
        header = default;
        if (!JsonSyntax.IsValid(json, 16))
        {
            problem = "the header is not valid JSON";
            return false;
        }

        if (!JsonEscapes.AreValid(json))
        {
            problem = "the header has an invalid string escape";
            return false;
        }

        Span<int> nameLengths = stackalloc int[MaxUnknownMembers];
        int unknownCount = 0;
        Utf8JsonReader reader = new(json, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            problem = "the header is not a JSON object";
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int bit = MemberBit(ref reader);
            if (bit == 0)
            {
                if (!TrackUnknownName(ref reader, scratch, nameLengths, ref unknownCount, out problem))
                {
                    return false;
                }
            }
            else if ((header.Seen & bit) != 0)
            {
                problem = "duplicate header member";
                return false;
            }

            header.Seen |= bit;
            reader.Read();
            JoseValue value = new() { Type = reader.TokenType };
            if (reader.TokenType == JsonTokenType.String)
            {
                value.Start = (int)reader.TokenStartIndex + 1;
                value.Length = reader.ValueSpan.Length;
                value.Escaped = reader.ValueIsEscaped;
            }
            else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                value.Start = (int)reader.TokenStartIndex;
                reader.Skip();
                value.Length = (int)reader.TokenStartIndex + 1 - value.Start;
            }

            switch (bit)
            {
                case Alg:
                    header.AlgValue = value;
                    break;
                case Kid:
                    header.KidValue = value;
                    break;
                case Typ:
                    header.TypValue = value;
                    break;
                case Jwk:
                    header.JwkValue = value;
                    break;
            }
        }

        // The syntax check has seen one value: what follows the object's end is whitespace only.
        problem = null;
        return true;
    }

    private static int MemberBit(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            ReadOnlySpan<byte> name = reader.ValueSpan;
            if (name.Length == 3)
            {
                return name.SequenceEqual("alg"u8) ? Alg
                    : name.SequenceEqual("kid"u8) ? Kid
                    : name.SequenceEqual("typ"u8) ? Typ
                    : name.SequenceEqual("jku"u8) ? Jku
                    : name.SequenceEqual("x5u"u8) ? X5u
                    : name.SequenceEqual("x5c"u8) ? X5c
                    : name.SequenceEqual("jwk"u8) ? Jwk
                    : name.SequenceEqual("x5t"u8) ? X5t
                    : name.SequenceEqual("cty"u8) ? Cty
                    : 0;
            }

            return name.SequenceEqual("crit"u8) ? Crit : name.SequenceEqual("x5t#S256"u8) ? X5tS256 : 0;
        }

        if (reader.ValueTextEquals("alg"u8)) return Alg;
        if (reader.ValueTextEquals("kid"u8)) return Kid;
        if (reader.ValueTextEquals("typ"u8)) return Typ;
        if (reader.ValueTextEquals("crit"u8)) return Crit;
        if (reader.ValueTextEquals("jku"u8)) return Jku;
        if (reader.ValueTextEquals("x5u"u8)) return X5u;
        if (reader.ValueTextEquals("x5c"u8)) return X5c;
        if (reader.ValueTextEquals("jwk"u8)) return Jwk;
        if (reader.ValueTextEquals("x5t"u8)) return X5t;
        if (reader.ValueTextEquals("x5t#S256"u8)) return X5tS256;
        if (reader.ValueTextEquals("cty"u8)) return Cty;
        return 0;
    }

    private static bool TrackUnknownName(ref Utf8JsonReader reader, scoped Span<byte> names, scoped Span<int> lengths, ref int count, out string? problem)
    {
        if (count == MaxUnknownMembers)
        {
            problem = "too many header members";
            return false;
        }

        if (reader.ValueSpan.Length > MaxNameLength)
        {
            problem = "header member name too long";
            return false;
        }

        Span<byte> slot = names.Slice(count * MaxNameLength, MaxNameLength);
        int length;
        if (reader.ValueIsEscaped)
        {
            length = reader.CopyString(slot);
        }
        else
        {
            reader.ValueSpan.CopyTo(slot);
            length = reader.ValueSpan.Length;
        }

        ReadOnlySpan<byte> name = slot[..length];
        for (int i = 0; i < count; i++)
        {
            if (name.SequenceEqual(names.Slice(i * MaxNameLength, lengths[i])))
            {
                problem = "duplicate header member";
                return false;
            }
        }

        lengths[count++] = length;
        problem = null;
        return true;
    }
}
