// Scope and permission checks for ASP.NET Core authorization: a requirement, its handler, policy-builder and endpoint
// extensions, and an attribute. Scopes are read from the principal's `scope` claims (one per scope, as the handler maps
// them), permissions from its `permissions` claims. A failed scope requirement records its scopes on the request, so
// that the 403 challenge names them (RFC 6750 section 3.1, `scope`).

using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Claims;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Auth0.Api.Aot.AspNetCore.Authorization;

/// <summary>The principal must have every scope in <see cref="Scopes"/> (or, with <see cref="Any"/>, at least one).</summary>
public sealed class ScopeRequirement : IAuthorizationRequirement
{
    /// <summary>Creates the requirement.</summary>
    /// <param name="scopes">The scopes; at least one, none blank or with a space.</param>
    /// <param name="any">Whether one of them is enough.</param>
    /// <exception cref="ArgumentException">No scope, or a blank one, or one with a space.</exception>
    public ScopeRequirement(IEnumerable<string> scopes, bool any = false)
    {
        Scopes = Checked(scopes, "scope");
        Any = any;
    }

    /// <summary>The scopes.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>Whether one scope is enough.</summary>
    public bool Any { get; }

    internal static string[] Checked(IEnumerable<string> values, string what)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] list = [.. values];
        if (list.Length == 0 || list.Any(value => string.IsNullOrWhiteSpace(value) || value.Contains(' ', StringComparison.Ordinal)))
        {
            throw new ArgumentException("At least one " + what + " is required, and none may be blank or contain a space", nameof(values));
        }

        return list;
    }
}

/// <summary>The principal must have every permission in <see cref="Permissions"/> (or, with <see cref="Any"/>, at least one).</summary>
public sealed class PermissionRequirement : IAuthorizationRequirement
{
    /// <summary>Creates the requirement.</summary>
    /// <param name="permissions">The permissions; at least one, none blank.</param>
    /// <param name="any">Whether one of them is enough.</param>
    /// <exception cref="ArgumentException">No permission, or a blank one.</exception>
    public PermissionRequirement(IEnumerable<string> permissions, bool any = false)
    {
        Permissions = ScopeRequirement.Checked(permissions, "permission");
        Any = any;
    }

    /// <summary>The permissions.</summary>
    public IReadOnlyList<string> Permissions { get; }

    /// <summary>Whether one permission is enough.</summary>
    public bool Any { get; }
}

/// <summary>
/// Decides the scope and permission requirements. One handler for both, implementing <see cref="IAuthorizationHandler"/>
/// itself: the authorization service calls every registered handler on every request, and each
/// <see cref="AuthorizationHandler{TRequirement}"/> allocates a filtering enumerator to find its requirements even when
/// a policy has none of them (a plain <c>RequireAuthorization()</c>). This one walks the requirements once, by index.
/// </summary>
internal sealed class Auth0ApiAuthorizationHandler : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        if (context.Requirements is IReadOnlyList<IAuthorizationRequirement> list)
        {
            for (int i = 0; i < list.Count; i++)
            {
                Handle(context, list[i]);
            }
        }
        else
        {
            foreach (IAuthorizationRequirement requirement in context.Requirements)
            {
                Handle(context, requirement);
            }
        }

        return Task.CompletedTask;
    }

    private static void Handle(AuthorizationHandlerContext context, IAuthorizationRequirement requirement)
    {
        if (requirement is ScopeRequirement scope)
        {
            HandleScope(context, scope);
        }
        else if (requirement is PermissionRequirement permission && Holds(context.User, "permissions", permission.Permissions, permission.Any))
        {
            context.Succeed(permission);
        }
    }

    private static void HandleScope(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (Holds(context.User, "scope", requirement.Scopes, requirement.Any))
        {
            context.Succeed(requirement);
        }
        else if (context.Resource is HttpContext http && http.Features.Get<IAuth0ApiFeature>() is Auth0ApiFeature { Claims: not null } feature)
        {
            // The scopes the 403 insufficient_scope challenge names.
            List<string> missing = feature.MissingScopes ??= [];
            foreach (string scope in requirement.Scopes)
            {
                if (!missing.Contains(scope))
                {
                    missing.Add(scope);
                }
            }
        }
    }

    // Only an identity an Auth0 API scheme made counts: a cookie's or another scheme's claims named scope grant nothing.
    internal static bool Holds(ClaimsPrincipal user, string type, IReadOnlyList<string> values, bool any)
    {
        foreach (string value in values)
        {
            bool has = HasAuth0Claim(user, type, value);
            if (has && any)
            {
                return true;
            }

            if (!has && !any)
            {
                return false;
            }
        }

        return !any;
    }

    private static bool HasAuth0Claim(ClaimsPrincipal user, string type, string value)
    {
        foreach (ClaimsIdentity identity in user.Identities)
        {
            if (identity is Auth0ApiIdentity auth0 && auth0.HasClaimFast(type, value))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Scope and permission requirements on <see cref="AuthorizationPolicyBuilder"/>.</summary>
public static class Auth0ApiAuthorizationPolicyBuilderExtensions
{
    /// <summary>Requires every one of <paramref name="scopes"/>.</summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="scopes">The scopes.</param>
    /// <returns>The builder.</returns>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder builder, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(new ScopeRequirement(scopes));
    }

    /// <summary>Requires at least one of <paramref name="scopes"/>.</summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="scopes">The scopes.</param>
    /// <returns>The builder.</returns>
    public static AuthorizationPolicyBuilder RequireAnyScope(this AuthorizationPolicyBuilder builder, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(new ScopeRequirement(scopes, any: true));
    }

    /// <summary>Requires every one of <paramref name="permissions"/> (Auth0 RBAC's <c>permissions</c> claim).</summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="permissions">The permissions.</param>
    /// <returns>The builder.</returns>
    public static AuthorizationPolicyBuilder RequirePermission(this AuthorizationPolicyBuilder builder, params string[] permissions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(new PermissionRequirement(permissions));
    }

    /// <summary>Requires at least one of <paramref name="permissions"/>.</summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="permissions">The permissions.</param>
    /// <returns>The builder.</returns>
    public static AuthorizationPolicyBuilder RequireAnyPermission(this AuthorizationPolicyBuilder builder, params string[] permissions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(new PermissionRequirement(permissions, any: true));
    }

    /// <summary>
    /// Requires a token whose claims fit <typeparamref name="TClaims"/> (<see cref="AccessTokenClaimsRequirement{TClaims}"/>):
    /// otherwise 401 <c>invalid_token</c> with the claim's message.
    /// </summary>
    /// <typeparam name="TClaims">A claims type generated from <see cref="AccessTokenClaimsAttribute"/>.</typeparam>
    /// <param name="builder">The policy builder.</param>
    /// <returns>The builder.</returns>
    public static AuthorizationPolicyBuilder RequireAccessTokenClaims<TClaims>(this AuthorizationPolicyBuilder builder)
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(AccessTokenClaimsRequirement<TClaims>.Instance);
    }
}

/// <summary>Scope and permission requirements on minimal-API endpoints and route groups.</summary>
public static class Auth0ApiEndpointConventionBuilderExtensions
{
    /// <summary>Requires an authenticated user with every one of <paramref name="scopes"/>.</summary>
    /// <typeparam name="TBuilder">The endpoint builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="scopes">The scopes.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, params string[] scopes)
        where TBuilder : IEndpointConventionBuilder
    {
        ScopeRequirement requirement = new(scopes);
        return builder.RequireAuthorization(policy => policy.RequireAuthenticatedUser().AddRequirements(requirement));
    }

    /// <summary>Requires an authenticated user with at least one of <paramref name="scopes"/>.</summary>
    /// <typeparam name="TBuilder">The endpoint builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="scopes">The scopes.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireAnyScope<TBuilder>(this TBuilder builder, params string[] scopes)
        where TBuilder : IEndpointConventionBuilder
    {
        ScopeRequirement requirement = new(scopes, any: true);
        return builder.RequireAuthorization(policy => policy.RequireAuthenticatedUser().AddRequirements(requirement));
    }

    /// <summary>Requires an authenticated user with every one of <paramref name="permissions"/>.</summary>
    /// <typeparam name="TBuilder">The endpoint builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="permissions">The permissions.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, params string[] permissions)
        where TBuilder : IEndpointConventionBuilder
    {
        PermissionRequirement requirement = new(permissions);
        return builder.RequireAuthorization(policy => policy.RequireAuthenticatedUser().AddRequirements(requirement));
    }

    /// <summary>
    /// Requires an authenticated user whose token's claims fit <typeparamref name="TClaims"/>; the endpoint then reads
    /// them with <see cref="Auth0ApiHttpContextExtensions.GetAccessTokenClaims{TClaims}"/> without a second read. (A
    /// handler parameter of type <see cref="AccessToken{TClaims}"/> adds this requirement by itself.)
    /// </summary>
    /// <typeparam name="TClaims">A claims type generated from <see cref="AccessTokenClaimsAttribute"/>.</typeparam>
    /// <param name="builder">The endpoint.</param>
    /// <returns>The builder.</returns>
    public static RouteHandlerBuilder RequireAccessTokenClaims<TClaims>(this RouteHandlerBuilder builder)
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(AccessTokenClaimsRequirement<TClaims>.Metadata);
    }

    /// <summary>Requires, on every endpoint of the group, an authenticated user whose token's claims fit <typeparamref name="TClaims"/>.</summary>
    /// <typeparam name="TClaims">A claims type generated from <see cref="AccessTokenClaimsAttribute"/>.</typeparam>
    /// <param name="builder">The group.</param>
    /// <returns>The builder.</returns>
    public static RouteGroupBuilder RequireAccessTokenClaims<TClaims>(this RouteGroupBuilder builder)
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(AccessTokenClaimsRequirement<TClaims>.Metadata);
    }
}

/// <summary>
/// Requires an authenticated user with every scope named (on a controller, an action or a minimal-API handler):
/// <c>[RequireScope("read:orders")]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequireScopeAttribute : Attribute, IAuthorizeData, IAuthorizationRequirementData
{
    private readonly ScopeRequirement _requirement;

    /// <summary>Creates the attribute.</summary>
    /// <param name="scopes">The scopes.</param>
    public RequireScopeAttribute(params string[] scopes)
    {
        _requirement = new ScopeRequirement(scopes);
    }

    /// <summary>The scopes.</summary>
    public IReadOnlyList<string> Scopes => _requirement.Scopes;

    /// <inheritdoc/>
    public string? Policy { get; set; }

    /// <inheritdoc/>
    public string? Roles { get; set; }

    /// <inheritdoc/>
    public string? AuthenticationSchemes { get; set; }

    /// <inheritdoc/>
    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [_requirement];
}
