using System;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Tests.DPoP;

/// <summary>
/// The public wrapper of the in-memory replay store (what a shared store falls back to): first use, replay until the
/// expiry and not after, full is unavailable (no eviction), keys that are not digests are refused, and set as a
/// client's store it refuses a replayed proof.
/// </summary>
public sealed class MemoryDPoPReplayStoreTests : IssuerTests
{
    private static string Digest(int i) => System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(BitConverter.GetBytes(i)));

    [Fact]
    public async Task A_key_is_first_used_then_replayed_until_it_expires()
    {
        FakeTimeProvider time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        MemoryDPoPReplayStore store = new(16, time);
        DateTimeOffset expiresAt = time.GetUtcNow().AddSeconds(301);

        Assert.Equal(DPoPReplayResult.FirstUse, await store.TryAddAsync(Digest(1), expiresAt, CancellationToken.None));
        Assert.Equal(DPoPReplayResult.Replayed, await store.TryAddAsync(Digest(1), expiresAt, CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(300));
        Assert.Equal(DPoPReplayResult.Replayed, await store.TryAddAsync(Digest(1), expiresAt, CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(DPoPReplayResult.FirstUse, await store.TryAddAsync(Digest(1), time.GetUtcNow().AddSeconds(301), CancellationToken.None));
        Assert.Equal(16, store.Capacity);
    }

    [Fact]
    public async Task A_full_store_is_unavailable_and_evicts_nothing()
    {
        FakeTimeProvider time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        MemoryDPoPReplayStore store = new(2, time);
        DateTimeOffset expiresAt = time.GetUtcNow().AddSeconds(60);
        Assert.Equal(DPoPReplayResult.FirstUse, await store.TryAddAsync(Digest(1), expiresAt, CancellationToken.None));
        Assert.Equal(DPoPReplayResult.FirstUse, await store.TryAddAsync(Digest(2), expiresAt, CancellationToken.None));

        Assert.Equal(DPoPReplayResult.Unavailable, await store.TryAddAsync(Digest(3), expiresAt, CancellationToken.None));
        Assert.Equal(DPoPReplayResult.Replayed, await store.TryAddAsync(Digest(1), expiresAt, CancellationToken.None));
        Assert.Equal(2, store.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-digest")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public async Task A_key_that_is_not_a_digest_is_refused(string key)
    {
        MemoryDPoPReplayStore store = new(4);
        await Assert.ThrowsAsync<ArgumentException>("key", async () => await store.TryAddAsync(key, DateTimeOffset.UtcNow, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentNullException>("key", async () => await store.TryAddAsync(null!, DateTimeOffset.UtcNow, CancellationToken.None));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_000_001)]
    public void A_capacity_out_of_range_is_refused(int capacity) =>
        Assert.Throws<ArgumentOutOfRangeException>("capacity", () => new MemoryDPoPReplayStore(capacity));

    [Fact]
    public async Task As_a_clients_store_it_refuses_a_replayed_proof()
    {
        const string Url = "https://api.example.com/resource";
        SigningKey proofKey = TestKeys.Ec;
        MemoryDPoPReplayStore store = new(64);
        using ApiClient client = H.Client(o => o.DPoPReplayStore = store);
        string token = H.Token((_, p) => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(proofKey))));
        string proof = DPoPProofs.Create(proofKey, token, "GET", Url, DateTimeOffset.UtcNow);

        Assert.True((await client.TryVerifyRequestAsync("DPoP " + token, proof, "GET", Url)).IsValid);
        Assert.Equal(VerificationFailure.ProofReplayed, (await client.TryVerifyRequestAsync("DPoP " + token, proof, "GET", Url)).Failure);
        Assert.Equal(1, store.Count);
    }
}
