// Compact JWS parsing over spans (RFC 7515 section 7.1, RFC 7519 section 7.2), before any network call:
//   1. exactly three '.'-separated segments;
//   2. each segment strict base64url (Base64UrlStrict), decoded into one pooled buffer;
//   3. header and payload valid UTF-8 and a single JSON object each, read with Utf8JsonReader;
//   4. header (JoseHeader, shared with DPoP proofs): duplicate members rejected; 'alg' a string from the allow-list
//      (HS* and 'none' named in the error); 'typ' an access-token type if present; 'crit' rejected; 'kid' a string;
//      'jku', 'x5u', 'x5c', 'jwk' and every other member ignored (never used to find a key);
//   5. payload: a non-throwing syntax check first (JsonSyntax), then registered claims type-checked (iss, sub, jti,
//      azp, scope, client_id strings; aud a string or an array of strings; exp, nbf, iat integers in Int64;
//      permissions an array of strings), their escapes checked (JsonEscapes); no member name repeated; the
//      audience is matched and the confirmation (cnf, RFC 7800) read during this pass, so no later stage decodes the
//      payload again.
// Nothing here throws, and nothing allocates for a well-formed token except when the header's kid or typ, or the
// payload's iss, uses JSON escapes (or typ is over 32 bytes); comparing many or escaped member names uses pooled buffers.

using System;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Auth0.Api.Aot.Internal;

internal enum AudienceMatch : byte
{
    Missing,
    Matched,
    MismatchSingle,
    MismatchArray,
}

/// <summary>What the payload's <c>cnf</c> claim holds, read during the parse (the shapes of reference section 4.1).</summary>
internal enum Confirmation : byte
{
    /// <summary>No cnf, or a falsy one (null, false, 0, "", [], {}), as the Python SDK's truthiness test.</summary>
    Absent,

    /// <summary>cnf is not an object, or its jkt member is repeated.</summary>
    Invalid,

    /// <summary>cnf is an object without a non-empty string jkt.</summary>
    NoThumbprint,

    /// <summary>cnf.jkt is a string that cannot be a SHA-256 thumbprint (not 43 characters of base64url once unescaped).</summary>
    Unmatchable,

    /// <summary>cnf.jkt decodes to 32 bytes, in <see cref="ParsedToken.Jkt"/>.</summary>
    Thumbprint,
}

/// <summary>32 bytes held inline: a SHA-256 thumbprint or hash.</summary>
[System.Runtime.CompilerServices.InlineArray(32)]
internal struct Bytes32
{
    private byte _element;
}

/// <summary>What the parse stage learnt about a token; offsets point into the caller's buffer.</summary>
internal struct ParsedToken
{
    public Confirmation Confirmation;

    /// <summary>
    /// Whether cnf is an object whose only member is one string <c>x5t#S256</c> (RFC 8705: bound to a client
    /// certificate), which a proxy that terminates mutual TLS may have checked.
    /// </summary>
    public bool ConfirmationOnlyCertificate;

    /// <summary>The decoded cnf.jkt when <see cref="Confirmation"/> is <see cref="Confirmation.Thumbprint"/>.</summary>
    public Bytes32 Jkt;

    public JwsAlgorithm Algorithm;

    public int SigningInputLength;
    public int HeaderSegmentLength;
    public bool HeaderFromMemo;
    public int PayloadStart;
    public int PayloadLength;
    public int SignatureStart;
    public int SignatureLength;
    public int AsciiStart;

    public int KidStart;
    public int KidLength;
    public byte[]? KidUnescaped;

    public bool HasIss;
    public int IssStart;
    public int IssLength;
    public byte[]? IssUnescaped;

    public AudienceMatch Audience;
    public bool HasExp;
    public long Exp;
    public bool HasNbf;
    public long Nbf;
    public bool HasIat;
    public long Iat;

    public readonly ReadOnlySpan<byte> Kid(byte[] buffer) => KidUnescaped ?? buffer.AsSpan(KidStart, KidLength);

    public readonly ReadOnlySpan<byte> Iss(byte[] buffer) => IssUnescaped ?? buffer.AsSpan(IssStart, IssLength);

    public readonly ReadOnlySpan<byte> Payload(byte[] buffer) => buffer.AsSpan(PayloadStart, PayloadLength);

    public readonly ReadOnlySpan<byte> Signature(byte[] buffer) => buffer.AsSpan(SignatureStart, SignatureLength);
}

/// <summary>
/// The header of the last token that verified, kept by the verifier: a token whose header segment is the same string
/// (every token of one tenant and key has the same header) skips the header decode and parse. It is recorded only after
/// a signature verified, so a stream of forged tokens can neither fill nor replace it.
/// </summary>
internal sealed class HeaderMemo(string segment, JwsAlgorithm algorithm, byte[] kid)
{
    public string Segment { get; } = segment;

    public JwsAlgorithm Algorithm { get; } = algorithm;

    public byte[] Kid { get; } = kid;
}

internal static class TokenParser
{
    // Bits for registered and Auth0 claims (duplicates are rejected).
    private const int CIss = 1 << 0, CSub = 1 << 1, CAud = 1 << 2, CExp = 1 << 3, CNbf = 1 << 4, CIat = 1 << 5,
        CJti = 1 << 6, CAzp = 1 << 7, CScope = 1 << 8, CPermissions = 1 << 9, CCnf = 1 << 10, CAct = 1 << 11,
        CClientId = 1 << 12;

    /// <summary>The buffer size <c>TryParse</c> needs for a token of <paramref name="tokenLength"/> characters.</summary>
    public static int BufferSize(int tokenLength) => DecodedSize(tokenLength) + JoseHeader.ScratchSize;

    /// <summary>The start of the buffer that holds what was decoded from the token (header, payload, signature) and the signing input.</summary>
    public static int DecodedSize(int tokenLength) => (tokenLength * 2) + 8;

    public static bool TryParse(ReadOnlySpan<char> token, byte[] buffer, SigningAlgorithms allowed, ReadOnlySpan<byte> audience, out ParsedToken parsed, out AuthError error) =>
        TryParse(token, buffer, allowed, audience, null, out parsed, out error);

    public static bool TryParse(ReadOnlySpan<char> token, byte[] buffer, SigningAlgorithms allowed, ReadOnlySpan<byte> audience, RecentSlots<HeaderMemo>? memos, out ParsedToken parsed, out AuthError error)
    {
        parsed = default;
        if (!JoseCompact.TrySplit(token, out int firstDot, out int secondDot, out int segments))
        {
            error = Error.SegmentCount(segments);
            return false;
        }

        ReadOnlySpan<char> headerChars = token[..firstDot];
        ReadOnlySpan<char> payloadChars = token[(firstDot + 1)..secondDot];
        ReadOnlySpan<char> signatureChars = token[(secondDot + 1)..];

        // Header: the same segment as a recently verified token's gives the same result, already known.
        parsed.HeaderSegmentLength = firstDot;
        int headerLength = 0;
        HeaderMemo? memo = FindMemo(memos, headerChars);
        if (memo is not null)
        {
            parsed.HeaderFromMemo = true;
            parsed.Algorithm = memo.Algorithm;
            parsed.KidUnescaped = memo.Kid;
        }
        else
        {
            if (!Base64UrlStrict.TryDecode(headerChars, buffer, out headerLength))
            {
                error = Error.HeaderNotBase64Url;
                return false;
            }

            Span<byte> scratch = buffer.AsSpan(BufferSize(token.Length) - JoseHeader.ScratchSize, JoseHeader.ScratchSize);
            if (!TryReadHeader(buffer.AsSpan(0, headerLength), scratch, allowed, ref parsed, out error))
            {
                return false;
            }
        }

        // Payload.
        parsed.PayloadStart = headerLength;
        if (!Base64UrlStrict.TryDecode(payloadChars, buffer.AsSpan(parsed.PayloadStart), out int payloadLength))
        {
            error = Error.PayloadNotBase64Url;
            return false;
        }

        parsed.PayloadLength = payloadLength;
        if (!TryReadPayload(buffer, audience, ref parsed, out error))
        {
            return false;
        }

        // Signature: decoded now so that malformed encodings are refused before any network call.
        parsed.SignatureStart = parsed.PayloadStart + payloadLength;
        if (!Base64UrlStrict.TryDecode(signatureChars, buffer.AsSpan(parsed.SignatureStart), out int signatureLength) || signatureLength == 0)
        {
            error = Error.SignatureNotBase64Url;
            return false;
        }

        parsed.SignatureLength = signatureLength;
        parsed.AsciiStart = parsed.SignatureStart + signatureLength;
        parsed.SigningInputLength = secondDot;
        error = default;
        return true;
    }

    private static HeaderMemo? FindMemo(RecentSlots<HeaderMemo>? memos, ReadOnlySpan<char> headerChars)
    {
        if (memos is not null)
        {
            for (int i = 0; i < memos.Length; i++)
            {
                HeaderMemo? memo = memos[i];
                if (memo is not null && headerChars.SequenceEqual(memo.Segment))
                {
                    return memo;
                }
            }
        }

        return null;
    }

    /// <summary>Writes the ASCII signing input (<c>header.payload</c>) into the buffer and returns it.</summary>
    public static ReadOnlySpan<byte> SigningInput(ReadOnlySpan<char> token, byte[] buffer, in ParsedToken parsed)
    {
        Span<byte> destination = buffer.AsSpan(parsed.AsciiStart, parsed.SigningInputLength);
        System.Text.Ascii.FromUtf16(token[..parsed.SigningInputLength], destination, out _);
        return destination;
    }

    // The access-token rules over the shared header reader, in this order: structure, member types, crit, alg present,
    // alg allowed, typ, kid present.
    private static bool TryReadHeader(ReadOnlySpan<byte> json, Span<byte> scratch, SigningAlgorithms allowed, ref ParsedToken parsed, out AuthError error)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            error = Error.Header("the header is not valid UTF-8");
            return false;
        }

        if (!JoseHeader.TryRead(json, scratch, out JoseHeader header, out string? problem))
        {
            error = Error.Header(problem);
            return false;
        }

        if (header.AlgValue.IsPresent && !header.AlgValue.IsString)
        {
            error = Error.Header("'alg' is not a string");
            return false;
        }

        if (header.KidValue.IsPresent && !header.KidValue.IsString)
        {
            error = Error.Header("'kid' is not a string");
            return false;
        }

        if (header.TypValue.IsPresent && !header.TypValue.IsString)
        {
            error = Error.Header("'typ' is not a string");
            return false;
        }

        if (header.Has(JoseHeader.Crit))
        {
            error = Error.CriticalHeader;
            return false;
        }

        if (!header.AlgValue.IsPresent)
        {
            error = Error.AlgorithmMissing;
            return false;
        }

        Utf8JsonReader alg = header.AlgValue.StringReader(json);
        JwsAlgorithm? algorithm = MatchAlgorithm(ref alg, allowed);
        if (algorithm is null)
        {
            error = Error.AlgorithmNotAllowed(KnownAlgorithmName(ref alg) ?? alg.GetString() ?? string.Empty);
            return false;
        }

        if (header.TypValue.IsPresent && !IsAccessTokenType(json, header.TypValue))
        {
            error = Error.TypeNotAllowed;
            return false;
        }

        if (!header.KidValue.IsPresent)
        {
            error = Error.KidMissing;
            return false;
        }

        if (header.KidValue.Escaped)
        {
            parsed.KidUnescaped = System.Text.Encoding.UTF8.GetBytes(header.KidValue.StringReader(json).GetString()!);
        }
        else
        {
            parsed.KidStart = header.KidValue.Start;
            parsed.KidLength = header.KidValue.Length;
        }

        parsed.Algorithm = algorithm;
        error = default;
        return true;
    }

    private static JwsAlgorithm? MatchAlgorithm(ref Utf8JsonReader reader, SigningAlgorithms allowed)
    {
        foreach (JwsAlgorithm candidate in JwsAlgorithm.All)
        {
            if ((allowed & candidate.Flag) != 0 && reader.ValueTextEquals(candidate.NameUtf8))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The interned name of a well-known algorithm, so that refusing the common ones allocates nothing.</summary>
    private static string? KnownAlgorithmName(ref Utf8JsonReader reader)
    {
        foreach (JwsAlgorithm candidate in JwsAlgorithm.All)
        {
            if (reader.ValueTextEquals(candidate.NameUtf8))
            {
                return candidate.Name;
            }
        }

        return reader.ValueTextEquals("none"u8) ? "none"
            : reader.ValueTextEquals("HS256"u8) ? "HS256"
            : reader.ValueTextEquals("HS384"u8) ? "HS384"
            : reader.ValueTextEquals("HS512"u8) ? "HS512"
            : null;
    }

    private static bool IsAccessTokenType(ReadOnlySpan<byte> json, JoseValue typ)
    {
        if (typ.Escaped || typ.Length > 32)
        {
            string? value = typ.StringReader(json).GetString();
            return value is not null
                && (value.Equals("JWT", StringComparison.OrdinalIgnoreCase)
                    || value.Equals("at+jwt", StringComparison.OrdinalIgnoreCase)
                    || value.Equals("application/at+jwt", StringComparison.OrdinalIgnoreCase));
        }

        ReadOnlySpan<byte> raw = json.Slice(typ.Start, typ.Length);
        return Ascii.EqualsIgnoreCase(raw, "JWT"u8)
            || Ascii.EqualsIgnoreCase(raw, "at+jwt"u8)
            || Ascii.EqualsIgnoreCase(raw, "application/at+jwt"u8);
    }

    // The payload in one checking pass (JsonCursor), the registered claims read as they come; errors in document order,
    // as a Utf8JsonReader would meet them: a value whose first token is malformed is "not valid JSON", a well-formed one
    // of the wrong type a claim error.
    private static bool TryReadPayload(byte[] buffer, ReadOnlySpan<byte> audience, ref ParsedToken parsed, out AuthError error)
    {
        ReadOnlySpan<byte> json = parsed.Payload(buffer);
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            error = Error.Payload("the payload is not valid UTF-8");
            return false;
        }

        JsonCursor cursor = new(json);
        if (!cursor.TryConsume((byte)'{'))
        {
            error = cursor.Peek() == (byte)'[' || JsonSyntax.IsValid(json, MaxDepth) ? NotAnObject : NotJson;
            return false;
        }

        int seen = 0;
        bool first = true;

        // The other members may not repeat either (RFC 7519 section 4): the readers after this one would disagree on a
        // repeated name (AccessTokenClaims keeps the last, a ClaimsPrincipal gets a claim for each). Up to OtherNames
        // plainly written names are compared here as they come; past that, or once a name is escaped, every name is
        // compared after the pass instead (FindRepeatedName). Either way a repeat is reported after the pass, once the
        // rest of the payload has checked out, so the error a payload gets does not depend on how many names it has.
        Span<int> others = stackalloc int[OtherNames * 2];
        int otherCount = 0;
        bool compareAfter = false;
        int repeatStart = -1, repeatLength = 0;
        while (!cursor.TryConsume((byte)'}'))
        {
            if ((!first && !cursor.TryConsume((byte)',')) || !cursor.TryReadString(out int nameStart, out int nameLength, out bool nameEscaped) || !cursor.TryConsume((byte)':'))
            {
                error = NotJson;
                return false;
            }

            first = false;
            ReadOnlySpan<byte> name = json.Slice(nameStart, nameLength);
            if (nameEscaped && !JsonEscapes.AreValid(name))
            {
                error = InvalidEscape;
                return false;
            }

            int bit = ClaimBit(json, nameStart, nameLength, nameEscaped);
            if ((seen & bit) != 0)
            {
                error = Error.Payload("duplicate claim '" + ClaimName(bit) + "'");
                return false;
            }

            if (bit == 0 && !compareAfter && repeatStart < 0)
            {
                if (nameEscaped || otherCount == OtherNames)
                {
                    compareAfter = true;
                }
                else if (IsRepeated(json, name, others[..(otherCount * 2)]))
                {
                    repeatStart = nameStart;
                    repeatLength = nameLength;
                }
                else
                {
                    others[otherCount * 2] = nameStart;
                    others[(otherCount * 2) + 1] = nameLength;
                    otherCount++;
                }
            }

            seen |= bit;
            if (!TryReadClaim(ref cursor, json, bit, audience, ref parsed, out error))
            {
                return false;
            }

            if (bit == CCnf && nameEscaped)
            {
                // A certificate binding is let through only as written plainly, as a proxy that checks it would find it.
                parsed.ConfirmationOnlyCertificate = false;
            }
        }

        if (!cursor.AtEnd())
        {
            error = NotJson;
            return false;
        }

        if (repeatStart >= 0)
        {
            error = DuplicateClaim(json.Slice(repeatStart, repeatLength));
            return false;
        }

        if (compareAfter && FindRepeatedName(json, out error))
        {
            return false;
        }

        error = default;
        return true;
    }

    private const int MaxDepth = 64;

    // How many names of members that are not registered claims are compared as the payload is read.
    private const int OtherNames = 16;

    // Whether name equals one of the names at the (start, length) pairs of others (all plainly written).
    private static bool IsRepeated(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name, ReadOnlySpan<int> others)
    {
        for (int i = 0; i < others.Length; i += 2)
        {
            if (others[i + 1] == name.Length && json.Slice(others[i], name.Length).SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }

    // Whether two top-level member names of the payload (one object, already checked) are the same once unescaped; the
    // error names one of them. The names are copied unescaped into one pooled buffer (never longer than the payload)
    // and sorted (SortNames), so equal names end up side by side: O(n log n) for any payload, nothing allocated but the
    // error.
    private static bool FindRepeatedName(ReadOnlySpan<byte> json, out AuthError error)
    {
        byte[] names = System.Buffers.ArrayPool<byte>.Shared.Rent(json.Length);
        long[] spans = System.Buffers.ArrayPool<long>.Shared.Rent((json.Length / 4) + 1);
        try
        {
            int count = 0, used = 0;
            Utf8JsonReader reader = new(json, new JsonReaderOptions { MaxDepth = MaxDepth });
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int length = reader.CopyString(names.AsSpan(used));
                spans[count++] = ((long)used << 32) | (uint)length;
                used += length;
                reader.Skip();
            }

            Span<long> sorted = spans.AsSpan(0, count);
            SortNames(sorted, names);
            for (int i = 1; i < sorted.Length; i++)
            {
                if (NameAt(names, sorted[i]).SequenceEqual(NameAt(names, sorted[i - 1])))
                {
                    error = DuplicateClaim(NameAt(names, sorted[i]));
                    return true;
                }
            }

            error = default;
            return false;
        }
        finally
        {
            System.Buffers.ArrayPool<long>.Shared.Return(spans);
            System.Buffers.ArrayPool<byte>.Shared.Return(names);
        }
    }

    private static ReadOnlySpan<byte> NameAt(byte[] names, long span) => names.AsSpan((int)(span >> 32), (int)(span & uint.MaxValue));

    // Sorts the (offset, length) pairs of FindRepeatedName by the bytes they cover: a heapsort, O(n log n) for any
    // input and allocation-free (MemoryExtensions.Sort with a comparer allocates a delegate and a boxed comparer).
    private static void SortNames(Span<long> items, byte[] names)
    {
        for (int i = (items.Length / 2) - 1; i >= 0; i--)
        {
            SiftDown(items, i, items.Length, names);
        }

        for (int end = items.Length - 1; end > 0; end--)
        {
            (items[0], items[end]) = (items[end], items[0]);
            SiftDown(items, 0, end, names);
        }
    }

    private static void SiftDown(Span<long> items, int root, int length, byte[] names)
    {
        while (true)
        {
            int child = (2 * root) + 1;
            if (child >= length)
            {
                return;
            }

            if (child + 1 < length && NameAt(names, items[child]).SequenceCompareTo(NameAt(names, items[child + 1])) < 0)
            {
                child++;
            }

            if (NameAt(names, items[root]).SequenceCompareTo(NameAt(names, items[child])) >= 0)
            {
                return;
            }

            (items[root], items[child]) = (items[child], items[root]);
            root = child;
        }
    }

    // A repeated member that is not a registered claim; its name is the token's text, so it is shown only as Untrusted
    // makes it (printable ASCII, at most 64 characters).
    private static AuthError DuplicateClaim(ReadOnlySpan<byte> name) =>
        Error.Payload("duplicate claim '" + Error.Untrusted(Encoding.UTF8.GetString(name), 64) + "'");

    // The payload's errors have constant messages, so that refusing a token or reading a claim allocates nothing; they
    // are properties, not fields, so that a valid token's first verification builds none of them.
    private const string PayloadMessage = Error.PayloadMessage;

    private static AuthError NotJson => new(VerificationFailure.MalformedToken, PayloadMessage + "the payload is not valid JSON");

    private static AuthError NotAnObject => new(VerificationFailure.MalformedToken, PayloadMessage + "the payload is not a JSON object");

    private static AuthError InvalidEscape => new(VerificationFailure.MalformedToken, PayloadMessage + "the payload has an invalid string escape");

    // The error for a claim of the wrong type, built only when one is found.
    private static AuthError TypeError(int claim) => claim switch
    {
        CIss => Error.IssuerNotString,
        CAud => new(VerificationFailure.ClaimInvalid, "Invalid 'aud' claim: must be a string or an array of strings", "aud"),
        CPermissions => new(VerificationFailure.ClaimInvalid, "Invalid 'permissions' claim: must be an array of strings", "permissions"),
        CSub => new(VerificationFailure.ClaimInvalid, "Invalid 'sub' claim: must be a string", "sub"),
        CJti => new(VerificationFailure.ClaimInvalid, "Invalid 'jti' claim: must be a string", "jti"),
        CAzp => new(VerificationFailure.ClaimInvalid, "Invalid 'azp' claim: must be a string", "azp"),
        CScope => new(VerificationFailure.ClaimInvalid, "Invalid 'scope' claim: must be a string", "scope"),
        CClientId => new(VerificationFailure.ClaimInvalid, "Invalid 'client_id' claim: must be a string", "client_id"),
        _ => throw new UnreachableException("no type error is defined for claim bit " + claim.ToString(CultureInfo.InvariantCulture)),
    };

    private static bool TryReadClaim(ref JsonCursor cursor, ReadOnlySpan<byte> json, int bit, ReadOnlySpan<byte> audience, ref ParsedToken parsed, out AuthError error)
    {
        error = default;
        switch (bit)
        {
            case CIss:
                if (!TryReadStringClaim(ref cursor, json, CIss, out int start, out int length, out bool escaped, out error))
                {
                    return false;
                }

                parsed.HasIss = true;
                if (escaped)
                {
                    parsed.IssUnescaped = Encoding.UTF8.GetBytes(JsonSyntax.StringReader(json, start, length).GetString()!);
                }
                else
                {
                    parsed.IssStart = parsed.PayloadStart + start;
                    parsed.IssLength = length;
                }

                return true;
            case CAud:
                return TryReadAudience(ref cursor, json, audience, ref parsed, out error);
            case CExp:
                return TryReadNumericDate(ref cursor, json, "exp", out parsed.Exp, out parsed.HasExp, out error);
            case CNbf:
                return TryReadNumericDate(ref cursor, json, "nbf", out parsed.Nbf, out parsed.HasNbf, out error);
            case CIat:
                return TryReadNumericDate(ref cursor, json, "iat", out parsed.Iat, out parsed.HasIat, out error);
            case CSub or CJti or CAzp or CScope or CClientId:
                return TryReadStringClaim(ref cursor, json, bit, out _, out _, out _, out error);
            case CPermissions:
                return TryReadStringArray(ref cursor, json, default, matchAgainst: false, CPermissions, out _, out error);
            case CCnf:
                return TryReadConfirmation(ref cursor, json, ref parsed, out error);
            default:
                if (!cursor.TrySkipValue(1, MaxDepth))
                {
                    error = NotJson;
                    return false;
                }

                return true;
        }
    }

    // A value that must be a string: a malformed first token is not JSON, another type is the claim's TypeError, and the escapes
    // of a string are checked once here so that the typed accessors can always decode it later.
    private static bool TryReadStringClaim(ref JsonCursor cursor, ReadOnlySpan<byte> json, int claim, out int start, out int length, out bool escaped, out AuthError error)
    {
        if (cursor.Peek() != (byte)'"')
        {
            start = length = 0;
            escaped = false;
            error = cursor.FirstTokenIsValid() ? TypeError(claim) : NotJson;
            return false;
        }

        if (!cursor.TryReadString(out start, out length, out escaped))
        {
            error = NotJson;
            return false;
        }

        if (escaped && !JsonEscapes.AreValid(json.Slice(start, length)))
        {
            error = InvalidEscape;
            return false;
        }

        error = default;
        return true;
    }

    private static bool TryReadNumericDate(ref JsonCursor cursor, ReadOnlySpan<byte> json, string claim, out long value, out bool present, out AuthError error)
    {
        value = 0;
        present = false;

        // An integer in Int64, as Utf8JsonReader.TryGetInt64 reads it: no fraction, no exponent. Whatever is not one
        // is a claim error when its first token is well formed, else not JSON.
        byte c = cursor.Peek();
        if (c is not ((byte)'-' or (>= (byte)'0' and <= (byte)'9')))
        {
            error = cursor.FirstTokenIsValid() ? Error.ClaimType(claim, "must be an integer NumericDate") : NotJson;
            return false;
        }

        if (!cursor.TryReadNumber(out int start, out int length) || !cursor.AtDelimiter())
        {
            error = NotJson;
            return false;
        }

        if (!System.Buffers.Text.Utf8Parser.TryParse(json.Slice(start, length), out value, out int consumed) || consumed != length)
        {
            value = 0;
            error = Error.ClaimType(claim, "must be an integer NumericDate");
            return false;
        }

        present = true;
        error = default;
        return true;
    }

    private static bool TryReadAudience(ref JsonCursor cursor, ReadOnlySpan<byte> json, ReadOnlySpan<byte> audience, ref ParsedToken parsed, out AuthError error)
    {
        if (cursor.Peek() == (byte)'"')
        {
            if (!TryReadStringClaim(ref cursor, json, CAud, out int start, out int length, out bool escaped, out error))
            {
                return false;
            }

            parsed.Audience = StringEquals(json, start, length, escaped, audience) ? AudienceMatch.Matched : AudienceMatch.MismatchSingle;
            return true;
        }

        if (!TryReadStringArray(ref cursor, json, audience, matchAgainst: true, CAud, out bool matched, out error))
        {
            return false;
        }

        parsed.Audience = matched ? AudienceMatch.Matched : AudienceMatch.MismatchArray;
        return true;
    }

    // An array of strings (permissions, or aud when it is matched against the audience).
    private static bool TryReadStringArray(ref JsonCursor cursor, ReadOnlySpan<byte> json, ReadOnlySpan<byte> match, bool matchAgainst, int claim, out bool matched, out AuthError error)
    {
        matched = false;
        if (!cursor.TryConsume((byte)'['))
        {
            error = cursor.FirstTokenIsValid() ? TypeError(claim) : NotJson;
            return false;
        }

        bool first = true;
        while (!cursor.TryConsume((byte)']'))
        {
            if (!first && !cursor.TryConsume((byte)','))
            {
                error = NotJson;
                return false;
            }

            first = false;
            if (!TryReadStringClaim(ref cursor, json, claim, out int start, out int length, out bool escaped, out error))
            {
                return false;
            }

            matched = matched || (matchAgainst && StringEquals(json, start, length, escaped, match));
        }

        error = default;
        return true;
    }

    private static bool StringEquals(ReadOnlySpan<byte> json, int start, int length, bool escaped, ReadOnlySpan<byte> utf8) =>
        escaped ? JsonSyntax.StringReader(json, start, length).ValueTextEquals(utf8) : json.Slice(start, length).SequenceEqual(utf8);

    // A cnf.jkt longer than this, as written (each of a thumbprint's 43 characters may be a 6-byte \u escape), cannot
    // equal a SHA-256 thumbprint; it is unmatchable, not copied.
    private const int MaxJktLength = 6 * 43;

    // The cnf claim (RFC 7800) in the shapes the Python SDK distinguishes (reference section 4.1): falsy values are
    // absent, other non-objects invalid; in an object a repeated jkt, or a member name that cannot be decoded, is
    // invalid, and a non-empty string jkt a thumbprint candidate.
    private static bool TryReadConfirmation(ref JsonCursor cursor, ReadOnlySpan<byte> json, ref ParsedToken parsed, out AuthError error)
    {
        error = default;
        switch (cursor.Peek())
        {
            case (byte)'{':
                break;
            case (byte)'"':
                if (!cursor.TryReadString(out _, out int stringLength, out _))
                {
                    error = NotJson;
                    return false;
                }

                parsed.Confirmation = stringLength == 0 ? Confirmation.Absent : Confirmation.Invalid;
                return true;
            case (byte)'[':
                cursor.TryConsume((byte)'[');
                bool emptyArray = cursor.TryConsume((byte)']');
                parsed.Confirmation = emptyArray ? Confirmation.Absent : Confirmation.Invalid;
                if (!emptyArray && !SkipRestOfArray(ref cursor))
                {
                    error = NotJson;
                    return false;
                }

                return true;
            case (byte)'-' or (>= (byte)'0' and <= (byte)'9'):
                if (!cursor.TryReadNumber(out int numberStart, out int numberLength))
                {
                    error = NotJson;
                    return false;
                }

                parsed.Confirmation = IsZero(json.Slice(numberStart, numberLength)) ? Confirmation.Absent : Confirmation.Invalid;
                return true;
            case byte c:
                // null and false are absent, true invalid; anything else is not JSON.
                if (!cursor.TrySkipValue(1, MaxDepth))
                {
                    error = NotJson;
                    return false;
                }

                parsed.Confirmation = c is (byte)'n' or (byte)'f' ? Confirmation.Absent : Confirmation.Invalid;
                return true;
        }

        cursor.TryConsume((byte)'{');
        bool empty = true;
        bool seenJkt = false;
        int certificateMembers = 0;
        bool onlyCertificate = true;
        Confirmation found = Confirmation.NoThumbprint;
        while (!cursor.TryConsume((byte)'}'))
        {
            if ((!empty && !cursor.TryConsume((byte)',')) || !cursor.TryReadString(out int nameStart, out int nameLength, out bool nameEscaped) || !cursor.TryConsume((byte)':'))
            {
                error = NotJson;
                return false;
            }

            empty = false;
            ReadOnlySpan<byte> name = json.Slice(nameStart, nameLength);
            bool decodable = !nameEscaped || JsonEscapes.AreValid(name);
            bool isJkt = decodable && StringEquals(json, nameStart, nameLength, nameEscaped, "jkt"u8);
            if (!decodable)
            {
                found = Confirmation.Invalid;
            }

            if (!nameEscaped && cursor.Peek() == (byte)'"' && name.SequenceEqual("x5t#S256"u8))
            {
                certificateMembers++;
            }
            else
            {
                onlyCertificate = false;
            }

            if (!isJkt || cursor.Peek() != (byte)'"')
            {
                if (isJkt && seenJkt)
                {
                    found = Confirmation.Invalid;
                }

                seenJkt |= isJkt;
                if (!cursor.TrySkipValue(2, MaxDepth))
                {
                    error = NotJson;
                    return false;
                }

                continue;
            }

            if (!cursor.TryReadString(out int start, out int length, out bool escaped))
            {
                error = NotJson;
                return false;
            }

            if (seenJkt)
            {
                found = Confirmation.Invalid;
            }
            else if (length > 0 && found != Confirmation.Invalid)
            {
                found = TryReadThumbprint(json, start, length, escaped, ref parsed.Jkt) ? Confirmation.Thumbprint : Confirmation.Unmatchable;
            }

            seenJkt = true;
        }

        parsed.Confirmation = empty ? Confirmation.Absent : found;
        parsed.ConfirmationOnlyCertificate = onlyCertificate && certificateMembers == 1;
        return true;
    }

    private static bool SkipRestOfArray(ref JsonCursor cursor)
    {
        bool first = true;
        while (!cursor.TryConsume((byte)']'))
        {
            if ((!first && !cursor.TryConsume((byte)',')) || !cursor.TrySkipValue(2, MaxDepth))
            {
                return false;
            }

            first = false;
        }

        return true;
    }

    // Zero as Utf8JsonReader.TryGetDouble reads it (0, -0, 0.0, 0e5, and 1e-400, which underflows to 0).
    private static bool IsZero(ReadOnlySpan<byte> number) =>
        System.Buffers.Text.Utf8Parser.TryParse(number, out double value, out int consumed) && consumed == number.Length && double.IsFinite(value) && value == 0;

    private static bool TryReadThumbprint(ReadOnlySpan<byte> json, int start, int length, bool escaped, ref Bytes32 jkt)
    {
        ReadOnlySpan<byte> raw = json.Slice(start, length);
        if (raw.Length > MaxJktLength || (escaped && !JsonEscapes.AreValid(raw)))
        {
            return false;
        }

        Span<byte> unescaped = stackalloc byte[MaxJktLength];
        scoped ReadOnlySpan<byte> value = raw;
        if (escaped)
        {
            Utf8JsonReader reader = JsonSyntax.StringReader(json, start, length);
            value = unescaped[..reader.CopyString(unescaped)];
        }

        Span<char> chars = stackalloc char[43];
        return value.Length == 43
            && Ascii.ToUtf16(value, chars, out int written) == System.Buffers.OperationStatus.Done
            && Base64UrlStrict.TryDecode(chars[..written], jkt, out int decoded)
            && decoded == 32;
    }

    private static int ClaimBit(ReadOnlySpan<byte> json, int start, int length, bool escaped)
    {
        if (escaped)
        {
            Utf8JsonReader reader = JsonSyntax.StringReader(json, start, length);
            return ClaimBitEscaped(ref reader);
        }

        // Registered names are 3, 5, 9 or 11 bytes long.
        ReadOnlySpan<byte> name = json.Slice(start, length);
        switch (name.Length)
        {
            case 3:
                return name[0] switch
                {
                    (byte)'i' => name.SequenceEqual("iss"u8) ? CIss : name.SequenceEqual("iat"u8) ? CIat : 0,
                    (byte)'s' => name.SequenceEqual("sub"u8) ? CSub : 0,
                    (byte)'a' => name.SequenceEqual("aud"u8) ? CAud : name.SequenceEqual("azp"u8) ? CAzp : name.SequenceEqual("act"u8) ? CAct : 0,
                    (byte)'e' => name.SequenceEqual("exp"u8) ? CExp : 0,
                    (byte)'n' => name.SequenceEqual("nbf"u8) ? CNbf : 0,
                    (byte)'j' => name.SequenceEqual("jti"u8) ? CJti : 0,
                    (byte)'c' => name.SequenceEqual("cnf"u8) ? CCnf : 0,
                    _ => 0,
                };
            case 5:
                return name.SequenceEqual("scope"u8) ? CScope : 0;
            case 9:
                return name.SequenceEqual("client_id"u8) ? CClientId : 0;
            case 11:
                return name.SequenceEqual("permissions"u8) ? CPermissions : 0;
            default:
                return 0;
        }
    }

    private static int ClaimBitEscaped(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("iss"u8)) return CIss;
        if (reader.ValueTextEquals("sub"u8)) return CSub;
        if (reader.ValueTextEquals("aud"u8)) return CAud;
        if (reader.ValueTextEquals("exp"u8)) return CExp;
        if (reader.ValueTextEquals("iat"u8)) return CIat;
        if (reader.ValueTextEquals("nbf"u8)) return CNbf;
        if (reader.ValueTextEquals("jti"u8)) return CJti;
        if (reader.ValueTextEquals("azp"u8)) return CAzp;
        if (reader.ValueTextEquals("scope"u8)) return CScope;
        if (reader.ValueTextEquals("permissions"u8)) return CPermissions;
        if (reader.ValueTextEquals("cnf"u8)) return CCnf;
        if (reader.ValueTextEquals("act"u8)) return CAct;
        if (reader.ValueTextEquals("client_id"u8)) return CClientId;
        return 0;
    }

    private static string ClaimName(int bit) => bit switch
    {
        CIss => "iss",
        CSub => "sub",
        CAud => "aud",
        CExp => "exp",
        CNbf => "nbf",
        CIat => "iat",
        CJti => "jti",
        CAzp => "azp",
        CScope => "scope",
        CPermissions => "permissions",
        CCnf => "cnf",
        CAct => "act",
        CClientId => "client_id",
        _ => "?",
    };
}
