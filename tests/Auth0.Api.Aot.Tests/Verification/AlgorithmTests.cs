using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Verification;

/// <summary>Opt-in algorithms from the table verify; each restriction of the table has a test.</summary>
public sealed class AlgorithmTests
{
    public static TheoryData<string, SigningAlgorithms> OptIn => new()
    {
        { "RS256", SigningAlgorithms.RS256 },
        { "RS384", SigningAlgorithms.RS384 },
        { "RS512", SigningAlgorithms.RS512 },
        { "PS256", SigningAlgorithms.PS256 },
        { "PS384", SigningAlgorithms.PS384 },
        { "PS512", SigningAlgorithms.PS512 },
        { "ES256", SigningAlgorithms.ES256 },
        { "ES384", SigningAlgorithms.ES384 },
    };

    [Theory]
    [MemberData(nameof(OptIn))]
    public async Task Opted_in_algorithm_verifies_and_is_refused_when_not_opted_in(string alg, SigningAlgorithms flag)
    {
        SigningKey key = alg.StartsWith('E')
            ? SigningKey.CreateEc("k-" + alg, alg)
            : SigningKey.FromRsa("k-" + alg, TestKeys.Primary.Rsa!, alg);
        await using Harness h = await Harness.StartAsync(key);

        using ApiClient allowed = h.Client(o => o.AccessTokenAlgorithms = flag);
        AccessTokenClaims claims = await allowed.VerifyAccessTokenAsync(h.Token());
        Assert.Equal("user_123", claims.Subject);

        if (flag != SigningAlgorithms.RS256)
        {
            using ApiClient defaults = h.Client();
            await defaults.RejectsAsync(h.Token(), VerificationFailure.AlgorithmNotAllowed, "Algorithm '" + alg + "' is not allowed");
        }
    }

    [Fact]
    public async Task Es256_signature_in_der_form_is_refused()
    {
        SigningKey key = SigningKey.CreateEc("ec", "ES256");
        await using Harness h = await Harness.StartAsync(key);
        using ApiClient client = h.Client(o => o.AccessTokenAlgorithms = SigningAlgorithms.ES256);
        string[] parts = h.Token().Split('.');
        byte[] der = key.EcDsa!.SignData(System.Text.Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.Rfc3279DerSequence);
        string token = parts[0] + "." + parts[1] + "." + System.Buffers.Text.Base64Url.EncodeToString(der);
        await client.RejectsAsync(token, VerificationFailure.SignatureInvalid);
    }

    [Fact]
    public async Task Es384_token_is_refused_by_a_p256_key()
    {
        SigningKey p384 = SigningKey.CreateEc("ec", "ES384");
        await using Harness h = await Harness.StartAsync(p384);
        h.Issuer.JwksKeys[0] = SigningKey.CreateEc("ec", "ES256").PublicJwk(includeAlgAndUse: false);
        using ApiClient client = h.Client(o => o.AccessTokenAlgorithms = SigningAlgorithms.ES256 | SigningAlgorithms.ES384);
        await client.RejectsAsync(h.Token(), VerificationFailure.KeyNotFound, "does not match the token's algorithm");
    }

    [Fact]
    public async Task Rsa_token_is_refused_by_an_ec_key_under_the_same_kid_even_when_both_are_allowed()
    {
        await using Harness h = await Harness.StartAsync();
        h.Issuer.JwksKeys[0] = SigningKey.CreateEc(TestKeys.Primary.Kid).PublicJwk(includeAlgAndUse: false);
        using ApiClient client = h.Client(o => o.AccessTokenAlgorithms = SigningAlgorithms.ES256 | SigningAlgorithms.RS256);
        await client.RejectsAsync(h.Token(), VerificationFailure.KeyNotFound);
    }
}
