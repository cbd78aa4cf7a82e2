namespace Auth0.Api.Aot;

/// <summary>
/// A Custom Token Exchange request (RFC 8693, <see cref="ApiClient.GetTokenByExchangeProfileAsync"/>): exchange a
/// subject token of a type that a Custom Token Exchange profile in the tenant accepts for Auth0 tokens.
/// </summary>
/// <remarks>Thread safety: immutable once initialised. <see cref="ToString"/> never prints the token.</remarks>
public sealed class TokenExchangeRequest
{
    /// <summary>The token to exchange, without a <c>Bearer </c> prefix or surrounding whitespace.</summary>
    public required string SubjectToken { get; init; }

    /// <summary>The subject token's type, as configured in the exchange profile, e.g. <c>urn:acme:legacy-token</c>.</summary>
    public required string SubjectTokenType { get; init; }

    /// <summary>The API the new access token is for; optional.</summary>
    public string? Audience { get; init; }

    /// <summary>Space-separated scopes to request; optional.</summary>
    public string? Scope { get; init; }

    /// <summary>The type of token requested; optional.</summary>
    public string? RequestedTokenType { get; init; }

    /// <summary>Additional form parameters for the profile's Action; reserved OAuth names are refused.</summary>
    public TokenExchangeParameters? Extra { get; init; }

    /// <summary>Returns the type name only.</summary>
    /// <returns>The type name.</returns>
    public override string ToString() => nameof(TokenExchangeRequest);
}
