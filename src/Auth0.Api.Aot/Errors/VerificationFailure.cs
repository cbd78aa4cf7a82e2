namespace Auth0.Api.Aot;

/// <summary>
/// Why an access token was rejected. Values are stable: callers, metrics and tests branch on them, never on
/// messages. Every value except <see cref="None"/>, <see cref="MissingToken"/> and <see cref="DomainsResolverFailed"/>
/// maps to <c>invalid_token</c>.
/// </summary>
public enum VerificationFailure
{
    /// <summary>The token is valid.</summary>
    None = 0,

    /// <summary>No token was given (<c>invalid_request</c>, 400).</summary>
    MissingToken,

    /// <summary>The token is longer than <see cref="ApiClientOptions.MaxTokenLength"/>; nothing else was looked at.</summary>
    TokenTooLarge,

    /// <summary>Not three segments of strict base64url, or a header or payload that is not a JSON object of the right shape.</summary>
    MalformedToken,

    /// <summary>The header's <c>alg</c> is missing, symmetric, <c>none</c>, or not on the allow-list.</summary>
    AlgorithmNotAllowed,

    /// <summary>The header's <c>typ</c> is not an access-token type.</summary>
    TypeNotAllowed,

    /// <summary>The header has a <c>crit</c> member; no extension is understood.</summary>
    CriticalHeader,

    /// <summary>A required claim or header member is missing (<see cref="VerifyAccessTokenException.Claim"/> names it).</summary>
    ClaimMissing,

    /// <summary>A claim has the wrong JSON type or format (<see cref="VerifyAccessTokenException.Claim"/> names it).</summary>
    ClaimInvalid,

    /// <summary>A claim has the wrong value: issuer or audience (<see cref="VerifyAccessTokenException.Claim"/> names it).</summary>
    ClaimMismatch,

    /// <summary>The issuer is not one of the allowed domains.</summary>
    IssuerNotAllowed,

    /// <summary>The issuer's discovery document or JWKS could not be fetched or was invalid.</summary>
    KeySourceFailed,

    /// <summary>No key in the issuer's JWKS has the token's <c>kid</c> and fits its algorithm.</summary>
    KeyNotFound,

    /// <summary>The signature does not verify.</summary>
    SignatureInvalid,

    /// <summary>The token is expired (<c>exp</c>, with <see cref="ApiClientOptions.ClockSkew"/>).</summary>
    Expired,

    /// <summary>The token is not valid yet (<c>nbf</c>, with <see cref="ApiClientOptions.ClockSkew"/>).</summary>
    NotYetValid,

    /// <summary>
    /// The <see cref="ApiClientOptions.DomainsResolver"/> failed or returned an unusable answer: a server fault, not a bad
    /// token (<see cref="DomainsResolverException"/>, 500, no challenge).
    /// </summary>
    DomainsResolverFailed,
}
