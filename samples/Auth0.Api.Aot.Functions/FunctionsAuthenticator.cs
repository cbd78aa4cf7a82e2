// The middleware's logic, with no Azure Functions type in it, so that tests/Auth0.Api.Aot.Functions.Tests runs it without
// the Functions host: one HTTP request's Authorization and DPoP headers, method and URL in, the verified claims or the
// answer to send (status, WWW-Authenticate, Retry-After, DPoP-Nonce, an error code) out.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot;

namespace Auth0.Api.Aot.Functions;

/// <summary>
/// Verifies the requests of HTTP-triggered functions with <see cref="ApiClient.TryVerifyRequestAsync(string?, string?, string?, string?, CancellationToken)"/>
/// (Bearer, or DPoP with its proof, RFC 9449) and checks the scopes a function requires.
/// </summary>
/// <remarks>Thread-safe: it holds the shared <see cref="ApiClient"/> and a read-only map of required scopes.</remarks>
public sealed class FunctionsAuthenticator
{
    private readonly ApiClient _client;
    private readonly Dictionary<string, string[]> _requiredScopes;
    private readonly Uri? _publicOrigin;

    /// <summary>Creates the authenticator over one shared client.</summary>
    /// <param name="client">The client that verifies tokens and proofs (one per application).</param>
    /// <param name="requiredScopes">Per function name, the scopes its token must all have; functions not named need only a valid token.</param>
    /// <param name="publicOrigin">
    /// The origin clients call (<c>https://api.example.com</c>) when the URL the worker sees differs from it (a proxy, a
    /// custom domain, a front end that ends TLS): the proof's <c>htu</c> is then compared with this origin plus the
    /// request's path. <see langword="null"/>: the request URL as the worker sees it.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="publicOrigin"/> is not an http or https origin.</exception>
    public FunctionsAuthenticator(ApiClient client, IReadOnlyDictionary<string, string[]>? requiredScopes = null, Uri? publicOrigin = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (publicOrigin is not null
            && (!publicOrigin.IsAbsoluteUri || (publicOrigin.Scheme != Uri.UriSchemeHttps && publicOrigin.Scheme != Uri.UriSchemeHttp)
                || publicOrigin.AbsolutePath != "/" || publicOrigin.Query.Length != 0 || publicOrigin.Fragment.Length != 0 || publicOrigin.UserInfo.Length != 0))
        {
            throw new ArgumentException("The public origin must be an absolute http or https URL with no path, query, fragment or user info, such as https://api.example.com", nameof(publicOrigin));
        }

        _client = client;
        _publicOrigin = publicOrigin;
        _requiredScopes = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (requiredScopes is not null)
        {
            foreach (KeyValuePair<string, string[]> entry in requiredScopes)
            {
                _requiredScopes.Add(entry.Key, [.. entry.Value]);
            }
        }
    }

    /// <summary>Verifies one request for the function <paramref name="functionName"/>.</summary>
    /// <param name="functionName">The function's name (its <c>[Function]</c> name), for its required scopes.</param>
    /// <param name="authorization">
    /// Every <c>Authorization</c> header value; more than one is refused (400). The Functions host passes one value per
    /// header name, several joined by commas: such a value is refused by the core as a malformed header.
    /// </param>
    /// <param name="dpop">Every <c>DPoP</c> header value; more than one is refused (400, RFC 9449 section 4.3).</param>
    /// <param name="httpMethod">The request's method.</param>
    /// <param name="httpUrl">
    /// The request's absolute URL as the worker sees it (<c>HttpRequestData.Url</c>), for the proof's <c>htu</c>; with a
    /// public origin, only its path and query are kept.
    /// </param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The claims, or the answer to send. Never throws for a bad token or proof.</returns>
    public async ValueTask<FunctionsAuthentication> AuthenticateAsync(
        string functionName,
        IReadOnlyList<string>? authorization,
        IReadOnlyList<string>? dpop,
        string httpMethod,
        Uri httpUrl,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(functionName);
        ArgumentNullException.ThrowIfNull(httpMethod);
        ArgumentNullException.ThrowIfNull(httpUrl);
        if (authorization is { Count: > 1 } || dpop is { Count: > 1 })
        {
            // Which of two credentials is meant cannot be told: refused before any verification.
            return FunctionsAuthentication.Refuse(400, "invalid_request", []);
        }

        RequestVerificationResult result = await _client.TryVerifyRequestAsync(
            authorization is { Count: 1 } ? authorization[0] : null,
            dpop is { Count: 1 } ? dpop[0] : null,
            httpMethod,
            PublicUrl(httpUrl),
            cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            List<KeyValuePair<string, string>> headers = [];
            if (result.Challenge is { } challenge)
            {
                headers.Add(new("WWW-Authenticate", challenge));
            }

            if (result.RetryAfter is { } retryAfter)
            {
                headers.Add(new("Retry-After", ((long)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture)));
            }

            if (result.DPoPNonce is { } nonce)
            {
                headers.Add(new("DPoP-Nonce", nonce));
            }

            return FunctionsAuthentication.Refuse(result.StatusCode, result.ErrorCode, headers);
        }

        AccessTokenClaims claims = result.Claims!;
        if (_requiredScopes.TryGetValue(functionName, out string[]? scopes) && !claims.HasAllScopes(scopes))
        {
            // The challenge of the scheme the request used: a DPoP request gets the DPoP challenge (RFC 9449 section
            // 7.1), with the core's realm and the other challenges the client's DPoPMode offers.
            return FunctionsAuthentication.Refuse(
                403,
                "insufficient_scope",
                [new("WWW-Authenticate", _client.CreateInsufficientScopeChallenge(result.Scheme, scopes))]);
        }

        return FunctionsAuthentication.Accept(claims, result.Scheme!);
    }

    // By string, not new Uri(origin, path): a path such as //other.example/x would be read as a network-path reference
    // and move the compared URL to another host.
    private string PublicUrl(Uri httpUrl) =>
        _publicOrigin is null ? httpUrl.AbsoluteUri : _publicOrigin.GetLeftPart(UriPartial.Authority) + httpUrl.PathAndQuery;
}

/// <summary>The outcome of <see cref="FunctionsAuthenticator.AuthenticateAsync"/>: claims, or an answer to send.</summary>
/// <remarks>Immutable. It holds no token or proof; claim values only in <see cref="Claims"/>.</remarks>
public sealed class FunctionsAuthentication
{
    private FunctionsAuthentication(AccessTokenClaims? claims, string? scheme, int statusCode, string errorCode, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Claims = claims;
        Scheme = scheme;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        Headers = headers;
    }

    /// <summary>Whether the request may go on to the function.</summary>
    public bool IsAuthenticated => Claims is not null;

    /// <summary>The verified claims; <see langword="null"/> when refused.</summary>
    public AccessTokenClaims? Claims { get; }

    /// <summary>The scheme that was verified, <c>Bearer</c> or <c>DPoP</c>; <see langword="null"/> when refused.</summary>
    public string? Scheme { get; }

    /// <summary>200 when authenticated; otherwise the status to answer with (400, 401, 403, 429, 500, 503).</summary>
    public int StatusCode { get; }

    /// <summary>The OAuth error code (<c>invalid_token</c>, <c>invalid_dpop_proof</c>, <c>insufficient_scope</c>...); empty when authenticated.</summary>
    public string ErrorCode { get; }

    /// <summary>Headers to answer with: <c>WWW-Authenticate</c> (the core's challenge), <c>Retry-After</c>, <c>DPoP-Nonce</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    internal static FunctionsAuthentication Accept(AccessTokenClaims claims, string scheme) => new(claims, scheme, 200, string.Empty, []);

    internal static FunctionsAuthentication Refuse(int statusCode, string errorCode, IReadOnlyList<KeyValuePair<string, string>> headers) =>
        new(null, null, statusCode, errorCode, headers);
}
