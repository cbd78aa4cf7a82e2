using System;

namespace Auth0.Api.Aot;

/// <summary>The upstream connection's access token from Token Vault.</summary>
/// <remarks>Thread safety: immutable. <see cref="ToString"/> never prints the token.</remarks>
public sealed class ConnectionTokenResult
{
    internal ConnectionTokenResult(string accessToken, TimeSpan expiresIn, DateTimeOffset expiresAt, string scope)
    {
        AccessToken = accessToken;
        ExpiresIn = expiresIn;
        ExpiresAt = expiresAt;
        Scope = scope;
    }

    /// <summary>The connection's access token.</summary>
    public string AccessToken { get; }

    /// <summary>Its lifetime as the token endpoint stated it (<c>expires_in</c>; 3600 s when absent).</summary>
    public TimeSpan ExpiresIn { get; }

    /// <summary>When it expires: the client's clock at the answer plus <see cref="ExpiresIn"/>, in whole seconds.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The scopes granted; empty when the answer names none.</summary>
    public string Scope { get; }

    /// <summary>Returns the type name only.</summary>
    /// <returns>The type name.</returns>
    public override string ToString() => nameof(ConnectionTokenResult);
}

/// <summary>The tokens from a Custom Token Exchange.</summary>
/// <remarks>Thread safety: immutable. <see cref="ToString"/> never prints a token.</remarks>
public sealed class TokenExchangeResult
{
    internal TokenExchangeResult(string accessToken, TimeSpan expiresIn, DateTimeOffset expiresAt, string? scope, string? idToken, string? refreshToken, string? tokenType, string? issuedTokenType)
    {
        AccessToken = accessToken;
        ExpiresIn = expiresIn;
        ExpiresAt = expiresAt;
        Scope = scope;
        IdToken = idToken;
        RefreshToken = refreshToken;
        TokenType = tokenType;
        IssuedTokenType = issuedTokenType;
    }

    /// <summary>The access token issued.</summary>
    public string AccessToken { get; }

    /// <summary>Its lifetime as the token endpoint stated it (<c>expires_in</c>; 3600 s when absent).</summary>
    public TimeSpan ExpiresIn { get; }

    /// <summary>When it expires: the client's clock at the answer plus <see cref="ExpiresIn"/>, in whole seconds.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The scopes granted, when the answer has them (an empty string is kept).</summary>
    public string? Scope { get; }

    /// <summary>The ID token, when the answer has one.</summary>
    public string? IdToken { get; }

    /// <summary>The refresh token, when the answer has one.</summary>
    public string? RefreshToken { get; }

    /// <summary>The token type, e.g. <c>Bearer</c>, when the answer has it.</summary>
    public string? TokenType { get; }

    /// <summary>The type of token issued (RFC 8693), when the answer has it.</summary>
    public string? IssuedTokenType { get; }

    /// <summary>Returns the type name only.</summary>
    /// <returns>The type name.</returns>
    public override string ToString() => nameof(TokenExchangeResult);
}

/// <summary>The access token from an On-Behalf-Of exchange. ID and refresh tokens are never exposed.</summary>
/// <remarks>Thread safety: immutable. <see cref="ToString"/> never prints the token.</remarks>
public sealed class OnBehalfOfTokenResult
{
    internal OnBehalfOfTokenResult(string accessToken, TimeSpan expiresIn, DateTimeOffset expiresAt, string? scope, string? tokenType, string? issuedTokenType)
    {
        AccessToken = accessToken;
        ExpiresIn = expiresIn;
        ExpiresAt = expiresAt;
        Scope = scope;
        TokenType = tokenType;
        IssuedTokenType = issuedTokenType;
    }

    /// <summary>The access token for the downstream API.</summary>
    public string AccessToken { get; }

    /// <summary>Its lifetime as the token endpoint stated it (<c>expires_in</c>; 3600 s when absent).</summary>
    public TimeSpan ExpiresIn { get; }

    /// <summary>When it expires: the client's clock at the answer plus <see cref="ExpiresIn"/>, in whole seconds.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The scopes granted, when the answer has them.</summary>
    public string? Scope { get; }

    /// <summary>The token type, when the answer has it.</summary>
    public string? TokenType { get; }

    /// <summary>The type of token issued, when the answer has it.</summary>
    public string? IssuedTokenType { get; }

    /// <summary>Returns the type name only.</summary>
    /// <returns>The type name.</returns>
    public override string ToString() => nameof(OnBehalfOfTokenResult);
}
