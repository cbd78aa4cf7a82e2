// Typed claims handed to endpoints. A minimal-API handler takes AccessToken<TClaims> as a parameter: the type binds
// itself from the request's verified result (BindAsync, no token parsed again) and, as an endpoint-metadata provider,
// puts an authorization requirement on the endpoint, so that a handler asking for typed claims cannot be reached
// without them. The requirement reads the claims once per request; a token without a required claim of TClaims, or with
// a mistyped one, is refused 401 invalid_token with the core's message (Missing required claim: {name}), as the core's
// VerifyAccessTokenAsync<TClaims> refuses it. Both parts are static members found by the request delegate generator at
// compile time, so this works under NativeAOT; a claims type's own generated code cannot add a BindAsync the request
// delegate generator would see (source generators do not see each other's output).

using System;
using System.Collections.Generic;
using System.Reflection;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Auth0.Api.Aot.AspNetCore;

/// <summary>
/// The request's verified access token, with its claims read as <typeparamref name="TClaims"/>: a minimal-API handler
/// parameter, <c>app.MapGet("/orders", (AccessToken&lt;OrderClaims&gt; token) =&gt; token.Claims.Subject)</c>.
/// </summary>
/// <typeparam name="TClaims">A claims type generated from <see cref="AccessTokenClaimsAttribute"/>.</typeparam>
/// <remarks>
/// <para>An endpoint with this parameter requires a verified token with typed claims: it gets
/// <see cref="AccessTokenClaimsRequirement{TClaims}"/>, as with <c>RequireAccessTokenClaims&lt;TClaims&gt;()</c>,
/// combined with the endpoint's other authorization (or the fallback policy). A request without a token is challenged
/// (401); a token whose claims do not fit <typeparamref name="TClaims"/> (a required claim missing or mistyped) is 401
/// <c>invalid_token</c> with the claim's message. Combine it with <c>RequireScope</c> and the other requirements as
/// usual. The claims are those of the Auth0 API scheme the principal stands for: the default scheme, or the scheme the
/// endpoint's policy names (an Auth0 scheme that is neither never authenticates these endpoints).</para>
/// <para>Under <c>AllowAnonymous</c> the parameter is bound only for authenticated requests: declare it nullable
/// (<c>AccessToken&lt;OrderClaims&gt;?</c>), or an anonymous request gets the framework's 400 for a missing parameter.</para>
/// </remarks>
public sealed class AccessToken<TClaims> : IEndpointMetadataProvider
    where TClaims : class, IAccessTokenClaims<TClaims>
{
    private AccessToken(TClaims claims, RequestVerificationResult result)
    {
        Claims = claims;
        Result = result;
    }

    /// <summary>The typed claims.</summary>
    public TClaims Claims { get; }

    /// <summary>The verified claims, untyped (every claim, by name), read from the same verification.</summary>
    public AccessTokenClaims Verified => Result.Claims!;

    /// <summary>The verification's result: the scheme the request used (<c>bearer</c> or <c>dpop</c>), the claims.</summary>
    public RequestVerificationResult Result { get; }

    /// <summary>
    /// Binds the parameter from the request (called by minimal APIs): the typed claims of the Auth0 API scheme that
    /// authenticated the request, or <see langword="null"/> when none did or the claims do not fit.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <returns>The token, or <see langword="null"/>.</returns>
    public static ValueTask<AccessToken<TClaims>?> BindAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new(context.Features.Get<IAuth0ApiFeature>() is Auth0ApiFeature feature && feature.SchemeOf(context.User) is { } scheme
            && feature.TryGetTypedClaims(scheme, out TClaims? claims, out _)
                ? new AccessToken<TClaims>(claims, feature.Get(scheme)!.Result)
                : null);
    }

    /// <summary>Adds the authorization that the parameter needs to the endpoint (called by minimal APIs).</summary>
    /// <param name="method">The handler.</param>
    /// <param name="builder">The endpoint.</param>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(AccessTokenClaimsRequirement<TClaims>.Metadata);
    }
}

/// <summary>
/// The Auth0 API scheme that authenticated the request must have verified a token whose claims fit
/// <typeparamref name="TClaims"/>: every required claim present, every claim of its declared JSON type. The typed claims
/// are read once and kept for the request (<see cref="Auth0ApiHttpContextExtensions.GetAccessTokenClaims{TClaims}"/>,
/// <see cref="AccessToken{TClaims}"/>). A token that does not fit is refused 401 <c>invalid_token</c>, with
/// <c>Missing required claim: {name}</c> or <c>Invalid '{name}' claim: must be ...</c> as its description.
/// </summary>
/// <typeparam name="TClaims">A claims type generated from <see cref="AccessTokenClaimsAttribute"/>.</typeparam>
public sealed class AccessTokenClaimsRequirement<TClaims> : AuthorizationHandler<AccessTokenClaimsRequirement<TClaims>>, IAuthorizationRequirement
    where TClaims : class, IAccessTokenClaims<TClaims>
{
    /// <summary>The one instance: the requirement holds no state.</summary>
    public static AccessTokenClaimsRequirement<TClaims> Instance { get; } = new();

    // Endpoint metadata: this requirement, combined by the authorization middleware with the endpoint's other
    // authorization data, or with the fallback policy when it has none (it is not IAuthorizeData, which would turn the
    // fallback policy off for the endpoint). The requirement itself fails without a verified Auth0 token.
    internal static readonly object Metadata = new RequirementData();

    private AccessTokenClaimsRequirement()
    {
    }

    /// <inheritdoc/>
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessTokenClaimsRequirement<TClaims> requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        // The claims of the scheme the policy's principal stands for: a policy that names another scheme gets that
        // scheme's principal, and never the claims of an Auth0 scheme it did not name.
        if (context.Resource is HttpContext http && http.Features.Get<IAuth0ApiFeature>() is Auth0ApiFeature feature
            && feature.SchemeOf(context.User) is { } scheme)
        {
            if (feature.TryGetTypedClaims(scheme, out TClaims? _, out ClaimError error))
            {
                context.Succeed(requirement);
            }
            else
            {
                // The scheme's forbid answers this 401 invalid_token with the claim's message, through its challenge.
                feature.Refuse(scheme, error.Failure, error.Message);
                context.Fail(new AuthorizationFailureReason(this, error.Message));
            }
        }

        return Task.CompletedTask;
    }

    private sealed class RequirementData : IAuthorizationRequirementData
    {
        public IEnumerable<IAuthorizationRequirement> GetRequirements() => [Instance];
    }
}
