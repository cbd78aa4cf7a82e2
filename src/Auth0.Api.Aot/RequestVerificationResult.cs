using System.Diagnostics.CodeAnalysis;

namespace Auth0.Api.Aot;

/// <summary>
/// The outcome of <see cref="ApiClient.TryVerifyRequestAsync(string?, string?, string?, string?, System.Threading.CancellationToken)"/>:
/// the verified access-token claims, or the error to answer with (status, error code, <c>WWW-Authenticate</c>).
/// </summary>
/// <remarks>Thread safety: an immutable value.</remarks>
public readonly struct RequestVerificationResult
{
    internal RequestVerificationResult(AccessTokenClaims claims, string? scheme = null)
    {
        Claims = claims;
        Error = null;
        Scheme = scheme;
    }

    /// <summary>The scheme the request was authenticated with (<c>bearer</c> or <c>dpop</c>), for later challenges.</summary>
    internal string? Scheme { get; }

    internal RequestVerificationResult(BaseAuthException error)
    {
        Claims = null;
        Error = error;
        Scheme = null;
    }

    /// <summary>Whether the request is authenticated; then <see cref="Claims"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Claims))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Claims is not null;

    /// <summary>The verified access-token claims.</summary>
    public AccessTokenClaims? Claims { get; }

    /// <summary>The error, with <see cref="BaseAuthException.StatusCode"/> and the <c>WWW-Authenticate</c> challenge in <see cref="BaseAuthException.Headers"/>.</summary>
    public BaseAuthException? Error { get; }
}
