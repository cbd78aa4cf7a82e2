// The three token-exchange flows of the Python SDK (reference section 8) over one TokenEndpointClient: each checks its
// arguments and the client credentials before any request, builds its form in the Python SDK's field order, and maps a
// refusal to its own exception type and default code. Every flow refuses a blank, whitespace-padded or Bearer-prefixed
// token before any request (Token Vault too, unlike the Python SDK: docs/compatibility.md).
//   Token Vault (8.1)          get_access_token_for_connection -> GetAccessTokenForConnectionException, connection_token_error
//   Custom Token Exchange (8.2) get_token_by_exchange_profile  -> GetTokenByExchangeProfileException, token_exchange_error
//   On-Behalf-Of (8.3)          Custom Token Exchange with access-token subject and requested types
// ApiClient's public methods delegate here; transport, discovery and answer parsing are TokenEndpointClient's.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Internal;

internal sealed class TokenExchangeClient
{
    private readonly TokenEndpointClient _endpoint;

    public TokenExchangeClient(TokenEndpointClient endpoint)
    {
        _endpoint = endpoint;
    }

    /// <summary>Token Vault: the connection's access token for the caller's access token.</summary>
    public async ValueTask<ConnectionTokenResult> GetAccessTokenForConnectionAsync(ConnectionTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string connection = request.Connection;
        string accessToken = request.AccessToken;
        string? loginHint = request.LoginHint;
        if (string.IsNullOrEmpty(connection))
        {
            throw new MissingRequiredArgumentException("connection");
        }

        if (string.IsNullOrEmpty(accessToken))
        {
            throw new MissingRequiredArgumentException("access_token");
        }

        // Not in the Python SDK (docs/compatibility.md): the access token is checked as the other flows check theirs.
        if (Refusal(accessToken, "access_token") is string refused)
        {
            throw new GetAccessTokenForConnectionException(refused);
        }

        if (!_endpoint.HasCredentials)
        {
            throw new GetAccessTokenForConnectionException("You must configure the SDK with a client_id and client_secret to use get_access_token_for_connection.");
        }

        List<KeyValuePair<string, string>> form =
        [
            new("connection", connection),
            new("requested_token_type", "http://auth0.com/oauth/token-type/federated-connection-access-token"),
            new("grant_type", "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"),
            new("subject_token", accessToken),
            new("subject_token_type", TokenEndpointClient.AccessTokenType),
        ];
        if (!string.IsNullOrEmpty(loginHint))
        {
            form.Add(new("login_hint", loginHint));
        }

        TokenEndpointResponse answer = await _endpoint.PostAsync(
            "token_vault",
            form,
            static message => new GetAccessTokenForConnectionException(message),
            "connection_token_error",
            static status => "Failed to get token for connection: " + status.ToString(CultureInfo.InvariantCulture),
            cancellationToken).ConfigureAwait(false);
        return new ConnectionTokenResult(answer.AccessToken, answer.ExpiresIn, answer.ExpiresAt, answer.Scope ?? string.Empty);
    }

    /// <summary>Custom Token Exchange: Auth0 tokens for a subject token a profile of the tenant accepts.</summary>
    public async ValueTask<TokenExchangeResult> GetTokenByExchangeProfileAsync(TokenExchangeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        TokenEndpointResponse answer = await ExchangeAsync("custom_token_exchange", request.SubjectToken, request.SubjectTokenType, request.Audience, request.Scope, request.RequestedTokenType, request.Extra, cancellationToken).ConfigureAwait(false);
        return new TokenExchangeResult(answer.AccessToken, answer.ExpiresIn, answer.ExpiresAt, answer.Scope, answer.IdToken, answer.RefreshToken, answer.TokenType, answer.IssuedTokenType);
    }

    /// <summary>On-Behalf-Of: an access token to <paramref name="audience"/> for the caller's access token.</summary>
    public async ValueTask<OnBehalfOfTokenResult> GetTokenOnBehalfOfAsync(string accessToken, string audience, string? scope, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(audience))
        {
            throw new MissingRequiredArgumentException("audience");
        }

        TokenEndpointResponse answer = await ExchangeAsync("on_behalf_of", accessToken, TokenEndpointClient.AccessTokenType, audience, scope, TokenEndpointClient.AccessTokenType, null, cancellationToken).ConfigureAwait(false);
        return new OnBehalfOfTokenResult(answer.AccessToken, answer.ExpiresIn, answer.ExpiresAt, answer.Scope, answer.TokenType, answer.IssuedTokenType);
    }

    private async Task<TokenEndpointResponse> ExchangeAsync(string flow, string? subjectToken, string? subjectTokenType, string? audience, string? scope, string? requestedTokenType, TokenExchangeParameters? extra, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(subjectToken))
        {
            throw new MissingRequiredArgumentException("subject_token");
        }

        if (string.IsNullOrEmpty(subjectTokenType))
        {
            throw new MissingRequiredArgumentException("subject_token_type");
        }

        if (Refusal(subjectToken, "subject_token") is string refusedToken)
        {
            throw new GetTokenByExchangeProfileException(refusedToken);
        }

        if (!_endpoint.HasCredentials)
        {
            throw new GetTokenByExchangeProfileException("Client credentials are required to use get_token_by_exchange_profile. Configure client_id and client_secret in ApiClientOptions to use this feature");
        }

        // Unlike the Python SDK (after discovery), extras are checked before any request: a refused parameter costs none.
        if (extra?.Validate() is string refused)
        {
            throw new GetTokenByExchangeProfileException(refused);
        }

        List<KeyValuePair<string, string>> form =
        [
            new("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            new("subject_token", subjectToken),
            new("subject_token_type", subjectTokenType),
        ];
        AddIfPresent(form, "audience", audience);
        AddIfPresent(form, "scope", scope);
        AddIfPresent(form, "requested_token_type", requestedTokenType);
        if (extra is not null)
        {
            form.AddRange(extra.ToFormFields());
        }

        string failure = "Failed to exchange token of type '" + Error.CallerText(subjectTokenType) + "'" + (string.IsNullOrEmpty(audience) ? string.Empty : " for audience '" + Error.CallerText(audience) + "'");
        return await _endpoint.PostAsync(flow, form, static message => new GetTokenByExchangeProfileException(message), "token_exchange_error", _ => failure, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The Python SDK's subject-token checks, in its order and with its messages: blank (Python's whitespace), then
    /// surrounding whitespace, then a <c>Bearer </c> prefix in any case. The token itself is never in the message.
    /// </summary>
    /// <returns><see langword="null"/> when <paramref name="token"/> may be sent; otherwise the refusal.</returns>
    private static string? Refusal(string token, string name)
    {
        if (PythonWhitespace.IsBlank(token))
        {
            return name + " cannot be blank or whitespace";
        }

        if (PythonWhitespace.HasSurroundingSpace(token))
        {
            return name + " must not include leading or trailing whitespace";
        }

        return token.StartsWith("bearer ", StringComparison.OrdinalIgnoreCase)
            ? name + " must not include the 'Bearer ' prefix (case-insensitive check)"
            : null;
    }

    private static void AddIfPresent(List<KeyValuePair<string, string>> form, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            form.Add(new(name, value));
        }
    }
}
