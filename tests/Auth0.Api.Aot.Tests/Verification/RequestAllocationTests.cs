using System;
using System.Buffers.Text;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using Xunit.Abstractions;

namespace Auth0.Api.Aot.Tests.Verification;

/// <summary>
/// The allocation budgets of DESIGN.md and issue 11, per call after warm-up, with the thread's allocation counter
/// (deterministic): a valid token through the token API at most 144 B; the same token as a Bearer request at most
/// 256 B; a valid DPoP request from a returning client key at most 1 KiB beyond what ECDsa.VerifyData itself
/// allocates; a refused request at most 512 B beyond the signature checks it ran. Budgets the calls must meet, so they
/// are measured on completed-synchronously calls (warm caches), as a server sees them, with the verified-token cache off
/// so that every call is a full verification.
/// </summary>
public sealed class RequestAllocationTests(ITestOutputHelper output) : IssuerTests
{
    private const string Url = "https://api.example.com/orders";
    private const int Calls = 100;
    private static readonly SigningKey s_proofKey = SigningKey.CreateEc("proof-key");

    private static long PerCall(Func<int, ValueTask<RequestVerificationResult>> call, bool expectValid)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            ValueTask<RequestVerificationResult> pending = call(i);
            Assert.True(pending.IsCompletedSuccessfully);
            Assert.True(pending.Result.IsValid == expectValid);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
    }

    private static long PerCall(Action<int> call)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            call(i);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
    }

    private string[] Proofs(string token, int count, string method = "GET") =>
        Enumerable.Range(0, count).Select(_ => DPoPProofs.Create(s_proofKey, token, method, Url, DateTimeOffset.UtcNow)).ToArray();

    [Fact]
    public async Task Each_kind_of_call_stays_within_its_allocation_budget()
    {
        string token = H.Token((_, p) => p.Set("scope", "openid read:orders").Set("permissions", new[] { "read:orders" }));
        string bound = H.Token((_, p) => p.Set("scope", "openid read:orders").Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(s_proofKey))));
        string wrongAudience = H.Token((_, p) => p.Set("aud", "someone-else"));
        string notJson = Base64Url.EncodeToString("{\"alg\":\"RS256\",\"kid\":"u8) + "." + token.Split('.')[1] + "." + token.Split('.')[2];
        // The verified-token cache off: these are the budgets of a full verification (a hit allocates only the claims,
        // VerifiedTokenCacheTests).
        using ApiClient client = H.Client(o => o.VerifiedTokenCache = false);
        using ApiClient disabled = H.Client(o => { o.DPoPMode = DPoPMode.Disabled; o.VerifiedTokenCache = false; });

        // Warm-up: discovery, JWKS, the recent header and key slots, the proof key, the JIT.
        for (int i = 0; i < 50; i++)
        {
            Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
            Assert.True((await client.TryVerifyRequestAsync("Bearer " + token, null, "GET", Url)).IsValid);
            Assert.True((await disabled.TryVerifyRequestAsync("Bearer " + token, null, "GET", Url)).IsValid);
        }

        foreach (string proof in Proofs(bound, 50))
        {
            Assert.True((await client.TryVerifyRequestAsync("DPoP " + bound, proof, "GET", Url)).IsValid);
        }

        // The bare signature checks, measured the same way.
        RSA rsa = TestKeys.Primary.Rsa!;
        byte[] tokenInput = Encoding.ASCII.GetBytes(token[..token.LastIndexOf('.')]);
        byte[] tokenSignature = Base64Url.DecodeFromChars(token.AsSpan(token.LastIndexOf('.') + 1));
        long rsaVerify = PerCall(_ => Assert.True(rsa.VerifyData(tokenInput, tokenSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
        using ECDsa ecdsa = ECDsa.Create(s_proofKey.EcDsa!.ExportParameters(false));
        string sample = Proofs(bound, 1)[0];
        byte[] proofInput = Encoding.ASCII.GetBytes(sample[..sample.LastIndexOf('.')]);
        byte[] proofSignature = Base64Url.DecodeFromChars(sample.AsSpan(sample.LastIndexOf('.') + 1));
        long ecdsaVerify = PerCall(_ => Assert.True(ecdsa.VerifyData(proofInput, proofSignature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)));

        long tokenApi = PerCall(_ =>
        {
            ValueTask<AccessTokenResult> pending = client.TryVerifyAccessTokenAsync(token);
            Assert.True(pending.IsCompletedSuccessfully && pending.Result.IsValid);
        });
        string bearerHeader = "Bearer " + token;
        long bearerAllowed = PerCall(_ => client.TryVerifyRequestAsync(bearerHeader, null, "GET", Url), expectValid: true);
        long bearerDisabled = PerCall(_ => disabled.TryVerifyRequestAsync(bearerHeader, null, "GET", Url), expectValid: true);
        string[] proofs = Proofs(bound, Calls);
        string dpopHeader = "DPoP " + bound;
        long dpop = PerCall(i => client.TryVerifyRequestAsync(dpopHeader, proofs[i], "GET", Url), expectValid: true);
        string wrongAudienceHeader = "Bearer " + wrongAudience;
        long audience = PerCall(_ => client.TryVerifyRequestAsync(wrongAudienceHeader, null, "GET", Url), expectValid: false);
        string[] postProofs = Proofs(bound, Calls, "POST");
        long htm = PerCall(i => client.TryVerifyRequestAsync(dpopHeader, postProofs[i], "GET", Url), expectValid: false);
        string notJsonHeader = "Bearer " + notJson;
        long header = PerCall(_ => client.TryVerifyRequestAsync(notJsonHeader, null, "GET", Url), expectValid: false);

        output.WriteLine($"token length {token.Length}; bare RSA.VerifyData {rsaVerify} B, bare ECDsa.VerifyData {ecdsaVerify} B");
        output.WriteLine($"TryVerifyAccessTokenAsync, valid: {tokenApi} B");
        output.WriteLine($"Bearer request, Allowed: {bearerAllowed} B; Disabled: {bearerDisabled} B");
        output.WriteLine($"DPoP request, returning client key: {dpop} B ({dpop - ecdsaVerify} B beyond ECDsa.VerifyData)");
        output.WriteLine($"Bearer request, audience mismatch: {audience} B ({audience - rsaVerify} B beyond RSA.VerifyData)");
        output.WriteLine($"DPoP request, proof htm mismatch: {htm} B ({htm - rsaVerify - ecdsaVerify} B beyond both signature checks)");
        output.WriteLine($"header that is not valid JSON: {header} B");

        Assert.InRange(tokenApi, 1, 144);
        Assert.InRange(bearerAllowed, 1, 256);
        Assert.InRange(bearerDisabled, 1, 256);
        Assert.InRange(dpop - ecdsaVerify, 0, 1024);
        Assert.InRange(audience - rsaVerify, 0, 512);
        Assert.InRange(htm - rsaVerify - ecdsaVerify, 0, 512);
        Assert.InRange(header, 0, 512);
    }
}
