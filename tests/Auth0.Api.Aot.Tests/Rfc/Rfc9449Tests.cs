using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Tests.Rfc;

/// <summary>
/// RFC 9449 section 4.1, figure 3 (the token request): the proof verifies, on a clock at its iat, with the thumbprint
/// the RFC publishes for its key (section 6.1, figure 9). It carries no ath (it accompanies no access token), so it is
/// checked with <see cref="ApiClient.VerifyDPoPProofWithoutAccessTokenAsync"/>.
/// </summary>
public sealed class Rfc9449Tests : IDisposable
{
    private const string Proof =
        "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19" +
        ".eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ" +
        ".2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";

    private const string Url = "https://server.example.com/token";
    private static readonly DateTimeOffset s_issuedAt = DateTimeOffset.FromUnixTimeSeconds(1562262616);
    private readonly FakeTimeProvider _time = new(s_issuedAt);
    private readonly ApiClient _client;

    public Rfc9449Tests()
    {
        _client = new ApiClient(new ApiClientOptions { Domain = "server.example.com", Audience = "a", TimeProvider = _time });
    }

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Figure_3_proof_verifies_with_the_published_thumbprint()
    {
        DPoPProofClaims claims = await _client.VerifyDPoPProofWithoutAccessTokenAsync(Proof, "POST", Url);
        Assert.Equal("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", claims.JwkThumbprint);
        Assert.Equal("-BwC3ESc6acc2lTc", claims.Jti);
        Assert.Equal("POST", claims.Htm);
        Assert.Equal(Url, claims.Htu);
        Assert.Equal(s_issuedAt, claims.IssuedAt);
        Assert.Null(claims.Ath);
        Assert.Null(claims.Nonce);
    }

    [Fact]
    public async Task Figure_3_proof_is_still_checked_for_method_url_time_and_replay()
    {
        await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await _client.VerifyDPoPProofWithoutAccessTokenAsync(Proof, "GET", Url));
        await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await _client.VerifyDPoPProofWithoutAccessTokenAsync(Proof, "POST", "https://server.example.com/other"));
        Assert.NotNull(await _client.VerifyDPoPProofWithoutAccessTokenAsync(Proof, "POST", Url));
        InvalidDPoPProofException replay = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await _client.VerifyDPoPProofWithoutAccessTokenAsync(Proof, "POST", Url));
        Assert.Equal("DPoP proof has already been used", replay.Message);

        using ApiClient later = new(new ApiClientOptions { Domain = "server.example.com", Audience = "a", TimeProvider = new FakeTimeProvider(s_issuedAt.AddSeconds(301)) });
        InvalidDPoPProofException old = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await later.VerifyDPoPProofWithoutAccessTokenAsync(Proof, "POST", Url));
        Assert.Equal("DPoP Proof iat is too old", old.Message);
    }

    [Fact]
    public async Task Figure_3_proof_with_a_tampered_payload_fails_its_signature()
    {
        string tampered = Proof.Replace(".eyJqdGkiOiItQndDM0VTYzZh", ".eyJqdGkiOiItQndDM0VTYzZi", StringComparison.Ordinal);
        InvalidDPoPProofException e = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await _client.VerifyDPoPProofWithoutAccessTokenAsync(tampered, "POST", Url));
        Assert.Equal("JWT signature verification failed: bad_signature", e.Message);
    }

    [Fact]
    public async Task A_resource_server_check_of_the_same_proof_requires_ath()
    {
        InvalidDPoPProofException e = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await _client.VerifyDPoPProofAsync("some-token", Proof, "POST", Url));
        Assert.Equal("Missing required claim: ath", e.Message);
    }
}
