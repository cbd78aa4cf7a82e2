using System;
using System.Text.Json;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Verification;

/// <summary>
/// Ports of auth0-api-python verify_access_token cases (reference section 11.2), run against a real HTTPS issuer on
/// loopback. Request counts replace pytest-httpx's implicit "every mock requested / no unmatched request" checks.
/// </summary>
public sealed class VerifyAccessTokenTests : IssuerTests
{
    [Fact]
    public async Task Verifies_successfully()
    {
        using ApiClient client = H.Client();
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(H.Token());
        Assert.Equal("user_123", claims.Subject);
        Assert.Equal(H.Issuer.Issuer, claims.Issuer);
        Assert.Equal(1, H.Issuer.DiscoveryRequests);
        Assert.Equal(1, H.Issuer.JwksRequests);
    }

    [Fact]
    public async Task Preserves_act_claim()
    {
        using ApiClient client = H.Client();
        string token = H.Token((_, p) => p.Set("act", new ClaimSet().Set("sub", "mcp_server_client_id").Set("act", new ClaimSet().Set("sub", "spa_client_id"))));
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(token);
        JsonElement act = Assert.NotNull(claims.Actor);
        Assert.Equal("mcp_server_client_id", act.GetProperty("sub").GetString());
        Assert.Equal("spa_client_id", act.GetProperty("act").GetProperty("sub").GetString());
        Assert.Equal("mcp_server_client_id", claims.GetCurrentActor());
        Assert.Equal(["mcp_server_client_id", "spa_client_id"], claims.GetDelegationChain());
    }

    [Fact]
    public async Task Fails_without_iss_and_makes_no_request()
    {
        using ApiClient client = H.Client();
        await client.RejectsAsync(H.Token((_, p) => p.Remove("iss")), VerificationFailure.ClaimMissing, "missing 'iss' claim");
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Fact]
    public async Task Fails_with_other_issuer_after_discovery_and_before_jwks()
    {
        using ApiClient client = H.Client();
        VerifyAccessTokenException e = await client.RejectsAsync(H.Token((_, p) => p.Set("iss", "https://invalid-issuer.local")), VerificationFailure.ClaimMismatch, "does not match");
        Assert.Equal("Token issuer does not match the discovery issuer", e.Message);
        Assert.Equal("iss", e.Claim);
        Assert.Equal(1, H.Issuer.DiscoveryRequests);
        Assert.Equal(0, H.Issuer.JwksRequests);
    }

    [Fact]
    public async Task Fails_without_aud()
    {
        using ApiClient client = H.Client();
        VerifyAccessTokenException e = await client.RejectsAsync(H.Token((_, p) => p.Remove("aud")), VerificationFailure.ClaimMismatch, "audience");
        Assert.Equal("Audience mismatch (single aud)", e.Message);
    }

    [Fact]
    public async Task Fails_with_wrong_aud()
    {
        using ApiClient client = H.Client();
        VerifyAccessTokenException e = await client.RejectsAsync(H.Token((_, p) => p.Set("aud", "wrong-aud")), VerificationFailure.ClaimMismatch, "audience mismatch");
        Assert.Equal("aud", e.Claim);
    }

    [Fact]
    public async Task Accepts_aud_array_containing_the_audience()
    {
        using ApiClient client = H.Client();
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(H.Token((_, p) => p.Set("aud", new[] { "other", Harness.Audience })));
        Assert.Equal(["other", Harness.Audience], claims.Audience);
    }

    [Fact]
    public async Task Rejects_aud_array_without_the_audience()
    {
        using ApiClient client = H.Client();
        VerifyAccessTokenException e = await client.RejectsAsync(H.Token((_, p) => p.Set("aud", new[] { "a", "b" })), VerificationFailure.ClaimMismatch);
        Assert.Equal("Audience mismatch (not in token's aud array)", e.Message);
    }

    [Fact]
    public async Task Fails_without_iat()
    {
        using ApiClient client = H.Client();
        VerifyAccessTokenException e = await client.RejectsAsync(H.Token((_, p) => p.Remove("iat")), VerificationFailure.ClaimMissing, "iat");
        Assert.Equal("Missing 'iat' claim in token", e.Message);
    }

    [Fact]
    public async Task Fails_without_exp()
    {
        using ApiClient client = H.Client();
        VerifyAccessTokenException e = await client.RejectsAsync(H.Token((_, p) => p.Remove("exp")), VerificationFailure.Expired);
        Assert.Equal("Token is expired", e.Message);
    }

    [Theory]
    [InlineData("header.payload", "Failed to parse token header: Invalid token format: expected 3 segments, got 2")]
    [InlineData("header.pay!load.signature", "Failed to parse token")]
    public async Task Fails_on_malformed_token_without_network(string token, string message)
    {
        using ApiClient client = H.Client();
        await client.RejectsAsync(token, VerificationFailure.MalformedToken, message);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Fact]
    public async Task Rejects_symmetric_algorithm_before_network_in_mcd_mode()
    {
        using ApiClient client = H.Client(o => { o.Domain = null; o.Domains = ["tenant1.auth0.com"]; });
        string token = H.Token((h, _) => h.Set("alg", "HS256"));
        VerifyAccessTokenException e = await client.RejectsAsync(token, VerificationFailure.AlgorithmNotAllowed);
        Assert.Equal("Symmetric algorithm 'HS256' is not supported. Only asymmetric algorithms (e.g., RS256) are allowed.", e.Message);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Fact]
    public async Task Rejects_http_issuer_without_network()
    {
        using ApiClient client = H.Client();
        VerifyAccessTokenException e = await client.RejectsAsync(H.Token((_, p) => p.Set("iss", "http://evil.com")), VerificationFailure.ClaimInvalid);
        Assert.Equal("Invalid token issuer format: invalid domain URL (https required)", e.Message);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Fact]
    public async Task Rejects_malformed_discovery_issuer()
    {
        H.Issuer.DiscoveryIssuer = "http://tenant1.auth0.com/";
        using ApiClient client = H.Client();
        ServiceUnavailableException e = await client.UnavailableAsync(H.Token(), "Invalid discovery issuer format");
        Assert.Equal("Invalid discovery issuer format: invalid domain URL (https required)", e.Message);
    }

    [Fact]
    public async Task Rejects_discovery_without_issuer()
    {
        H.Issuer.OmitIssuer = true;
        using ApiClient client = H.Client();
        await client.UnavailableAsync(H.Token(), "Discovery metadata missing 'issuer' field");
    }

    [Fact]
    public async Task Rejects_discovery_without_jwks_uri()
    {
        H.Issuer.OmitJwksUri = true;
        using ApiClient client = H.Client();
        await client.UnavailableAsync(H.Token(), "Discovery metadata missing 'jwks_uri' field");
        Assert.Equal(0, H.Issuer.JwksRequests);
    }

    [Fact]
    public async Task First_issuer_validation_happens_before_jwks()
    {
        H.Issuer.DiscoveryIssuer = "https://malicious.auth0.com/";
        using ApiClient client = H.Client();
        await client.RejectsAsync(H.Token(), VerificationFailure.ClaimMismatch, "token issuer does not match the discovery issuer");
        Assert.Equal(0, H.Issuer.JwksRequests);
    }

    [Fact]
    public async Task Second_issuer_validation_compares_exactly_after_the_signature()
    {
        // Same issuer once normalised (no trailing slash), so the first check passes; the signature is valid; the
        // exact comparison with the discovery document's issuer fails.
        using ApiClient client = H.Client();
        string token = H.Token((_, p) => p.Set("iss", "https://" + H.Issuer.Domain));
        VerifyAccessTokenException e = await client.RejectsAsync(token, VerificationFailure.ClaimMismatch);
        Assert.Equal("Verified Token issuer does not match the discovery issuer", e.Message);
        Assert.Equal(1, H.Issuer.JwksRequests);
    }

    [Fact]
    public async Task Selects_the_key_by_kid_among_several()
    {
        H.Issuer.JwksKeys.Insert(0, TestKeys.Other.PublicJwk().Set("n", "AQAB"));
        using ApiClient client = H.Client();
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(H.Token((_, p) => p.Set("sub", "user123")));
        Assert.Equal("user123", claims.Subject);
    }

    [Fact]
    public async Task Fails_when_no_key_has_the_kid()
    {
        H.Issuer.JwksKeys.Clear();
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk().Set("kid", "DIFFERENT_KEY"));
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk().Set("kid", "ANOTHER_KEY"));
        using ApiClient client = H.Client();
        VerifyAccessTokenException e = await client.RejectsAsync(H.Token(), VerificationFailure.KeyNotFound, "no matching key found in jwks");
        Assert.Equal("kid", e.Claim);
    }

    [Fact]
    public async Task Required_claims_are_checked_in_order_and_by_presence_only()
    {
        using ApiClient client = H.Client();
        string token = H.Token((_, p) => p.Set("org_id", null).Set("https://example.com/roles", new[] { "admin" }));
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(token, ["org_id", "https://example.com/roles"]);
        Assert.True(claims.HasClaim("org_id"));

        VerifyAccessTokenException e = await Assert.ThrowsAsync<VerifyAccessTokenException>(async () => await client.VerifyAccessTokenAsync(token, ["org_id", "missing_one", "missing_two"]));
        Assert.Equal("Missing required claim: missing_one", e.Message);
        Assert.Equal(VerificationFailure.ClaimMissing, e.Failure);
        Assert.Equal("missing_one", e.Claim);
    }

    [Fact]
    public async Task Required_claim_names_must_not_be_empty()
    {
        using ApiClient client = H.Client();
        await Assert.ThrowsAsync<ArgumentException>("requiredClaims", async () => await client.VerifyAccessTokenAsync(H.Token(), [""]));
    }

    [Fact]
    public async Task Missing_token_is_MissingRequiredArgument()
    {
        using ApiClient client = H.Client();
        MissingRequiredArgumentException e = await Assert.ThrowsAsync<MissingRequiredArgumentException>(async () => await client.VerifyAccessTokenAsync(string.Empty));
        Assert.Equal("The argument 'access_token' is required but was not provided.", e.Message);
        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(null);
        Assert.Equal(VerificationFailure.MissingToken, result.Failure);
        Assert.IsType<MissingRequiredArgumentException>(result.ToException());
    }

    [Fact]
    public async Task Discovery_and_jwks_are_cached_across_verifications()
    {
        using ApiClient client = H.Client();
        for (int i = 0; i < 5; i++)
        {
            await client.VerifyAccessTokenAsync(H.Token());
        }

        Assert.Equal(1, H.Issuer.DiscoveryRequests);
        Assert.Equal(1, H.Issuer.JwksRequests);
    }

    [Fact]
    public async Task Escaped_iss_and_kid_are_compared_after_unescaping()
    {
        using ApiClient client = H.Client();
        string header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"k\\u0069d\":\"TEST\\u005fKEY\"}";
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string iss = H.Issuer.Issuer.Replace("/", "\\/", StringComparison.Ordinal);
        string payload = "{\"\\u0069ss\":\"" + iss + "\",\"sub\":\"u\",\"aud\":\"my-\\u0061udience\",\"iat\":" + now + ",\"exp\":" + (now + 60) + "}";
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(TestKeys.Primary.SignCompact(header, payload));
        Assert.Equal(H.Issuer.Issuer, claims.Issuer);
        Assert.Equal(["my-audience"], claims.Audience);
    }

    [Fact]
    public async Task Signature_is_checked_before_the_claims()
    {
        // jose's "signatures are compared before claim set": an expired token for another audience, signed by another
        // key under the trusted kid, reports the signature failure, not the claims.
        using ApiClient client = H.Client();
        string forged = TestKeys.Other.SignCompact(
            LocalIssuer.StandardHeader(TestKeys.Other).Set("kid", TestKeys.Primary.Kid).ToJson(),
            H.Issuer.StandardPayload("wrong-audience").Set("exp", 1000L).ToJson());
        await client.RejectsAsync(forged, VerificationFailure.SignatureInvalid, "Signature verification failed");
    }
}
