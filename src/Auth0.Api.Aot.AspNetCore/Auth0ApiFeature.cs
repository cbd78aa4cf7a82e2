using System;
using System.Collections.Generic;
using Microsoft.AspNetCore.Http;

namespace Auth0.Api.Aot.AspNetCore;

/// <summary>What the Auth0 API handler learnt about the current request, in <see cref="HttpContext.Features"/>.</summary>
public interface IAuth0ApiFeature
{
    /// <summary>The verification result: the verified claims, or why the request was refused.</summary>
    public RequestVerificationResult Result { get; }
}

/// <summary>The feature, with what the authorization handlers record for a 403 challenge.</summary>
internal sealed class Auth0ApiFeature(RequestVerificationResult result) : IAuth0ApiFeature
{
    private object? _typedClaims;

    public RequestVerificationResult Result { get; } = result;

    /// <summary>The scopes of the scope requirements that failed (for <c>insufficient_scope</c>'s <c>scope</c>).</summary>
    public List<string>? MissingScopes { get; set; }

    public TClaims GetTypedClaims<TClaims>()
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        if (_typedClaims is TClaims cached)
        {
            return cached;
        }

        TClaims claims = (Result.Claims ?? throw new InvalidOperationException(Auth0ApiHttpContextExtensions.NotAuthenticated)).Read<TClaims>();
        _typedClaims = claims;
        return claims;
    }
}

/// <summary>Reads the verified claims of the current request, without parsing the token again.</summary>
public static class Auth0ApiHttpContextExtensions
{
    internal const string NotAuthenticated = "The request was not authenticated by an Auth0 API scheme";

    /// <summary>The verified access-token claims, or <see langword="null"/> when no Auth0 API scheme authenticated the request.</summary>
    /// <param name="context">The request.</param>
    /// <returns>The claims, or <see langword="null"/>.</returns>
    public static AccessTokenClaims? GetAccessTokenClaims(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IAuth0ApiFeature>()?.Result.Claims;
    }

    /// <summary>
    /// The verified claims as a generated typed view (<see cref="AccessTokenClaimsAttribute"/>), read once per request
    /// and kept.
    /// </summary>
    /// <typeparam name="TClaims">The generated claims type.</typeparam>
    /// <param name="context">The request.</param>
    /// <returns>The typed claims.</returns>
    /// <exception cref="InvalidOperationException">No Auth0 API scheme authenticated the request.</exception>
    /// <exception cref="VerifyAccessTokenException">A required claim of <typeparamref name="TClaims"/> is missing or mistyped.</exception>
    public static TClaims GetAccessTokenClaims<TClaims>(this HttpContext context)
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IAuth0ApiFeature>() is Auth0ApiFeature { Result.IsValid: true } feature
            ? feature.GetTypedClaims<TClaims>()
            : throw new InvalidOperationException(NotAuthenticated);
    }
}
