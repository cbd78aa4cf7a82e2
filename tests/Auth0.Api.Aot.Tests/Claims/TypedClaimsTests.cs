using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Claims;

/// <summary>The claims an orders API needs, read by the generated reader.</summary>
[AccessTokenClaims]
public sealed partial class OrderClaims
{
    [Claim("sub")]
    public required string Subject { get; init; }

    [Claim("scope", SpaceDelimited = true)]
    public required string[] Scopes { get; init; }

    [Claim("permissions")]
    public string[]? Permissions { get; init; }

    [Claim("https://example.com/tenant")]
    public string? Tenant { get; init; }

    [Claim("org_size")]
    public long? OrgSize { get; init; }

    [Claim("email_verified")]
    public bool? EmailVerified { get; init; }

    [Claim("exp")]
    public required DateTimeOffset ExpiresAt { get; init; }

    [Claim("act")]
    public JsonElement? Actor { get; init; }
}

/// <summary>Typed claims through ApiClient, end to end against a loopback issuer: Bearer, DPoP, failures and checks.</summary>
public sealed class TypedClaimsTests : IssuerTests
{
    private string Token(Action<ClaimSet>? payload = null) => H.Token((_, p) =>
    {
        p.Set("scope", "read:orders write:orders").Set("permissions", new[] { "orders:read" }).Set("https://example.com/tenant", "acme").Set("org_size", 42);
        payload?.Invoke(p);
    });

    [Fact]
    public async Task A_verified_token_reads_into_the_generated_type()
    {
        using ApiClient client = H.Client();
        string token = Token();
        OrderClaims claims = await client.VerifyAccessTokenAsync<OrderClaims>(token);
        Assert.Equal("user_123", claims.Subject);
        Assert.Equal(["read:orders", "write:orders"], claims.Scopes);
        Assert.Equal(["orders:read"], claims.Permissions!);
        Assert.Equal("acme", claims.Tenant);
        Assert.Equal(42, claims.OrgSize);
        Assert.Null(claims.EmailVerified);
        Assert.Null(claims.Actor);
        Assert.Equal((await client.VerifyAccessTokenAsync(token)).ExpiresAt, claims.ExpiresAt);
        ClaimChecks.RequireAllScopes(claims.Scopes, "read:orders");
        Assert.Throws<InsufficientScopeException>(() => ClaimChecks.RequireAnyPermission(claims.Permissions, "orders:delete"));
    }

    [Fact]
    public async Task A_missing_required_claim_is_the_python_message_with_a_challenge()
    {
        using ApiClient client = H.Client();
        VerifyAccessTokenException e = await Assert.ThrowsAsync<VerifyAccessTokenException>(async () => await client.VerifyAccessTokenAsync<OrderClaims>(Token(p => p.Remove("scope"))));
        Assert.Equal("Missing required claim: scope", e.Message);
        Assert.Equal(VerificationFailure.ClaimMissing, e.Failure);
        Assert.Equal("scope", e.Claim);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"Missing required claim: scope\"", e.Headers["WWW-Authenticate"]);
    }

    [Fact]
    public async Task A_claim_of_the_wrong_type_is_invalid_token()
    {
        using ApiClient client = H.Client();
        VerifyAccessTokenException e = await Assert.ThrowsAsync<VerifyAccessTokenException>(async () => await client.VerifyAccessTokenAsync<OrderClaims>(Token(p => p.Set("org_size", "42"))));
        Assert.Equal(VerificationFailure.ClaimInvalid, e.Failure);
        Assert.Equal("org_size", e.Claim);
        Assert.Equal(401, e.StatusCode);
        Assert.Contains("org_size", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_typed_path_gives_the_domains_resolver_the_request()
    {
        DomainsResolverContext? seen = null;
        using ApiClient client = H.Client(o =>
        {
            o.Domain = null;
            o.UseDomainsResolver(c =>
            {
                seen = c;
                return [H.Issuer.Domain];
            });
        });
        OrderClaims claims = await client.VerifyAccessTokenAsync<OrderClaims>(Token(), "https://api.example.com/orders", new Dictionary<string, string> { ["X-Tenant"] = "acme" });
        Assert.Equal("acme", claims.Tenant);
        Assert.Equal("https://api.example.com/orders", seen!.RequestUrl);
        Assert.Equal("acme", seen.RequestHeaders!["x-tenant"]);
    }

    [Fact]
    public async Task The_try_path_reads_typed_claims_from_verified_claims()
    {
        using ApiClient client = H.Client();
        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(Token(p => p.Remove("https://example.com/tenant")));
        Assert.True(result.IsValid);
        Assert.True(result.Claims.TryRead(out OrderClaims? claims, out ClaimError none));
        Assert.Null(claims.Tenant);
        Assert.Equal(VerificationFailure.None, none.Failure);

        // Verified (org_size is not a registered claim), but not readable as OrderClaims.
        AccessTokenResult mistyped = await client.TryVerifyAccessTokenAsync(Token(p => p.Set("org_size", true)));
        Assert.True(mistyped.IsValid);
        Assert.False(mistyped.Claims.TryRead(out OrderClaims? _, out ClaimError error));
        Assert.Equal(VerificationFailure.ClaimInvalid, error.Failure);
        Assert.Equal("org_size", error.Claim);
    }

    [Fact]
    public async Task A_dpop_request_reads_into_the_generated_type()
    {
        using ApiClient client = H.Client();
        SigningKey proofKey = SigningKey.CreateEc("proof");
        string token = Token(p => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(proofKey))));
        const string Url = "https://api.example.com/orders";
        OrderClaims claims = await client.VerifyRequestAsync<OrderClaims>("DPoP " + token, DPoPProofs.Create(proofKey, token, "POST", Url, DateTimeOffset.UtcNow), "POST", Url);
        Assert.Equal("user_123", claims.Subject);
        OrderClaims bearer = await client.VerifyRequestAsync<OrderClaims>(new Dictionary<string, string> { ["Authorization"] = "Bearer " + Token() });
        Assert.Equal("acme", bearer.Tenant);
    }

    [Theory]
    [InlineData(DPoPMode.Required, "DPoP error=\"invalid_token\", error_description=\"Missing required claim: scope\", algs=\"ES256\"")]
    [InlineData(DPoPMode.Allowed, "Bearer realm=\"api\", DPoP error=\"invalid_token\", error_description=\"Missing required claim: scope\", algs=\"ES256\"")]
    public async Task A_typed_claims_failure_on_a_dpop_request_gets_the_dpop_challenge(DPoPMode mode, string challenge)
    {
        using ApiClient client = H.Client(o => o.DPoPMode = mode);
        SigningKey proofKey = SigningKey.CreateEc("proof");
        string token = Token(p => p.Remove("scope").Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(proofKey))));
        const string Url = "https://api.example.com/orders";
        VerifyAccessTokenException e = await Assert.ThrowsAsync<VerifyAccessTokenException>(async () =>
            await client.VerifyRequestAsync<OrderClaims>("DPoP " + token, DPoPProofs.Create(proofKey, token, "GET", Url, DateTimeOffset.UtcNow), "GET", Url));
        Assert.Equal("Missing required claim: scope", e.Message);
        Assert.Equal(challenge, e.Headers["WWW-Authenticate"]);
    }

    [Fact]
    public async Task The_typed_read_allocates_only_the_values_it_returns()
    {
        using ApiClient client = H.Client();
        AccessTokenClaims verified = await client.VerifyAccessTokenAsync(Token(p => p.Remove("permissions").Remove("org_size")));
        byte[] payload = verified.PayloadUtf8.ToArray();
        Assert.True(OrderClaims.TryReadClaims(payload, out OrderClaims? warm, out _));

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(OrderClaims.TryReadClaims(payload, out OrderClaims? claims, out _));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The object, "user_123", the scope array and its two words, "acme": nothing else.
        long expected = ObjectSize(claims) + StringSize(claims.Subject) + 24 + (8 * claims.Scopes.Length) + StringSize(claims.Scopes[0]) + StringSize(claims.Scopes[1]) + StringSize(claims.Tenant!);
        Assert.Equal(expected, allocated);
        Assert.Equal(warm.Subject, claims.Subject);
    }

    private static long StringSize(string value) => (22 + (2 * value.Length) + 7) & ~7;

    // Measured, not computed: the size of one more instance of the claims class.
    private static long ObjectSize(OrderClaims sample)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        OrderClaims copy = new() { Subject = sample.Subject, Scopes = sample.Scopes, ExpiresAt = sample.ExpiresAt };
        long size = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(copy);
        return size;
    }
}
