namespace Auth0.Api.Aot;

/// <summary>
/// A Token Vault request (<see cref="ApiClient.GetAccessTokenForConnectionAsync"/>): exchange the caller's access token
/// for the access token of an upstream connection (Google, GitHub...) that Auth0 holds for the same user.
/// </summary>
/// <remarks>Thread safety: immutable once initialised. <see cref="ToString"/> never prints the token.</remarks>
public sealed class ConnectionTokenRequest
{
    /// <summary>The connection's name, e.g. <c>google-oauth2</c>.</summary>
    public required string Connection { get; init; }

    /// <summary>The caller's Auth0 access token (the subject token), without the scheme.</summary>
    public required string AccessToken { get; init; }

    /// <summary>Which of the user's identities on the connection to use, when several; optional.</summary>
    public string? LoginHint { get; init; }

    /// <summary>Returns the type name only.</summary>
    /// <returns>The type name.</returns>
    public override string ToString() => nameof(ConnectionTokenRequest);
}
