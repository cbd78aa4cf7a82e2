using System;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Tests.DPoP;

/// <summary>Stateless server nonces (RFC 9449 section 9), through the request path against a loopback issuer.</summary>
public sealed class NonceTests : FakeClockIssuerTests
{
    private const string Url = "https://api.example.com/resource";
    private static readonly byte[] s_nonceKey = RandomNumberGenerator.GetBytes(32);
    private static readonly SigningKey s_proofKey = SigningKey.CreateEc("nonce-proof-key");

    private string BoundToken()
    {
        return H.Token((_, p) => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(s_proofKey))));
    }

    private string Proof(string token, string? nonce) =>
        DPoPProofs.Create(s_proofKey, token, "GET", Url, Time.GetUtcNow(), (_, p) => { if (nonce is not null) { p.Set("nonce", nonce); } });

    private ApiClient NonceClient(byte[]? key = null) => Client(o => { o.DPoPNonceKey = key ?? s_nonceKey; o.DPoPNonceLifetime = TimeSpan.FromMinutes(5); });

    [Fact]
    public async Task A_proof_without_a_nonce_gets_use_dpop_nonce_and_the_retry_with_it_succeeds()
    {
        using ApiClient client = NonceClient();
        string token = BoundToken();
        RequestVerificationResult first = await client.TryVerifyRequestAsync("DPoP " + token, Proof(token, null), "GET", Url);
        UseDPoPNonceException e = Assert.IsType<UseDPoPNonceException>(first.Error);
        Assert.Equal(401, e.StatusCode);
        Assert.Equal("use_dpop_nonce", e.ErrorCode);
        Assert.Equal("Bearer realm=\"api\", DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\", algs=\"ES256\"", e.Headers["WWW-Authenticate"]);
        Assert.Equal(e.Nonce, e.Headers["DPoP-Nonce"]);

        RequestVerificationResult retry = await client.TryVerifyRequestAsync("DPoP " + token, Proof(token, e.Nonce), "GET", Url);
        Assert.True(retry.IsValid, retry.Error?.Message);
    }

    [Fact]
    public async Task A_nonce_lives_for_its_step_and_the_next()
    {
        using ApiClient client = NonceClient();
        string token = BoundToken();
        string nonce = client.CreateDPoPNonce()!;
        Time.Advance(TimeSpan.FromMinutes(5));
        Assert.True((await client.TryVerifyRequestAsync("DPoP " + token, Proof(token, nonce), "GET", Url)).IsValid);
        Time.Advance(TimeSpan.FromMinutes(5));
        Assert.IsType<UseDPoPNonceException>((await client.TryVerifyRequestAsync("DPoP " + token, Proof(token, nonce), "GET", Url)).Error);
    }

    [Fact]
    public async Task Forged_tampered_or_foreign_nonces_are_refused()
    {
        using ApiClient client = NonceClient();
        using ApiClient other = NonceClient(RandomNumberGenerator.GetBytes(32));
        string token = BoundToken();
        string genuine = client.CreateDPoPNonce()!;
        char last = genuine[^2];
        string[] bad =
        [
            "not-a-nonce",
            genuine[..^2] + (last == 'A' ? 'B' : 'A') + genuine[^1],
            other.CreateDPoPNonce()!,
            genuine + "A",
        ];
        foreach (string nonce in bad)
        {
            Assert.IsType<UseDPoPNonceException>((await client.TryVerifyRequestAsync("DPoP " + token, Proof(token, nonce), "GET", Url)).Error);
        }
    }

    [Fact]
    public async Task Instances_sharing_the_key_accept_each_others_nonces()
    {
        using ApiClient first = NonceClient();
        using ApiClient second = NonceClient();
        string token = BoundToken();
        Assert.True((await second.TryVerifyRequestAsync("DPoP " + token, Proof(token, first.CreateDPoPNonce()), "GET", Url)).IsValid);
    }

    [Fact]
    public void Nonces_are_off_by_default_and_the_key_must_be_long_enough()
    {
        using ApiClient client = Client();
        Assert.Null(client.CreateDPoPNonce());
        Assert.Throws<ConfigurationException>(() => Client(o => o.DPoPNonceKey = new byte[16]));
        Assert.Throws<ConfigurationException>(() => Client(o => { o.DPoPNonceKey = s_nonceKey; o.DPoPNonceLifetime = TimeSpan.Zero; }));
    }
}
