using System;
using System.Buffers.Text;
using System.Threading.Tasks;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Verification;

/// <summary>
/// Allocation budgets of DESIGN.md, measured with the allocation counter of the current thread (deterministic, unlike
/// time): a token refused before its signature allocates nothing; a valid token allocates at most 512 bytes.
/// </summary>
public sealed class AllocationTests
{
    private static long AllocatedPerCall(ApiClient client, string token, bool expectValid)
    {
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(expectValid, client.TryVerifyAccessTokenAsync(token).Result.IsValid);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            ValueTask<AccessTokenResult> pending = client.TryVerifyAccessTokenAsync(token);
            Assert.True(pending.IsCompletedSuccessfully);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
    }

    [Fact]
    public async Task Refusals_before_the_signature_allocate_nothing()
    {
        await using Harness h = await Harness.StartAsync();
        using ApiClient client = h.Client();
        string valid = h.Token();
        await client.VerifyAccessTokenAsync(valid);
        string payload = valid.Split('.')[1];

        Assert.Equal(0, AllocatedPerCall(client, Base64Url.EncodeToString("{\"alg\":\"none\",\"kid\":\"TEST_KEY\"}"u8) + "." + payload + ".", expectValid: false));
        Assert.Equal(0, AllocatedPerCall(client, Base64Url.EncodeToString("{\"alg\":\"HS256\",\"kid\":\"TEST_KEY\"}"u8) + "." + payload + ".c2ln", expectValid: false));
        Assert.Equal(0, AllocatedPerCall(client, Base64Url.EncodeToString("{\"alg\":\"PS256\",\"kid\":\"TEST_KEY\"}"u8) + "." + payload + ".c2ln", expectValid: false));
        Assert.Equal(0, AllocatedPerCall(client, "not-a-token", expectValid: false));
        Assert.Equal(0, AllocatedPerCall(client, "a.b.c.d", expectValid: false));
        Assert.Equal(0, AllocatedPerCall(client, valid[..^5] + "!!!!!", expectValid: false));
    }

    [Fact]
    public async Task A_valid_token_allocates_at_most_512_bytes()
    {
        await using Harness h = await Harness.StartAsync();

        // A full verification each time: the verified-token cache off (a hit allocates only the claims, VerifiedTokenCacheTests).
        using ApiClient client = h.Client(o => o.VerifiedTokenCache = false);
        string token = h.Token((_, p) => p.Set("aud", new[] { Harness.Audience, "https://tenant.auth0.com/userinfo" }).Set("scope", "openid profile read:messages").Set("permissions", new[] { "read:messages", "write:messages" }));
        await client.VerifyAccessTokenAsync(token);
        Assert.InRange(AllocatedPerCall(client, token, expectValid: true), 1, 512);
    }
}

/// <summary>Issue 12 item 9: the pooled buffer a verification decodes into holds no token bytes once it is back in the pool.</summary>
public sealed class PooledBufferTests : IssuerTests
{
    [Fact]
    public async Task A_returned_buffer_holds_neither_the_payload_nor_the_signing_input()
    {
        // Every call a full verification (decoded into a pooled buffer): the verified-token cache off.
        using ApiClient client = H.Client(o => o.VerifiedTokenCache = false);
        string token = H.Token((_, p) => p.Set("email", "person@example.com"));
        await client.VerifyAccessTokenAsync(token);
        byte[] payload = Base64Url.DecodeFromChars(token.Split('.')[1]);
        byte[] signingInput = System.Text.Encoding.ASCII.GetBytes(token[..token.LastIndexOf('.')]);
        foreach (string candidate in new[] { token, token[..^4] + "AAAA" })
        {
            // Completes synchronously (warm caches) on this thread, whose pool slot then hands the same array back.
            Assert.True(client.TryVerifyAccessTokenAsync(candidate).IsCompletedSuccessfully);
            byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(Internal.TokenParser.BufferSize(token.Length));
            try
            {
                Assert.Equal(-1, rented.AsSpan().IndexOf(payload.AsSpan(0, 32)));
                Assert.Equal(-1, rented.AsSpan().IndexOf(signingInput.AsSpan(signingInput.Length - 32)));
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
