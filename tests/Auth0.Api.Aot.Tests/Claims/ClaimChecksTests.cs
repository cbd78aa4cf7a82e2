using System;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Claims;

/// <summary>
/// Scope, permission and claim-value checks (express-oauth2-jwt-bearer's requiredScopes, scopeIncludesAny, claimEquals,
/// claimIncludes) on claims verified from a loopback issuer: 403 insufficient_scope with the scope challenge, or 401
/// invalid_token for an unexpected claim value.
/// </summary>
public sealed class ClaimChecksTests : IssuerTests
{
    private async Task<AccessTokenClaims> VerifiedAsync(Action<ClaimSet>? payload = null)
    {
        using ApiClient client = H.Client();
        return await client.VerifyAccessTokenAsync(H.Token((_, p) =>
        {
            p.Set("scope", "read:orders  write:orders").Set("permissions", new[] { "orders:read", "orders:delete" }).Set("org", "acme").Set("tier", 3).Set("beta", true).Set("groups", "admins staff");
            payload?.Invoke(p);
        }));
    }

    [Fact]
    public async Task All_of_and_any_of_over_scope_and_permissions()
    {
        AccessTokenClaims claims = await VerifiedAsync();
        Assert.True(claims.HasAllScopes("read:orders", "write:orders"));
        Assert.False(claims.HasAllScopes("read:orders", "admin"));
        Assert.True(claims.HasAnyScope("admin", "write:orders"));
        Assert.False(claims.HasAnyScope("admin", "READ:orders"));
        Assert.True(claims.HasAllPermissions("orders:read", "orders:delete"));
        Assert.False(claims.HasAllPermissions("orders:read", "orders:write"));
        Assert.True(claims.HasAnyPermission("orders:write", "orders:delete"));
        Assert.False(claims.HasAnyPermission("read:orders"));

        claims.RequireAllScopes("read:orders");
        claims.RequireAnyScope("nope", "read:orders");
        claims.RequireAllPermissions("orders:delete");
        claims.RequireAnyPermission("nope", "orders:read");
    }

    [Fact]
    public async Task A_missing_scope_is_403_insufficient_scope_naming_the_required_scopes()
    {
        AccessTokenClaims claims = await VerifiedAsync();
        InsufficientScopeException e = Assert.Throws<InsufficientScopeException>(() => claims.RequireAllScopes("read:orders", "admin:all"));
        Assert.Equal(403, e.StatusCode);
        Assert.Equal("insufficient_scope", e.ErrorCode);
        Assert.Equal(["read:orders", "admin:all"], e.RequiredScopes);
        Assert.Equal("Bearer error=\"insufficient_scope\", error_description=\"Insufficient Scope\", scope=\"read:orders admin:all\"", e.Headers["WWW-Authenticate"]);

        InsufficientScopeException any = Assert.Throws<InsufficientScopeException>(() => claims.RequireAnyScope("a", "b"));
        Assert.EndsWith("scope=\"a b\"", any.Headers["WWW-Authenticate"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_permission_is_403_without_a_scope_parameter()
    {
        AccessTokenClaims claims = await VerifiedAsync();
        InsufficientScopeException e = Assert.Throws<InsufficientScopeException>(() => claims.RequireAllPermissions("orders:read", "orders:write"));
        Assert.Equal(403, e.StatusCode);
        Assert.Equal("Bearer error=\"insufficient_scope\", error_description=\"Insufficient Scope\"", e.Headers["WWW-Authenticate"]);
        Assert.Empty(e.RequiredScopes);
        Assert.Throws<InsufficientScopeException>(() => claims.RequireAnyPermission("x"));
    }

    [Fact]
    public async Task A_token_without_scope_or_permissions_grants_nothing()
    {
        AccessTokenClaims claims = await VerifiedAsync(p => p.Remove("scope").Remove("permissions"));
        Assert.False(claims.HasAnyScope("read:orders"));
        Assert.False(claims.HasAnyPermission("orders:read"));
        Assert.Throws<InsufficientScopeException>(() => claims.RequireAllScopes("read:orders"));
    }

    [Fact]
    public async Task Claim_equality_and_inclusion()
    {
        AccessTokenClaims claims = await VerifiedAsync();
        Assert.True(claims.ClaimEquals("org", "acme"));
        Assert.False(claims.ClaimEquals("org", "ACME"));
        Assert.False(claims.ClaimEquals("missing", "acme"));
        Assert.True(claims.ClaimEquals("tier", 3));
        Assert.False(claims.ClaimEquals("tier", 4));
        Assert.False(claims.ClaimEquals("org", 3));
        Assert.True(claims.ClaimEquals("beta", true));
        Assert.False(claims.ClaimEquals("beta", false));
        Assert.True(claims.ClaimIncludes("groups", "staff", "admins"));
        Assert.True(claims.ClaimIncludes("permissions", "orders:delete"));
        Assert.False(claims.ClaimIncludes("groups", "root"));
        Assert.False(claims.ClaimIncludes("tier", "3"));
        claims.RequireClaimEquals("org", "acme");
        claims.RequireClaimIncludes("groups", "admins");
    }

    [Fact]
    public async Task An_unexpected_claim_value_is_401_invalid_token()
    {
        AccessTokenClaims claims = await VerifiedAsync();
        VerifyAccessTokenException e = Assert.Throws<VerifyAccessTokenException>(() => claims.RequireClaimEquals("org", "globex"));
        Assert.Equal(401, e.StatusCode);
        Assert.Equal(VerificationFailure.ClaimMismatch, e.Failure);
        Assert.Equal("org", e.Claim);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"Unexpected 'org' value\"", e.Headers["WWW-Authenticate"]);
        Assert.Throws<VerifyAccessTokenException>(() => claims.RequireClaimIncludes("groups", "admins", "root"));
    }

    [Fact]
    public async Task A_custom_claim_string_that_does_not_decode_is_skipped_not_thrown()
    {
        // Custom claims are not decoded during verification, so a lone-surrogate escape reaches the checks.
        AccessTokenClaims claims = await VerifiedAsync(p => p.Set("roles", new RawJson("[\"\\ud800\",\"admin\"]")).Set("team", new RawJson("\"a \\ud800\"")));
        Assert.True(claims.ClaimIncludes("roles", "admin"));
        Assert.False(claims.ClaimIncludes("roles", "root"));
        Assert.False(claims.ClaimIncludes("team", "a"));
        Assert.Throws<VerifyAccessTokenException>(() => claims.RequireClaimIncludes("team", "a"));
    }

    [Fact]
    public void Typed_lists_use_the_same_rules()
    {
        string[] granted = ["a", "b"];
        Assert.True(ClaimChecks.ContainsAll(granted, "a", "b"));
        Assert.False(ClaimChecks.ContainsAll(null, "a"));
        Assert.True(ClaimChecks.ContainsAny(granted, "z", "b"));
        ClaimChecks.RequireAllScopes(granted, "a");
        Assert.Equal(["c"], Assert.Throws<InsufficientScopeException>(() => ClaimChecks.RequireAnyScope(granted, "c")).RequiredScopes);
        Assert.Throws<InsufficientScopeException>(() => ClaimChecks.RequireAllPermissions(granted, "a", "c"));
    }

    [Fact]
    public void Misuse_is_an_argument_exception()
    {
        string[] granted = ["a"];
        Assert.Throws<ArgumentException>("values", () => ClaimChecks.ContainsAll(granted));
        Assert.Throws<ArgumentException>("values", () => ClaimChecks.ContainsAny(granted, "a", ""));
        Assert.Throws<ArgumentNullException>("values", () => ClaimChecks.ContainsAll(granted, null!));
    }
}
