using System;
using System.Collections.Generic;
using System.Linq;
using Auth0.Api.Aot.Internal;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Auth0.Api.Aot.Tests.DPoP;

/// <summary>
/// The in-memory replay store on its own, on a simulated clock: the defaults hold every legitimate proof at 1,000 and
/// 5,000 proofs/s for ten minutes while replays are still refused; a full store refuses without scanning and clean-up
/// touches expired buckets only; one key cannot hold more than its share; memory per record. Digests are random bytes
/// (the store only compares them), so millions of proofs need no signature. Work is counted, never timed.
/// </summary>
public sealed class MemoryReplayStoreTests(ITestOutputHelper output)
{
    private const int Offset = 300;
    private const int Leeway = 30;
    private static readonly DateTimeOffset s_start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // The in-memory store ApiClient builds from default options.
    private static MemoryReplayStore Defaults(FakeTimeProvider time) =>
        new(ApiClientOptions.DefaultDPoPReplayCapacity, (int)(ApiClientOptions.DefaultDPoPReplayCapacity * ApiClientOptions.DefaultDPoPReplayMaxKeyShare), time, seed: 7);

    private static byte[][] Thumbprints(int count, Random random) => Enumerable.Range(0, count).Select(_ => Bytes(random)).ToArray();

    private static byte[] Bytes(Random random)
    {
        byte[] bytes = new byte[32];
        random.NextBytes(bytes);
        return bytes;
    }

    // The expiry the verifier gives a proof issued at iat: floor(iat) + DPoPIatOffset + 1 s.
    private static long ExpiresAt(long iat) => iat + Offset + 1;

    // Records count new random digests of one key: each must be a first use.
    private static void RecordNew(MemoryReplayStore store, Random random, byte[] thumbprint, long expiresAt, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(ReplayRecord.Recorded, store.TryAdd(Bytes(random), thumbprint, expiresAt));
        }
    }

    [Theory]
    [InlineData(1_000, 2)]
    [InlineData(5_000, 8)]
    public void The_defaults_refuse_no_legitimate_proof_for_ten_minutes_and_still_refuse_replays(int perSecond, int keys)
    {
        FakeTimeProvider time = new(s_start);
        MemoryReplayStore store = Defaults(time);
        Random random = new(perSecond);
        byte[][] thumbprints = Thumbprints(keys, random);
        byte[] digest = new byte[32];
        List<byte[]> firstOfEachSecond = [];
        int refused = 0;
        int replaysRefused = 0;
        int peak = 0;
        long peakBytes = 0;
        for (int second = 0; second < 600; second++)
        {
            long now = time.GetUtcNow().ToUnixTimeSeconds();
            for (int i = 0; i < perSecond; i++)
            {
                random.NextBytes(digest);
                if (i == 0)
                {
                    firstOfEachSecond.Add((byte[])digest.Clone());
                }

                // Clients' clocks differ: iat from a few seconds old to the full leeway ahead (the longest-held records).
                long iat = i == 0 ? now : now - 5 + (i % (Leeway + 6));
                if (store.TryAdd(digest, thumbprints[i % keys], ExpiresAt(iat)) != ReplayRecord.Recorded)
                {
                    refused++;
                }
            }

            // A replay within its window is refused at any load: of this second's first proof, and of one up to 290 s old.
            byte[] recent = firstOfEachSecond[second];
            byte[] older = firstOfEachSecond[Math.Max(0, second - 290)];
            replaysRefused += store.TryAdd(recent, thumbprints[0], ExpiresAt(now)) == ReplayRecord.Replayed ? 1 : 0;
            replaysRefused += store.TryAdd(older, thumbprints[0], ExpiresAt(now)) == ReplayRecord.Replayed ? 1 : 0;
            if (store.Count > peak)
            {
                peak = store.Count;
                peakBytes = store.RetainedBytes();
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }

        output.WriteLine($"{perSecond} proofs/s over {keys} keys: peak {peak:N0} records, {peakBytes / 1048576.0:F1} MiB, {(double)peakBytes / peak:F1} bytes per record");
        Assert.Equal(0, refused);
        Assert.Equal(1200, replaysRefused);
        Assert.InRange(peak, perSecond * (Offset + 1), perSecond * (Offset + Leeway + 2));
        Assert.True(peakBytes <= 128L * peak, $"{peakBytes} bytes for {peak} records");
    }

    [Fact]
    public void A_record_is_replayed_until_its_expiry_and_new_again_then()
    {
        FakeTimeProvider time = new(s_start);
        MemoryReplayStore store = new(100, 100, time, seed: 1);
        byte[] digest = Bytes(new Random(1));
        byte[] thumbprint = Bytes(new Random(2));
        long expiresAt = time.GetUtcNow().ToUnixTimeSeconds() + 10;
        Assert.Equal(ReplayRecord.Recorded, store.TryAdd(digest, thumbprint, expiresAt));
        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Equal(ReplayRecord.Replayed, store.TryAdd(digest, thumbprint, expiresAt));
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(ReplayRecord.Recorded, store.TryAdd(digest, thumbprint, expiresAt + 10));
        Assert.Equal(ReplayRecord.Replayed, store.TryAdd(digest, thumbprint, expiresAt + 10));
    }

    [Fact]
    public void A_digest_recorded_again_while_its_old_record_waits_in_a_bucket_is_still_refused_after_that_bucket_goes()
    {
        FakeTimeProvider time = new(s_start);
        MemoryReplayStore store = new(100, 100, time, seed: 1);
        Random random = new(3);
        byte[] thumbprint = Bytes(random);
        byte[] digest = Bytes(random);
        long now = time.GetUtcNow().ToUnixTimeSeconds();

        // Same second: one record expiring in 5 s, one in 100 s; the bucket is held until the later.
        Assert.Equal(ReplayRecord.Recorded, store.TryAdd(digest, thumbprint, now + 5));
        Assert.Equal(ReplayRecord.Recorded, store.TryAdd(Bytes(random), thumbprint, now + 100));
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(ReplayRecord.Recorded, store.TryAdd(digest, thumbprint, now + 50)); // expired: new again
        time.Advance(TimeSpan.FromSeconds(100)); // the first bucket goes; the digest's newer record (to +50) went too
        Assert.Equal(ReplayRecord.Recorded, store.TryAdd(digest, thumbprint, now + 200));
        Assert.Equal(ReplayRecord.Replayed, store.TryAdd(digest, thumbprint, now + 200));
    }

    [Fact]
    public void Concurrent_adds_of_the_same_digests_record_each_exactly_once()
    {
        FakeTimeProvider time = new(s_start);
        MemoryReplayStore store = new(100_000, 100_000, time, seed: 5);
        Random random = new(9);
        byte[][] digests = Enumerable.Range(0, 20_000).Select(_ => Bytes(random)).ToArray();
        byte[] thumbprint = Bytes(random);
        long expiresAt = ExpiresAt(time.GetUtcNow().ToUnixTimeSeconds());
        int[] recorded = new int[4];
        System.Threading.Tasks.Parallel.For(0, 4, worker =>
        {
            // Each worker walks the digests from its own starting point, so the same digest is raced from several threads.
            for (int i = 0; i < digests.Length; i++)
            {
                ReplayRecord record = store.TryAdd(digests[(i + worker * 5_000) % digests.Length], thumbprint, expiresAt);
                recorded[worker] += record == ReplayRecord.Recorded ? 1 : 0;
            }
        });

        Assert.Equal(digests.Length, recorded.Sum());
        Assert.Equal(digests.Length, store.Count);
    }

    [Fact]
    public void A_store_with_random_keys_draws_them_at_its_first_record_and_concurrent_first_records_share_them()
    {
        FakeTimeProvider time = new(s_start);
        MemoryReplayStore idle = new(100, 100, time);
        Assert.False(idle.HasKeys); // a client that never records a proof never starts the random number generator
        Assert.True(new MemoryReplayStore(100, 100, time, seed: 1).HasKeys);

        // Four threads make the first records of a fresh store at once: whichever draws the keys, every digest is held
        // once, under the keys the store kept (a record hashed under a losing racer's keys would not be found again).
        MemoryReplayStore store = new(100_000, 100_000, time);
        Random random = new(11);
        byte[][] digests = Enumerable.Range(0, 4_000).Select(_ => Bytes(random)).ToArray();
        byte[] thumbprint = Bytes(random);
        long expiresAt = ExpiresAt(time.GetUtcNow().ToUnixTimeSeconds());
        using System.Threading.Barrier start = new(4);
        int[] recorded = new int[4];
        System.Threading.Thread[] workers = Enumerable.Range(0, 4).Select(worker => new System.Threading.Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < digests.Length; i++)
            {
                recorded[worker] += store.TryAdd(digests[(i + worker * 1_000) % digests.Length], thumbprint, expiresAt) == ReplayRecord.Recorded ? 1 : 0;
            }
        })).ToArray();
        Array.ForEach(workers, worker => worker.Start());
        Array.ForEach(workers, worker => worker.Join());

        Assert.True(store.HasKeys);
        Assert.Equal(digests.Length, recorded.Sum());
        Assert.Equal(digests.Length, store.Count);
        Assert.All(digests, digest => Assert.Equal(ReplayRecord.Replayed, store.TryAdd(digest, thumbprint, expiresAt)));
    }

    // Each of the four 64-bit keys is drawn (not left zero, nor repeated from another) and two stores draw their own.
    [Fact]
    public void Random_hash_keys_are_four_distinct_draws_and_differ_from_store_to_store()
    {
        FakeTimeProvider time = new(s_start);
        ulong[] first = new MemoryReplayStore(100, 100, time).KeyValues();
        ulong[] second = new MemoryReplayStore(100, 100, time).KeyValues();
        Assert.Equal(4, first.Distinct().Count());
        Assert.DoesNotContain(0UL, first);
        Assert.Empty(first.Intersect(second));
        Assert.Equal(new MemoryReplayStore(100, 100, time, seed: 3).KeyValues(), new MemoryReplayStore(100, 100, time, seed: 3).KeyValues());
    }

    [Fact]
    public void A_full_store_refuses_without_scanning_and_sweeps_at_most_once_a_second()
    {
        FakeTimeProvider time = new(s_start);
        MemoryReplayStore store = new(1_000, 1_000, time, seed: 2);
        Random random = new(4);
        byte[] thumbprint = Bytes(random);
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        RecordNew(store, random, thumbprint, ExpiresAt(now), 1_000);

        time.Advance(TimeSpan.FromSeconds(100));
        for (int i = 0; i < 10_000; i++)
        {
            Assert.Equal(ReplayRecord.Full, store.TryAdd(Bytes(random), thumbprint, ExpiresAt(now + 100)));
        }

        Assert.Equal(0, store.Dropped);
        Assert.Equal(1, store.Sweeps);
        Assert.Equal(TimeSpan.FromSeconds(30), store.FullRetryAfter); // 201 s to the oldest expiry, capped

        time.Advance(TimeSpan.FromSeconds(200));
        for (int i = 0; i < 10_000; i++)
        {
            Assert.Equal(ReplayRecord.Full, store.TryAdd(Bytes(random), thumbprint, ExpiresAt(now + 300)));
        }

        Assert.Equal(0, store.Dropped);
        Assert.Equal(2, store.Sweeps);
        Assert.Equal(TimeSpan.FromSeconds(1), store.FullRetryAfter);

        // At the expiry each shard drops its records when next written to: the refused proofs took no place.
        time.Advance(TimeSpan.FromSeconds(1));
        RecordNew(store, random, thumbprint, ExpiresAt(now + 301), 1_000);

        Assert.Equal(1_000, store.Dropped);
        Assert.Equal(1_000, store.Count);
    }

    [Fact]
    public void Clean_up_drops_exactly_the_expired_buckets()
    {
        FakeTimeProvider time = new(s_start);
        MemoryReplayStore store = new(100_000, 100_000, time, seed: 3);
        Random random = new(5);
        byte[] thumbprint = Bytes(random);
        long start = time.GetUtcNow().ToUnixTimeSeconds();
        for (int second = 0; second < 10; second++)
        {
            RecordNew(store, random, thumbprint, ExpiresAt(start + second), 1_000);

            time.Advance(TimeSpan.FromSeconds(1));
        }

        // At start + 302 s the buckets of seconds 0 and 1 have expired (at +301 and +302), the other eight have not.
        time.Advance(TimeSpan.FromSeconds(292));
        Assert.Equal(0, store.Dropped);
        RecordNew(store, random, thumbprint, ExpiresAt(start + 302), 1_000);

        Assert.Equal(2_000, store.Dropped); // every shard was written to, so every shard dropped its two
        Assert.Equal(9_000, store.Count);
    }

    [Fact]
    public void One_key_cannot_hold_more_than_its_share_while_other_keys_keep_being_accepted()
    {
        FakeTimeProvider time = new(s_start);
        MemoryReplayStore store = new(10_000, 1_250, time, seed: 4);
        Random random = new(6);
        byte[] busy = Bytes(random);
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        int accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            ReplayRecord record = store.TryAdd(Bytes(random), busy, ExpiresAt(now));
            Assert.True(record is ReplayRecord.Recorded or ReplayRecord.KeyOverShare);
            accepted += record == ReplayRecord.Recorded ? 1 : 0;
        }

        Assert.Equal(1_250, accepted);

        // The rest of the store is the other keys': all of it, for keys not counted with the busy one.
        int others = 0;
        while (others < 10_000 - 1_250)
        {
            byte[] key = Bytes(random);
            if (store.CounterOf(key) == store.CounterOf(busy))
            {
                // Shares its counter with the busy key: refused early (the counters only overcount), never admitted past the share.
                Assert.Equal(ReplayRecord.KeyOverShare, store.TryAdd(Bytes(random), key, ExpiresAt(now)));
                continue;
            }

            Assert.Equal(ReplayRecord.Recorded, store.TryAdd(Bytes(random), key, ExpiresAt(now)));
            others++;
        }

        byte[] other;
        do
        {
            other = Bytes(random);
        }
        while (store.CounterOf(other) == store.CounterOf(busy));

        Assert.Equal(ReplayRecord.Full, store.TryAdd(Bytes(random), other, ExpiresAt(now)));
        Assert.Equal(ReplayRecord.KeyOverShare, store.TryAdd(Bytes(random), busy, ExpiresAt(now)));

        // The busy key's records expire with everyone's; its share is free again.
        time.Advance(TimeSpan.FromSeconds(Offset + 1));
        Assert.Equal(ReplayRecord.Recorded, store.TryAdd(Bytes(random), busy, ExpiresAt(now + Offset + 1)));
    }

    [Fact]
    public void Memory_follows_the_records_held_and_stays_within_its_bound_at_capacity()
    {
        FakeTimeProvider time = new(s_start);
        MemoryReplayStore store = Defaults(time);
        Random random = new(8);
        byte[][] thumbprints = Thumbprints(32, random);
        byte[] digest = new byte[32];
        long idle = store.RetainedBytes();
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        int refused = 0;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < store.Capacity; i++)
        {
            random.NextBytes(digest);
            refused += store.TryAdd(digest, thumbprints[i % 32], ExpiresAt(now)) == ReplayRecord.Recorded ? 0 : 1;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.Equal(0, refused);
        long full = store.RetainedBytes();
        Assert.Equal(ReplayRecord.Full, store.TryAdd(Bytes(random), thumbprints[0], ExpiresAt(now)));

        // Once they expire, each shard drops its records and shrinks when next written to.
        time.Advance(TimeSpan.FromSeconds(Offset + 1));
        for (int i = 0; i < 1_000; i++)
        {
            Assert.Equal(ReplayRecord.Recorded, store.TryAdd(Bytes(random), thumbprints[i % 32], ExpiresAt(now + Offset + 1)));
        }

        long drained = store.RetainedBytes();
        output.WriteLine($"idle {idle:N0} B; {store.Capacity:N0} records: {full:N0} B retained ({(double)full / store.Capacity:F1} B per record), {allocated:N0} B allocated while filling; after expiry {drained:N0} B");

        Assert.True(idle <= 128 * 1024, $"idle store: {idle} B");
        Assert.True(full <= 128L * 1024 * 1024, $"full store: {full} B");
        Assert.True(full >= (long)MemoryReplayStore.EntryBytes * store.Capacity);

        // An add allocates nothing of its own: only the arrays, which double as they fill (so at most twice what they end at).
        Assert.True(allocated <= 2 * full + (1 << 20), $"{allocated} B allocated for {full} B retained");
        Assert.True(drained <= 512 * 1024, $"drained store (1,000 records): {drained} B");
        Assert.Equal(MemoryReplayStore.EntryBytes, System.Runtime.CompilerServices.Unsafe.SizeOf<MemoryReplayStore.Entry>());
    }
}
