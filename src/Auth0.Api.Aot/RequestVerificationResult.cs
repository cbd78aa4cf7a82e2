using System.Diagnostics.CodeAnalysis;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot;

/// <summary>
/// The outcome of <see cref="ApiClient.TryVerifyRequestAsync(string?, string?, string?, string?, System.Threading.CancellationToken)"/>:
/// the verified access-token claims, or why the request was refused with everything its answer needs (status, error
/// code, <c>WWW-Authenticate</c> challenge, <c>DPoP-Nonce</c>), available without building an exception.
/// </summary>
/// <remarks>Thread safety: an immutable value. Producing a failure throws nothing.</remarks>
public readonly struct RequestVerificationResult
{
    private readonly RequestFailure? _failure;

    internal RequestVerificationResult(AccessTokenClaims claims, string scheme, string? issuer)
    {
        Claims = claims;
        Scheme = scheme;
        Issuer = issuer;
        _failure = null;
    }

    internal RequestVerificationResult(RequestFailure failure)
    {
        Claims = null;
        Scheme = failure.Scheme;
        Issuer = failure.Error.Issuer;
        _failure = failure;
    }

    /// <summary>Whether the request is authenticated; then <see cref="Claims"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Claims))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Claims is not null;

    /// <summary>The verified access-token claims.</summary>
    public AccessTokenClaims? Claims { get; }

    /// <summary>
    /// The scheme the request used, <c>bearer</c> or <c>dpop</c> (for the challenge of a later authorization failure,
    /// such as a missing scope); <see langword="null"/> when no usable scheme was sent.
    /// </summary>
    public string? Scheme { get; }

    /// <summary>
    /// The allowed issuer the access token came from, normalised (<c>https://host/</c>): for a valid request, the token's
    /// verified issuer; for a refused one, the allowed issuer the token's <c>iss</c> matched before a later check failed
    /// (the signature, an unknown key, the issuer's keys being unavailable, the audience, the expiry, the DPoP binding
    /// or proof, a replay...). <see langword="null"/> when the request was refused before its token's issuer was matched
    /// (no credentials, a malformed token, no <c>iss</c>), or that issuer is not allowed.
    /// </summary>
    /// <remarks>
    /// The value is one of the configuration's issuers, one the domains resolver allowed, or the one the configured
    /// domain's discovery document names (<see cref="AccessTokenResult.Issuer"/>); never text copied from a token whose
    /// issuer was not allowed, so it may be logged and used as a metric tag.
    /// </remarks>
    public string? Issuer { get; }

    /// <summary>Why the request was refused; <see cref="VerificationFailure.None"/> when it is valid. Stable: branch on this.</summary>
    public VerificationFailure Failure => _failure?.Error.Kind ?? VerificationFailure.None;

    /// <summary>The HTTP status to answer with: 200 when valid; otherwise 400, 401, 429, 500 or 503 (docs/errors.md).</summary>
    public int StatusCode => _failure?.Answer.Status ?? 200;

    /// <summary>The OAuth error code (<c>invalid_token</c>, <c>invalid_dpop_proof</c>...); empty when valid or when no credentials were sent.</summary>
    public string ErrorCode => _failure?.Answer.Code ?? string.Empty;

    /// <summary>The error description; empty when valid. Never contains the token or the proof.</summary>
    public string ErrorDescription => _failure?.Error.Message ?? string.Empty;

    /// <summary>The claim or header member the failure concerns (<c>exp</c>, <c>cnf</c>, <c>htu</c>...), if any.</summary>
    public string? Claim => _failure?.Error.Claim;

    /// <summary>
    /// The <c>WWW-Authenticate</c> value to answer with; <see langword="null"/> when valid, or for a server fault (a
    /// resolver failure, 500; keys or replay store unavailable, 503) or a client over its replay-store share (429),
    /// which the client's credentials did not cause.
    /// </summary>
    public string? Challenge => _failure?.Challenge;

    /// <summary>
    /// <see cref="Challenge"/> with the RFC 9728 section 5.1 <c>resource_metadata</c> parameter in each of its
    /// challenges (Bearer and DPoP), which tells a client such as an MCP client where the protected resource metadata
    /// is; the URL is written with RFC 6750 characters only.
    /// </summary>
    /// <param name="resourceMetadata">The absolute URL of the metadata document; <see langword="null"/> or empty for none.</param>
    /// <returns>The <c>WWW-Authenticate</c> value; <see langword="null"/> when <see cref="Challenge"/> is.</returns>
    public string? GetChallenge(string? resourceMetadata) => _failure?.ChallengeWith(resourceMetadata);

    /// <summary>
    /// For a 503 (the issuer's keys cannot be had, or the replay store is unavailable or full) or a 429 (the proof key
    /// holds its share of the replay store), the <c>Retry-After</c> delay in whole seconds; otherwise <see langword="null"/>.
    /// </summary>
    public System.TimeSpan? RetryAfter => _failure is { } failure && Internal.Error.HasRetryAfter(failure.Error.Kind) ? Internal.Error.RetryAfterSeconds(failure.Error.RetryAfter) : null;

    /// <summary>The fresh nonce for the <c>DPoP-Nonce</c> header of a <c>use_dpop_nonce</c> answer; otherwise <see langword="null"/>.</summary>
    public string? DPoPNonce => _failure?.Error.Nonce;

    /// <summary>
    /// The error as an exception, with <see cref="BaseAuthException.StatusCode"/> and the <c>WWW-Authenticate</c>
    /// challenge in <see cref="BaseAuthException.Headers"/>; built on first use and kept.
    /// </summary>
    public BaseAuthException? Error => _failure?.Exception;
}
