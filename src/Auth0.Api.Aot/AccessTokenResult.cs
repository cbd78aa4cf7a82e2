using System.Diagnostics.CodeAnalysis;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot;

/// <summary>
/// The outcome of <see cref="ApiClient.TryVerifyAccessTokenAsync(string?, System.Collections.Generic.IReadOnlyList{string}?, System.Threading.CancellationToken)"/>: the verified claims, or why the token was
/// rejected. Producing a failure throws nothing.
/// </summary>
/// <remarks>Thread safety: an immutable value.</remarks>
public readonly struct AccessTokenResult
{
    private readonly string? _description;
    private readonly System.Exception? _cause;

    // Ticks, not a TimeSpan: boxed (a ValueTask's result, an equality comparison), this struct's field-wise Equals and
    // GetHashCode box each field, and a boxed TimeSpan keeps TimeSpan formatting (its ToString) in a NativeAOT binary.
    private readonly long _retryAfterTicks;

    internal AccessTokenResult(AccessTokenClaims claims, string? issuer = null)
    {
        Claims = claims;
        Failure = VerificationFailure.None;
        _description = null;
        Claim = null;
        Issuer = issuer;
    }

    internal AccessTokenResult(AuthError error)
    {
        Claims = null;
        Failure = error.Kind;
        _description = error.Message;
        Claim = error.Claim;
        _cause = error.Cause;
        _retryAfterTicks = error.RetryAfter.Ticks;
        Issuer = error.Issuer;
    }

    /// <summary>Whether the token is valid; then <see cref="Claims"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Claims))]
    public bool IsValid => Claims is not null;

    /// <summary>The verified claims, or <see langword="null"/> when the token was rejected.</summary>
    public AccessTokenClaims? Claims { get; }

    /// <summary>Why the token was rejected; <see cref="VerificationFailure.None"/> when it is valid.</summary>
    public VerificationFailure Failure { get; }

    /// <summary>The claim or header member the failure concerns, if any.</summary>
    public string? Claim { get; }

    /// <summary>
    /// The allowed issuer the token came from, normalised (<c>https://host/</c>): for a valid token, its verified
    /// issuer; for a rejected one, the allowed issuer its <c>iss</c> matched before a later check failed (the signature,
    /// an unknown key, the issuer's keys being unavailable, the audience, the expiry, a required claim...).
    /// <see langword="null"/> when the token was rejected before its issuer was matched (malformed, no <c>iss</c>), or
    /// its issuer is not allowed.
    /// </summary>
    /// <remarks>
    /// The value is one of the configuration's issuers (<see cref="ApiClientOptions.Domain"/>,
    /// <see cref="ApiClientOptions.Domains"/>), one the <see cref="ApiClientOptions.DomainsResolver"/> allowed, or the one
    /// the configured domain's discovery document names; never text copied from a token that was not allowed, so it
    /// may be logged, and used as a metric tag (bounded by the configuration).
    /// </remarks>
    public string? Issuer { get; }

    /// <summary>The error description (empty when valid). Never contains the token.</summary>
    public string ErrorDescription => _description ?? string.Empty;

    /// <summary>
    /// For <see cref="VerificationFailure.KeySourceFailed"/> (the issuer's keys cannot be had: 503, not the token's
    /// fault), how long to wait before retrying, in whole seconds; otherwise <see langword="null"/>.
    /// </summary>
    public System.TimeSpan? RetryAfter => Internal.Error.IsUnavailable(Failure) ? Internal.Error.RetryAfterSeconds(new System.TimeSpan(_retryAfterTicks)) : null;

    /// <summary>The failure as the stages pass it on.</summary>
    internal AuthError Error => new(Failure, ErrorDescription, Claim, _cause) { RetryAfter = new System.TimeSpan(_retryAfterTicks), Issuer = Issuer };

    /// <summary>
    /// The exception that the throwing API raises for this failure, with its <c>WWW-Authenticate</c> challenge; a
    /// <see cref="VerificationFailure.DomainsResolverFailed"/> is a <see cref="DomainsResolverException"/> (500) with the
    /// resolver's own exception inside and no challenge, and a <see cref="VerificationFailure.KeySourceFailed"/> a
    /// <see cref="ServiceUnavailableException"/> (503, <c>Retry-After</c>, no challenge).
    /// </summary>
    /// <returns>The exception; <see langword="null"/> when the token is valid.</returns>
    public BaseAuthException? ToException()
    {
        if (IsValid)
        {
            return null;
        }

        if (Internal.Error.HasNoChallenge(Failure))
        {
            return Internal.Error.ToException(Error);
        }

        // The other token failures are each a VerifyAccessTokenException but a missing token.
        BaseAuthException exception = Failure == VerificationFailure.MissingToken
            ? new MissingRequiredArgumentException("access_token")
            : new VerifyAccessTokenException(Failure, ErrorDescription, Claim);
        exception.SetChallenge(Challenge.BearerError(exception.ErrorCode, exception.ErrorDescription));
        return exception;
    }
}
