// verify_request of auth0-api-python (reference section 4.1), with this library's differences (DESIGN.md): a request
// without credentials is 401 with a challenge and no error code; challenge values are quoted-string escaped; the
// cnf.jkt binding is compared in fixed time; the algs advertised follow the configuration.

using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Internal;

internal sealed class RequestVerifier
{
    private const string MissingMethodOrUrl = "DPoP authentication requires http_method and http_url";

    private readonly TokenVerifier _tokens;
    private readonly DPoPProofVerifier _proofs;
    private readonly DPoPMode _mode;
    private readonly string _algs;

    public RequestVerifier(TokenVerifier tokens, DPoPProofVerifier proofs, DPoPMode mode, SigningAlgorithms proofAlgorithms)
    {
        _tokens = tokens;
        _proofs = proofs;
        _mode = mode;
        _algs = JwsAlgorithm.FormatNames(proofAlgorithms);
    }

    public async ValueTask<RequestVerificationResult> VerifyAsync(string? authorization, string? dpop, string? httpMethod, string? httpUrl, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return Fail(new MissingAuthorizationException(), null);
        }

        ReadOnlySpan<char> value = authorization.AsSpan().TrimStart();
        int space = value.IndexOfAny(' ', '\t');
        if (space <= 0)
        {
            return Fail(new MissingAuthorizationException(), null);
        }

        ReadOnlySpan<char> schemeSpan = value[..space];
        string scheme = schemeSpan.Equals("dpop", StringComparison.OrdinalIgnoreCase) ? "dpop"
            : schemeSpan.Equals("bearer", StringComparison.OrdinalIgnoreCase) ? "bearer"
            : schemeSpan.ToString().ToLowerInvariant();
        ReadOnlySpan<char> tokenSpan = value[space..].TrimStart();
        if (tokenSpan.IsEmpty)
        {
            return Fail(new MissingAuthorizationException(), null);
        }

        string token = tokenSpan.ToString();

        if (_mode == DPoPMode.Required && scheme != "dpop")
        {
            return Fail(new InvalidAuthSchemeException(string.Empty), scheme);
        }

        return scheme switch
        {
            "dpop" => await VerifyDPoPAsync(token, dpop, httpMethod, httpUrl, headers, cancellationToken).ConfigureAwait(false),
            "bearer" => await VerifyBearerAsync(token, dpop, httpUrl, headers, cancellationToken).ConfigureAwait(false),
            _ => Fail(new MissingAuthorizationException(), null),
        };
    }

    private async ValueTask<RequestVerificationResult> VerifyBearerAsync(string token, string? dpop, string? httpUrl, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        AccessTokenResult result = await _tokens.VerifyAsync(token, null, httpUrl, headers, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return Fail(result.ToException()!, "bearer");
        }

        if (_mode != DPoPMode.Disabled)
        {
            // The downgrade guard: a token bound to a key cannot be used without a proof of that key.
            if (result.Claims.ConfirmationThumbprint is { Length: > 0 })
            {
                return Fail(new VerifyAccessTokenException(VerificationFailure.ClaimMismatch, "DPoP-bound token requires the DPoP authentication scheme, not Bearer", "cnf"), "bearer");
            }

            if (dpop is not null)
            {
                return Fail(new InvalidAuthSchemeException("DPoP proof requires DPoP authentication scheme, not Bearer"), "bearer");
            }
        }

        return new RequestVerificationResult(result.Claims, "bearer");
    }

    private async ValueTask<RequestVerificationResult> VerifyDPoPAsync(string token, string? dpop, string? httpMethod, string? httpUrl, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        if (_mode == DPoPMode.Disabled)
        {
            return Fail(new MissingAuthorizationException(), null);
        }

        if (dpop is null)
        {
            return Fail(new InvalidAuthSchemeException(string.Empty), "dpop");
        }

        if (dpop.Contains(',', StringComparison.Ordinal))
        {
            return Fail(new InvalidDPoPProofException("Multiple DPoP proofs are not allowed"), "dpop");
        }

        if (!LooksLikeJws(dpop))
        {
            return Fail(new InvalidDPoPProofException("Failed to verify DPoP proof"), "dpop");
        }

        if (string.IsNullOrEmpty(httpMethod) || string.IsNullOrEmpty(httpUrl))
        {
            return Fail(new MissingRequiredArgumentException(MissingMethodOrUrl), "dpop");
        }

        AccessTokenResult result = await _tokens.VerifyAsync(token, null, httpUrl, headers, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return Fail(result.ToException()!, "dpop");
        }

        Confirmation confirmation = ReadConfirmation(result.Claims.PayloadUtf8.Span, [], out _);
        if (confirmation == Confirmation.Absent)
        {
            return Fail(new VerifyAccessTokenException(VerificationFailure.ClaimMissing, "JWT Access Token has no jkt confirmation claim", "cnf"), "dpop");
        }

        if (confirmation == Confirmation.Invalid)
        {
            return Fail(new VerifyAccessTokenException(VerificationFailure.ClaimInvalid, "JWT Access Token has invalid confirmation claim format", "cnf"), "dpop");
        }

        DPoPProofClaims proof;
        try
        {
            proof = await _proofs.VerifyAsync(token, dpop, httpMethod, httpUrl, bound: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is InvalidDPoPProofException or UseDPoPNonceException)
        {
            return Fail((BaseAuthException)exception, "dpop");
        }

        if (confirmation == Confirmation.NoThumbprint)
        {
            return Fail(new VerifyAccessTokenException(VerificationFailure.ClaimMissing, "Access token 'cnf' claim missing 'jkt'", "cnf"), "dpop");
        }

        if (!IsBoundTo(result.Claims.PayloadUtf8.Span, proof.JwkThumbprint))
        {
            return Fail(new VerifyAccessTokenException(VerificationFailure.ClaimMismatch, "JWT Access Token confirmation mismatch", "cnf"), "dpop");
        }

        return new RequestVerificationResult(result.Claims, "dpop");
    }

    // cnf.jkt equals the proof key's thumbprint, compared (unescaped) in fixed time.
    private static bool IsBoundTo(ReadOnlySpan<byte> payload, string thumbprint)
    {
        Span<byte> jkt = stackalloc byte[MaxJktLength];
        Span<byte> expected = stackalloc byte[MaxJktLength];
        int expectedLength = Encoding.ASCII.GetBytes(thumbprint, expected);
        return ReadConfirmation(payload, jkt, out int jktLength) == Confirmation.Thumbprint
            && CryptographicOperations.FixedTimeEquals(jkt[..jktLength], expected[..expectedLength]);
    }

    // A cnf.jkt longer than this, as written (each of a thumbprint's 43 characters may be a 6-byte \u escape), cannot
    // equal a SHA-256 thumbprint; it is a mismatch, not copied.
    private const int MaxJktLength = 6 * 64;

    private enum Confirmation
    {
        /// <summary>No cnf, or a falsy one (null, false, 0, "", [], {}), as the Python SDK's truthiness test.</summary>
        Absent,

        /// <summary>cnf is not an object, or its jkt member is repeated.</summary>
        Invalid,

        /// <summary>cnf is an object without a non-empty string jkt.</summary>
        NoThumbprint,

        /// <summary>cnf.jkt is a string that cannot be a thumbprint (too long, or not valid once unescaped).</summary>
        Unmatchable,

        /// <summary>cnf.jkt, unescaped, is in the buffer.</summary>
        Thumbprint,
    }

    // Reads the top-level cnf of a verified payload (the token parser has already refused a duplicate cnf) with a
    // forward-only reader, so that a DPoP request builds no JSON document.
    private static Confirmation ReadConfirmation(ReadOnlySpan<byte> payload, Span<byte> jkt, out int jktLength)
    {
        jktLength = 0;
        Utf8JsonReader reader = new(payload, new JsonReaderOptions { MaxDepth = 64 });
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isCnf = reader.ValueTextEquals("cnf"u8);
            reader.Read();
            if (!isCnf)
            {
                reader.Skip();
                continue;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.Null or JsonTokenType.False:
                    return Confirmation.Absent;
                case JsonTokenType.String:
                    return reader.ValueSpan.IsEmpty ? Confirmation.Absent : Confirmation.Invalid;
                case JsonTokenType.Number:
                    return reader.TryGetDouble(out double number) && number == 0 ? Confirmation.Absent : Confirmation.Invalid;
                case JsonTokenType.StartArray:
                    reader.Read();
                    return reader.TokenType == JsonTokenType.EndArray ? Confirmation.Absent : Confirmation.Invalid;
                case JsonTokenType.StartObject:
                    return ReadConfirmationObject(ref reader, jkt, out jktLength);
                default:
                    return Confirmation.Invalid;
            }
        }

        return Confirmation.Absent;
    }

    private static Confirmation ReadConfirmationObject(ref Utf8JsonReader reader, Span<byte> jkt, out int jktLength)
    {
        jktLength = 0;
        bool empty = true;
        Confirmation found = Confirmation.NoThumbprint;
        bool seenJkt = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            empty = false;
            bool isJkt = reader.ValueTextEquals("jkt"u8);
            reader.Read();
            if (!isJkt)
            {
                reader.Skip();
                continue;
            }

            if (seenJkt)
            {
                return Confirmation.Invalid;
            }

            seenJkt = true;
            if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.IsEmpty)
            {
                reader.Skip();
                continue;
            }

            found = Confirmation.Unmatchable;
            if (reader.ValueSpan.Length <= jkt.Length)
            {
                try
                {
                    jktLength = reader.CopyString(jkt);
                    found = Confirmation.Thumbprint;
                }
                catch (InvalidOperationException)
                {
                    // An escape that decodes to invalid UTF-16 (a lone surrogate): no thumbprint looks like that.
                }
            }
        }

        return empty ? Confirmation.Absent : found;
    }

    // The proof's JOSE header must be three segments with a base64url JSON object first (reference section 4.1 step 8.4).
    // A header this client has already accepted is known to be one.
    private bool LooksLikeJws(string proof)
    {
        int first = proof.IndexOf('.', StringComparison.Ordinal);
        if (first <= 0 || proof.AsSpan(first + 1).Count('.') != 1)
        {
            return false;
        }

        ReadOnlySpan<char> segment = proof.AsSpan(0, first);
        if (_proofs.IsKnownHeader(segment))
        {
            return true;
        }

        byte[]? header = Base64UrlStrict.DecodeToArray(segment);
        if (header is null)
        {
            return false;
        }

        try
        {
            Utf8JsonReader reader = new(header);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Sets on <paramref name="error"/> the challenge a request authenticated with <paramref name="scheme"/> gets (a typed-claims failure after verification, say).</summary>
    public BaseAuthException WithChallenge(BaseAuthException error, string? scheme) => Fail(error, scheme).Error!;

    private RequestVerificationResult Fail(BaseAuthException error, string? scheme)
    {
        // A resolver failure is the server's fault, not the client's credentials: 500 with no challenge (reference 3.4).
        if (error is DomainsResolverException)
        {
            return new RequestVerificationResult(error);
        }

        error.SetChallenge(Challenge.ForRequest(_mode, _algs, error.ErrorCode, error.ErrorDescription, scheme));
        return new RequestVerificationResult(error);
    }
}
