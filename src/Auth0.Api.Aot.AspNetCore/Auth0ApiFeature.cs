using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
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
    private List<(string Scheme, object Claims)>? _typedClaims;
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

    public Outcome? Get(string scheme) => IndexOf(scheme) is int index and >= 0 ? _outcomes[index].Outcome : null;

    private int IndexOf(string scheme)
    {
        for (int i = 0; i < _outcomes.Count; i++)
        {
            if (string.Equals(_outcomes[i].Scheme, scheme, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Records <paramref name="scheme"/>'s outcome; an authenticated one becomes the request's claims.</summary>
    public void Set(string scheme, Outcome outcome)
    {
        int index = IndexOf(scheme);
        if (index >= 0)
        {
            _outcomes[index] = (scheme, outcome);
        }
        else
        {
            _outcomes.Add((scheme, outcome));
        }

        _last = scheme;
        if (outcome.Authenticated && _authenticated is null)
        {
            _authenticated = scheme;
        }
        else if (!outcome.Authenticated && string.Equals(_authenticated, scheme, StringComparison.Ordinal))
        {
            _authenticated = null;
        }

        if (_typedClaims is { } typed)
        {
            // The typed claims read from a previous outcome of this scheme are not this one's.
            for (int i = typed.Count - 1; i >= 0; i--)
            {
                if (string.Equals(typed[i].Scheme, scheme, StringComparison.Ordinal))
                {
                    typed.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>The verified claims of the scheme that authenticated the request, or <see langword="null"/>.</summary>
    public AccessTokenClaims? Claims => _authenticated is { } scheme ? Get(scheme)!.Result.Claims : null;

    /// <summary>
    /// The scheme whose verified token <paramref name="user"/> stands for: the first authenticated
    /// <see cref="Auth0ApiIdentity"/> of the principal whose scheme's outcome is still authenticated. A policy that names
    /// its schemes gets the principal of those schemes, so the claims are those of a scheme the policy accepted, never
    /// those of another Auth0 scheme that happened to run first.
    /// </summary>
    public string? SchemeOf(ClaimsPrincipal? user)
    {
        if (user is null)
        {
            return null;
        }

        foreach (ClaimsIdentity identity in user.Identities)
        {
            if (identity is Auth0ApiIdentity { IsAuthenticated: true, AuthenticationType: { } scheme } && Get(scheme) is { Authenticated: true })
            {
                return scheme;
            }
        }

        return null;
    }

    /// <summary>
    /// The verified claims of <paramref name="scheme"/> read as <typeparamref name="TClaims"/>, once per request,
    /// scheme and type.
    /// </summary>
    public bool TryGetTypedClaims<TClaims>(string scheme, [NotNullWhen(true)] out TClaims? claims, out ClaimError error)
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        error = default;
        if (_typedClaims is not null)
        {
            foreach ((string name, object value) in _typedClaims)
            {
                if (value is TClaims cached && string.Equals(name, scheme, StringComparison.Ordinal))
                {
                    claims = cached;
                    return true;
                }
            }
        }

        if (Get(scheme) is not { Authenticated: true } outcome || !outcome.Result.Claims!.TryRead(out claims, out error))
        {
            claims = null;
            return false;
        }

        (_typedClaims ??= new(1)).Add((scheme, claims));
        return true;
    }

    /// <summary>Refuses <paramref name="scheme"/>'s verified token after the fact: its claims are no longer the request's, and its challenge is invalid_token with <paramref name="description"/>.</summary>
    public void Refuse(string scheme, VerificationFailure kind, string description)
    {
        if (Get(scheme) is { } outcome)
        {
            Set(scheme, outcome with { Refusal = description, RefusalKind = kind });
        }
    }

    /// <summary>The typed claims of the scheme <paramref name="user"/> stands for; throws when there is none or they do not fit.</summary>
    public TClaims GetTypedClaims<TClaims>(ClaimsPrincipal user)
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        string scheme = SchemeOf(user) ?? throw new InvalidOperationException(Auth0ApiHttpContextExtensions.NotAuthenticated);
        return TryGetTypedClaims(scheme, out TClaims? claims, out _) ? claims : Get(scheme)!.Result.Claims!.Read<TClaims>();
    }

    /// <summary>
    /// One scheme's outcome: the core's result and, when a verified token was refused after verification (by the
    /// application's <c>OnTokenValidated</c>, or because its claims do not fit an endpoint's typed claims), the
    /// description of its invalid_token challenge and the failure kind logged.
    /// </summary>
    internal sealed record Outcome(RequestVerificationResult Result, string? Refusal = null, VerificationFailure RefusalKind = VerificationFailure.None)
    {
        public bool Authenticated => Result.IsValid && Refusal is null;
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

    /// <summary>
    /// The verified access-token claims of the Auth0 API scheme that <see cref="HttpContext.User"/> stands for (the
    /// scheme that authenticated the request, or the one an endpoint's policy names), or <see langword="null"/> when none did.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <returns>The claims, or <see langword="null"/>.</returns>
    public static AccessTokenClaims? GetAccessTokenClaims(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IAuth0ApiFeature>() is Auth0ApiFeature feature && feature.SchemeOf(context.User) is { } scheme
            ? feature.Get(scheme)!.Result.Claims
            : null;
    }

    /// <summary>
    /// The verified claims (of the scheme <see cref="HttpContext.User"/> stands for) as a generated typed view
    /// (<see cref="AccessTokenClaimsAttribute"/>), read once per request and type and kept.
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
        return context.Features.Get<IAuth0ApiFeature>() is Auth0ApiFeature feature
            ? feature.GetTypedClaims<TClaims>(context.User)
            : throw new InvalidOperationException(NotAuthenticated);
    }
}
