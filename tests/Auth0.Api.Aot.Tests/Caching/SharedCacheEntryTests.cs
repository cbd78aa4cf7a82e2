using System;
using System.Linq;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Tests.Caching;

/// <summary>The shared-cache entry reader on its own: every field checked, and thousands of mutations.</summary>
public sealed class SharedCacheEntryTests
{
    private const string Key = "auth0-api-aot:v2:jwks:https://tenant.example.com/.well-known/jwks.json";
    private static readonly DateTimeOffset s_now = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly long s_nowMs = s_now.ToUnixTimeMilliseconds();
    private static readonly TimeSpan s_cacheTtl = TimeSpan.FromMinutes(10);
    private static readonly byte[] s_body = "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}"u8.ToArray();

    private static byte[] Good => SharedCacheEntry.Create(Key, SharedDocumentKind.Jwks, s_now, TimeSpan.FromMinutes(5), s_body);

    private static bool Read(byte[] value, out byte[]? body, out TimeSpan remaining) =>
        SharedCacheEntry.TryRead(value, Key, SharedDocumentKind.Jwks, s_now, s_cacheTtl, out body, out remaining);

    [Fact]
    public void A_written_entry_reads_back_with_its_remaining_lifetime()
    {
        Assert.True(Read(Good, out byte[]? body, out TimeSpan remaining));
        Assert.Equal(s_body, body);
        Assert.Equal(TimeSpan.FromMinutes(5), remaining);

        Assert.True(SharedCacheEntry.TryRead(Good, Key, SharedDocumentKind.Jwks, s_now.AddMinutes(4), s_cacheTtl, out _, out remaining));
        Assert.Equal(TimeSpan.FromMinutes(1), remaining);
    }

    [Fact]
    public void A_signed_entry_reads_only_under_the_key_it_was_written_with_and_an_unsigned_one_never_with_a_key()
    {
        byte[] fleetKey = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
        byte[] otherKey = [.. Enumerable.Range(2, 32).Select(i => (byte)i)];
        byte[] signed = SharedCacheEntry.Create(Key, SharedDocumentKind.Jwks, s_now, TimeSpan.FromMinutes(5), s_body, fleetKey);
        Assert.Equal(SharedCacheEntry.SignedFormatVersion, signed[4]);
        Assert.True(SharedCacheEntry.TryRead(signed, Key, SharedDocumentKind.Jwks, s_now, s_cacheTtl, out byte[]? body, out _, fleetKey));
        Assert.Equal(s_body, body);
        Assert.False(SharedCacheEntry.TryRead(signed, Key, SharedDocumentKind.Jwks, s_now, s_cacheTtl, out _, out _, otherKey));
        Assert.False(SharedCacheEntry.TryRead(signed, Key, SharedDocumentKind.Jwks, s_now, s_cacheTtl, out _, out _));
        Assert.False(SharedCacheEntry.TryRead(signed, Key + "x", SharedDocumentKind.Jwks, s_now, s_cacheTtl, out _, out _, fleetKey));
        Assert.False(SharedCacheEntry.TryRead(Good, Key, SharedDocumentKind.Jwks, s_now, s_cacheTtl, out _, out _, fleetKey));

        // A version-3 entry with the unkeyed checksum, or a version-2 entry with the MAC, reads under neither.
        byte[] checksummedAsSigned = SharedCacheEntry.CreateRaw(Key, SharedCacheEntry.SignedFormatVersion, (byte)SharedDocumentKind.Jwks, s_nowMs, s_nowMs + 60_000, s_body);
        byte[] signedAsChecksummed = SharedCacheEntry.CreateRaw(Key, SharedCacheEntry.FormatVersion, (byte)SharedDocumentKind.Jwks, s_nowMs, s_nowMs + 60_000, s_body, fleetKey);
        foreach (byte[] entry in new[] { checksummedAsSigned, signedAsChecksummed })
        {
            Assert.False(SharedCacheEntry.TryRead(entry, Key, SharedDocumentKind.Jwks, s_now, s_cacheTtl, out _, out _, fleetKey));
            Assert.False(SharedCacheEntry.TryRead(entry, Key, SharedDocumentKind.Jwks, s_now, s_cacheTtl, out _, out _));
        }

        // One bit in seven, flipped, across the whole signed entry: each is a miss.
        for (int bit = 0; bit < signed.Length * 8; bit += 7)
        {
            byte[] flipped = (byte[])signed.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(SharedCacheEntry.TryRead(flipped, Key, SharedDocumentKind.Jwks, s_now, s_cacheTtl, out _, out _, fleetKey), "bit " + bit);
        }
    }

    [Fact]
    public void Another_instances_clock_may_be_a_little_ahead()
    {
        byte[] ahead = SharedCacheEntry.Create(Key, SharedDocumentKind.Jwks, s_now.AddMinutes(4), TimeSpan.FromMinutes(5), s_body);
        Assert.True(Read(ahead, out _, out TimeSpan remaining));
        Assert.Equal(TimeSpan.FromMinutes(9), remaining);
    }

    [Fact]
    public void A_lifetime_beyond_the_representable_range_is_clamped_when_written()
    {
        byte[] value = SharedCacheEntry.Create(Key, SharedDocumentKind.Jwks, s_now, TimeSpan.MaxValue, s_body);
        Assert.False(Read(value, out _, out _));
        Assert.True(SharedCacheEntry.TryRead(value, Key, SharedDocumentKind.Jwks, s_now, TimeSpan.MaxValue, out _, out TimeSpan remaining));
        Assert.True(remaining > TimeSpan.FromDays(365 * 7000));
    }

    public static TheoryData<string> Forged => new()
    {
        "expires at long.MaxValue",
        "expires after year 9999",
        "expires at -1",
        "expires at long.MinValue",
        "fetched at -1",
        "fetched at long.MinValue",
        "fetched and expires at long.MaxValue",
        "fetched far in the future",
        "fetched beyond the clock skew",
        "expired",
        "expires now",
        "expires when fetched",
        "expires before fetched",
        "a lifetime above CacheTtl",
        "a lifetime of ten years",
        "format version 1",
        "format version 3",
        "another kind",
        "an unknown kind",
        "written under another key",
        "wrong magic",
        "a body length one short",
        "a body length one long",
        "a negative body length",
        "a trailing byte",
        "an empty body",
        "a body larger than a document may be",
        "a flipped digest bit",
        "a flipped body bit",
    };

    [Theory]
    [MemberData(nameof(Forged))]
    public void A_forged_or_damaged_entry_is_a_miss(string entry)
    {
        long hour = 3_600_000;
        byte[] value = entry switch
        {
            "expires at long.MaxValue" => Raw(expiresAt: long.MaxValue),
            "expires after year 9999" => Raw(expiresAt: 253_402_300_800_000),
            "expires at -1" => Raw(expiresAt: -1),
            "expires at long.MinValue" => Raw(expiresAt: long.MinValue),
            "fetched at -1" => Raw(fetchedAt: -1),
            "fetched at long.MinValue" => Raw(fetchedAt: long.MinValue),
            "fetched and expires at long.MaxValue" => Raw(fetchedAt: long.MaxValue - 1, expiresAt: long.MaxValue),
            "fetched far in the future" => Raw(fetchedAt: s_nowMs + (1000 * hour), expiresAt: s_nowMs + (1000 * hour) + 60_000),
            "fetched beyond the clock skew" => Raw(fetchedAt: s_nowMs + 300_001, expiresAt: s_nowMs + 360_000),
            "expired" => Raw(fetchedAt: s_nowMs - hour, expiresAt: s_nowMs - 1),
            "expires now" => Raw(fetchedAt: s_nowMs - 60_000, expiresAt: s_nowMs),
            "expires when fetched" => Raw(fetchedAt: s_nowMs + 1000, expiresAt: s_nowMs + 1000),
            "expires before fetched" => Raw(fetchedAt: s_nowMs + 2000, expiresAt: s_nowMs + 1000),
            "a lifetime above CacheTtl" => Raw(expiresAt: s_nowMs + (long)s_cacheTtl.TotalMilliseconds + 1),
            "a lifetime of ten years" => Raw(expiresAt: s_nowMs + (87_600 * hour)),
            "format version 1" => Raw(version: 1),
            "format version 3" => Raw(version: 3),
            "another kind" => Raw(kind: (byte)SharedDocumentKind.Discovery),
            "an unknown kind" => Raw(kind: (byte)'X'),
            "written under another key" => Raw(key: "auth0-api-aot:v2:jwks:https://other.example.com/.well-known/jwks.json"),
            "wrong magic" => Patched(Good, 0, (byte)'B'),
            "a body length one short" => Patched(Good, 25, (byte)(s_body.Length - 1)),
            "a body length one long" => Patched(Good, 25, (byte)(s_body.Length + 1)),
            "a negative body length" => Patched(Good, 22, 0xFF),
            "a trailing byte" => [.. Good, 0x20],
            "an empty body" => Raw(body: []),
            "a body larger than a document may be" => Raw(body: new byte[KeySource.MaxDocumentBytes + 1]),
            "a flipped digest bit" => Patched(Good, 40, (byte)(Good[40] ^ 1)),
            "a flipped body bit" => Patched(Good, SharedCacheEntry.HeaderLength + 3, (byte)(Good[SharedCacheEntry.HeaderLength + 3] ^ 0x20)),
            _ => throw new ArgumentOutOfRangeException(nameof(entry)),
        };

        Assert.False(Read(value, out byte[]? body, out TimeSpan remaining));
        Assert.Null(body);
        Assert.Equal(TimeSpan.Zero, remaining);
    }

    [Fact]
    public void Values_shorter_than_a_header_or_of_another_format_are_misses()
    {
        byte[] good = Good;
        for (int length = 0; length < good.Length; length++)
        {
            Assert.False(Read(good[..length], out _, out _));
        }

        Assert.False(Read("not a document {"u8.ToArray(), out _, out _));
        Assert.False(Read([.. new byte[8], .. s_body], out _, out _));
        Assert.False(Read(Enumerable.Repeat((byte)0xFF, 200).ToArray(), out _, out _));
    }

    // Issue 12 asks that the cache-entry reader be fuzzed: a fixed seed, thousands of mutations. Nothing may throw, and a
    // value whose bytes changed is never accepted (the digest covers every byte but itself, and the digest bytes too
    // are compared).
    [Fact]
    public void Thousands_of_mutations_never_throw_and_are_never_accepted()
    {
        byte[] good = Good;
        Random random = new(12_345);
        int changed = 0;
        for (int i = 0; i < 5000; i++)
        {
            byte[] mutated = Mutations.Mutate(good, random);
            bool accepted = Read(mutated, out byte[]? body, out TimeSpan remaining);
            if (mutated.AsSpan().SequenceEqual(good))
            {
                Assert.True(accepted);
                continue;
            }

            changed++;
            Assert.False(accepted, "mutation " + i + " was accepted");
            Assert.Null(body);
            Assert.Equal(TimeSpan.Zero, remaining);
        }

        Assert.True(changed > 4500);
    }

    private static byte[] Raw(string key = Key, byte version = SharedCacheEntry.FormatVersion, byte kind = (byte)SharedDocumentKind.Jwks, long? fetchedAt = null, long? expiresAt = null, byte[]? body = null) =>
        SharedCacheEntry.CreateRaw(key, version, kind, fetchedAt ?? s_nowMs, expiresAt ?? s_nowMs + 60_000, body ?? s_body);

    private static byte[] Patched(byte[] value, int offset, byte replacement)
    {
        byte[] patched = [.. value];
        patched[offset] = replacement;
        return patched;
    }
}
