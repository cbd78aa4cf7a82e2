using System;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot;

// Token exchange (reference section 8): the public entry points; the flows are in Internal/TokenExchangeClient.cs.
public sealed partial class ApiClient
{
    /// <summary>
    /// Token Vault: exchanges the caller's access token for the access token of an upstream connection that Auth0 holds
    /// for the same user. Needs <see cref="ApiClientOptions.ClientId"/> and <see cref="ApiClientOptions.ClientSecret"/>
    /// (sent with HTTP Basic authentication only); the token endpoint comes from <see cref="ApiClientOptions.Domain"/>'s
    /// discovery document. The access token is checked before any request (not blank, no surrounding whitespace, no
    /// <c>Bearer </c> prefix).
    /// </summary>
    /// <param name="request">The connection and the caller's access token.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The connection's access token, its lifetime and scopes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="MissingRequiredArgumentException">The connection or the access token is missing.</exception>
    /// <exception cref="GetAccessTokenForConnectionException">The access token is refused (blank, surrounding whitespace, a <c>Bearer </c> prefix), no client credentials are configured, or the discovery document has no usable token endpoint.</exception>
    /// <exception cref="ApiException">Discovery failed (<c>discovery_error</c>), the endpoint refused (its <c>error</c> and status), timed out (504 <c>timeout_error</c>), could not be reached (502 <c>network_error</c>), or answered unusably (502 <c>invalid_json</c>, <c>invalid_response</c>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<ConnectionTokenResult> GetAccessTokenForConnectionAsync(ConnectionTokenRequest request, CancellationToken cancellationToken = default) =>
        Exchange.GetAccessTokenForConnectionAsync(request, cancellationToken);

    /// <summary>
    /// Custom Token Exchange (RFC 8693): exchanges a subject token that a Custom Token Exchange profile of the tenant
    /// accepts for Auth0 tokens. Needs client credentials (HTTP Basic); the subject token is checked before any request
    /// (not blank, no surrounding whitespace, no <c>Bearer </c> prefix), and so are the <see cref="TokenExchangeRequest.Extra"/> parameters.
    /// </summary>
    /// <param name="request">The subject token, its type and the optional audience, scope, requested type and extras.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The tokens issued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="MissingRequiredArgumentException">The subject token or its type is missing.</exception>
    /// <exception cref="GetTokenByExchangeProfileException">The subject token or an extra parameter is refused, no client credentials are configured, or the discovery document has no usable token endpoint.</exception>
    /// <exception cref="ApiException">Discovery failed, the endpoint refused, timed out (504), could not be reached (502), or answered unusably (502).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<TokenExchangeResult> GetTokenByExchangeProfileAsync(TokenExchangeRequest request, CancellationToken cancellationToken = default) =>
        Exchange.GetTokenByExchangeProfileAsync(request, cancellationToken);

    /// <summary>
    /// On-Behalf-Of: exchanges the caller's access token for an access token to another API (<paramref name="audience"/>),
    /// through Custom Token Exchange with access-token subject and requested types. ID and refresh tokens are never exposed.
    /// </summary>
    /// <param name="accessToken">The caller's access token, without the scheme.</param>
    /// <param name="audience">The downstream API's identifier.</param>
    /// <param name="scope">Space-separated scopes to request; optional.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The downstream access token.</returns>
    /// <exception cref="MissingRequiredArgumentException"><paramref name="audience"/> (checked first) or <paramref name="accessToken"/> is missing.</exception>
    /// <exception cref="GetTokenByExchangeProfileException">The access token is refused (whitespace, a <c>Bearer </c> prefix), no client credentials are configured, or there is no usable token endpoint.</exception>
    /// <exception cref="ApiException">Discovery failed, the endpoint refused, timed out (504), could not be reached (502), or answered unusably (502).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<OnBehalfOfTokenResult> GetTokenOnBehalfOfAsync(string accessToken, string audience, string? scope = null, CancellationToken cancellationToken = default) =>
        Exchange.GetTokenOnBehalfOfAsync(accessToken, audience, scope, cancellationToken);
}
