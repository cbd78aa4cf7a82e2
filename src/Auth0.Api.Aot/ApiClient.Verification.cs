using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot;

// Token verification: the access-token, request and DPoP-proof overloads, thin wrappers over TokenVerifier,
// RequestVerifier and DPoPProofVerifier.
public sealed partial class ApiClient
{
    /// <summary>
    /// Verifies an access token: signature with the issuer's published key, issuer, audience, lifetime and the
    /// <paramref name="requiredClaims"/>.
    /// </summary>
    /// <param name="accessToken">The compact JWS, without the <c>Bearer</c> prefix.</param>
    /// <param name="requiredClaims">Claim names that must be present (with any value), checked in order.</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The verified claims.</returns>
    /// <exception cref="MissingRequiredArgumentException"><paramref name="accessToken"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="VerifyAccessTokenException">The token is invalid; <see cref="VerifyAccessTokenException.Failure"/> says why.</exception>
    /// <exception cref="ServiceUnavailableException">The issuer's discovery document or keys cannot be had (503, <c>Retry-After</c>).</exception>
    /// <exception cref="ArgumentException"><paramref name="requiredClaims"/> contains a null or empty name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<AccessTokenClaims> VerifyAccessTokenAsync(string accessToken, IReadOnlyList<string>? requiredClaims = null, CancellationToken cancellationToken = default)
    {
        ValueTask<AccessTokenResult> pending = TryVerifyAccessTokenAsync(accessToken, requiredClaims, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            AccessTokenResult result = pending.Result;
            return result.IsValid ? new ValueTask<AccessTokenClaims>(result.Claims) : ValueTask.FromException<AccessTokenClaims>(result.ToException()!);
        }

        return AwaitClaims(pending);

        static async ValueTask<AccessTokenClaims> AwaitClaims(ValueTask<AccessTokenResult> pending)
        {
            AccessTokenResult result = await pending.ConfigureAwait(false);
            return result.IsValid ? result.Claims : throw result.ToException()!;
        }
    }

    /// <summary>
    /// Verifies an access token and reads its claims into <typeparamref name="TClaims"/>, a type generated from
    /// <see cref="AccessTokenClaimsAttribute"/>: the typed view's non-nullable claims are the required claims.
    /// </summary>
    /// <typeparam name="TClaims">The generated claims type.</typeparam>
    /// <param name="accessToken">The compact JWS, without the <c>Bearer</c> prefix.</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The typed claims.</returns>
    /// <exception cref="MissingRequiredArgumentException"><paramref name="accessToken"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="VerifyAccessTokenException">The token is invalid, or a claim is missing or of the wrong type.</exception>
    /// <exception cref="ServiceUnavailableException">The issuer's discovery document or keys cannot be had (503, <c>Retry-After</c>).</exception>
    /// <exception cref="DomainsResolverException">The domains resolver failed or returned an unusable answer.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<TClaims> VerifyAccessTokenAsync<TClaims>(string accessToken, CancellationToken cancellationToken = default)
        where TClaims : class, IAccessTokenClaims<TClaims> =>
        VerifyAccessTokenAsync<TClaims>(accessToken, null, null, cancellationToken);

    /// <summary>
    /// Like <see cref="VerifyAccessTokenAsync{TClaims}(string, CancellationToken)"/>, telling the
    /// <see cref="ApiClientOptions.DomainsResolver"/> about the request.
    /// </summary>
    /// <typeparam name="TClaims">The generated claims type.</typeparam>
    /// <param name="accessToken">The compact JWS, without the <c>Bearer</c> prefix.</param>
    /// <param name="requestUrl">The request's absolute URL, for the resolver.</param>
    /// <param name="requestHeaders">The request's headers, for the resolver (names compared case-insensitively).</param>
    /// <param name="cancellationToken">Cancels the resolver and discovery and JWKS requests.</param>
    /// <returns>The typed claims.</returns>
    /// <exception cref="MissingRequiredArgumentException"><paramref name="accessToken"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="VerifyAccessTokenException">The token is invalid, or a claim is missing or of the wrong type.</exception>
    /// <exception cref="ServiceUnavailableException">The issuer's discovery document or keys cannot be had (503, <c>Retry-After</c>).</exception>
    /// <exception cref="DomainsResolverException">The domains resolver failed or returned an unusable answer.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<TClaims> VerifyAccessTokenAsync<TClaims>(string accessToken, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, CancellationToken cancellationToken = default)
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        AccessTokenClaims claims = await VerifyAccessTokenAsync(accessToken, requestUrl, requestHeaders, null, cancellationToken).ConfigureAwait(false);
        return claims.Read<TClaims>();
    }

    /// <summary>
    /// Like <see cref="VerifyRequestAsync(string?, string?, string?, string?, CancellationToken)"/>, reading the claims into
    /// <typeparamref name="TClaims"/> (see <see cref="VerifyAccessTokenAsync{TClaims}(string, CancellationToken)"/>).
    /// </summary>
    /// <typeparam name="TClaims">The generated claims type.</typeparam>
    /// <param name="authorization">The <c>Authorization</c> header value.</param>
    /// <param name="dpop">The <c>DPoP</c> header value, or <see langword="null"/>.</param>
    /// <param name="httpMethod">The request's method (required for DPoP).</param>
    /// <param name="httpUrl">The request's absolute URL (required for DPoP).</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The typed claims.</returns>
    /// <exception cref="BaseAuthException">The request is not authenticated, or a claim is missing or of the wrong type.</exception>
    public async ValueTask<TClaims> VerifyRequestAsync<TClaims>(string? authorization, string? dpop, string? httpMethod, string? httpUrl, CancellationToken cancellationToken = default)
        where TClaims : class, IAccessTokenClaims<TClaims> =>
        ReadTyped<TClaims>(await Requests.VerifyAsync(authorization, dpop, httpMethod, httpUrl, null, cancellationToken).ConfigureAwait(false));

    // A typed-claims failure after the request verified gets the challenge of the request's scheme and mode.
    private TClaims ReadTyped<TClaims>(RequestVerificationResult result)
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        if (!result.IsValid)
        {
            throw result.Error;
        }

        if (result.Claims.TryRead(out TClaims? claims, out ClaimError error))
        {
            return claims;
        }

        throw Requests.WithChallenge(new AuthError(error.Failure, error.Message, error.Claim), result.Scheme);
    }

    /// <summary>
    /// Like <see cref="VerifyRequestAsync(IReadOnlyDictionary{string, string}, string?, string?, CancellationToken)"/>,
    /// reading the claims into <typeparamref name="TClaims"/>.
    /// </summary>
    /// <typeparam name="TClaims">The generated claims type.</typeparam>
    /// <param name="headers">The request headers (keys compared case-insensitively).</param>
    /// <param name="httpMethod">The request's method (required for DPoP).</param>
    /// <param name="httpUrl">The request's absolute URL (required for DPoP).</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The typed claims.</returns>
    /// <exception cref="BaseAuthException">The request is not authenticated, or a claim is missing or of the wrong type.</exception>
    public async ValueTask<TClaims> VerifyRequestAsync<TClaims>(IReadOnlyDictionary<string, string> headers, string? httpMethod = null, string? httpUrl = null, CancellationToken cancellationToken = default)
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        ArgumentNullException.ThrowIfNull(headers);
        return ReadTyped<TClaims>(await Requests.VerifyAsync(Header(headers, "authorization"), Header(headers, "dpop"), httpMethod, httpUrl, ResolverHeaders(headers), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Verifies an access token like <see cref="VerifyAccessTokenAsync(string, IReadOnlyList{string}?, CancellationToken)"/>, but reports a rejected token as a result
    /// value instead of an exception.
    /// </summary>
    /// <param name="accessToken">The compact JWS, without the <c>Bearer</c> prefix.</param>
    /// <param name="requiredClaims">Claim names that must be present, checked in order.</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The claims, or the failure kind and description.</returns>
    /// <exception cref="ArgumentException"><paramref name="requiredClaims"/> contains a null or empty name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<AccessTokenResult> TryVerifyAccessTokenAsync(string? accessToken, IReadOnlyList<string>? requiredClaims = null, CancellationToken cancellationToken = default) =>
        TryVerifyAccessTokenAsync(accessToken, null, null, requiredClaims, cancellationToken);

    /// <summary>
    /// Like <see cref="VerifyAccessTokenAsync(string, IReadOnlyList{string}?, CancellationToken)"/>, telling the
    /// <see cref="ApiClientOptions.DomainsResolver"/> about the request (the Python SDK's <c>request_url</c> and
    /// <c>request_headers</c>).
    /// </summary>
    /// <param name="accessToken">The compact JWS, without the <c>Bearer</c> prefix.</param>
    /// <param name="requestUrl">The request's absolute URL, for the resolver.</param>
    /// <param name="requestHeaders">The request's headers, for the resolver (names compared case-insensitively).</param>
    /// <param name="requiredClaims">Claim names that must be present (with any value), checked in order.</param>
    /// <param name="cancellationToken">Cancels the resolver and discovery and JWKS requests.</param>
    /// <returns>The verified claims.</returns>
    /// <exception cref="MissingRequiredArgumentException"><paramref name="accessToken"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="VerifyAccessTokenException">The token is invalid; <see cref="VerifyAccessTokenException.Failure"/> says why.</exception>
    /// <exception cref="ServiceUnavailableException">The issuer's discovery document or keys cannot be had (503, <c>Retry-After</c>).</exception>
    /// <exception cref="DomainsResolverException">The domains resolver failed or returned an unusable answer.</exception>
    /// <exception cref="ArgumentException"><paramref name="requiredClaims"/> contains a null or empty name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<AccessTokenClaims> VerifyAccessTokenAsync(string accessToken, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, IReadOnlyList<string>? requiredClaims = null, CancellationToken cancellationToken = default)
    {
        AccessTokenResult result = await TryVerifyAccessTokenAsync(accessToken, requestUrl, requestHeaders, requiredClaims, cancellationToken).ConfigureAwait(false);
        return result.IsValid ? result.Claims : throw result.ToException()!;
    }

    /// <summary>
    /// Like <see cref="TryVerifyAccessTokenAsync(string?, IReadOnlyList{string}?, CancellationToken)"/>, telling the
    /// <see cref="ApiClientOptions.DomainsResolver"/> about the request.
    /// </summary>
    /// <param name="accessToken">The compact JWS, without the <c>Bearer</c> prefix.</param>
    /// <param name="requestUrl">The request's absolute URL, for the resolver.</param>
    /// <param name="requestHeaders">The request's headers, for the resolver (names compared case-insensitively).</param>
    /// <param name="requiredClaims">Claim names that must be present, checked in order.</param>
    /// <param name="cancellationToken">Cancels the resolver and discovery and JWKS requests.</param>
    /// <returns>The claims, or the failure kind and description.</returns>
    /// <exception cref="ArgumentException"><paramref name="requiredClaims"/> contains a null or empty name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<AccessTokenResult> TryVerifyAccessTokenAsync(string? accessToken, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, IReadOnlyList<string>? requiredClaims = null, CancellationToken cancellationToken = default)
    {
        if (requiredClaims is not null)
        {
            for (int i = 0; i < requiredClaims.Count; i++)
            {
                if (string.IsNullOrEmpty(requiredClaims[i]))
                {
                    throw new ArgumentException("Required claim names must be non-empty.", nameof(requiredClaims));
                }
            }
        }

        if (!Telemetry.VerificationsEnabled)
        {
            return _verifier.VerifyAsync(accessToken, requiredClaims, requestUrl, ResolverHeaders(requestHeaders), cancellationToken);
        }

        return MeasuredAsync(System.Diagnostics.Stopwatch.GetTimestamp(), accessToken, requiredClaims, requestUrl, ResolverHeaders(requestHeaders), cancellationToken);
    }

    // The span starts inside this async method, so that Activity.Current is restored for the caller when it returns
    // (set in the caller's own frame, it would stay set and parent every later verification's span).
    private async ValueTask<AccessTokenResult> MeasuredAsync(long started, string? accessToken, IReadOnlyList<string>? requiredClaims, string? requestUrl, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        System.Diagnostics.Activity? activity = Telemetry.StartVerification();
        AccessTokenResult result;
        try
        {
            result = await _verifier.VerifyAsync(accessToken, requiredClaims, requestUrl, headers, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            activity?.Dispose();
            throw;
        }

        Telemetry.RecordVerification(started, result.Failure, "token", result.Issuer, activity);
        return result;
    }

    /// <summary>
    /// The headers as the resolver sees them: a copy (the context is immutable), names compared case-insensitively (of
    /// names that differ only in case, the last wins); none without a resolver.
    /// </summary>
    private IReadOnlyDictionary<string, string>? ResolverHeaders(IReadOnlyDictionary<string, string>? headers)
    {
        if (_options.DomainsResolver is null || headers is null)
        {
            return null;
        }

        Dictionary<string, string> copy = new(headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string> header in headers)
        {
            copy[header.Key] = header.Value;
        }

        return new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(copy);
    }

    /// <summary>
    /// Authenticates a request from its <c>Authorization</c> and <c>DPoP</c> headers: the scheme (Bearer or DPoP, as
    /// <see cref="ApiClientOptions.DPoPMode"/> allows), the access token, and for DPoP the proof and its binding to the
    /// token (<c>cnf.jkt</c>). A Bearer request with a DPoP-bound token or with a DPoP header is refused.
    /// </summary>
    /// <param name="authorization">The <c>Authorization</c> header value, e.g. <c>Bearer eyJ...</c>.</param>
    /// <param name="dpop">The <c>DPoP</c> header value, or <see langword="null"/>. Several header lines must be joined with ", ".</param>
    /// <param name="httpMethod">The request's method (required for DPoP).</param>
    /// <param name="httpUrl">The request's absolute URL (required for DPoP).</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The verified access-token claims, or the error with its status and <c>WWW-Authenticate</c> challenge.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<RequestVerificationResult> TryVerifyRequestAsync(string? authorization, string? dpop, string? httpMethod, string? httpUrl, CancellationToken cancellationToken = default) =>
        Requests.VerifyAsync(authorization, dpop, httpMethod, httpUrl, null, cancellationToken);

    /// <summary>
    /// Like <see cref="TryVerifyRequestAsync(string?, string?, string?, string?, CancellationToken)"/>, with the headers in
    /// a dictionary (keys compared case-insensitively), which the <see cref="ApiClientOptions.DomainsResolver"/> also sees.
    /// </summary>
    /// <param name="headers">The request headers.</param>
    /// <param name="httpMethod">The request's method (required for DPoP).</param>
    /// <param name="httpUrl">The request's absolute URL (required for DPoP).</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The verified access-token claims, or the error with its status and <c>WWW-Authenticate</c> challenge.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="headers"/> is <see langword="null"/>.</exception>
    public ValueTask<RequestVerificationResult> TryVerifyRequestAsync(IReadOnlyDictionary<string, string> headers, string? httpMethod, string? httpUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return Requests.VerifyAsync(Header(headers, "authorization"), Header(headers, "dpop"), httpMethod, httpUrl, ResolverHeaders(headers), cancellationToken);
    }

    /// <summary>Like <see cref="TryVerifyRequestAsync(string?, string?, string?, string?, CancellationToken)"/>, throwing the error.</summary>
    /// <param name="authorization">The <c>Authorization</c> header value.</param>
    /// <param name="dpop">The <c>DPoP</c> header value, or <see langword="null"/>.</param>
    /// <param name="httpMethod">The request's method (required for DPoP).</param>
    /// <param name="httpUrl">The request's absolute URL (required for DPoP).</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The verified access-token claims.</returns>
    /// <exception cref="BaseAuthException">The request is not authenticated; the exception carries the status and challenge.</exception>
    public async ValueTask<AccessTokenClaims> VerifyRequestAsync(string? authorization, string? dpop, string? httpMethod, string? httpUrl, CancellationToken cancellationToken = default)
    {
        RequestVerificationResult result = await Requests.VerifyAsync(authorization, dpop, httpMethod, httpUrl, null, cancellationToken).ConfigureAwait(false);
        return result.IsValid ? result.Claims : throw result.Error;
    }

    /// <summary>Like <see cref="VerifyRequestAsync(string?, string?, string?, string?, CancellationToken)"/>, with the headers in a dictionary.</summary>
    /// <param name="headers">The request headers (keys compared case-insensitively).</param>
    /// <param name="httpMethod">The request's method (required for DPoP).</param>
    /// <param name="httpUrl">The request's absolute URL (required for DPoP).</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The verified access-token claims.</returns>
    /// <exception cref="BaseAuthException">The request is not authenticated.</exception>
    public ValueTask<AccessTokenClaims> VerifyRequestAsync(IReadOnlyDictionary<string, string> headers, string? httpMethod = null, string? httpUrl = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return AwaitRequest(Requests.VerifyAsync(Header(headers, "authorization"), Header(headers, "dpop"), httpMethod, httpUrl, ResolverHeaders(headers), cancellationToken));

        static async ValueTask<AccessTokenClaims> AwaitRequest(ValueTask<RequestVerificationResult> pending)
        {
            RequestVerificationResult result = await pending.ConfigureAwait(false);
            return result.IsValid ? result.Claims : throw result.Error;
        }
    }

    private static string? Header(IReadOnlyDictionary<string, string> headers, string name)
    {
        string? found = null;
        foreach (KeyValuePair<string, string> header in headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                found = header.Value;
            }
        }

        return found;
    }

    /// <summary>
    /// Verifies a DPoP proof (RFC 9449 section 4.3) for a request: its shape, <c>typ</c>, algorithm, embedded public key
    /// and signature, then <c>iat</c> within <see cref="ApiClientOptions.DPoPIatOffset"/> and
    /// <see cref="ApiClientOptions.DPoPIatLeeway"/>, <c>htm</c>, <c>htu</c> (WHATWG origin and path) and <c>ath</c>
    /// (the hash of <paramref name="accessToken"/>, compared in fixed time).
    /// </summary>
    /// <param name="accessToken">The access token the proof must be bound to through <c>ath</c>.</param>
    /// <param name="proof">The value of the request's <c>DPoP</c> header.</param>
    /// <param name="httpMethod">The request's method.</param>
    /// <param name="httpUrl">The request's absolute URL.</param>
    /// <param name="cancellationToken">Cancels the replay store's operation.</param>
    /// <returns>The proof's claims and its key's thumbprint (compare with the token's <c>cnf.jkt</c>).</returns>
    /// <exception cref="MissingRequiredArgumentException">An argument is missing.</exception>
    /// <exception cref="InvalidDPoPProofException">The proof is invalid or was already used; the message says why.</exception>
    /// <exception cref="ServiceUnavailableException">The replay store is unavailable or full (503, <see cref="VerificationFailure.ProofReplayStoreUnavailable"/>).</exception>
    /// <exception cref="TooManyRequestsException">The proof's key holds its share of the in-memory replay store (429).</exception>
    public ValueTask<DPoPProofClaims> VerifyDPoPProofAsync(string accessToken, string proof, string httpMethod, string httpUrl, CancellationToken cancellationToken = default)
    {
        return DPoP.VerifyAsync(accessToken, proof, httpMethod, httpUrl, bound: true, cancellationToken);
    }

    /// <summary>
    /// Verifies a DPoP proof sent without an access token, as to a token endpoint (RFC 9449 section 5): every check of
    /// <see cref="VerifyDPoPProofAsync"/> except <c>ath</c>, which is neither required nor compared. A resource server,
    /// which always has the token, uses <see cref="VerifyDPoPProofAsync"/> or <see cref="VerifyRequestAsync(string?, string?, string?, string?, CancellationToken)"/>.
    /// </summary>
    /// <param name="proof">The value of the request's <c>DPoP</c> header.</param>
    /// <param name="httpMethod">The request's method.</param>
    /// <param name="httpUrl">The request's absolute URL.</param>
    /// <param name="cancellationToken">Cancels the replay store's operation.</param>
    /// <returns>The proof's claims and its key's thumbprint (the <c>jkt</c> to bind an issued token to).</returns>
    /// <exception cref="MissingRequiredArgumentException">An argument is missing.</exception>
    /// <exception cref="InvalidDPoPProofException">The proof is invalid or was already used; the message says why.</exception>
    /// <exception cref="ServiceUnavailableException">The replay store is unavailable or full (503, <see cref="VerificationFailure.ProofReplayStoreUnavailable"/>).</exception>
    /// <exception cref="TooManyRequestsException">The proof's key holds its share of the in-memory replay store (429).</exception>
    public ValueTask<DPoPProofClaims> VerifyDPoPProofWithoutAccessTokenAsync(string proof, string httpMethod, string httpUrl, CancellationToken cancellationToken = default)
    {
        return DPoP.VerifyAsync(null, proof, httpMethod, httpUrl, bound: false, cancellationToken);
    }

}
