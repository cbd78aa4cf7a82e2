using System;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Microsoft.Extensions.Time.Testing;
using NSec.Cryptography;

namespace Auth0.Api.Aot.Sodium.Tests.DPoP;

/// <summary>DPoP proofs signed with Ed25519 (alg EdDSA, RFC 8037, and alg Ed25519, RFC 9864) through <see cref="SodiumEd25519"/>.</summary>
public sealed class EdDsaProofTests : IDisposable
{
    private const string Token = "test_token";
    private const string Url = "https://api.example.com/resource";
    private static readonly Key s_key = Ed25519Proofs.NewKey();
    private static readonly Key s_other = Ed25519Proofs.NewKey();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ApiClient _client;

    public EdDsaProofTests()
    {
        _client = Client(SigningAlgorithms.ES256 | SigningAlgorithms.EdDSA | SigningAlgorithms.Ed25519);
    }

    public void Dispose() => _client.Dispose();

    private ApiClient Client(SigningAlgorithms algorithms, IEd25519Provider? provider = null) => new(new ApiClientOptions
    {
        Domain = "auth0.local",
        Audience = "my-audience",
        TimeProvider = _time,
        DPoPAlgorithms = algorithms,
        Ed25519Provider = provider ?? SodiumEd25519.Instance,
    });

    private string Proof(Action<ClaimSet, ClaimSet>? configure = null, string alg = "EdDSA", Key? signWith = null) =>
        Ed25519Proofs.Create(s_key, Token, "GET", Url, _time.GetUtcNow(), configure, alg, signWith);

    private async Task FailsAsync(ApiClient client, string proof, string message)
    {
        InvalidDPoPProofException e = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await client.VerifyDPoPProofAsync(Token, proof, "GET", Url));
        Assert.Equal(message, e.Message);
        Assert.Equal("invalid_dpop_proof", e.ErrorCode);
        Assert.Equal(400, e.StatusCode);
    }

    [Theory]
    [InlineData("EdDSA")]
    [InlineData("Ed25519")]
    public async Task Ed25519_proof_verifies_and_reports_the_independent_thumbprint(string alg)
    {
        DPoPProofClaims claims = await _client.VerifyDPoPProofAsync(Token, Proof(alg: alg), "GET", Url);
        Assert.Equal(Ed25519Proofs.Thumbprint(s_key), claims.JwkThumbprint);
        Assert.Equal("GET", claims.Htm);
        Assert.Equal(Url, claims.Htu);
        Assert.Equal(DPoPProofs.AccessTokenHash(Token), claims.Ath);
    }

    [Theory]
    [InlineData(SigningAlgorithms.ES256 | SigningAlgorithms.Ed25519, "EdDSA")]
    [InlineData(SigningAlgorithms.ES256 | SigningAlgorithms.EdDSA, "Ed25519")]
    [InlineData(SigningAlgorithms.ES256, "EdDSA")]
    public async Task Each_name_is_its_own_entry_on_the_allow_list(SigningAlgorithms allowed, string alg)
    {
        using ApiClient client = Client(allowed);
        await FailsAsync(client, Proof(alg: alg), "Unsupported algorithm in DPoP proof");
    }

    [Fact]
    public async Task Ed25519_proofs_are_refused_by_default_even_with_a_provider()
    {
        using ApiClient client = new(new ApiClientOptions { Domain = "auth0.local", Audience = "my-audience", TimeProvider = _time, Ed25519Provider = SodiumEd25519.Instance });
        await FailsAsync(client, Proof(), "Unsupported algorithm in DPoP proof");
    }

    [Fact]
    public void Allowing_EdDSA_without_a_provider_is_a_configuration_error()
    {
        ConfigurationException e = Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "auth0.local", Audience = "a", DPoPAlgorithms = SigningAlgorithms.ES256 | SigningAlgorithms.EdDSA }));
        Assert.Contains("Ed25519Provider", e.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "auth0.local", Audience = "a", DPoPAlgorithms = SigningAlgorithms.Ed25519 }));
    }

    [Fact]
    public async Task Proof_signed_by_another_key_than_its_jwk_is_refused() =>
        await FailsAsync(_client, Proof(signWith: s_other), "JWT signature verification failed: bad_signature");

    [Fact]
    public async Task Proof_with_the_private_key_in_its_jwk_is_refused() =>
        await FailsAsync(_client, Proof((h, _) => ((ClaimSet)h["jwk"]!).Set("d", "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")), "Private key material found in jwk header");

    [Fact]
    public async Task EdDSA_with_an_EC_jwk_is_refused()
    {
        SigningKey ec = SigningKey.CreateEc("ec");
        await FailsAsync(_client, Proof((h, _) => h.Set("jwk", ec.PublicJwk(includeAlgAndUse: false).Remove("kid"))), "The jwk key type does not match the proof algorithm");
    }

    [Fact]
    public async Task ES256_with_an_OKP_jwk_is_refused() =>
        await FailsAsync(_client, Proof((h, _) => h.Set("alg", "ES256")), "Only EC keys are supported for DPoP");

    [Theory]
    [InlineData("Ed448")]
    [InlineData("X25519")]
    [InlineData(null)]
    public async Task Another_OKP_curve_is_refused(string? crv) =>
        await FailsAsync(_client, Proof((h, _) => ((ClaimSet)h["jwk"]!).Set("crv", crv)), "The jwk curve does not match the proof algorithm");

    [Theory]
    [InlineData("AAAA")]
    [InlineData("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURoA")]
    [InlineData("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUR+")]
    public async Task Malformed_x_is_refused(string x) =>
        await FailsAsync(_client, Proof((h, _) => ((ClaimSet)h["jwk"]!).Set("x", x)), "Missing or invalid jwk in header");

    [Fact]
    public async Task Small_order_key_with_an_identity_signature_is_refused()
    {
        // The "signature" R = identity, S = 0 satisfies the verification equation for a small-order key whatever the
        // message; libsodium refuses small-order keys and R values.
        string identity = System.Buffers.Text.Base64Url.EncodeToString([1, .. new byte[31]]);
        string proof = Proof((h, _) => ((ClaimSet)h["jwk"]!).Set("x", identity));
        string forged = proof[..(proof.LastIndexOf('.') + 1)] + System.Buffers.Text.Base64Url.EncodeToString([1, .. new byte[63]]);
        InvalidDPoPProofException e = await Assert.ThrowsAsync<InvalidDPoPProofException>(async () => await _client.VerifyDPoPProofAsync(Token, forged, "GET", Url));
        Assert.Contains(e.Message, new[] { "JWT signature verification failed: bad_signature", "Missing or invalid jwk in header" });
    }

    [Fact]
    public async Task Replayed_Ed25519_proof_is_refused()
    {
        string proof = Proof();
        await _client.VerifyDPoPProofAsync(Token, proof, "GET", Url);
        await FailsAsync(_client, proof, "DPoP proof has already been used");
    }

    [Fact]
    public async Task The_key_is_imported_once_per_client_key()
    {
        CountingProvider counting = new();
        using ApiClient client = Client(SigningAlgorithms.EdDSA, counting);
        for (int i = 0; i < 5; i++)
        {
            await client.VerifyDPoPProofAsync(Token, Proof(), "GET", Url);
        }

        await client.VerifyDPoPProofAsync(Token, Ed25519Proofs.Create(s_other, Token, "GET", Url, _time.GetUtcNow()), "GET", Url);
        Assert.Equal(2, counting.Imports);
    }

    [Fact]
    public async Task A_provider_that_throws_is_a_refusal_not_an_exception()
    {
        using ApiClient importThrows = Client(SigningAlgorithms.EdDSA, new ThrowingProvider(onImport: true));
        await FailsAsync(importThrows, Proof(), "Missing or invalid jwk in header");
        using ApiClient verifyThrows = Client(SigningAlgorithms.EdDSA, new ThrowingProvider(onImport: false));
        await FailsAsync(verifyThrows, Proof(), "JWT signature verification failed: bad_signature");
    }

    private sealed class ThrowingProvider(bool onImport) : IEd25519Provider, IEd25519PublicKey
    {
        public bool TryImportPublicKey(ReadOnlySpan<byte> publicKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IEd25519PublicKey? key)
        {
            key = this;
            return onImport ? throw new InvalidOperationException("provider broke") : true;
        }

        public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => throw new InvalidOperationException("provider broke");
    }

    private sealed class CountingProvider : IEd25519Provider
    {
        private int _imports;

        public int Imports => _imports;

        public bool TryImportPublicKey(ReadOnlySpan<byte> publicKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IEd25519PublicKey? key)
        {
            Interlocked.Increment(ref _imports);
            return SodiumEd25519.Instance.TryImportPublicKey(publicKey, out key);
        }
    }
}
