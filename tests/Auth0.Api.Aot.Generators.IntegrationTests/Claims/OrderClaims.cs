using System;
using Auth0.Api.Aot;

namespace Auth0.Api.Aot.Generators.IntegrationTests.Claims;

/// <summary>A realistic Auth0 access token: registered claims, a space-delimited scope, namespaced custom claims.</summary>
[AccessTokenClaims]
public sealed partial class OrderClaims
{
    /// <summary>The user.</summary>
    [Claim("sub")] public required string Subject { get; init; }

    /// <summary>The audiences: a string or an array of strings.</summary>
    [Claim("aud")] public required string[] Audiences { get; init; }

    /// <summary>The scopes, space-delimited in the token.</summary>
    [Claim("scope", SpaceDelimited = true)] public string[]? Scopes { get; init; }

    /// <summary>Expiry.</summary>
    [Claim("exp")] public DateTimeOffset Expires { get; init; }

    /// <summary>Issued at, if present.</summary>
    [Claim("iat")] public DateTimeOffset? IssuedAt { get; init; }

    /// <summary>RBAC permissions, if the API enables them.</summary>
    [Claim("permissions")] public string[]? Permissions { get; init; }

    /// <summary>A namespaced custom claim.</summary>
    [Claim("https://example.com/roles")] public string[]? Roles { get; init; }

    /// <summary>Another namespaced custom claim.</summary>
    [Claim("https://example.com/tenant")] public string? Tenant { get; init; }
}
