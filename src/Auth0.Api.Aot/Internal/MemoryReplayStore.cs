// The default DPoP replay store (RFC 9449 section 11.1): the digests of accepted proofs, in memory, per ApiClient.
//
// Layout. 32 shards, chosen by a keyed hash of the digest (a per-store random key, drawn at the first record: no client
// can aim its proofs at one shard or one probe chain). Each shard, under its own lock, holds
//   ring     Entry[] (power of two): its records in the order they were made; 40 bytes each: the 32-byte digest (four
//            ulongs, no string), the expiry, and the record's per-key counter;
//   table    ulong[] (power of two, at most half full): open addressing with linear probing over the ring; a slot is the
//            digest's 32-bit hash (top bit set, so a used slot is never 0) and the low 32 bits of the record's sequence
//            number; removal shifts the chain back (no tombstones), so chains stay short however long the store runs;
//   buckets  one per second of recording: the sequence number after its last record and the latest expiry among them.
// Every array grows and shrinks with the records held: an idle store holds almost nothing.
//
// Clean-up drops whole buckets, oldest first, once their latest expiry has passed, removing each of their records from
// the table: it costs O(records dropped), and a request never scans live records. A bucket waits for the ones before
// it, so a record is held from when it is made until at most DPoPIatOffset + DPoPIatLeeway + 2 s later (its expiry is
// at most iat + DPoPIatOffset + 1 s, with iat at most DPoPIatLeeway ahead), which bounds the rate a capacity sustains.
//
// Refusals are values and never evict: a live record is dropped only when it expires, or the proof could be replayed.
//   Replayed      the digest is held and not expired;
//   KeyOverShare  the proof's key holds its share: each thumbprint hashes (keyed) to one of a fixed array of counters,
//                 incremented per record made and decremented per record dropped. Keys that share a counter add up,
//                 so a counter only overcounts and no key ever holds more than its share; an innocent key is refused
//                 early only while it shares a counter with a key near its share (at most 1 / share counters can be).
//                 A share of the whole capacity counts nothing;
//   Full          Capacity records are held.
// Before either of the last two is answered, every shard's expired buckets are dropped (each shard otherwise drops its
// own when next written to), at most once a second, so that a refusal costs a lookup, not a scan.

using System;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Auth0.Api.Aot.Internal;

/// <summary>What <see cref="MemoryReplayStore.TryAdd"/> did with a proof.</summary>
internal enum ReplayRecord : byte
{
    /// <summary>First use: the proof is now recorded.</summary>
    Recorded,

    /// <summary>The proof is recorded and not expired: a replay.</summary>
    Replayed,

    /// <summary>The store holds its capacity of records: the proof is refused, not recorded (fail closed).</summary>
    Full,

    /// <summary>The proof's key holds its share of the store: the proof is refused, not recorded.</summary>
    KeyOverShare,
}

/// <summary>
/// The default replay store: bounded by a capacity of records and a per-key share of it, expired by whole buckets of
/// time. See the file header for the layout and its costs.
/// </summary>
/// <remarks>Thread safety: all members are safe for concurrent use.</remarks>
internal sealed class MemoryReplayStore
{
    /// <summary>Bytes of one record in the ring.</summary>
    public const int EntryBytes = 40;

    /// <summary>The longest <c>Retry-After</c> a full store answers with.</summary>
    public const int MaxRetryAfterSeconds = 30;

    private const int ShardBits = 5;
    private const uint TagBit = 0x8000_0000;
    private const int MinRing = 16;
    private const int MinTable = 32;
    private const int MinBuckets = 8;

    private readonly Shard[] _shards = new Shard[1 << ShardBits];
    private readonly int[] _keyCounts;
    private readonly int _capacity;
    private readonly int _maxPerKey;
    private readonly long _epoch;
    private readonly TimeProvider _time;
    private HashKeys? _keys;
    private int _count;
    private long _dropped;
    private long _sweeps;
    private long _sweptAt = long.MinValue;
    private int _fullRetryAfter = 1;

    /// <param name="capacity">The most records held at once.</param>
    /// <param name="maxPerKey">The most records held at once for one proof key.</param>
    /// <param name="time">The clock that expiries are compared with.</param>
    /// <param name="seed">Fixes the hash keys (tests); by default they are random, drawn at the first record (see <see cref="Keys"/>).</param>
    public MemoryReplayStore(int capacity, int maxPerKey, TimeProvider time, ulong? seed = null)
    {
        _capacity = capacity;
        _maxPerKey = maxPerKey;
        _time = time;
        _epoch = time.GetUtcNow().ToUnixTimeSeconds();
        _keyCounts = new int[Math.Clamp((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, capacity / 128)), 64, 16384)];
        if (seed is ulong fixedSeed)
        {
            _keys = new HashKeys(SplitMix(ref fixedSeed), SplitMix(ref fixedSeed), SplitMix(ref fixedSeed), SplitMix(ref fixedSeed));
        }

        for (int i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard(this);
        }

        Telemetry.Register(this);
    }

    public int Capacity => _capacity;

    public int MaxPerKey => _maxPerKey;

    /// <summary>Records held (live, or expired and waiting for their bucket to be dropped).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Records dropped by clean-up since the store was made: the work clean-up has done (tests).</summary>
    internal long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>How often a full store has swept every shard (at most once a second; tests).</summary>
    internal long Sweeps => Interlocked.Read(ref _sweeps);

    /// <summary>For <see cref="ReplayRecord.Full"/>: until the oldest bucket expires, whole seconds from 1 to <see cref="MaxRetryAfterSeconds"/>.</summary>
    public TimeSpan FullRetryAfter => TimeSpan.FromSeconds(Volatile.Read(ref _fullRetryAfter));

    /// <summary>The bytes of the arrays the store holds now (its records, tables, buckets and key counters).</summary>
    internal long RetainedBytes()
    {
        long bytes = (long)_keyCounts.Length * sizeof(int);
        foreach (Shard shard in _shards)
        {
            bytes += shard.RetainedBytes();
        }

        return bytes;
    }

    /// <summary>Records <paramref name="digest"/> until <paramref name="expiresAt"/> unless it is held, the key holds its share, or the store is full.</summary>
    /// <param name="digest">The 32-byte replay digest of the proof.</param>
    /// <param name="thumbprint">The proof key's 32-byte thumbprint: what the share is counted by.</param>
    /// <param name="expiresAt">When the proof can no longer be accepted, in Unix seconds.</param>
    public ReplayRecord TryAdd(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> thumbprint, long expiresAt)
    {
        int now = Relative(_time.GetUtcNow().ToUnixTimeSeconds());
        HashKeys keys = Keys;
        Entry entry = new()
        {
            D0 = BinaryPrimitives.ReadUInt64LittleEndian(digest),
            D1 = BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]),
            D2 = BinaryPrimitives.ReadUInt64LittleEndian(digest[16..]),
            D3 = BinaryPrimitives.ReadUInt64LittleEndian(digest[24..]),
            Expiry = Relative(expiresAt),
            Counter = CounterOf(thumbprint, keys),
        };
        uint hash = DigestHash(in entry, keys);
        Shard shard = _shards[hash >> (32 - ShardBits)];
        ReplayRecord result = shard.TryAdd(hash, in entry, now);
        if ((result is ReplayRecord.Full or ReplayRecord.KeyOverShare) && SweepAll(now))
        {
            result = shard.TryAdd(hash, in entry, now);
        }

        return result;
    }

    /// <summary>The per-key counter that counts the records of the key with this thumbprint (shared by other keys that hash alike).</summary>
    internal int CounterOf(ReadOnlySpan<byte> thumbprint) => CounterOf(thumbprint, Keys);

    /// <summary>Whether the hash keys are drawn yet: not before the first record of a store without a fixed seed (tests).</summary>
    internal bool HasKeys => Volatile.Read(ref _keys) is not null;

    /// <summary>The hash keys (drawn now if they were not yet), for the test that they are random.</summary>
    internal ulong[] KeyValues()
    {
        HashKeys keys = Keys;
        return [keys.Digest0, keys.Digest1, keys.Thumbprint0, keys.Thumbprint1];
    }

    // The hash keys, drawn at the first record: a client that never records a proof (a Bearer-only API) draws none.
    // Set once; a losing racer takes the winner's keys.
    private HashKeys Keys => Volatile.Read(ref _keys) ?? DrawKeys();

    private int CounterOf(ReadOnlySpan<byte> thumbprint, HashKeys keys) =>
        (int)(Mix(BinaryPrimitives.ReadUInt64LittleEndian(thumbprint), BinaryPrimitives.ReadUInt64LittleEndian(thumbprint[8..]), keys.Thumbprint0, keys.Thumbprint1) & (uint)(_keyCounts.Length - 1));

    // The keys only make bucket positions unpredictable (hash flooding); they are not key material. Two Guid.NewGuid
    // values are 244 random bits from the operating system's secure generator (the runtime draws version 4 GUIDs from
    // it on every platform: getrandom or arc4random on Unix, the system RNG on Windows). RandomNumberGenerator would
    // start OpenSSL's DRBG on Linux instead: 3.4 million instructions, 14 % of a seeded DPoP app's whole start
    // (docs/performance.md, issue 15), when nothing else in such an app asks OpenSSL for random bytes.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private HashKeys DrawKeys()
    {
        Span<byte> random = stackalloc byte[4 * sizeof(ulong)];
        Guid.NewGuid().TryWriteBytes(random);
        Guid.NewGuid().TryWriteBytes(random[16..]);
        HashKeys drawn = new(
            BinaryPrimitives.ReadUInt64LittleEndian(random),
            BinaryPrimitives.ReadUInt64LittleEndian(random[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(random[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(random[24..]));
        return Interlocked.CompareExchange(ref _keys, drawn, null) ?? drawn;
    }

    // Drops every shard's expired buckets (each shard otherwise drops its own when next written to) and notes when the
    // oldest remaining one expires; at most once a second, so that a burst of refusals costs one lookup each. Whether
    // it ran (then the add is tried again).
    private bool SweepAll(int now)
    {
        if (Interlocked.Exchange(ref _sweptAt, now) == now)
        {
            return false;
        }

        Interlocked.Increment(ref _sweeps);
        int oldest = int.MaxValue;
        foreach (Shard shard in _shards)
        {
            oldest = Math.Min(oldest, shard.Sweep(now));
        }

        Volatile.Write(ref _fullRetryAfter, oldest == int.MaxValue ? 1 : (int)Math.Clamp((long)oldest - now, 1, MaxRetryAfterSeconds));
        return true;
    }

    // A place for one more record of the key counted by counter, or the refusal.
    // A share of the whole capacity is no limit, so that a full store is then Full, not KeyOverShare.
    private ReplayRecord Reserve(int counter)
    {
        if (_maxPerKey < _capacity && Interlocked.Increment(ref _keyCounts[counter]) > _maxPerKey)
        {
            Interlocked.Decrement(ref _keyCounts[counter]);
            return ReplayRecord.KeyOverShare;
        }

        if (Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            Release(counter);
            return ReplayRecord.Full;
        }

        return ReplayRecord.Recorded;
    }

    private void Release(int counter)
    {
        if (_maxPerKey < _capacity)
        {
            Interlocked.Decrement(ref _keyCounts[counter]);
        }
    }

    private void Released(int records)
    {
        Interlocked.Add(ref _count, -records);
        Interlocked.Add(ref _dropped, records);
    }

    private int Relative(long unixSeconds) => (int)Math.Clamp(unixSeconds - _epoch, int.MinValue, int.MaxValue);

    private static uint DigestHash(in Entry entry, HashKeys keys) => Mix(entry.D0, entry.D1, keys.Digest0, keys.Digest1);

    // Only a store that holds records calls this, so its keys are drawn.
    private uint DigestHash(in Entry entry) => DigestHash(in entry, _keys!);

    // A keyed mix of 128 bits of a SHA-256 output into 32. The inputs are already uniform; the keys make the result
    // unpredictable to a client choosing its jti, so it cannot aim records at one shard, probe chain or counter.
    private static uint Mix(ulong a, ulong b, ulong key0, ulong key1)
    {
        unchecked
        {
            ulong h = (a ^ key0) * 0x9E3779B97F4A7C15UL;
            h ^= h >> 29;
            h = (h ^ b ^ key1) * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 32;
            return (uint)h;
        }
    }

    // SplitMix64 (Steele, Lea and Flood), to spread a test's fixed seed into the four keys.
    private static ulong SplitMix(ref ulong state)
    {
        unchecked
        {
            ulong z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    // A table slot: the digest's hash with the top bit set (never 0), and the low 32 bits of the record's sequence
    // number, which name the record: no two records held at once have the same ones.
    private static ulong SlotValue(uint hash, long sequence) => ((ulong)(hash | TagBit) << 32) | ((ulong)sequence & 0xFFFF_FFFFUL);

    // Where a record lives in a ring of this (power of two) length: the low bits of its sequence number, which a
    // slot's low 32 bits carry too.
    private static int RingIndex(long sequence, int length) => (int)(sequence & (length - 1));

    private static int RingIndex(ulong slot, int length) => (int)(slot & (uint)(length - 1));

    /// <summary>The keys of the digest hash (shard, table slot) and of the thumbprint hash (per-key counter).</summary>
    private sealed class HashKeys(ulong digest0, ulong digest1, ulong thumbprint0, ulong thumbprint1)
    {
        public readonly ulong Digest0 = digest0;
        public readonly ulong Digest1 = digest1;
        public readonly ulong Thumbprint0 = thumbprint0;
        public readonly ulong Thumbprint1 = thumbprint1;
    }

    /// <summary>One record: the digest, its expiry (seconds since the store was made) and its key counter.</summary>
    internal struct Entry
    {
        public ulong D0;
        public ulong D1;
        public ulong D2;
        public ulong D3;
        public int Expiry;
        public int Counter;

        public readonly bool SameDigest(in Entry other) => D0 == other.D0 && D1 == other.D1 && D2 == other.D2 && D3 == other.D3;
    }

    /// <summary>The records made in one second: the sequence number after the last, and the latest expiry among them.</summary>
    private struct Bucket
    {
        public long End;
        public int Second;
        public int LatestExpiry;
    }

    /// <summary>One shard: its records, their table and their buckets, under its own lock.</summary>
    private sealed class Shard(MemoryReplayStore owner)
    {
        private Entry[] _ring = [];
        private ulong[] _table = [];
        private Bucket[] _buckets = [];
        private long _head;
        private long _tail;
        private int _used;
        private int _bucketHead;
        private int _bucketCount;

        public long RetainedBytes()
        {
            lock (this)
            {
                return (long)_ring.Length * EntryBytes + (long)_table.Length * sizeof(ulong) + (long)_buckets.Length * 16;
            }
        }

        public ReplayRecord TryAdd(uint hash, in Entry entry, int now)
        {
            lock (this)
            {
                if (_bucketCount != 0 && _buckets[_bucketHead].LatestExpiry <= now)
                {
                    Drop(now);
                }

                int slot = Find(hash, in entry, out int free);
                if (slot >= 0 && _ring[RingIndex(_table[slot], _ring.Length)].Expiry > now)
                {
                    return ReplayRecord.Replayed;
                }

                ReplayRecord reserved = owner.Reserve(entry.Counter);
                if (reserved != ReplayRecord.Recorded)
                {
                    return reserved;
                }

                if (_tail - _head == _ring.Length)
                {
                    ResizeRing(Math.Max(MinRing, _ring.Length * 2));
                }

                long sequence = _tail++;
                _ring[RingIndex(sequence, _ring.Length)] = entry;
                Track(sequence, now, entry.Expiry);

                // A digest held but expired (its bucket waits for an older one) is recorded again: its slot now names
                // the new record, and the old one is skipped when its bucket is dropped.
                ulong value = SlotValue(hash, sequence);
                if (slot >= 0)
                {
                    _table[slot] = value;
                    return ReplayRecord.Recorded;
                }

                if ((_used + 1) * 2 > _table.Length)
                {
                    ResizeTable(Math.Max(MinTable, _table.Length * 2));
                    Find(hash, in entry, out free);
                }

                _table[free] = value;
                _used++;
                return ReplayRecord.Recorded;
            }
        }

        /// <summary>Drops the expired buckets; returns the expiry of the oldest bucket left (<see cref="int.MaxValue"/> if none).</summary>
        public int Sweep(int now)
        {
            lock (this)
            {
                if (_bucketCount != 0 && _buckets[_bucketHead].LatestExpiry <= now)
                {
                    Drop(now);
                }

                return _bucketCount == 0 ? int.MaxValue : _buckets[_bucketHead].LatestExpiry;
            }
        }

        // The slot holding the digest (or -1), and where the probe met an empty slot (-1 for an empty table).
        private int Find(uint hash, in Entry entry, out int free)
        {
            ulong[] table = _table;
            if (table.Length == 0)
            {
                free = -1;
                return -1;
            }

            int mask = table.Length - 1;
            uint tag = hash | TagBit;
            for (int i = (int)(hash & (uint)mask); ; i = (i + 1) & mask)
            {
                ulong slot = table[i];
                if (slot == 0)
                {
                    free = i;
                    return -1;
                }

                if ((uint)(slot >> 32) == tag && _ring[RingIndex(slot, _ring.Length)].SameDigest(in entry))
                {
                    free = -1;
                    return i;
                }
            }
        }

        // Drops the oldest buckets while their latest expiry has passed: O(records dropped).
        private void Drop(int now)
        {
            int dropped = 0;
            while (_bucketCount != 0)
            {
                long end = _buckets[_bucketHead].End;
                if (_buckets[_bucketHead].LatestExpiry > now)
                {
                    break;
                }

                for (; _head < end; _head++)
                {
                    ref Entry record = ref _ring[RingIndex(_head, _ring.Length)];
                    owner.Release(record.Counter);
                    Remove(owner.DigestHash(in record), _head);
                    record = default;
                    dropped++;
                }

                _buckets[_bucketHead] = default;
                _bucketHead = (_bucketHead + 1) & (_buckets.Length - 1);
                _bucketCount--;
            }

            owner.Released(dropped);
            Shrink();
        }

        // Removes the slot naming this record, if it still does (a digest recorded again names the newer one), and
        // shifts the rest of its chain back so that no probe needs a tombstone.
        private void Remove(uint hash, long sequence)
        {
            ulong[] table = _table;
            int mask = table.Length - 1;
            ulong value = SlotValue(hash, sequence);
            int i = (int)(hash & (uint)mask);
            while (table[i] != value)
            {
                if (table[i] == 0)
                {
                    return;
                }

                i = (i + 1) & mask;
            }

            for (int j = (i + 1) & mask; table[j] != 0; j = (j + 1) & mask)
            {
                // The slot at j may fill the hole at i if i lies on its probe path, from its home to j.
                int home = (int)((table[j] >> 32) & (uint)mask);
                if (((j - home) & mask) >= ((j - i) & mask))
                {
                    table[i] = table[j];
                    i = j;
                }
            }

            table[i] = 0;
            _used--;
        }

        private void Track(long sequence, int now, int expiry)
        {
            if (_bucketCount != 0)
            {
                ref Bucket last = ref _buckets[(_bucketHead + _bucketCount - 1) & (_buckets.Length - 1)];
                if (last.Second >= now)
                {
                    last.End = sequence + 1;
                    last.LatestExpiry = Math.Max(last.LatestExpiry, expiry);
                    return;
                }
            }

            if (_bucketCount == _buckets.Length)
            {
                ResizeBuckets(Math.Max(MinBuckets, _buckets.Length * 2));
            }

            _buckets[(_bucketHead + _bucketCount) & (_buckets.Length - 1)] = new Bucket { End = sequence + 1, Second = now, LatestExpiry = expiry };
            _bucketCount++;
        }

        // Halves what is at most a quarter used (the table: an eighth), so memory follows the records held.
        private void Shrink()
        {
            while (_ring.Length > MinRing && _tail - _head <= _ring.Length / 4)
            {
                ResizeRing(_ring.Length / 2);
            }

            while (_table.Length > MinTable && _used * 8 <= _table.Length)
            {
                ResizeTable(_table.Length / 2);
            }

            while (_buckets.Length > MinBuckets && _bucketCount <= _buckets.Length / 4)
            {
                ResizeBuckets(_buckets.Length / 2);
            }
        }

        // Records keep their sequence numbers; each moves to its place under the new mask, so the table is unchanged.
        private void ResizeRing(int length)
        {
            Entry[] ring = new Entry[length];
            for (long sequence = _head; sequence < _tail; sequence++)
            {
                ring[RingIndex(sequence, length)] = _ring[RingIndex(sequence, _ring.Length)];
            }

            _ring = ring;
        }

        // Every slot carries its hash, so rehashing reads no record.
        private void ResizeTable(int length)
        {
            ulong[] table = new ulong[length];
            int mask = length - 1;
            foreach (ulong slot in _table)
            {
                if (slot != 0)
                {
                    int i = (int)((slot >> 32) & (uint)mask);
                    while (table[i] != 0)
                    {
                        i = (i + 1) & mask;
                    }

                    table[i] = slot;
                }
            }

            _table = table;
        }

        private void ResizeBuckets(int length)
        {
            Bucket[] buckets = new Bucket[length];
            for (int i = 0; i < _bucketCount; i++)
            {
                buckets[i] = _buckets[(_bucketHead + i) & (_buckets.Length - 1)];
            }

            _buckets = buckets;
            _bucketHead = 0;
        }
    }
}
