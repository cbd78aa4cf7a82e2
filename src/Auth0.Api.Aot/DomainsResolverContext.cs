using System;
using System.Collections.Generic;

namespace Auth0.Api.Aot;

/// <summary>What a <see cref="DomainsResolver"/> is told about the token and the request being verified.</summary>
/// <remarks>Thread safety: immutable. The constructor is public so that a resolver can be unit-tested.</remarks>
public sealed class DomainsResolverContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="unverifiedIssuer">The token's issuer, normalised (<c>https://host[:port]/</c>) and not yet verified.</param>
    /// <param name="requestUrl">The request's URL, when known.</param>
    /// <param name="requestHeaders">The request's headers, when known.</param>
    /// <exception cref="ArgumentNullException"><paramref name="unverifiedIssuer"/> is <see langword="null"/>.</exception>
    public DomainsResolverContext(string unverifiedIssuer, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders)
    {
        ArgumentNullException.ThrowIfNull(unverifiedIssuer);
        UnverifiedIssuer = unverifiedIssuer;
        RequestUrl = requestUrl;
        RequestHeaders = requestHeaders;
    }

    /// <summary>
    /// The token's <c>iss</c>, normalised like a configured domain (<c>https://host[:port]/</c>, lower case). It is not
    /// verified yet: a resolver must use it only to choose among domains it trusts, never to trust a new one.
    /// </summary>
    public string UnverifiedIssuer { get; }

    /// <summary>The request's absolute URL as given to the verifying call, or <see langword="null"/>.</summary>
    public string? RequestUrl { get; }

    /// <summary>
    /// The request's headers, names compared case-insensitively, when the verifying call was given them (the
    /// header-dictionary overloads of <see cref="ApiClient.VerifyRequestAsync(IReadOnlyDictionary{string, string}, string?, string?, System.Threading.CancellationToken)"/>,
    /// or the request overloads of <see cref="ApiClient.VerifyAccessTokenAsync(string, string?, IReadOnlyDictionary{string, string}?, IReadOnlyList{string}?, System.Threading.CancellationToken)"/>);
    /// otherwise <see langword="null"/>. They include <c>Authorization</c>: never log them.
    /// </summary>
    public IReadOnlyDictionary<string, string>? RequestHeaders { get; }

    /// <summary>Returns the type name only (the headers may hold credentials).</summary>
    /// <returns>The type name.</returns>
    public override string ToString() => nameof(DomainsResolverContext);
}
