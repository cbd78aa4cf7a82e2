using System;
using System.Buffers.Text;
using System.Text;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Microsoft.Extensions.Time.Testing;
using NSec.Cryptography;

namespace Auth0.Api.Aot.Sodium.Tests.Rfc;

/// <summary>RFC 8037 appendix A: the Ed25519 key (A.1), its thumbprint (A.3) and the signed example (A.4).</summary>
public sealed class Rfc8037Tests
{
    private const string D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    private const string X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    private const string Thumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
    private const string SignedExample = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

    [Fact]
    public void A4_example_signature_verifies_with_the_A1_public_key()
    {
        Assert.True(SodiumEd25519.Instance.TryImportPublicKey(Base64Url.DecodeFromChars(X), out IEd25519PublicKey? key));
        int lastDot = SignedExample.LastIndexOf('.');
        Assert.True(key.Verify(Encoding.ASCII.GetBytes(SignedExample[..lastDot]), Base64Url.DecodeFromChars(SignedExample.AsSpan(lastDot + 1))));
        Assert.False(key.Verify(Encoding.ASCII.GetBytes(SignedExample[..(lastDot - 1)]), Base64Url.DecodeFromChars(SignedExample.AsSpan(lastDot + 1))));
    }

    [Fact]
    public void A1_private_key_gives_the_A1_public_key_and_signs_the_A4_example()
    {
        using Key key = Ed25519Proofs.ImportPrivate(D);
        Assert.Equal(X, Ed25519Proofs.X(key));
        int lastDot = SignedExample.LastIndexOf('.');
        byte[] signature = SignatureAlgorithm.Ed25519.Sign(key, Encoding.ASCII.GetBytes(SignedExample[..lastDot]));
        Assert.Equal(SignedExample[(lastDot + 1)..], Base64Url.EncodeToString(signature));
    }

    [Fact]
    public async Task A3_thumbprint_is_the_jkt_of_a_proof_made_with_the_A1_key()
    {
        using Key key = Ed25519Proofs.ImportPrivate(D);
        Assert.Equal(Thumbprint, Ed25519Proofs.Thumbprint(key));
        FakeTimeProvider time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using ApiClient client = new(new ApiClientOptions
        {
            Domain = "auth0.local",
            Audience = "my-audience",
            TimeProvider = time,
            DPoPAlgorithms = SigningAlgorithms.EdDSA,
            Ed25519Provider = SodiumEd25519.Instance,
        });
        string proof = Ed25519Proofs.Create(key, "token", "GET", "https://api.example.com/r", time.GetUtcNow());
        DPoPProofClaims claims = await client.VerifyDPoPProofAsync("token", proof, "GET", "https://api.example.com/r");
        Assert.Equal(Thumbprint, claims.JwkThumbprint);
        Assert.Equal(DPoPProofs.AccessTokenHash("token"), claims.Ath);
    }
}
