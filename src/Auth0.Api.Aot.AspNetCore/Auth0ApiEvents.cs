using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Auth0.Api.Aot.AspNetCore;

/// <summary>
/// The events of an Auth0 API scheme, as JwtBearer's: set the delegates, or derive and override the methods (then set
/// <see cref="AuthenticationSchemeOptions.EventsType"/>).
/// </summary>
public class Auth0ApiEvents
{
    /// <summary>Before the request is read: may supply the token from elsewhere (<see cref="Auth0ApiMessageReceivedContext.Token"/>).</summary>
    public Func<Auth0ApiMessageReceivedContext, Task> OnMessageReceived { get; set; } = s_noMessageReceived;

    /// <summary>After the request verified: may add to or replace the principal, or refuse it (<c>Fail</c>).</summary>
    public Func<Auth0ApiTokenValidatedContext, Task> OnTokenValidated { get; set; } = s_noTokenValidated;

    /// <summary>After the request was refused by the verifier.</summary>
    public Func<Auth0ApiAuthenticationFailedContext, Task> OnAuthenticationFailed { get; set; } = static _ => Task.CompletedTask;

    /// <summary>Before the 401/400/503 answer is written: may write its own (<see cref="Auth0ApiChallengeContext.HandleResponse"/>).</summary>
    public Func<Auth0ApiChallengeContext, Task> OnChallenge { get; set; } = static _ => Task.CompletedTask;

    /// <summary>Before the 403 answer is written: may write its own (<see cref="Auth0ApiForbiddenContext.HandleResponse"/>).</summary>
    public Func<Auth0ApiForbiddenContext, Task> OnForbidden { get; set; } = static _ => Task.CompletedTask;

    private static readonly Func<Auth0ApiMessageReceivedContext, Task> s_noMessageReceived = static _ => Task.CompletedTask;
    private static readonly Func<Auth0ApiTokenValidatedContext, Task> s_noTokenValidated = static _ => Task.CompletedTask;

    // Whether raising the event can do anything: the handler skips building the context of an event nobody handles
    // (every Bearer request would otherwise pay two context objects for nothing). A derived class may override the
    // raising method, so it is always raised.
    internal bool HandlesMessageReceived => GetType() != typeof(Auth0ApiEvents) || !ReferenceEquals(OnMessageReceived, s_noMessageReceived);

    internal bool HandlesTokenValidated => GetType() != typeof(Auth0ApiEvents) || !ReferenceEquals(OnTokenValidated, s_noTokenValidated);

    /// <summary>Raises <see cref="OnMessageReceived"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>The event's task.</returns>
    public virtual Task MessageReceived(Auth0ApiMessageReceivedContext context) => OnMessageReceived(context);

    /// <summary>Raises <see cref="OnTokenValidated"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>The event's task.</returns>
    public virtual Task TokenValidated(Auth0ApiTokenValidatedContext context) => OnTokenValidated(context);

    /// <summary>Raises <see cref="OnAuthenticationFailed"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>The event's task.</returns>
    public virtual Task AuthenticationFailed(Auth0ApiAuthenticationFailedContext context) => OnAuthenticationFailed(context);

    /// <summary>Raises <see cref="OnChallenge"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>The event's task.</returns>
    public virtual Task Challenge(Auth0ApiChallengeContext context) => OnChallenge(context);

    /// <summary>Raises <see cref="OnForbidden"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>The event's task.</returns>
    public virtual Task Forbidden(Auth0ApiForbiddenContext context) => OnForbidden(context);
}

/// <summary>The context of <see cref="Auth0ApiEvents.OnMessageReceived"/>.</summary>
public sealed class Auth0ApiMessageReceivedContext : ResultContext<Auth0ApiOptions>
{
    /// <summary>Creates the context.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    public Auth0ApiMessageReceivedContext(HttpContext context, AuthenticationScheme scheme, Auth0ApiOptions options)
        : base(context, scheme, options)
    {
    }

    /// <summary>
    /// A Bearer token found elsewhere than the <c>Authorization</c> header (SignalR's <c>access_token</c> query
    /// parameter, say); when set, it is verified as <c>Authorization: Bearer {Token}</c>. A DPoP request needs its
    /// headers, so this is for Bearer tokens only.
    /// </summary>
    public string? Token { get; set; }
}

/// <summary>The context of <see cref="Auth0ApiEvents.OnTokenValidated"/>: <see cref="ResultContext{TOptions}.Principal"/> is set.</summary>
public sealed class Auth0ApiTokenValidatedContext : ResultContext<Auth0ApiOptions>
{
    /// <summary>Creates the context.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    /// <param name="result">The verification result.</param>
    public Auth0ApiTokenValidatedContext(HttpContext context, AuthenticationScheme scheme, Auth0ApiOptions options, RequestVerificationResult result)
        : base(context, scheme, options)
    {
        Verification = result;
    }

    /// <summary>The verification result; <see cref="RequestVerificationResult.Claims"/> holds the verified claims.</summary>
    public RequestVerificationResult Verification { get; }

    /// <summary>The verified access-token claims.</summary>
    public AccessTokenClaims Claims => Verification.Claims!;
}

/// <summary>The context of <see cref="Auth0ApiEvents.OnAuthenticationFailed"/>.</summary>
public sealed class Auth0ApiAuthenticationFailedContext : ResultContext<Auth0ApiOptions>
{
    /// <summary>Creates the context.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    /// <param name="result">The verification result.</param>
    public Auth0ApiAuthenticationFailedContext(HttpContext context, AuthenticationScheme scheme, Auth0ApiOptions options, RequestVerificationResult result)
        : base(context, scheme, options)
    {
        Verification = result;
    }

    /// <summary>Why the request was refused: <see cref="RequestVerificationResult.Failure"/>, status, code, challenge.</summary>
    public RequestVerificationResult Verification { get; }
}

/// <summary>The context of <see cref="Auth0ApiEvents.OnChallenge"/>.</summary>
public sealed class Auth0ApiChallengeContext : PropertiesContext<Auth0ApiOptions>
{
    /// <summary>Creates the context.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    /// <param name="properties">The authentication properties.</param>
    /// <param name="result">The verification result.</param>
    public Auth0ApiChallengeContext(HttpContext context, AuthenticationScheme scheme, Auth0ApiOptions options, AuthenticationProperties? properties, RequestVerificationResult result)
        : base(context, scheme, options, properties)
    {
        Verification = result;
    }

    /// <summary>Why the request is challenged (for a request without credentials, <see cref="VerificationFailure.AuthorizationMissing"/>).</summary>
    public RequestVerificationResult Verification { get; }

    /// <summary>The <c>WWW-Authenticate</c> value that will be written; may be changed, or set to <see langword="null"/> for none.</summary>
    public string? Challenge { get; set; }

    /// <summary>Whether the event wrote the answer itself, so the handler writes nothing.</summary>
    public bool Handled { get; private set; }

    /// <summary>Tells the handler that the answer was written.</summary>
    public void HandleResponse() => Handled = true;
}

/// <summary>The context of <see cref="Auth0ApiEvents.OnForbidden"/>.</summary>
public sealed class Auth0ApiForbiddenContext : PropertiesContext<Auth0ApiOptions>
{
    /// <summary>Creates the context.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    /// <param name="properties">The authentication properties.</param>
    /// <param name="requiredScopes">The scopes the failed requirements asked for.</param>
    public Auth0ApiForbiddenContext(HttpContext context, AuthenticationScheme scheme, Auth0ApiOptions options, AuthenticationProperties? properties, IReadOnlyList<string> requiredScopes)
        : base(context, scheme, options, properties)
    {
        RequiredScopes = requiredScopes;
    }

    /// <summary>The scopes the failed scope requirements asked for (the challenge's <c>scope</c>); empty for other requirements.</summary>
    public IReadOnlyList<string> RequiredScopes { get; }

    /// <summary>Whether the event wrote the answer itself, so the handler writes nothing.</summary>
    public bool Handled { get; private set; }

    /// <summary>Tells the handler that the answer was written.</summary>
    public void HandleResponse() => Handled = true;
}
