using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Tests.Interop;

/// <summary>
/// Interop (issue 4): a DPoP-bound access token and DPoP proofs made by an independent implementation, the npm packages
/// jose and dpop, verify. The tokens, JWKS and proofs come from tests/Fixtures/Interop/dpop-interop.json, generated once
/// and committed; the client runs on a fake clock set to the fixture's <c>now</c>, so the fixture never expires. The
/// thumbprints compared against are the ones jose computed, not this library's.
/// </summary>
public sealed class JoseDPoPInteropTests
{
    private const string Resource = "https://api.interop.example/things";

    private const SigningAlgorithms ProofAlgorithms =
        SigningAlgorithms.ES256 | SigningAlgorithms.ES384 | SigningAlgorithms.ES512 | SigningAlgorithms.RS256 | SigningAlgorithms.PS256;

    private static InteropFixture F => InteropFixture.Instance;

    private readonly FakeTimeProvider _time = new(InteropFixture.Instance.NowAsDateTimeOffset);

    private ApiClient Client(SigningAlgorithms? dpopAlgorithms = ProofAlgorithms, byte[]? nonceKey = null)
    {
        ApiClientOptions options = new()
        {
            Domain = F.Domain,
            Audience = F.Audience,
            StaticJwks = new Dictionary<string, string> { [F.Domain] = F.Jwks },
            TimeProvider = _time,
            DPoPNonceKey = nonceKey,
        };
        if (dpopAlgorithms is SigningAlgorithms algorithms)
        {
            options.DPoPAlgorithms = algorithms;
        }

        return new ApiClient(options);
    }

    private static InteropProof P(string name) => F.Proofs[name];

    public static TheoryData<string> OtherAlgorithmProofs => ["es384", "es512", "rs256", "ps256"];

    [Fact]
    public void Fixture_is_the_one_made_by_jose_and_dpop()
    {
        Assert.StartsWith("jose ", F.GeneratorVersions, StringComparison.Ordinal);
        Assert.Equal("https://interop.example.com/", F.Issuer);
        Assert.Equal("interop.example.com", F.Domain);
        Assert.Equal("https://api.interop.example", F.Audience);
        Assert.Equal(["ed25519", "eddsa", "es256-get", "es256-other-key", "es256-post-nonce", "es384", "es512", "ps256", "rs256"], [.. new SortedSet<string>(F.Proofs.Keys, StringComparer.Ordinal)]);
        foreach (InteropProof proof in F.Proofs.Values)
        {
            Assert.Equal(proof.Alg, InteropFixture.Member(proof.Proof, 0, "alg"));
            Assert.Equal("dpop+jwt", InteropFixture.Member(proof.Proof, 0, "typ"));
        }
    }

    [Theory]
    [InlineData(Resource)]
    [InlineData(Resource + "?x=1")]
    [InlineData(Resource + "?other=2#elsewhere")]
    public async Task Bound_token_with_a_dpop_proof_verifies_as_a_DPoP_request(string requestUrl)
    {
        InteropProof proof = P("es256-get");
        Assert.Equal(Resource + "?x=1#frag", proof.Htu);

        using ApiClient client = Client();
        AccessTokenClaims claims = await client.VerifyRequestAsync("DPoP " + F.AccessToken, proof.Proof, "GET", requestUrl);
        Assert.Equal("auth0|interop", claims.Subject);
        Assert.Equal(F.Issuer, claims.Issuer);
        Assert.Equal([F.Audience], claims.Audience);
        Assert.Equal(["read:things"], claims.Scopes);
        Assert.Equal(F.NowAsDateTimeOffset, claims.IssuedAt);
        Assert.Equal(F.NowAsDateTimeOffset.AddDays(1), claims.ExpiresAt);
        Assert.Equal(proof.Jkt, claims.ConfirmationThumbprint);

        // The proof alone, on a second client (the first remembers the proof's jti and would call it a replay).
        using ApiClient second = Client();
        DPoPProofClaims proofClaims = await second.VerifyDPoPProofAsync(F.AccessToken, proof.Proof, "GET", requestUrl);
        Assert.Equal(proof.Jkt, proofClaims.JwkThumbprint);
        Assert.Equal(claims.ConfirmationThumbprint, proofClaims.JwkThumbprint);
        Assert.Equal("GET", proofClaims.Htm);
        Assert.Equal(proof.Htu, proofClaims.Htu);
        Assert.Equal(InteropFixture.Member(proof.Proof, 1, "jti"), proofClaims.Jti);
        Assert.Equal(InteropFixture.Member(proof.Proof, 1, "ath"), proofClaims.Ath);
        Assert.Equal(InteropFixture.Ath(F.AccessToken), proofClaims.Ath);
        Assert.Equal(F.NowAsDateTimeOffset, proofClaims.IssuedAt);
        Assert.Null(proofClaims.Nonce);
    }

    [Fact]
    public async Task Post_proof_with_a_nonce_verifies_and_exposes_the_nonce()
    {
        InteropProof proof = P("es256-post-nonce");
        Assert.Equal("server-nonce-1", proof.Nonce);

        using ApiClient client = Client();
        AccessTokenClaims claims = await client.VerifyRequestAsync("DPoP " + F.AccessToken, proof.Proof, "POST", Resource);
        Assert.Equal("auth0|interop", claims.Subject);
        Assert.Equal(proof.Jkt, claims.ConfirmationThumbprint);

        using ApiClient second = Client();
        DPoPProofClaims proofClaims = await second.VerifyDPoPProofAsync(F.AccessToken, proof.Proof, "POST", Resource);
        Assert.Equal("server-nonce-1", proofClaims.Nonce);
        Assert.Equal("POST", proofClaims.Htm);
        Assert.Equal(Resource, proofClaims.Htu);
        Assert.Equal(proof.Jkt, proofClaims.JwkThumbprint);
        Assert.Equal(InteropFixture.Ath(F.AccessToken), proofClaims.Ath);
    }

    [Fact]
    public async Task A_nonce_this_api_did_not_issue_gets_use_dpop_nonce_when_nonces_are_on()
    {
        using ApiClient client = Client(nonceKey: new byte[32]);
        RequestVerificationResult result = await client.TryVerifyRequestAsync("DPoP " + F.AccessToken, P("es256-post-nonce").Proof, "POST", Resource);
        Assert.False(result.IsValid);
        UseDPoPNonceException e = Assert.IsType<UseDPoPNonceException>(result.Error);
        Assert.Equal("use_dpop_nonce", e.ErrorCode);
        Assert.Equal(401, e.StatusCode);
        Assert.False(string.IsNullOrEmpty(e.Headers["DPoP-Nonce"]));
        Assert.NotEqual("server-nonce-1", e.Headers["DPoP-Nonce"]);
    }

    [Theory, MemberData(nameof(OtherAlgorithmProofs))]
    public async Task Proofs_of_every_supported_algorithm_verify(string name)
    {
        InteropProof proof = P(name);
        Assert.Equal("bearerToken", proof.BoundToken);

        using ApiClient client = Client();
        DPoPProofClaims claims = await client.VerifyDPoPProofAsync(F.BearerToken, proof.Proof, "GET", Resource);
        Assert.Equal(proof.Jkt, claims.JwkThumbprint);
        Assert.Equal("GET", claims.Htm);
        Assert.Equal(proof.Htu, claims.Htu);
        Assert.Equal(Resource, claims.Htu);
        Assert.Equal(InteropFixture.Member(proof.Proof, 1, "ath"), claims.Ath);
        Assert.Equal(InteropFixture.Ath(F.BearerToken), claims.Ath);
        Assert.Equal(InteropFixture.Member(proof.Proof, 1, "jti"), claims.Jti);
        Assert.Equal(F.NowAsDateTimeOffset, claims.IssuedAt);
        Assert.Null(claims.Nonce);
    }

    [Fact]
    public async Task Bearer_token_verifies_as_an_access_token_and_as_a_Bearer_request()
    {
        using ApiClient client = Client();
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(F.BearerToken);
        Assert.Equal("auth0|interop", claims.Subject);
        Assert.Equal("read:things", claims.Scope);
        Assert.Null(claims.Confirmation);
        Assert.Null(claims.ConfirmationThumbprint);

        AccessTokenClaims request = await client.VerifyRequestAsync("Bearer " + F.BearerToken, null, "GET", Resource);
        Assert.Equal("auth0|interop", request.Subject);
    }

    [Fact]
    public async Task Bound_token_sent_as_Bearer_is_refused()
    {
        using ApiClient client = Client();
        RequestVerificationResult result = await client.TryVerifyRequestAsync("Bearer " + F.AccessToken, null, "GET", Resource);
        Assert.False(result.IsValid);
        VerifyAccessTokenException e = Assert.IsType<VerifyAccessTokenException>(result.Error);
        Assert.Equal(401, e.StatusCode);
        Assert.Equal("invalid_token", e.ErrorCode);
        Assert.Equal("DPoP-bound token requires the DPoP authentication scheme, not Bearer", e.Message);
        Assert.StartsWith(
            "Bearer error=\"invalid_token\", error_description=\"DPoP-bound token requires the DPoP authentication scheme, not Bearer\", DPoP algs=\"",
            e.Headers["WWW-Authenticate"],
            StringComparison.Ordinal);

        VerifyAccessTokenException thrown = await Assert.ThrowsAsync<VerifyAccessTokenException>(async () => await client.VerifyRequestAsync("Bearer " + F.AccessToken, null, "GET", Resource));
        Assert.Equal("invalid_token", thrown.ErrorCode);
    }

    [Fact]
    public async Task Proof_made_for_GET_is_refused_for_POST()
    {
        InteropProof proof = P("es256-get");
        using ApiClient client = Client();
        InvalidDPoPProofException e = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await client.VerifyDPoPProofAsync(F.AccessToken, proof.Proof, "POST", Resource));
        Assert.Equal("DPoP Proof htm mismatch", e.Message);
        Assert.Equal("invalid_dpop_proof", e.ErrorCode);
        Assert.Equal(400, e.StatusCode);

        RequestVerificationResult result = await client.TryVerifyRequestAsync("DPoP " + F.AccessToken, proof.Proof, "POST", Resource);
        Assert.False(result.IsValid);
        Assert.IsType<InvalidDPoPProofException>(result.Error);
        Assert.Equal("DPoP Proof htm mismatch", result.Error.Message);
    }

    [Fact]
    public async Task Proof_is_refused_for_another_path_or_another_token()
    {
        using ApiClient client = Client();
        InvalidDPoPProofException path = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await client.VerifyDPoPProofAsync(F.AccessToken, P("es256-get").Proof, "GET", "https://api.interop.example/other"));
        Assert.Equal("DPoP Proof htu mismatch", path.Message);

        InvalidDPoPProofException token = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await client.VerifyDPoPProofAsync(F.AccessToken, P("es384").Proof, "GET", Resource));
        Assert.Equal("DPoP Proof ath mismatch", token.Message);
    }

    [Fact]
    public async Task Valid_proof_from_a_key_other_than_cnf_jkt_is_refused()
    {
        InteropProof proof = P("es256-other-key");
        Assert.NotEqual(P("es256-get").Jkt, proof.Jkt);

        // The proof itself is fine (right method, URL and ath)...
        using ApiClient client = Client();
        DPoPProofClaims proofClaims = await client.VerifyDPoPProofAsync(F.AccessToken, proof.Proof, "GET", Resource);
        Assert.Equal(proof.Jkt, proofClaims.JwkThumbprint);

        // ...but the token is bound to the client key, not to this one.
        using ApiClient second = Client();
        RequestVerificationResult result = await second.TryVerifyRequestAsync("DPoP " + F.AccessToken, proof.Proof, "GET", Resource);
        Assert.False(result.IsValid);
        VerifyAccessTokenException e = Assert.IsType<VerifyAccessTokenException>(result.Error);
        Assert.Equal("JWT Access Token confirmation mismatch", e.Message);
        Assert.Equal("invalid_token", e.ErrorCode);
        Assert.Equal(401, e.StatusCode);
    }

    [Fact]
    public async Task Rs256_proof_is_refused_when_only_the_default_ES256_is_allowed()
    {
        using ApiClient client = Client(dpopAlgorithms: null);
        InvalidDPoPProofException e = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await client.VerifyDPoPProofAsync(F.BearerToken, P("rs256").Proof, "GET", Resource));
        Assert.Equal("Unsupported algorithm in DPoP proof", e.Message);
        Assert.Equal("invalid_dpop_proof", e.ErrorCode);

        // The ES256 proof of the same fixture is still accepted by that client.
        DPoPProofClaims claims = await client.VerifyDPoPProofAsync(F.AccessToken, P("es256-get").Proof, "GET", Resource);
        Assert.Equal(P("es256-get").Jkt, claims.JwkThumbprint);
    }

    [Fact]
    public async Task Proofs_expire_on_the_fake_clock()
    {
        _time.Advance(TimeSpan.FromSeconds(301));
        using ApiClient client = Client();
        InvalidDPoPProofException e = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await client.VerifyDPoPProofAsync(F.BearerToken, P("rs256").Proof, "GET", Resource));
        Assert.Equal("DPoP Proof iat is too old", e.Message);
    }
}
