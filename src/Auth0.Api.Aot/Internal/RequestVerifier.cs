// verify_request of auth0-api-python (reference section 4.1), as one pass (DESIGN.md, "Data flow of one request"):
//   scheme (Authorization) -> proof shape and header (decoded once, its rule failures held back) -> method and URL
//   -> access token (parsed once; the parse also reads cnf) -> cnf present and an object -> proof checks
//   -> cnf.jkt == the proof key's thumbprint (fixed time) -> server nonce -> replay record (last, so only proofs that
//   passed every other check take a place in the store).
// Every stage hands a value to the next; a failure is an AuthError, turned into the result's status, error code and
// challenge by RequestFailure, and into an exception only when a caller asks for one. The token is a slice of the
// Authorization header: it is not copied.
// This library's differences (DESIGN.md): a request without credentials is 401 with a challenge and no error code;
// challenge values hold RFC 6750 characters only; the binding is compared in fixed time; the algs advertised follow the
// configuration.

using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Internal;

internal sealed class RequestVerifier
{
    private readonly TokenVerifier _tokens;
    private readonly DPoPProofVerifier _proofs;
    private readonly DPoPMode _mode;
    private readonly ChallengeContext _challenges;
    private readonly bool _acceptCertificateBound;

    public RequestVerifier(TokenVerifier tokens, DPoPProofVerifier proofs, DPoPMode mode, SigningAlgorithms proofAlgorithms, bool acceptCertificateBound = false)
    {
        _tokens = tokens;
        _proofs = proofs;
        _mode = mode;
        _acceptCertificateBound = acceptCertificateBound;
        _challenges = new ChallengeContext(mode, JwsAlgorithm.FormatNames(proofAlgorithms));
    }

    public ValueTask<RequestVerificationResult> VerifyAsync(string? authorization, string? dpop, string? httpMethod, string? httpUrl, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken) =>
        Telemetry.VerificationsEnabled
            ? VerifyMeasuredAsync(System.Diagnostics.Stopwatch.GetTimestamp(), authorization, dpop, httpMethod, httpUrl, headers, cancellationToken)
            : VerifyCoreAsync(authorization, dpop, httpMethod, httpUrl, headers, cancellationToken);

    private async ValueTask<RequestVerificationResult> VerifyMeasuredAsync(long started, string? authorization, string? dpop, string? httpMethod, string? httpUrl, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        System.Diagnostics.Activity? activity = Telemetry.StartVerification();
        RequestVerificationResult result;
        try
        {
            result = await VerifyCoreAsync(authorization, dpop, httpMethod, httpUrl, headers, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            activity?.Dispose();
            throw;
        }

        Telemetry.RecordVerification(started, result.Failure, result.Scheme, result.Issuer, activity);
        return result;
    }

    private ValueTask<RequestVerificationResult> VerifyCoreAsync(string? authorization, string? dpop, string? httpMethod, string? httpUrl, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return Fail(Error.AuthorizationMissing, null);
        }

        ReadOnlySpan<char> value = authorization.AsSpan();
        int start = value.Length - value.TrimStart().Length;
        int space = value[start..].IndexOfAny(' ', '\t');
        if (space <= 0)
        {
            return Fail(Error.AuthorizationMalformed, null);
        }

        ReadOnlySpan<char> schemeSpan = value.Slice(start, space);
        string? scheme = schemeSpan.Equals("dpop", StringComparison.OrdinalIgnoreCase) ? Scheme.DPoP
            : schemeSpan.Equals("bearer", StringComparison.OrdinalIgnoreCase) ? Scheme.Bearer
            : null;
        int tokenStart = start + space;
        tokenStart += value[tokenStart..].Length - value[tokenStart..].TrimStart().Length;
        if (tokenStart == value.Length)
        {
            return Fail(Error.AuthorizationMalformed, null);
        }

        ReadOnlyMemory<char> token = authorization.AsMemory(tokenStart);
        if (token.Span.Contains(',') && (scheme == Scheme.Bearer || (scheme == Scheme.DPoP && _mode != DPoPMode.Disabled)))
        {
            // No Bearer or DPoP token has a comma (RFC 6750's b64token, RFC 9449's token68); a list of credentials does
            // (several Authorization lines joined, RFC 9110 section 5.3). Other schemes' auth-params hold commas: they
            // are answered as any scheme this API does not support.
            return Fail(Error.AuthorizationRepeated, scheme);
        }

        if (_mode == DPoPMode.Required && scheme != Scheme.DPoP)
        {
            // An unknown scheme name is the client's text: it is not reported (Scheme is bearer, dpop or null).
            return Fail(Error.SchemeNotAllowed, scheme);
        }

        if (scheme == Scheme.DPoP)
        {
            return VerifyDPoPAsync(token, dpop, httpMethod, httpUrl, headers, cancellationToken);
        }

        if (scheme == Scheme.Bearer)
        {
            return VerifyBearerAsync(token, dpop, httpUrl, headers, cancellationToken);
        }

        return Fail(Error.SchemeNotSupported, null);
    }

    private ValueTask<RequestVerificationResult> VerifyBearerAsync(ReadOnlyMemory<char> token, string? dpop, string? httpUrl, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        ValueTask<TokenOutcome> pending = _tokens.VerifyAsync(token, null, httpUrl, headers, cancellationToken);
        return pending.IsCompletedSuccessfully ? new(CompleteBearer(pending.Result, dpop)) : AwaitBearerAsync(pending, dpop);
    }

    private async ValueTask<RequestVerificationResult> AwaitBearerAsync(ValueTask<TokenOutcome> pending, string? dpop) =>
        CompleteBearer(await pending.ConfigureAwait(false), dpop);

    private RequestVerificationResult CompleteBearer(in TokenOutcome outcome, string? dpop)
    {
        AccessTokenResult result = outcome.Result;
        if (!result.IsValid)
        {
            return Failed(result.Error, Scheme.Bearer);
        }

        // The downgrade guard, in every mode: a token bound to a key or a certificate (any cnf but a falsy one) is not a
        // Bearer token, because the library cannot check the binding without a proof. Only a certificate binding may be
        // let through, where a proxy that terminates mutual TLS has checked it (AcceptCertificateBoundTokens).
        if (outcome.Confirmation != Confirmation.Absent && !(_acceptCertificateBound && outcome.ConfirmationOnlyCertificate))
        {
            return Failed(
                _mode != DPoPMode.Disabled && outcome.Confirmation is Confirmation.Thumbprint or Confirmation.Unmatchable ? Error.BoundTokenAsBearer : Error.UnverifiableConfirmation,
                Scheme.Bearer,
                result.Issuer);
        }

        if (_mode != DPoPMode.Disabled && dpop is not null)
        {
            return Failed(Error.BearerWithDPoPProof, Scheme.Bearer, result.Issuer);
        }

        return new RequestVerificationResult(result.Claims, Scheme.Bearer, result.Issuer);
    }

    private async ValueTask<RequestVerificationResult> VerifyDPoPAsync(ReadOnlyMemory<char> token, string? dpop, string? httpMethod, string? httpUrl, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        if (_mode == DPoPMode.Disabled)
        {
            return Failed(Error.SchemeNotSupported, null);
        }

        if (dpop is null)
        {
            return Failed(Error.DPoPProofMissing, Scheme.DPoP);
        }

        if (dpop.Contains(',', StringComparison.Ordinal))
        {
            return Failed(Error.MultipleDPoPProofs, Scheme.DPoP);
        }

        // The proof's header is read once, here; a proof that is not even a JWS is refused before the token is looked
        // at, any other header failure after the token checks (reference section 4.1 step 8.4).
        ProofHeaderRead header = _proofs.ReadHeader(dpop);
        if (header.Shape == ProofShape.NotJws)
        {
            return Failed(Error.ProofMalformed, Scheme.DPoP);
        }

        if (string.IsNullOrEmpty(httpMethod) || string.IsNullOrEmpty(httpUrl))
        {
            return Failed(Error.RequestContextMissing, Scheme.DPoP);
        }

        TokenOutcome outcome = await _tokens.VerifyAsync(token, null, httpUrl, headers, cancellationToken).ConfigureAwait(false);
        if (!outcome.Result.IsValid)
        {
            return Failed(outcome.Result.Error, Scheme.DPoP);
        }

        // From here the token is verified: every refusal names its (allowed) issuer (read from the outcome, which the
        // state machine holds anyway).
        switch (outcome.Confirmation)
        {
            case Confirmation.Absent:
                return Failed(Error.ConfirmationMissing, Scheme.DPoP, outcome.Result.Issuer);
            case Confirmation.Invalid:
                return Failed(Error.ConfirmationInvalid, Scheme.DPoP, outcome.Result.Issuer);
        }

        if (!_proofs.Check(in header, dpop, token.Span, httpMethod, httpUrl, bound: true, wantClaims: false, out ProofFacts facts, out AuthError proofError))
        {
            return Failed(proofError, Scheme.DPoP, outcome.Result.Issuer);
        }

        if (outcome.Confirmation == Confirmation.NoThumbprint)
        {
            return Failed(Error.ConfirmationWithoutThumbprint, Scheme.DPoP, outcome.Result.Issuer);
        }

        if (!IsBound(outcome, facts.Header))
        {
            return Failed(Error.BindingMismatch, Scheme.DPoP, outcome.Result.Issuer);
        }

        if (_proofs.NonceError(facts.Nonce) is AuthError nonce)
        {
            return Failed(nonce, Scheme.DPoP, outcome.Result.Issuer);
        }

        if (await _proofs.RecordAsync(facts, cancellationToken).ConfigureAwait(false) is AuthError replayed)
        {
            return Failed(replayed, Scheme.DPoP, outcome.Result.Issuer);
        }

        return new RequestVerificationResult(outcome.Result.Claims!, Scheme.DPoP, outcome.Result.Issuer);
    }

    // cnf.jkt (decoded during the parse) equals the proof key's thumbprint, compared in fixed time.
    private static bool IsBound(in TokenOutcome outcome, ProofHeader proof)
    {
        if (outcome.Confirmation != Confirmation.Thumbprint)
        {
            return false;
        }

        Bytes32 jkt = outcome.Jkt;
        return CryptographicOperations.FixedTimeEquals(jkt, proof.ThumbprintBytes);
    }

    /// <summary>The <c>insufficient_scope</c> challenge (RFC 6750 section 3.1) in the scheme the request used.</summary>
    public string InsufficientScopeChallenge(string? scheme, IReadOnlyList<string>? requiredScopes, string? resourceMetadata) =>
        Internal.Challenge.ForRequest(_challenges.Mode, _challenges.Algs, "insufficient_scope", InsufficientScopeException.DefaultMessage, scheme, requiredScopes is { Count: > 0 } ? string.Join(' ', requiredScopes) : null, resourceMetadata);

    /// <summary>A challenge with <paramref name="code"/> and <paramref name="description"/> in the scheme the request used.</summary>
    public string ChallengeFor(string? scheme, string code, string description, string? resourceMetadata) =>
        Internal.Challenge.ForRequest(_challenges.Mode, _challenges.Algs, code, description, scheme, null, resourceMetadata);

    /// <summary>The error with the challenge a request authenticated with <paramref name="scheme"/> gets (a typed-claims failure after verification, say).</summary>
    public BaseAuthException WithChallenge(in AuthError error, string? scheme) => Failed(error, scheme).Error!;

    private ValueTask<RequestVerificationResult> Fail(in AuthError error, string? scheme) => new(Failed(error, scheme));

    private RequestVerificationResult Failed(in AuthError error, string? scheme) => new(new RequestFailure(error, scheme, _challenges));

    // A refusal of a request whose token verified: it names the token's (allowed) issuer.
    private RequestVerificationResult Failed(in AuthError error, string? scheme, string? issuer) => new(new RequestFailure(error with { Issuer = issuer }, scheme, _challenges));
}

/// <summary>The scheme names a request result reports.</summary>
internal static class Scheme
{
    public const string Bearer = "bearer";
    public const string DPoP = "dpop";
}

/// <summary>What every challenge of one client shares: the DPoP mode and the <c>algs</c> it advertises.</summary>
internal sealed class ChallengeContext(DPoPMode mode, string algs)
{
    public DPoPMode Mode { get; } = mode;

    public string Algs { get; } = algs;
}

/// <summary>
/// A failed request: the failure, the scheme it used, and what its answer needs. The challenge and the exception are
/// built on first use and kept, so a caller that only reads the status and code pays for neither.
/// </summary>
internal sealed class RequestFailure(AuthError error, string? scheme, ChallengeContext context)
{
    private string? _challenge;
    private BaseAuthException? _exception;

    public AuthError Error { get; } = error;

    public string? Scheme { get; } = scheme;

    public (int Status, string Code) Answer => Internal.Error.Describe(Error.Kind);

    /// <summary>The <c>WWW-Authenticate</c> value; <see langword="null"/> for a server fault (500, 503), which has none.</summary>
    public string? Challenge
    {
        get
        {
            if (Internal.Error.HasNoChallenge(Error.Kind))
            {
                return null;
            }

            string? challenge = Volatile.Read(ref _challenge);
            if (challenge is null)
            {
                challenge = Internal.Challenge.ForRequest(context.Mode, context.Algs, Answer.Code, Error.Message, Scheme);
                Volatile.Write(ref _challenge, challenge);
            }

            return challenge;
        }
    }

    /// <summary>The challenge with RFC 9728's <c>resource_metadata</c> in each of its challenges (built each time).</summary>
    public string? ChallengeWith(string? resourceMetadata) =>
        string.IsNullOrEmpty(resourceMetadata) ? Challenge
        : Internal.Error.HasNoChallenge(Error.Kind) ? null
        : Internal.Challenge.ForRequest(context.Mode, context.Algs, Answer.Code, Error.Message, Scheme, null, resourceMetadata);

    public BaseAuthException Exception
    {
        get
        {
            BaseAuthException? exception = Volatile.Read(ref _exception);
            if (exception is null)
            {
                exception = Internal.Error.ToException(Error);
                if (Challenge is string challenge)
                {
                    exception.SetChallenge(challenge);
                }

                exception = Interlocked.CompareExchange(ref _exception, exception, null) ?? exception;
            }

            return exception;
        }
    }
}
