using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Auth0.Api.Aot.Tests.Interop;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Sodium.Tests.Interop;

/// <summary>
/// Ed25519 DPoP proofs made by an independent implementation: <c>eddsa</c> (alg EdDSA) signed with the npm package jose,
/// <c>ed25519</c> (alg Ed25519, RFC 9864) made with the npm package dpop (tests/Fixtures/Interop).
/// </summary>
public sealed class JoseEd25519InteropTests
{
    private static readonly InteropFixture s_fixture = InteropFixture.Instance;

    private static ApiClient Client(SigningAlgorithms algorithms) => new(new ApiClientOptions
    {
        Domain = s_fixture.Domain,
        Audience = s_fixture.Audience,
        StaticJwks = new Dictionary<string, string> { [s_fixture.Domain] = s_fixture.Jwks },
        TimeProvider = new FakeTimeProvider(s_fixture.NowAsDateTimeOffset),
        DPoPAlgorithms = algorithms,
        Ed25519Provider = SodiumEd25519.Instance,
    });

    [Theory]
    [InlineData("eddsa", "EdDSA")]
    [InlineData("ed25519", "Ed25519")]
    public async Task Proof_from_another_implementation_verifies(string name, string alg)
    {
        InteropProof entry = s_fixture.Proofs[name];
        Assert.Equal(alg, entry.Alg);
        using ApiClient client = Client(SigningAlgorithms.EdDSA | SigningAlgorithms.Ed25519);
        DPoPProofClaims claims = await client.VerifyDPoPProofAsync(s_fixture.TokenFor(entry), entry.Proof, entry.Htm, entry.Htu);
        Assert.Equal(entry.Jkt, claims.JwkThumbprint);
        Assert.Equal(InteropFixture.Ath(s_fixture.TokenFor(entry)), claims.Ath);
        Assert.Equal(s_fixture.NowAsDateTimeOffset, claims.IssuedAt);
        Assert.Equal(InteropFixture.Member(entry.Proof, 1, "jti"), claims.Jti);
    }

    [Theory]
    [InlineData("eddsa", SigningAlgorithms.Ed25519)]
    [InlineData("ed25519", SigningAlgorithms.EdDSA)]
    public async Task Proof_from_another_implementation_needs_its_own_name_allowed(string name, SigningAlgorithms allowed)
    {
        InteropProof entry = s_fixture.Proofs[name];
        using ApiClient client = Client(allowed);
        InvalidDPoPProofException e = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await client.VerifyDPoPProofAsync(s_fixture.TokenFor(entry), entry.Proof, entry.Htm, entry.Htu));
        Assert.Equal("Unsupported algorithm in DPoP proof", e.Message);
    }

    [Fact]
    public async Task Proof_from_another_implementation_for_another_token_is_refused()
    {
        InteropProof entry = s_fixture.Proofs["eddsa"];
        using ApiClient client = Client(SigningAlgorithms.EdDSA);
        InvalidDPoPProofException e = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await client.VerifyDPoPProofAsync(s_fixture.AccessToken, entry.Proof, entry.Htm, entry.Htu));
        Assert.Equal("DPoP Proof ath mismatch", e.Message);
    }
}
