using System;
using System.Threading.Tasks;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Examples;

/// <summary>The README's "Use" section, compiled and run against the local issuer (habit 24: README examples are tests).</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task Readme_example_runs_as_documented()
    {
        await using Harness h = await Harness.StartAsync();
        string token = h.Token((_, p) => p.Set("scope", "read:messages write:messages").Set("org_id", "org_1"));

        // --- README ---
        using ApiClient auth = new(new ApiClientOptions
        {
            Domain = h.Issuer.Domain,
            Audience = Harness.Audience,
            HttpClient = h.Http, // the README leaves this out: the library then creates its own client
        });

        AccessTokenClaims claims = await auth.VerifyAccessTokenAsync(token);
        string line = $"{claims.Subject} may {string.Join(' ', claims.Scopes)}";

        AccessTokenResult result = await auth.TryVerifyAccessTokenAsync(token, requiredClaims: ["org_id"]);

        ReadmeOrderClaims order = await auth.VerifyAccessTokenAsync<ReadmeOrderClaims>(token);   // missing/mistyped claim: 401
        ClaimChecks.RequireAllScopes(order.Scopes, "read:messages");                 // 403 insufficient_scope
        // --- end ---

        Assert.Equal(["read:messages", "write:messages"], order.Scopes);
        Assert.Null(order.Tenant);
        Assert.Throws<InsufficientScopeException>(() => ClaimChecks.RequireAllScopes(order.Scopes, "admin"));

        Assert.Equal("user_123 may read:messages write:messages", line);
        Assert.True(result.IsValid);

        AccessTokenResult rejected = await auth.TryVerifyAccessTokenAsync(token, requiredClaims: ["tenant_id"]);
        BaseAuthException error = rejected.ToException()!;
        Assert.Equal($"401 invalid_token: Bearer error=\"invalid_token\", error_description=\"Missing required claim: tenant_id\"", $"{error.StatusCode} {error.ErrorCode}: {error.Headers["WWW-Authenticate"]}");
    }
}

/// <summary>The README's typed claims class (named apart from the tests' own OrderClaims).</summary>
[AccessTokenClaims]
public sealed partial class ReadmeOrderClaims
{
    [Claim("sub")] public required string Subject { get; init; }
    [Claim("scope", SpaceDelimited = true)] public required string[] Scopes { get; init; }
    [Claim("https://example.com/tenant")] public string? Tenant { get; init; }   // nullable: optional
}
