using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Claims;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;

namespace Auth0.Api.Aot.AspNetCore.Tests;

/// <summary>
/// The identity a verified token becomes makes its claims only when they are first read or changed. Every member of
/// ClaimsIdentity that reads or changes claims must see the token's claims, exactly as if they had been made up front.
/// </summary>
public sealed class IdentityTests : IAsyncLifetime
{
    private static readonly SigningKey s_primary = SigningKey.CreateRsa("TEST_KEY");
    private LocalIssuer _issuer = null!;
    private ApiClient _client = null!;

    public async Task InitializeAsync()
    {
        _issuer = await LocalIssuer.StartAsync(s_primary);
        _client = new ApiClient(new ApiClientOptions { Domain = _issuer.Domain, Audience = TestApp.Audience, HttpClient = _issuer.CreateHttpClient() });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _issuer.DisposeAsync();
    }

    private async Task<AccessTokenClaims> VerifiedAsync()
    {
        string token = _issuer.CreateToken(TestApp.Audience, (_, p) => p
            .Set("scope", "read:orders write:orders")
            .Set("permissions", new[] { "admin", "audit" })
            .Set("https://example.com/tenant", "acme")
            .Set("email_verified", true)
            .Set("n", 1.5)
            .Set("cnf", new ClaimSet().Set("x5t#S256", "abc"))
            .Set("nothing", new RawJson("null")));
        AccessTokenResult result = await _client.TryVerifyAccessTokenAsync(token);
        Assert.True(result.IsValid, result.ErrorDescription);
        return result.Claims!;
    }

    private static Auth0ApiIdentity Lazy(AccessTokenClaims claims) =>
        (Auth0ApiIdentity)ClaimsMapping.CreatePrincipal(claims, "Auth0Api", "sub", "permissions").Identity!;

    // Every claim of the token, made eagerly for comparison.
    private static int CountOf(AccessTokenClaims claims) => ClaimsMapping.Create(claims, new ClaimsIdentity()).Count;

    private static string Describe(IEnumerable<Claim> claims) =>
        string.Join("\n", claims.Select(c => c.Type + "=" + c.Value + " (" + c.ValueType + ", " + c.Issuer + ")"));

    [Fact]
    public async Task The_claims_made_on_first_read_are_the_tokens_with_the_identity_as_subject_and_the_issuer()
    {
        AccessTokenClaims claims = await VerifiedAsync();
        Auth0ApiIdentity identity = Lazy(claims);
        Assert.True(identity.IsAuthenticated);
        Claim[] made = [.. identity.Claims];
        Assert.All(made, claim => Assert.Same(identity, claim.Subject));
        Assert.All(made, claim => Assert.Equal(claims.Issuer, claim.Issuer));
        string issuer = claims.Issuer;
        Assert.Equal(
            $"""
            iss={issuer} (http://www.w3.org/2001/XMLSchema#string, {issuer})
            sub=user_123 (http://www.w3.org/2001/XMLSchema#string, {issuer})
            aud={TestApp.Audience} (http://www.w3.org/2001/XMLSchema#string, {issuer})
            """,
            Describe(made.Take(3)));
        Assert.Equal(["read:orders", "write:orders"], identity.FindAll("scope").Select(c => c.Value));
        Assert.Equal(["admin", "audit"], identity.FindAll("permissions").Select(c => c.Value));
        Assert.Equal("acme", identity.FindFirst("https://example.com/tenant")!.Value);
        Assert.Equal((ClaimValueTypes.Boolean, "true"), (identity.FindFirst("email_verified")!.ValueType, identity.FindFirst("email_verified")!.Value));
        Assert.Equal((ClaimValueTypes.Double, "1.5"), (identity.FindFirst("n")!.ValueType, identity.FindFirst("n")!.Value));
        Assert.Equal((ClaimsMapping.JsonClaimValueType, "{\"x5t#S256\":\"abc\"}"), (identity.FindFirst("cnf")!.ValueType, identity.FindFirst("cnf")!.Value));
        Assert.Null(identity.FindFirst("nothing"));
        Assert.Equal(made.Length, identity.Claims.Count());
        Assert.Equal(CountOf(claims), made.Length);
        Assert.True(made.Length >= 13, Describe(made));
    }

    public static TheoryData<string> FirstReads() => ["Name", "HasClaim", "HasClaimPredicate", "FindFirstPredicate", "FindAllPredicate", "IsInRole", "PrincipalClaims", "Clone", "WriteTo"];

    [Theory]
    [MemberData(nameof(FirstReads))]
    public async Task Whichever_member_reads_first_sees_every_claim(string first)
    {
        AccessTokenClaims claims = await VerifiedAsync();
        Auth0ApiIdentity identity = Lazy(claims);
        ClaimsPrincipal principal = new(identity);
        ClaimsIdentity seen = identity;
        switch (first)
        {
            case "Name":
                Assert.Equal("user_123", identity.Name);
                break;
            case "HasClaim":
                Assert.True(identity.HasClaim("scope", "write:orders"));
                break;
            case "HasClaimPredicate":
                Assert.True(identity.HasClaim(c => c.Type == "permissions" && c.Value == "audit"));
                break;
            case "FindFirstPredicate":
                Assert.Equal("acme", identity.FindFirst(c => c.Type == "https://example.com/tenant")!.Value);
                break;
            case "FindAllPredicate":
                Assert.Equal(2, identity.FindAll(c => c.Type == "scope").Count());
                break;
            case "IsInRole":
                Assert.True(principal.IsInRole("admin"));
                break;
            case "PrincipalClaims":
                Assert.Contains(principal.Claims, c => c.Type == "sub");
                break;
            case "Clone":
                seen = identity.Clone();
                Assert.IsType<Auth0ApiIdentity>(seen);
                break;
            case "WriteTo":
                using (MemoryStream stream = new())
                {
                    using (BinaryWriter writer = new(stream, System.Text.Encoding.UTF8, leaveOpen: true))
                    {
                        identity.WriteTo(writer);
                    }

                    stream.Position = 0;
                    using BinaryReader reader = new(stream);
                    seen = new ClaimsIdentity(reader);
                }

                break;
        }

        Assert.Equal(Describe(Lazy(claims).Claims), Describe(seen.Claims));
        Assert.Equal(CountOf(claims), seen.Claims.Count());
    }

    [Fact]
    public async Task A_claim_added_or_removed_before_any_read_is_applied_to_the_tokens_claims()
    {
        AccessTokenClaims claims = await VerifiedAsync();
        Auth0ApiIdentity added = Lazy(claims);
        added.AddClaim(new Claim("role", "support"));
        Assert.Equal(CountOf(claims) + 1, added.Claims.Count());
        Assert.True(added.HasClaim("sub", "user_123"));
        Assert.True(added.HasClaim("role", "support"));

        Auth0ApiIdentity removed = Lazy(claims);
        Assert.False(removed.TryRemoveClaim(new Claim("sub", "user_123")));   // another Claim object: not removed, as in ClaimsIdentity
        Claim sub = removed.FindFirst("sub")!;
        removed.RemoveClaim(sub);
        Assert.Null(removed.FindFirst("sub"));
        Assert.Equal(CountOf(claims) - 1, removed.Claims.Count());
    }

    [Fact]
    public async Task Concurrent_first_reads_all_see_the_whole_set_once()
    {
        AccessTokenClaims claims = await VerifiedAsync();
        int all = CountOf(claims);
        for (int round = 0; round < 50; round++)
        {
            Auth0ApiIdentity identity = Lazy(claims);
            int[] counts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => identity.Claims.Count())));
            Assert.All(counts, count => Assert.Equal(all, count));
            Assert.Equal(all, identity.Claims.Count());
        }
    }

    [Fact]
    public async Task The_scope_and_permission_check_answers_from_the_token_exactly_as_the_made_claims_would()
    {
        // Payload members (raw JSON, so escaped names and names that differ only in case are possible) and the questions asked
        // of each. A repeated name never reaches a principal: the core refuses it (AttackTests, HandlerTests).
        string[] members =
        [
            "\"scope\":\"read:orders  write:orders\"",
            "\"Scope\":\"read:orders write:orders\"",
            "\"\\u0073cope\":\"read:orders\"",
            "\"permissions\":[\"admin\",\"read:orders\"]",
            "\"PERMISSIONS\":[\"admin\"]",
            "\"roles\":[\"admin\",5,true]",
            "\"roles\":\"admin\"",
            "\"roles\":null",
            "\"roles\":7",
            "\"roles\":{\"admin\":true}",
            "\"roles\":\"a\",\"Roles\":[\"admin\"]",
            "\"x\":{\"scope\":\"read:orders\"},\"y\":[\"admin\"]",
            "\"" + new string('n', 200) + "\":\"v\",\"roles\":\"admin\"",
            "\"scope\":\"r\\u00e9ad read:orders\"",
        ];
        (string Type, string Value)[] questions =
        [
            ("scope", "read:orders"), ("scope", "write:orders"), ("SCOPE", "read:orders"), ("scope", "admin"), ("permissions", "admin"),
            ("permissions", "read:orders"), ("roles", "admin"), ("roles", "5"), ("roles", "true"), ("roles", "7"), ("scope", "read:orders  write:orders"),
            ("scope", "r\u00e9ad"), ("Scope", "read:orders write:orders"), ("roles", "a"), ("ROLES", "{\"admin\":true}"),
        ];
        int checkedCount = 0;
        foreach (string member in members)
        {
            string payload = _issuer.StandardPayload(TestApp.Audience).ToJson();
            string token = s_primary.SignCompact(LocalIssuer.StandardHeader(s_primary).ToJson(), payload[..^1] + "," + member + "}");
            AccessTokenResult result = await _client.TryVerifyAccessTokenAsync(token);
            Assert.True(result.IsValid, member + ": " + result.ErrorDescription);
            foreach ((string type, string value) in questions)
            {
                bool expected = ClaimsMapping.Create(result.Claims!, new ClaimsIdentity()).Any(c => string.Equals(c.Type, type, StringComparison.Ordinal) && c.Value == value);
                Auth0ApiIdentity identity = Lazy(result.Claims!);
                Assert.True(expected == identity.HasClaimFast(type, value), $"{member} {type}={value}: expected {expected}");
                checkedCount++;
            }
        }

        Assert.Equal(members.Length * questions.Length, checkedCount);

        // A check answered from the token makes no claims; one that is not (a number in the array) makes them.
        Auth0ApiIdentity scoped = Lazy(await VerifiedAsync());
        Assert.True(scoped.HasClaimFast("scope", "write:orders"));
        Assert.False(scoped.HasClaimFast("permissions", "root"));
        Assert.False(scoped.ClaimsMade);
        Assert.False(scoped.HasClaimFast("n", "2"));
        Assert.True(scoped.ClaimsMade);
    }
}
