// Every verification failure in one place (NSec's Error / System.Text.Json's ThrowHelper style): its stable kind, HTTP
// status and OAuth error code (one table, Describe), its message (constants and factories below, byte for byte the
// texts docs/compatibility.md promises), and the exception the throwing API raises for it (ToException), which is the
// only place a verification exception is built. Stages pass AuthError values; nothing below throws.
// Text that the library did not write itself (a token's alg, a resolver's or the HTTP stack's exception message) enters
// a message only through Untrusted: every message is then printable ASCII without '"' or '', which RFC 6750 section 3
// allows in error_description, Kestrel writes in a header, and a log line cannot be split by.

using System;
using System.Globalization;

namespace Auth0.Api.Aot.Internal;

// A plain struct, not a record struct: a record's generated ToString (PrintMembers over a StringBuilder) and equality
// members are compiled into every NativeAOT binary that boxes one, and nothing compares or prints an AuthError.

/// <summary>
/// A failure found by any stage: a stable kind, a description, and the claim or header member it concerns.
/// <see cref="Argument"/> makes it a missing-argument error; <see cref="Nonce"/> carries a fresh DPoP nonce.
/// </summary>
internal readonly struct AuthError(VerificationFailure kind, string message, string? claim = null, Exception? cause = null)
{
    public VerificationFailure Kind { get; init; } = kind;

    public string Message { get; init; } = message;

    /// <summary>The claim or header member the failure concerns, if any.</summary>
    public string? Claim { get; init; } = claim;

    public Exception? Cause { get; init; } = cause;

    /// <summary>The missing argument, for <see cref="MissingRequiredArgumentException"/>.</summary>
    public string? Argument { get; init; }

    /// <summary>A fresh nonce for <c>use_dpop_nonce</c>.</summary>
    public string? Nonce { get; init; }

    /// <summary>For a 503 (<see cref="Error.IsUnavailable"/>): how long the client should wait before retrying.</summary>
    public TimeSpan RetryAfter { get => new(_retryAfterTicks); init => _retryAfterTicks = value.Ticks; }

    // Ticks, not a TimeSpan: a boxed struct's field-wise Equals boxes each field, and a boxed TimeSpan keeps TimeSpan
    // formatting (its ToString) in a NativeAOT binary.
    private readonly long _retryAfterTicks;

    /// <summary>
    /// The allowed issuer (normalised, <c>https://host/</c>) the token's <c>iss</c> matched before this failure was found:
    /// a configured domain's, a resolver-allowed one, or the one the configured domain's discovery document names; never
    /// text of the token itself. <see langword="null"/> when the failure came first, or the issuer was not allowed.
    /// </summary>
    public string? Issuer { get; init; }
}

internal static class Error
{
    // Status and error code of every kind (docs/errors.md is this table).
    public static (int Status, string Code) Describe(VerificationFailure kind) => kind switch
    {
        VerificationFailure.None => (200, string.Empty),
        VerificationFailure.MissingToken => (400, "invalid_request"),
        VerificationFailure.DomainsResolverFailed => (500, "domains_resolver_error"),
        VerificationFailure.KeySourceFailed or VerificationFailure.ProofReplayStoreUnavailable => (503, "temporarily_unavailable"),
        VerificationFailure.ProofKeyQuotaExceeded => (429, "temporarily_unavailable"),
        VerificationFailure.AuthorizationMissing or VerificationFailure.AuthorizationMalformed or VerificationFailure.SchemeNotSupported => (401, string.Empty),
        VerificationFailure.SchemeNotAllowed or VerificationFailure.DPoPProofMissing or VerificationFailure.BearerWithDPoPProof or VerificationFailure.RequestContextMissing
            or VerificationFailure.AuthorizationRepeated => (400, "invalid_request"),
        VerificationFailure.ProofNonceMissing or VerificationFailure.ProofNonceInvalid => (401, "use_dpop_nonce"),
        >= VerificationFailure.MultipleDPoPProofs and <= VerificationFailure.ProofReplayed => (400, "invalid_dpop_proof"),
        _ => (401, "invalid_token"),
    };

    /// <summary>The exception the throwing API raises for <paramref name="error"/>; its challenge is set by the caller.</summary>
    public static BaseAuthException ToException(in AuthError error)
    {
        if (error.Argument is { } argument)
        {
            return new MissingRequiredArgumentException(argument);
        }

        return error.Kind switch
        {
            VerificationFailure.MissingToken => new MissingRequiredArgumentException("access_token"),
            VerificationFailure.DomainsResolverFailed => new DomainsResolverException(error.Message, error.Cause),
            _ when IsUnavailable(error.Kind) => new ServiceUnavailableException(error.Kind, error.Message, error.RetryAfter, error.Cause),
            VerificationFailure.ProofKeyQuotaExceeded => new TooManyRequestsException(error.Kind, error.Message, error.RetryAfter),
            VerificationFailure.AuthorizationMissing or VerificationFailure.AuthorizationMalformed or VerificationFailure.SchemeNotSupported => new MissingAuthorizationException(),
            VerificationFailure.SchemeNotAllowed or VerificationFailure.DPoPProofMissing or VerificationFailure.BearerWithDPoPProof
                or VerificationFailure.AuthorizationRepeated => new InvalidAuthSchemeException(error.Message),
            VerificationFailure.ProofNonceMissing or VerificationFailure.ProofNonceInvalid => new UseDPoPNonceException(error.Nonce ?? string.Empty),
            >= VerificationFailure.MultipleDPoPProofs and <= VerificationFailure.ProofReplayed => new InvalidDPoPProofException(error.Message),
            _ => new VerifyAccessTokenException(error.Kind, error.Message, error.Claim),
        };
    }

    /// <summary>Whether <paramref name="kind"/> is the server's temporary fault: 503 with <c>Retry-After</c>, no challenge.</summary>
    public static bool IsUnavailable(VerificationFailure kind) => kind is VerificationFailure.KeySourceFailed or VerificationFailure.ProofReplayStoreUnavailable;

    /// <summary>Whether <paramref name="kind"/> is answered with <c>Retry-After</c>: a 503, or a client over its replay-store share (429).</summary>
    public static bool HasRetryAfter(VerificationFailure kind) => IsUnavailable(kind) || kind == VerificationFailure.ProofKeyQuotaExceeded;

    /// <summary>
    /// Whether a failure of <paramref name="kind"/> is answered without a <c>WWW-Authenticate</c> challenge: a server
    /// fault, or a client that must slow down; in neither case are its credentials at fault.
    /// </summary>
    public static bool HasNoChallenge(VerificationFailure kind) => kind == VerificationFailure.DomainsResolverFailed || HasRetryAfter(kind);

    /// <summary>A <c>Retry-After</c> delay as whole seconds, rounded up, at least one.</summary>
    public static TimeSpan RetryAfterSeconds(TimeSpan delay)
    {
        double seconds = Math.Ceiling(delay.TotalSeconds);
        return TimeSpan.FromSeconds(seconds < 1 ? 1 : seconds > 86_400 ? 86_400 : seconds);
    }

    /// <summary>The <c>Retry-After</c> header value (RFC 9110 section 10.2.3, delay-seconds).</summary>
    public static string FormatRetryAfter(TimeSpan delay) => ((long)RetryAfterSeconds(delay).TotalSeconds).ToString(CultureInfo.InvariantCulture);

    // ---- Request: scheme and headers (reference section 4.1)

    public const string MissingMethodOrUrl = "DPoP authentication requires http_method and http_url";

    public static AuthError AuthorizationMissing => new(VerificationFailure.AuthorizationMissing, string.Empty);
    public static AuthError AuthorizationMalformed => new(VerificationFailure.AuthorizationMalformed, string.Empty);
    public static AuthError AuthorizationRepeated => new(VerificationFailure.AuthorizationRepeated, "The request carries more than one set of credentials");
    public static AuthError SchemeNotSupported => new(VerificationFailure.SchemeNotSupported, string.Empty);
    public static AuthError SchemeNotAllowed => new(VerificationFailure.SchemeNotAllowed, string.Empty);
    public static AuthError DPoPProofMissing => new(VerificationFailure.DPoPProofMissing, string.Empty);
    public static AuthError BearerWithDPoPProof => new(VerificationFailure.BearerWithDPoPProof, "DPoP proof requires DPoP authentication scheme, not Bearer");
    public static AuthError MultipleDPoPProofs => new(VerificationFailure.MultipleDPoPProofs, "Multiple DPoP proofs are not allowed");
    public static AuthError RequestContextMissing => new(VerificationFailure.RequestContextMissing, MissingRequiredArgumentException.MessageStart + MissingMethodOrUrl + MissingRequiredArgumentException.MessageEnd) { Argument = MissingMethodOrUrl };

    // ---- Binding of a token to a proof key (cnf, RFC 7800 and RFC 9449 section 6)

    public static AuthError BoundTokenAsBearer => new(VerificationFailure.BoundTokenAsBearer, "DPoP-bound token requires the DPoP authentication scheme, not Bearer", "cnf");
    public static AuthError UnverifiableConfirmation => new(VerificationFailure.BoundTokenAsBearer, "Access token is bound by a confirmation claim this API cannot verify, so it is not a Bearer token", "cnf");
    public static AuthError ConfirmationMissing => new(VerificationFailure.ConfirmationMissing, "JWT Access Token has no jkt confirmation claim", "cnf");
    public static AuthError ConfirmationInvalid => new(VerificationFailure.ConfirmationInvalid, "JWT Access Token has invalid confirmation claim format", "cnf");
    public static AuthError ConfirmationWithoutThumbprint => new(VerificationFailure.ConfirmationMissing, "Access token 'cnf' claim missing 'jkt'", "cnf");
    public static AuthError BindingMismatch => new(VerificationFailure.BindingMismatch, "JWT Access Token confirmation mismatch", "cnf");

    // ---- DPoP proofs (RFC 9449 section 4.3, reference section 5.1)

    public static AuthError ProofMalformed => new(VerificationFailure.ProofMalformed, "Failed to verify DPoP proof");
    public static AuthError ProofTypeInvalid => new(VerificationFailure.ProofTypeInvalid, "Unexpected JWT 'typ' header parameter value", "typ");
    public static AuthError ProofCriticalHeader => new(VerificationFailure.ProofCriticalHeader, "DPoP proof header has a 'crit' member; no critical extension is supported", "crit");
    public static AuthError ProofAlgorithmNotAllowed => new(VerificationFailure.ProofAlgorithmNotAllowed, "Unsupported algorithm in DPoP proof", "alg");
    public static AuthError ProofKeyInvalid => new(VerificationFailure.ProofKeyInvalid, "Missing or invalid jwk in header", "jwk");
    public static AuthError ProofKeyPrivate => new(VerificationFailure.ProofKeyInvalid, "Private key material found in jwk header", "jwk");
    public static AuthError ProofKeyNotEc => new(VerificationFailure.ProofKeyInvalid, "Only EC keys are supported for DPoP", "jwk");
    public static AuthError ProofKeyTypeMismatch => new(VerificationFailure.ProofKeyInvalid, "The jwk key type does not match the proof algorithm", "jwk");
    public static AuthError ProofKeyNotP256 => new(VerificationFailure.ProofKeyInvalid, "Only P-256 curve is supported", "jwk");
    public static AuthError ProofKeyCurveMismatch => new(VerificationFailure.ProofKeyInvalid, "The jwk curve does not match the proof algorithm", "jwk");
    public static AuthError ProofSignatureInvalid => new(VerificationFailure.ProofSignatureInvalid, "JWT signature verification failed: bad_signature");
    public static AuthError ProofJtiNotString => new(VerificationFailure.ProofClaimInvalid, "jti claim must be a string", "jti");
    public static AuthError ProofJtiEmpty => new(VerificationFailure.ProofClaimInvalid, "jti claim must not be empty", "jti");
    public static AuthError ProofIatInvalid => new(VerificationFailure.ProofClaimInvalid, "Invalid iat claim (must be integer or float)", "iat");
    public static AuthError ProofIatTooOld => new(VerificationFailure.ProofIatTooOld, "DPoP Proof iat is too old", "iat");
    public static AuthError ProofIatInFuture => new(VerificationFailure.ProofIatInFuture, "DPoP Proof iat is from the future", "iat");
    public static AuthError ProofMethodMismatch => new(VerificationFailure.ProofMethodMismatch, "DPoP Proof htm mismatch", "htm");
    public static AuthError ProofUrlMismatch => new(VerificationFailure.ProofUrlMismatch, "DPoP Proof htu mismatch", "htu");
    public static AuthError ProofTokenHashMismatch => new(VerificationFailure.ProofTokenHashMismatch, "DPoP Proof ath mismatch", "ath");
    public static AuthError ProofReplayed => new(VerificationFailure.ProofReplayed, "DPoP proof has already been used", "jti");
    public const string NonceRequired = "Resource server requires nonce in DPoP proof";

    // ---- The replay record (RFC 9449 section 11.1): the store's own refusals, never "already used"

    private const long StoreRetryAfterTicks = TimeSpan.TicksPerSecond;
    public static AuthError ReplayStoreUnavailable => new(VerificationFailure.ProofReplayStoreUnavailable, "DPoP replay store is unavailable") { RetryAfter = new TimeSpan(StoreRetryAfterTicks) };
    public static AuthError ProofKeyQuotaExceeded => new(VerificationFailure.ProofKeyQuotaExceeded, "DPoP proof key has used its share of the replay store", "jwk") { RetryAfter = new TimeSpan(StoreRetryAfterTicks) };

    public static AuthError ReplayStoreFailed(Exception exception) => ReplayStoreUnavailable with { Cause = exception };

    public static AuthError ReplayStoreFull(TimeSpan retryAfter) =>
        new(VerificationFailure.ProofReplayStoreUnavailable, "DPoP replay store is full") { RetryAfter = retryAfter };

    public static AuthError ProofTooLarge(int maximum) =>
        new(VerificationFailure.ProofTooLarge, string.Create(CultureInfo.InvariantCulture, $"DPoP proof is longer than the maximum of {maximum} characters"));

    public static AuthError ProofClaimsMissing(bool iat, bool ath, bool htm, bool htu, bool jti)
    {
        // Python's wording: "Missing required claim: x" or "Missing required claims: x, y" in the order iat, ath, htm, htu, jti.
        System.Text.StringBuilder names = new();
        int count = 0;
        Append(names, ref count, !iat, "iat");
        Append(names, ref count, !ath, "ath");
        Append(names, ref count, !htm, "htm");
        Append(names, ref count, !htu, "htu");
        Append(names, ref count, !jti, "jti");
        string first = names.ToString();
        return new(VerificationFailure.ProofClaimMissing, (count == 1 ? "Missing required claim: " : "Missing required claims: ") + first, count == 1 ? first : null);

        static void Append(System.Text.StringBuilder names, ref int count, bool missing, string name)
        {
            if (missing)
            {
                names.Append(count++ == 0 ? string.Empty : ", ").Append(name);
            }
        }
    }

    public static AuthError ProofNonce(bool missing, string freshNonce) =>
        new(missing ? VerificationFailure.ProofNonceMissing : VerificationFailure.ProofNonceInvalid, NonceRequired, "nonce") { Nonce = freshNonce };

    public static AuthError ProofArgumentMissing(string argument) => argument switch
    {
        "dpop_proof" => ArgumentMissing(VerificationFailure.DPoPProofMissing, argument),
        "access_token" => ArgumentMissing(VerificationFailure.MissingToken, argument),
        _ => ArgumentMissing(VerificationFailure.RequestContextMissing, argument),
    };

    private static AuthError ArgumentMissing(VerificationFailure kind, string argument) =>
        new(kind, MissingRequiredArgumentException.DefaultMessage(argument)) { Argument = argument };

    // ---- Access tokens (reference section 4.2)

    public static AuthError TokenMissing => new(VerificationFailure.MissingToken, MissingRequiredArgumentException.MessageStart + "access_token" + MissingRequiredArgumentException.MessageEnd);
    public static AuthError HeaderNotBase64Url => new(VerificationFailure.MalformedToken, "Failed to parse token header: the header is not strict base64url");
    public static AuthError PayloadNotBase64Url => new(VerificationFailure.MalformedToken, PayloadMessage + "the payload is not strict base64url");
    public static AuthError SignatureNotBase64Url => new(VerificationFailure.MalformedToken, "Invalid token format: the signature is not strict base64url");
    public static AuthError CriticalHeader => new(VerificationFailure.CriticalHeader, "Token header has a 'crit' member; no critical extension is supported", "crit");
    public static AuthError AlgorithmMissing => new(VerificationFailure.AlgorithmNotAllowed, "Token header missing 'alg'", "alg");
    public static AuthError TypeNotAllowed => new(VerificationFailure.TypeNotAllowed, "Token header 'typ' is not an access token type (JWT, at+jwt or application/at+jwt)", "typ");
    public static AuthError KidMissing => new(VerificationFailure.ClaimMissing, "Token header missing 'kid' claim", "kid");
    public static AuthError IssuerMissing => new(VerificationFailure.ClaimMissing, "Token missing 'iss' claim", "iss");
    public static AuthError IssuerNotString => new(VerificationFailure.ClaimInvalid, "Invalid token issuer format: " + DomainNormalizer.NonEmptyMessage, "iss");
    public const string NotAllowed = "Token issuer is not in the list of allowed domains";
    public static AuthError IssuerNotAllowed => new(VerificationFailure.IssuerNotAllowed, NotAllowed, "iss");
    public static AuthError DiscoveryIssuerMissing => new(VerificationFailure.KeySourceFailed, "Discovery metadata missing 'issuer' field");
    public static AuthError IssuerDiscoveryMismatch => new(VerificationFailure.ClaimMismatch, "Token issuer does not match the discovery issuer", "iss");
    public static AuthError JwksUriMissing => new(VerificationFailure.KeySourceFailed, "Discovery metadata missing 'jwks_uri' field");
    public static AuthError KeyNotFound => new(VerificationFailure.KeyNotFound, "No matching key found in JWKS", "kid");
    public static AuthError SignatureInvalid => new(VerificationFailure.SignatureInvalid, "Signature verification failed: bad_signature");
    public static AuthError VerifiedIssuerMismatch => new(VerificationFailure.ClaimMismatch, "Verified Token issuer does not match the discovery issuer", "iss");
    public static AuthError AudienceMismatchArray => new(VerificationFailure.ClaimMismatch, "Audience mismatch (not in token's aud array)", "aud");
    public static AuthError AudienceMismatchSingle => new(VerificationFailure.ClaimMismatch, "Audience mismatch (single aud)", "aud");
    public static AuthError Expired => new(VerificationFailure.Expired, "Token is expired", "exp");
    public static AuthError NotYetValid => new(VerificationFailure.NotYetValid, "Token is not yet valid", "nbf");
    public static AuthError IatMissing => new(VerificationFailure.ClaimMissing, "Missing 'iat' claim in token", "iat");

    public static AuthError TokenTooLarge(int maximum) =>
        new(VerificationFailure.TokenTooLarge, string.Create(CultureInfo.InvariantCulture, $"Token is longer than the maximum of {maximum} characters"));

    // The usual wrong segment counts have constant messages, so that refusing such a token allocates nothing.
    public static AuthError SegmentCount(int segments) => segments switch
    {
        0 => new(VerificationFailure.MalformedToken, SegmentsMessage + "0"),
        1 => new(VerificationFailure.MalformedToken, SegmentsMessage + "1"),
        2 => new(VerificationFailure.MalformedToken, SegmentsMessage + "2"),
        3 => new(VerificationFailure.MalformedToken, SegmentsMessage + "3"),
        4 => new(VerificationFailure.MalformedToken, SegmentsMessage + "4"),
        5 => new(VerificationFailure.MalformedToken, SegmentsMessage + "5"),
        6 => new(VerificationFailure.MalformedToken, SegmentsMessage + "6"),
        7 => new(VerificationFailure.MalformedToken, SegmentsMessage + "7"),
        _ => new(VerificationFailure.MalformedToken, SegmentsMessage + segments.ToString(CultureInfo.InvariantCulture)),
    };

    private const string SegmentsMessage = "Failed to parse token header: Invalid token format: expected 3 segments, got ";

    public static AuthError Header(string? reason) => new(VerificationFailure.MalformedToken, "Failed to parse token header: " + reason);

    /// <summary>The start of every payload error's message (constant, so that messages built from it can be too).</summary>
    public const string PayloadMessage = "Failed to parse token payload: ";

    public static AuthError Payload(string reason) => new(VerificationFailure.MalformedToken, PayloadMessage + reason);

    public static AuthError ClaimType(string claim, string expected) => new(VerificationFailure.ClaimInvalid, "Invalid '" + claim + "' claim: " + expected, claim);

    public static AuthError IssuerFormat(string? reason) => new(VerificationFailure.ClaimInvalid, "Invalid token issuer format: " + reason, "iss");

    public static AuthError DiscoveryFailed(string reason, Exception? cause, TimeSpan retryAfter) =>
        new(VerificationFailure.KeySourceFailed, "Failed to fetch OIDC discovery metadata: " + Untrusted(reason), null, cause) { RetryAfter = retryAfter };

    public static AuthError DiscoveryIssuerFormat(string? reason) => new(VerificationFailure.KeySourceFailed, "Invalid discovery issuer format: " + reason);

    public static AuthError JwksFailed(string reason, Exception? cause, TimeSpan retryAfter) =>
        new(VerificationFailure.KeySourceFailed, "Failed to fetch JWKS: " + Untrusted(reason), null, cause) { RetryAfter = retryAfter };

    public static AuthError KeyUnusable(string reason) => new(VerificationFailure.KeyNotFound, "No matching key found in JWKS: " + reason, "kid");

    public static AuthError RequiredClaimMissing(string name) => new(VerificationFailure.ClaimMissing, "Missing required claim: " + name, name);

    // ---- Domains resolver (reference section 6.2): a server fault, 500 with no challenge

    public static AuthError ResolverReturnedNull => ResolverFailed("Domains resolver must return a list");
    public static AuthError ResolverReturnedEmpty => ResolverFailed("Domains resolver returned an empty list");
    public static AuthError ResolverReturnedBlank => ResolverFailed("Domains resolver must return a list of non-empty strings");

    public static AuthError ResolverThrew(Exception exception) => ResolverFailed("Domains resolver function failed: " + Untrusted(exception.Message), exception);

    public static AuthError ResolverReturnedInvalid(string? reason) => ResolverFailed("Domains resolver returned invalid domain: " + reason);

    private static AuthError ResolverFailed(string message, Exception? cause = null) => new(VerificationFailure.DomainsResolverFailed, message, null, cause);

    /// <summary>The refusal of an <c>alg</c>, named in the message (truncated, and attacker text only from a short, known set).</summary>
    public static AuthError AlgorithmNotAllowed(string alg)
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

    private static string Truncate(string value) => Untrusted(value, 16);

    /// <summary>
    /// The caller's own text in a message, unchanged unless it holds a control character (CR, LF, TAB, DEL...), which
    /// would split a log line: then as <see cref="Untrusted"/> makes it.
    /// </summary>
    public static string CallerText(string value) =>
        value.AsSpan().IndexOfAnyInRange('\0', '\u001F') < 0 && !value.Contains('\u007F', StringComparison.Ordinal) ? value : Untrusted(value);

    /// <summary>
    /// <paramref name="value"/> made safe for a message and a challenge: the characters RFC 6750 section 3 allows in
    /// <c>error_description</c> (%x20-21 / %x23-5B / %x5D-7E) are kept, every other one (CR, LF, NUL, <c>"</c>,
    /// <c>\</c>, non-ASCII, a lone surrogate) becomes <c>U+XXXX</c> (one code point for a surrogate pair), and more
    /// than <paramref name="maxLength"/> characters are cut, with <c>...</c>.
    /// </summary>
    public static string Untrusted(ReadOnlySpan<char> value, int maxLength = 256)
    {
        ReadOnlySpan<char> kept = value.Length > maxLength ? value[..maxLength] : value;
        if (!kept.ContainsAnyExcept(s_descriptionChars) && kept.Length == value.Length)
        {
            return kept.ToString();
        }

        System.Text.StringBuilder builder = new(kept.Length + 16);
        for (int i = 0; i < kept.Length; i++)
        {
            char c = kept[i];
            if (s_descriptionChars.Contains(c))
            {
                builder.Append(c);
                continue;
            }

            int codePoint = c;
            if (char.IsHighSurrogate(c) && i + 1 < kept.Length && char.IsLowSurrogate(kept[i + 1]))
            {
                codePoint = char.ConvertToUtf32(c, kept[++i]);
            }

            builder.Append("U+").Append(codePoint.ToString("X4", CultureInfo.InvariantCulture));
        }

        if (kept.Length < value.Length)
        {
            builder.Append("...");
        }

        return builder.ToString();
    }

    /// <summary>Whether every character of <paramref name="value"/> may stand in an RFC 6750 <c>error_description</c>.</summary>
    public static bool IsDescriptionSafe(ReadOnlySpan<char> value) => !value.ContainsAnyExcept(s_descriptionChars);

    /// <summary>Whether <paramref name="c"/> may stand in an RFC 6750 <c>error_description</c>.</summary>
    public static bool IsDescriptionChar(char c) => s_descriptionChars.Contains(c);

    // %x20-21 / %x23-5B / %x5D-7E: printable ASCII but '"' and ''.
    private static readonly System.Buffers.SearchValues<char> s_descriptionChars = System.Buffers.SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");
}
