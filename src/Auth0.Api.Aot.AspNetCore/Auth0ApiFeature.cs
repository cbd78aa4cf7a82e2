using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;

namespace Auth0.Api.Aot.AspNetCore;

/// <summary>
/// What the Auth0 API schemes learnt about the current request, in <see cref="HttpContext.Features"/>. Each scheme keeps
/// its own result, so several Auth0 schemes on one endpoint never read each other's.
/// </summary>
public interface IAuth0ApiFeature
{
    /// <summary>
    /// The result of the scheme that authenticated the request; when none did, the result of the last Auth0 scheme that
    /// ran (why it refused, or <see cref="VerificationFailure.AuthorizationMissing"/>).
    /// </summary>
    public RequestVerificationResult Result { get; }

    /// <summary>The result of <paramref name="scheme"/>, if it ran for this request.</summary>
    /// <param name="scheme">The scheme name.</param>
    /// <param name="result">Its result.</param>
    /// <returns>Whether the scheme ran.</returns>
    public bool TryGetResult(string scheme, out RequestVerificationResult result);
}

/// <summary>The feature: one outcome per scheme, and what the authorization handlers record for a 403 challenge.</summary>
internal sealed class Auth0ApiFeature : IAuth0ApiFeature
{
    private readonly List<(string Scheme, Outcome Outcome)> _outcomes = new(1);
    private object? _typedClaims;
    private string? _authenticated;
    private string? _last;

    public RequestVerificationResult Result =>
        _authenticated is { } scheme ? Get(scheme)!.Result : _last is { } last ? Get(last)!.Result : default;

    /// <summary>The scopes of the scope requirements that failed (for <c>insufficient_scope</c>'s <c>scope</c>).</summary>
    public List<string>? MissingScopes { get; set; }

    public bool TryGetResult(string scheme, out RequestVerificationResult result)
    {
        Outcome? outcome = Get(scheme);
        result = outcome?.Result ?? default;
        return outcome is not null;
    }

    public Outcome? Get(string scheme)
    {
        foreach ((string name, Outcome outcome) in _outcomes)
        {
            if (string.Equals(name, scheme, StringComparison.Ordinal))
            {
                return outcome;
            }
        }

        return null;
    }

    /// <summary>Records <paramref name="scheme"/>'s outcome; an authenticated one becomes the request's claims.</summary>
    public void Set(string scheme, Outcome outcome)
    {
        _outcomes.RemoveAll(entry => string.Equals(entry.Scheme, scheme, StringComparison.Ordinal));
        _outcomes.Add((scheme, outcome));
        _last = scheme;
        if (outcome.Authenticated && _authenticated is null)
        {
            _authenticated = scheme;
        }
        else if (!outcome.Authenticated && string.Equals(_authenticated, scheme, StringComparison.Ordinal))
        {
            _authenticated = null;
            _typedClaims = null;
        }
    }

    /// <summary>The verified claims of the scheme that authenticated the request, or <see langword="null"/>.</summary>
    public AccessTokenClaims? Claims => _authenticated is { } scheme ? Get(scheme)!.Result.Claims : null;

    /// <summary>The claims error of a typed-claims requirement that failed: the scheme's forbid answers it 401 invalid_token.</summary>
    public ClaimError? ClaimsRefusal { get; set; }

    /// <summary>The verified claims read as <typeparamref name="TClaims"/>, once per request and type.</summary>
    public bool TryGetTypedClaims<TClaims>([NotNullWhen(true)] out TClaims? claims, out ClaimError error)
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        if (_typedClaims is TClaims cached)
        {
            (claims, error) = (cached, default);
            return true;
        }

        if (Claims is not { } verified)
        {
            (claims, error) = (null, default);
            return false;
        }

        if (!verified.TryRead(out claims, out error))
        {
            return false;
        }

        _typedClaims = claims;
        return true;
    }

    public TClaims GetTypedClaims<TClaims>()
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        if (_typedClaims is TClaims cached)
        {
            return cached;
        }

        TClaims claims = (Claims ?? throw new InvalidOperationException(Auth0ApiHttpContextExtensions.NotAuthenticated)).Read<TClaims>();
        _typedClaims = claims;
        return claims;
    }

    /// <summary>One scheme's outcome: the core's result, and whether the application's <c>OnTokenValidated</c> refused a verified token.</summary>
    internal sealed record Outcome(RequestVerificationResult Result, bool RefusedByApplication = false)
    {
        public bool Authenticated => Result.IsValid && !RefusedByApplication;
    }

    public static Auth0ApiFeature For(HttpContext context)
    {
        if (context.Features.Get<IAuth0ApiFeature>() is Auth0ApiFeature feature)
        {
            return feature;
        }

        feature = new Auth0ApiFeature();
        context.Features.Set<IAuth0ApiFeature>(feature);
        return feature;
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
        return (context.Features.Get<IAuth0ApiFeature>() as Auth0ApiFeature)?.Claims;
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
        return context.Features.Get<IAuth0ApiFeature>() is Auth0ApiFeature { Claims: not null } feature
            ? feature.GetTypedClaims<TClaims>()
            : throw new InvalidOperationException(NotAuthenticated);
    }
}
