// Compact JWS parsing over spans (RFC 7515 section 7.1, RFC 7519 section 7.2), before any network call:
//   1. exactly three '.'-separated segments;
//   2. each segment strict base64url (Base64UrlStrict), decoded into one pooled buffer;
//   3. header and payload valid UTF-8 and a single JSON object each, read with Utf8JsonReader;
//   4. header: duplicate members rejected; 'alg' a string from the allow-list (HS* and 'none' named in the
//      error); 'typ' an access-token type if present; 'crit' rejected; 'kid' a string; 'jku', 'x5u', 'x5c',
//      'jwk' and every other member ignored (never used to find a key);
//   5. payload: registered claims type-checked (iss, sub, jti, azp, scope, client_id strings; aud a string or
//      an array of strings; exp, nbf, iat integers in Int64; permissions an array of strings) and duplicates of
//      them rejected; the audience is matched during this pass.
// Nothing here allocates for a well-formed token except when a member name or value uses JSON escapes.

using System;
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

/// <summary>What the parse stage learnt about a token; offsets point into the caller's buffer.</summary>
internal struct ParsedToken
{
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

/// <summary>A failure found by the parse or verification stage: a stable kind, a description and the claim.</summary>
internal readonly record struct TokenError(VerificationFailure Kind, string Message, string? Claim = null, System.Exception? Cause = null);

internal static class TokenParser
{
    private const int MaxUnknownHeaderMembers = 16;
    private const int MaxHeaderNameLength = 64;

    // Bits for registered header members (duplicates are rejected).
    private const int HAlg = 1 << 0, HKid = 1 << 1, HTyp = 1 << 2, HCrit = 1 << 3, HJku = 1 << 4, HX5u = 1 << 5,
        HX5c = 1 << 6, HJwk = 1 << 7, HX5t = 1 << 8, HX5tS256 = 1 << 9, HCty = 1 << 10;

    // Bits for registered and Auth0 claims (duplicates are rejected).
    private const int CIss = 1 << 0, CSub = 1 << 1, CAud = 1 << 2, CExp = 1 << 3, CNbf = 1 << 4, CIat = 1 << 5,
        CJti = 1 << 6, CAzp = 1 << 7, CScope = 1 << 8, CPermissions = 1 << 9, CCnf = 1 << 10, CAct = 1 << 11,
        CClientId = 1 << 12;

    // Messages for the usual wrong segment counts, built once so that refusing such a token allocates nothing.
    private static readonly string[] s_segmentMessages = [SegmentMessage(0), SegmentMessage(1), SegmentMessage(2), SegmentMessage(3), SegmentMessage(4), SegmentMessage(5), SegmentMessage(6), SegmentMessage(7)];

    private static string SegmentMessage(int segments) =>
        "Failed to parse token header: Invalid token format: expected 3 segments, got " + segments.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The buffer size <c>TryParse</c> needs for a token of <paramref name="tokenLength"/> characters.</summary>
    public static int BufferSize(int tokenLength) => (tokenLength * 2) + 8 + ScratchSize;

    // Scratch space at the end of the buffer for the names of unregistered header members (duplicate detection).
    private const int ScratchSize = MaxUnknownHeaderMembers * MaxHeaderNameLength;

    public static bool TryParse(string token, byte[] buffer, SigningAlgorithms allowed, ReadOnlySpan<byte> audience, out ParsedToken parsed, out TokenError error) =>
        TryParse(token, buffer, allowed, audience, null, out parsed, out error);

    public static bool TryParse(string token, byte[] buffer, SigningAlgorithms allowed, ReadOnlySpan<byte> audience, HeaderMemo?[]? memos, out ParsedToken parsed, out TokenError error)
    {
        parsed = default;
        ReadOnlySpan<char> chars = token;
        int firstDot = chars.IndexOf('.');
        int secondDot = firstDot < 0 ? -1 : chars[(firstDot + 1)..].IndexOf('.');
        if (secondDot >= 0)
        {
            secondDot += firstDot + 1;
        }

        if (firstDot < 0 || secondDot < 0 || chars[(secondDot + 1)..].Contains('.'))
        {
            int segments = chars.Count('.') + 1;
            error = new(VerificationFailure.MalformedToken, segments < s_segmentMessages.Length
                ? s_segmentMessages[segments]
                : SegmentMessage(segments));
            return false;
        }

        ReadOnlySpan<char> headerChars = chars[..firstDot];
        ReadOnlySpan<char> payloadChars = chars[(firstDot + 1)..secondDot];
        ReadOnlySpan<char> signatureChars = chars[(secondDot + 1)..];

        // Header: the same segment as the last verified token's gives the same result, already known.
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
                error = new(VerificationFailure.MalformedToken, "Failed to parse token header: the header is not strict base64url");
                return false;
            }

            Span<byte> scratch = buffer.AsSpan(BufferSize(token.Length) - ScratchSize, ScratchSize);
            if (!TryReadHeader(buffer.AsSpan(0, headerLength), scratch, allowed, ref parsed, out error))
            {
                return false;
            }
        }


        // Payload.
        parsed.PayloadStart = headerLength;
        if (!Base64UrlStrict.TryDecode(payloadChars, buffer.AsSpan(parsed.PayloadStart), out int payloadLength))
        {
            error = new(VerificationFailure.MalformedToken, "Failed to parse token payload: the payload is not strict base64url");
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
            error = new(VerificationFailure.MalformedToken, "Invalid token format: the signature is not strict base64url");
            return false;
        }

        parsed.SignatureLength = signatureLength;
        parsed.AsciiStart = parsed.SignatureStart + signatureLength;
        parsed.SigningInputLength = secondDot;
        error = default;
        return true;
    }

    private static HeaderMemo? FindMemo(HeaderMemo?[]? memos, ReadOnlySpan<char> headerChars)
    {
        if (memos is not null)
        {
            foreach (HeaderMemo? memo in memos)
            {
                if (memo is not null && headerChars.SequenceEqual(memo.Segment))
                {
                    return memo;
                }
            }
        }

        return null;
    }

    /// <summary>Writes the ASCII signing input (<c>header.payload</c>) into the buffer and returns it.</summary>
    public static ReadOnlySpan<byte> SigningInput(string token, byte[] buffer, in ParsedToken parsed)
    {
        Span<byte> destination = buffer.AsSpan(parsed.AsciiStart, parsed.SigningInputLength);
        System.Text.Ascii.FromUtf16(token.AsSpan(0, parsed.SigningInputLength), destination, out _);
        return destination;
    }

    private static bool TryReadHeader(ReadOnlySpan<byte> json, Span<byte> names, SigningAlgorithms allowed, ref ParsedToken parsed, out TokenError error)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            error = HeaderError("the header is not valid UTF-8");
            return false;
        }

        Span<int> nameLengths = stackalloc int[MaxUnknownHeaderMembers];
        int unknownCount = 0;
        int seen = 0;
        bool hasCrit = false;
        bool typOk = true;
        JwsAlgorithm? algorithm = null;
        string? rejectedAlg = null;
        bool algPresent = false;

        try
        {
            Utf8JsonReader reader = new(json, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = HeaderError("the header is not a JSON object");
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int bit = HeaderBit(ref reader);
                if (bit == 0)
                {
                    if (!TrackUnknownName(ref reader, names, nameLengths, ref unknownCount, out string? problem))
                    {
                        error = HeaderError(problem);
                        return false;
                    }
                }
                else if ((seen & bit) != 0)
                {
                    error = HeaderError("duplicate header member");
                    return false;
                }

                seen |= bit;
                reader.Read();
                switch (bit)
                {
                    case HAlg:
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            error = HeaderError("'alg' is not a string");
                            return false;
                        }

                        algPresent = true;
                        algorithm = MatchAlgorithm(ref reader, allowed);
                        if (algorithm is null)
                        {
                            rejectedAlg = KnownAlgorithmName(ref reader) ?? reader.GetString();
                        }

                        break;
                    case HKid:
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            error = HeaderError("'kid' is not a string");
                            return false;
                        }

                        if (reader.ValueIsEscaped)
                        {
                            parsed.KidUnescaped = Encoding.UTF8.GetBytes(reader.GetString()!);
                        }
                        else
                        {
                            parsed.KidStart = (int)reader.TokenStartIndex + 1;
                            parsed.KidLength = reader.ValueSpan.Length;
                        }

                        break;
                    case HTyp:
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            error = HeaderError("'typ' is not a string");
                            return false;
                        }

                        typOk = IsAccessTokenType(ref reader);
                        break;
                    case HCrit:
                        hasCrit = true;
                        reader.Skip();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = HeaderError("the header is not a single JSON object");
                return false;
            }
        }
        catch (JsonException)
        {
            error = HeaderError("the header is not valid JSON");
            return false;
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader reports an escape that decodes to invalid UTF-16 (a lone surrogate) this way.
            error = HeaderError("the header has an invalid string escape");
            return false;
        }

        if (hasCrit)
        {
            error = new(VerificationFailure.CriticalHeader, "Token header has a 'crit' member; no critical extension is supported", "crit");
            return false;
        }

        if (!algPresent)
        {
            error = new(VerificationFailure.AlgorithmNotAllowed, "Token header missing 'alg'", "alg");
            return false;
        }

        if (algorithm is null)
        {
            error = AlgorithmError(rejectedAlg ?? string.Empty);
            return false;
        }

        if (!typOk)
        {
            error = new(VerificationFailure.TypeNotAllowed, "Token header 'typ' is not an access token type (JWT, at+jwt or application/at+jwt)", "typ");
            return false;
        }

        if ((seen & HKid) == 0)
        {
            error = new(VerificationFailure.ClaimMissing, "Token header missing 'kid' claim", "kid");
            return false;
        }

        parsed.Algorithm = algorithm;
        error = default;
        return true;
    }

    private static TokenError AlgorithmError(string alg)
    {
        string message;
        if (alg is "HS256" or "HS384" or "HS512")
        {
            message = alg switch
            {
                "HS256" => "Symmetric algorithm 'HS256' is not supported. Only asymmetric algorithms (e.g., RS256) are allowed.",
                "HS384" => "Symmetric algorithm 'HS384' is not supported. Only asymmetric algorithms (e.g., RS256) are allowed.",
                _ => "Symmetric algorithm 'HS512' is not supported. Only asymmetric algorithms (e.g., RS256) are allowed.",
            };
        }
        else if (alg.StartsWith("HS", StringComparison.Ordinal))
        {
            message = "Symmetric algorithm '" + Truncate(alg) + "' is not supported. Only asymmetric algorithms (e.g., RS256) are allowed.";
        }
        else if (string.Equals(alg, "none", StringComparison.OrdinalIgnoreCase))
        {
            message = "Algorithm 'none' is not allowed: the token must be signed";
        }
        else
        {
            message = JwsAlgorithm.FromName(alg)?.NotAllowedMessage ?? "Algorithm '" + Truncate(alg) + "' is not allowed";
        }

        return new(VerificationFailure.AlgorithmNotAllowed, message, "alg");
    }

    private static string Truncate(string value) => value.Length <= 16 ? value : value[..16] + "...";

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

    private static bool IsAccessTokenType(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.ValueSpan.Length > 32)
        {
            string? typ = reader.GetString();
            return typ is not null
                && (typ.Equals("JWT", StringComparison.OrdinalIgnoreCase)
                    || typ.Equals("at+jwt", StringComparison.OrdinalIgnoreCase)
                    || typ.Equals("application/at+jwt", StringComparison.OrdinalIgnoreCase));
        }

        ReadOnlySpan<byte> value = reader.ValueSpan;
        return Ascii.EqualsIgnoreCase(value, "JWT"u8)
            || Ascii.EqualsIgnoreCase(value, "at+jwt"u8)
            || Ascii.EqualsIgnoreCase(value, "application/at+jwt"u8);
    }

    private static int HeaderBit(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            ReadOnlySpan<byte> name = reader.ValueSpan;
            if (name.Length == 3)
            {
                return name.SequenceEqual("alg"u8) ? HAlg
                    : name.SequenceEqual("kid"u8) ? HKid
                    : name.SequenceEqual("typ"u8) ? HTyp
                    : name.SequenceEqual("jku"u8) ? HJku
                    : name.SequenceEqual("x5u"u8) ? HX5u
                    : name.SequenceEqual("x5c"u8) ? HX5c
                    : name.SequenceEqual("jwk"u8) ? HJwk
                    : name.SequenceEqual("x5t"u8) ? HX5t
                    : name.SequenceEqual("cty"u8) ? HCty
                    : 0;
            }

            return name.SequenceEqual("crit"u8) ? HCrit : name.SequenceEqual("x5t#S256"u8) ? HX5tS256 : 0;
        }

        if (reader.ValueTextEquals("alg"u8)) return HAlg;
        if (reader.ValueTextEquals("kid"u8)) return HKid;
        if (reader.ValueTextEquals("typ"u8)) return HTyp;
        if (reader.ValueTextEquals("crit"u8)) return HCrit;
        if (reader.ValueTextEquals("jku"u8)) return HJku;
        if (reader.ValueTextEquals("x5u"u8)) return HX5u;
        if (reader.ValueTextEquals("x5c"u8)) return HX5c;
        if (reader.ValueTextEquals("jwk"u8)) return HJwk;
        if (reader.ValueTextEquals("x5t"u8)) return HX5t;
        if (reader.ValueTextEquals("x5t#S256"u8)) return HX5tS256;
        if (reader.ValueTextEquals("cty"u8)) return HCty;
        return 0;
    }

    private static bool TrackUnknownName(ref Utf8JsonReader reader, scoped Span<byte> names, scoped Span<int> lengths, ref int count, out string? problem)
    {
        if (count == MaxUnknownHeaderMembers)
        {
            problem = "too many header members";
            return false;
        }

        Span<byte> slot = names.Slice(count * MaxHeaderNameLength, MaxHeaderNameLength);
        int length;
        if (reader.ValueIsEscaped)
        {
            if (reader.ValueSpan.Length > MaxHeaderNameLength)
            {
                problem = "header member name too long";
                return false;
            }

            length = reader.CopyString(slot);
        }
        else
        {
            if (reader.ValueSpan.Length > MaxHeaderNameLength)
            {
                problem = "header member name too long";
                return false;
            }

            reader.ValueSpan.CopyTo(slot);
            length = reader.ValueSpan.Length;
        }

        ReadOnlySpan<byte> name = slot[..length];
        for (int i = 0; i < count; i++)
        {
            if (name.SequenceEqual(names.Slice(i * MaxHeaderNameLength, lengths[i])))
            {
                problem = "duplicate header member";
                return false;
            }
        }

        lengths[count++] = length;
        problem = null;
        return true;
    }

    private static TokenError HeaderError(string? reason) => new(VerificationFailure.MalformedToken, "Failed to parse token header: " + reason);

    private static TokenError PayloadError(string reason) => new(VerificationFailure.MalformedToken, "Failed to parse token payload: " + reason);

    private static TokenError ClaimTypeError(string claim, string expected) =>
        new(VerificationFailure.ClaimInvalid, "Invalid '" + claim + "' claim: " + expected, claim);

    private static bool TryReadPayload(byte[] buffer, ReadOnlySpan<byte> audience, ref ParsedToken parsed, out TokenError error)
    {
        ReadOnlySpan<byte> json = parsed.Payload(buffer);
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            error = PayloadError("the payload is not valid UTF-8");
            return false;
        }

        int seen = 0;
        try
        {
            Utf8JsonReader reader = new(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = PayloadError("the payload is not a JSON object");
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int bit = ClaimBit(ref reader);
                if ((seen & bit) != 0)
                {
                    error = PayloadError("duplicate claim '" + ClaimName(bit) + "'");
                    return false;
                }

                seen |= bit;
                reader.Read();
                switch (bit)
                {
                    case CIss:
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            error = new(VerificationFailure.ClaimInvalid, "Invalid token issuer format: " + DomainNormalizer.NonEmptyMessage, "iss");
                            return false;
                        }

                        parsed.HasIss = true;
                        if (reader.ValueIsEscaped)
                        {
                            parsed.IssUnescaped = Encoding.UTF8.GetBytes(reader.GetString()!);
                        }
                        else
                        {
                            parsed.IssStart = parsed.PayloadStart + (int)reader.TokenStartIndex + 1;
                            parsed.IssLength = reader.ValueSpan.Length;
                        }

                        break;
                    case CAud:
                        if (!TryReadAudience(ref reader, audience, ref parsed))
                        {
                            error = ClaimTypeError("aud", "must be a string or an array of strings");
                            return false;
                        }

                        break;
                    case CExp:
                        if (!TryReadNumericDate(ref reader, out parsed.Exp))
                        {
                            error = ClaimTypeError("exp", "must be an integer NumericDate");
                            return false;
                        }

                        parsed.HasExp = true;
                        break;
                    case CNbf:
                        if (!TryReadNumericDate(ref reader, out parsed.Nbf))
                        {
                            error = ClaimTypeError("nbf", "must be an integer NumericDate");
                            return false;
                        }

                        parsed.HasNbf = true;
                        break;
                    case CIat:
                        if (!TryReadNumericDate(ref reader, out parsed.Iat))
                        {
                            error = ClaimTypeError("iat", "must be an integer NumericDate");
                            return false;
                        }

                        parsed.HasIat = true;
                        break;
                    case CSub or CJti or CAzp or CScope or CClientId:
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            error = ClaimTypeError(ClaimName(bit), "must be a string");
                            return false;
                        }

                        ValidateEscapes(ref reader);
                        break;
                    case CPermissions:
                        if (!IsStringArray(ref reader))
                        {
                            error = ClaimTypeError("permissions", "must be an array of strings");
                            return false;
                        }

                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = PayloadError("the payload is not a single JSON object");
                return false;
            }
        }
        catch (JsonException)
        {
            error = PayloadError("the payload is not valid JSON");
            return false;
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader reports an escape that decodes to invalid UTF-16 (a lone surrogate) this way.
            error = PayloadError("the payload has an invalid string escape");
            return false;
        }

        error = default;
        return true;
    }

    private static bool TryReadAudience(ref Utf8JsonReader reader, ReadOnlySpan<byte> audience, ref ParsedToken parsed)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            ValidateEscapes(ref reader);
            parsed.Audience = reader.ValueTextEquals(audience) ? AudienceMatch.Matched : AudienceMatch.MismatchSingle;
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        bool matched = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                return false;
            }

            ValidateEscapes(ref reader);
            matched = matched || reader.ValueTextEquals(audience);
        }

        parsed.Audience = matched ? AudienceMatch.Matched : AudienceMatch.MismatchArray;
        return true;
    }

    private static bool IsStringArray(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                return false;
            }

            ValidateEscapes(ref reader);
        }

        return true;
    }

    /// <summary>
    /// Decodes an escaped string once, so that a claim the typed accessors expose can always be read later: a string
    /// whose escapes are not valid UTF-16 throws <see cref="InvalidOperationException"/> here, inside the parse.
    /// </summary>
    private static void ValidateEscapes(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            _ = reader.GetString();
        }
    }

    private static bool TryReadNumericDate(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value);
    }

    private static int ClaimBit(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            // Fast path: compare the raw name bytes; registered names are 3, 5, 9 or 11 bytes long.
            ReadOnlySpan<byte> name = reader.ValueSpan;
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
