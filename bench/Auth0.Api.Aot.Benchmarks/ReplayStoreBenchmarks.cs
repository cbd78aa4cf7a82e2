using System;
using System.Buffers.Binary;
using Auth0.Api.Aot.Internal;
using BenchmarkDotNet.Attributes;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// The in-memory DPoP replay store's add, the last step of every accepted DPoP request, with the default capacity and
/// share: a first use at a steady 5,000 proofs per (simulated) second, so about 1.66 million records are held and
/// every second's bucket is dropped as it expires, clean-up included in the cost; and, on a full store of 2 million
/// records, a replay and a refusal, which must cost about what an accepted add does (the store this one replaces
/// scanned every entry under a lock to refuse).
/// </summary>
/// <remarks>
/// Each store reads its own clock. <see cref="SteppingClock"/> advances one second every 5,000 reads, so an add is one
/// proof of a 5,000 proofs/s stream whatever the machine's speed; the full store's clock is frozen, so nothing in it
/// ever expires. Digests are distinct counters (the store hashes them with a keyed mix); 64 client keys take turns.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(NoisyMachineConfig))]
public class ReplayStoreBenchmarks
{
    private const int PerSecond = 5_000;
    private const int Keys = 64;

    private readonly byte[] _digest = new byte[32];
    private readonly byte[][] _thumbprints = new byte[Keys][];
    private SteppingClock _clock = null!;
    private MemoryReplayStore _steady = null!;
    private MemoryReplayStore _full = null!;
    private long _fullExpiry;
    private long _fullFirst;
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        Random random = new(1);
        for (int i = 0; i < Keys; i++)
        {
            _thumbprints[i] = new byte[32];
            random.NextBytes(_thumbprints[i]);
        }

        int maxPerKey = (int)(ApiClientOptions.DefaultDPoPReplayCapacity * ApiClientOptions.DefaultDPoPReplayMaxKeyShare);
        _clock = new SteppingClock(DateTimeOffset.UtcNow, PerSecond);
        _steady = new MemoryReplayStore(ApiClientOptions.DefaultDPoPReplayCapacity, maxPerKey, _clock);

        // Reach the steady state (records expiring as fast as they come) before anything is measured: 340 s of proofs.
        for (int i = 0; i < 340 * PerSecond; i++)
        {
            Require(FirstUse() == (int)ReplayRecord.Recorded);
        }

        FrozenClock frozen = new(DateTimeOffset.UtcNow);
        _fullExpiry = frozen.GetUtcNow().ToUnixTimeSeconds() + 301;
        _full = new MemoryReplayStore(ApiClientOptions.DefaultDPoPReplayCapacity, ApiClientOptions.DefaultDPoPReplayCapacity, frozen);
        _fullFirst = _next;
        for (int i = 0; i < ApiClientOptions.DefaultDPoPReplayCapacity; i++)
        {
            Require(_full.TryAdd(NextDigest(), _thumbprints[i % Keys], _fullExpiry) == ReplayRecord.Recorded);
        }

        Require(Refused() == (int)ReplayRecord.Full);
        Require(FirstUse() == (int)ReplayRecord.Recorded);
        Require(Replayed() == (int)ReplayRecord.Replayed);
    }

    [Benchmark(Baseline = true)]
    public int FirstUse()
    {
        long i = _next;
        return (int)_steady.TryAdd(NextDigest(), _thumbprints[i % Keys], _clock.Seconds + 301);
    }

    [Benchmark]
    public int Replayed()
    {
        BinaryPrimitives.WriteInt64LittleEndian(_digest, _fullFirst);
        return (int)_full.TryAdd(_digest, _thumbprints[0], _fullExpiry);
    }

    [Benchmark]
    public int Refused() => (int)_full.TryAdd(NextDigest(), _thumbprints[_next % Keys], _fullExpiry);

    private byte[] NextDigest()
    {
        BinaryPrimitives.WriteInt64LittleEndian(_digest, _next++);
        return _digest;
    }

    private static void Require(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("setup: the store did not answer as expected");
        }
    }

    /// <summary>A clock that moves one second every <c>perSecond</c> reads: a steady stream of proofs, simulated.</summary>
    private sealed class SteppingClock(DateTimeOffset start, int perSecond) : TimeProvider
    {
        private long _reads;

        /// <summary>The current second, in Unix seconds, without counting as a read.</summary>
        public long Seconds => start.ToUnixTimeSeconds() + (_reads / perSecond);

        public override DateTimeOffset GetUtcNow() => start.AddSeconds(_reads++ / perSecond);
    }
}
