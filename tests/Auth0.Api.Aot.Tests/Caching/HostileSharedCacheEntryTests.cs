using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Auth0.Api.Aot.Internal;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Caching;

/// <summary>
/// Issue 12 item 13: what comes out of a shared cache is untrusted input. A corrupt, truncated, foreign or forged entry
/// is ignored: the request succeeds with a fetched document, which overwrites the entry. Every case goes through a real
/// verification against the loopback issuer.
/// </summary>
public sealed class HostileSharedCacheEntryTests : FakeClockIssuerTests
{
    private readonly RecordingCacheAdapter _shared = new();
    private string _discoveryKey = string.Empty;
    private string _jwksKey = string.Empty;
    private byte[] _goodDiscovery = [];
    private byte[] _goodJwks = [];

    // One instance fills the shared cache with the entries this library writes.
    private async Task SeedAsync()
    {
        using (ApiClient seeding = Client(o => o.Cache = _shared))
        {
            Assert.True((await seeding.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        }

        _discoveryKey = _shared.KeyContaining(":discovery:");
        _jwksKey = _shared.KeyContaining(":jwks:");
        _goodDiscovery = _shared[_discoveryKey]!;
        _goodJwks = _shared[_jwksKey]!;
        H.Issuer.ResetCounts();
    }

    private Task<RequestVerificationResult> VerifyAsync(ApiClient client) =>
        client.TryVerifyRequestAsync("Bearer " + H.Token(), null, "GET", "https://api.example.com/").AsTask();

    // The hostile value is put under the key; a new instance verifies a request (which must succeed and fetch the
    // document), the value is replaced, and the instance after it verifies from the shared cache with no request.
    private async Task AssertIgnoredAndOverwrittenAsync(string key, byte[] hostile)
    {
        _shared[key] = hostile;
        int before = H.Issuer.TotalRequests;
        using (ApiClient client = Client(o => o.Cache = _shared))
        {
            RequestVerificationResult result = await VerifyAsync(client);
            Assert.True(result.IsValid, result.Error?.Message);
        }

        int after = H.Issuer.TotalRequests;
        Assert.True(after > before, "the hostile entry was used instead of a fetched document");
        Assert.False(hostile.AsSpan().SequenceEqual(_shared[key]), "the hostile entry was not overwritten");

        using ApiClient next = Client(o => o.Cache = _shared);
        RequestVerificationResult fromShared = await VerifyAsync(next);
        Assert.True(fromShared.IsValid, fromShared.Error?.Message);
        Assert.Equal(after, H.Issuer.TotalRequests);
    }

    public static TheoryData<string, string> Hostile => new()
    {
        { "not a document {", "discovery" },
        { "not a document {", "jwks" },
        { "empty", "discovery" },
        { "empty", "jwks" },
        { "one byte", "jwks" },
        { "eight bytes", "discovery" },
        { "0xFF bytes", "discovery" },
        { "zero bytes", "jwks" },
        { "valid JSON of another shape", "discovery" },
        { "valid JSON of another shape", "jwks" },
        { "a JSON array", "jwks" },
        { "a JWKS without keys", "jwks" },
        { "a raw discovery document", "discovery" },
        { "a raw JWKS", "jwks" },
        { "larger than a document may be", "jwks" },
        { "the other document's entry", "discovery" },
        { "the other document's entry", "jwks" },
    };

    // Before the fix: the first eight bytes were read as an expiry, so most of these threw ArgumentOutOfRangeException
    // ("TimeSpan overflowed") out of TryVerifyRequestAsync, and an entry moved to another key was used.
    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_hostile_entry_is_ignored_the_request_succeeds_and_the_entry_is_overwritten(string entry, string document)
    {
        await SeedAsync();
        string key = document == "discovery" ? _discoveryKey : _jwksKey;
        byte[] other = document == "discovery" ? _goodJwks : _goodDiscovery;
        byte[] hostile = entry switch
        {
            "empty" => [],
            "one byte" => [0x7B],
            "eight bytes" => "{\"a\":1}\n"u8.ToArray(),
            "0xFF bytes" => Enumerable.Repeat((byte)0xFF, 64).ToArray(),
            "zero bytes" => new byte[64],
            "valid JSON of another shape" => "{\"kind\":\"other\",\"value\":[1,2,3]}"u8.ToArray(),
            "a JSON array" => "[1,2,3]"u8.ToArray(),
            "a JWKS without keys" => "{\"keys\":[]}"u8.ToArray(),
            "a raw discovery document" => Encoding.UTF8.GetBytes(H.Issuer.DiscoveryJson()),
            "a raw JWKS" => Encoding.UTF8.GetBytes(H.Issuer.JwksJson()),
            "larger than a document may be" => [.. _goodJwks, .. new byte[(2 * 1024 * 1024) - _goodJwks.Length]],
            "the other document's entry" => other,
            _ => Encoding.UTF8.GetBytes(entry),
        };

        await AssertIgnoredAndOverwrittenAsync(key, hostile);
    }

    public static TheoryData<string, string> Forged => new()
    {
        { "expires at long.MaxValue", "discovery" },
        { "expires at long.MaxValue", "jwks" },
        { "expires at -1", "jwks" },
        { "fetched at long.MinValue", "discovery" },
        { "fetched far in the future", "jwks" },
        { "a lifetime above CacheTtl", "discovery" },
        { "format version 1", "jwks" },
        { "another kind", "discovery" },
        { "valid JSON of another shape", "discovery" },
        { "valid JSON of another shape", "jwks" },
        { "a JWKS without usable keys", "jwks" },
        { "a discovery document naming another issuer", "discovery" },
        { "a discovery document without jwks_uri", "discovery" },
        { "not JSON", "jwks" },
    };

    // Entries with an intact digest (as only a writer of the store could make them) and a field or a document that is
    // wrong: still a miss, then fetched and overwritten.
    [Theory]
    [MemberData(nameof(Forged))]
    public async Task A_forged_entry_is_ignored_the_request_succeeds_and_the_entry_is_overwritten(string entry, string document)
    {
        await SeedAsync();
        bool discovery = document == "discovery";
        string key = discovery ? _discoveryKey : _jwksKey;
        byte kind = (byte)(discovery ? SharedDocumentKind.Discovery : SharedDocumentKind.Jwks);
        long now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        byte[] goodBody = (discovery ? _goodDiscovery : _goodJwks)[SharedCacheEntry.HeaderLength..];
        byte[] Forge(byte[]? body = null, long? fetchedAt = null, long? expiresAt = null, byte version = SharedCacheEntry.FormatVersion, byte? kindByte = null) =>
            SharedCacheEntry.CreateRaw(key, version, kindByte ?? kind, fetchedAt ?? now, expiresAt ?? now + 60_000, body ?? goodBody);

        byte[] hostile = entry switch
        {
            "expires at long.MaxValue" => Forge(expiresAt: long.MaxValue),
            "expires at -1" => Forge(expiresAt: -1),
            "fetched at long.MinValue" => Forge(fetchedAt: long.MinValue),
            "fetched far in the future" => Forge(fetchedAt: now + 86_400_000, expiresAt: now + 86_460_000),
            "a lifetime above CacheTtl" => Forge(expiresAt: now + 601_000),
            "format version 1" => Forge(version: 1),
            "another kind" => Forge(kindByte: (byte)SharedDocumentKind.Jwks),
            "valid JSON of another shape" => Forge(body: "{\"kind\":\"other\",\"value\":[1,2,3]}"u8.ToArray()),
            "a JWKS without usable keys" => Forge(body: "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}"u8.ToArray()),
            "a discovery document naming another issuer" => Forge(body: Encoding.UTF8.GetBytes("{\"issuer\":\"https://other.example.com/\",\"jwks_uri\":\"" + H.Issuer.JwksUri + "\"}")),
            "a discovery document without jwks_uri" => Forge(body: Encoding.UTF8.GetBytes("{\"issuer\":\"" + H.Issuer.Issuer + "\"}")),
            "not JSON" => Forge(body: "not a document {"u8.ToArray()),
            _ => throw new ArgumentOutOfRangeException(nameof(entry)),
        };

        await AssertIgnoredAndOverwrittenAsync(key, hostile);
    }

    // A writer of the store who plants a key set of their own (TestKeys.Other, which the issuer never published), with a
    // digest that checks: an instance without a CacheSigningKey trusts it, so a token signed with that key verifies. With
    // a key, neither a checksummed entry nor one authenticated under another key is read: the keys come from the issuer.
    [Fact]
    public async Task With_a_CacheSigningKey_a_key_set_planted_in_the_store_is_never_trusted()
    {
        byte[] fleetKey = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
        byte[] otherKey = [.. Enumerable.Range(101, 32).Select(i => (byte)i)];
        using (ApiClient seeding = Client(o => (o.Cache, o.CacheSigningKey) = (_shared, fleetKey)))
        {
            Assert.True((await seeding.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        }

        string jwksKey = _shared.KeyContaining(":jwks:");
        Assert.Equal(SharedCacheEntry.SignedFormatVersion, _shared[jwksKey]![4]);
        string forgedToken = H.Token(key: TestKeys.Other);
        byte[] planted = Encoding.UTF8.GetBytes("{\"keys\":[" + TestKeys.Other.PublicJwk().ToJson() + "]}");
        long now = Time.GetUtcNow().ToUnixTimeMilliseconds();

        // Without a key, the planted set is trusted: the risk docs/caching.md describes.
        _shared[jwksKey] = SharedCacheEntry.CreateRaw(jwksKey, SharedCacheEntry.FormatVersion, (byte)SharedDocumentKind.Jwks, now, now + 60_000, planted);
        using (ApiClient unkeyed = Client(o => o.Cache = _shared))
        {
            Assert.True((await unkeyed.TryVerifyAccessTokenAsync(forgedToken)).IsValid);
        }

        foreach (byte[] entry in new[]
        {
            SharedCacheEntry.CreateRaw(jwksKey, SharedCacheEntry.FormatVersion, (byte)SharedDocumentKind.Jwks, now, now + 60_000, planted),
            SharedCacheEntry.CreateRaw(jwksKey, SharedCacheEntry.SignedFormatVersion, (byte)SharedDocumentKind.Jwks, now, now + 60_000, planted),
            SharedCacheEntry.CreateRaw(jwksKey, SharedCacheEntry.SignedFormatVersion, (byte)SharedDocumentKind.Jwks, now, now + 60_000, planted, otherKey),
        })
        {
            _shared[jwksKey] = entry;
            H.Issuer.ResetCounts();
            using ApiClient keyed = Client(o => (o.Cache, o.CacheSigningKey) = (_shared, fleetKey));
            AccessTokenResult forged = await keyed.TryVerifyAccessTokenAsync(forgedToken);
            Assert.Equal(VerificationFailure.KeyNotFound, forged.Failure);
            Assert.True(H.Issuer.JwksRequests > 0, "the keys were not fetched from the issuer");
            Assert.True((await keyed.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        }

        // The entry the keyed instance wrote back reads for the next keyed instance, without a request.
        H.Issuer.ResetCounts();
        using ApiClient next = Client(o => (o.Cache, o.CacheSigningKey) = (_shared, fleetKey));
        Assert.True((await next.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    // An intact but stale JWKS in the shared cache (another instance cached it before a rotation): the refetch for the
    // unknown kid goes to the issuer, not back to the shared cache. Before the fix it read the shared entry again, got the
    // same old keys, and refused every token signed with the new key until the entry expired.
    [Fact]
    public async Task After_a_rotation_a_stale_shared_jwks_does_not_block_the_new_key()
    {
        await SeedAsync();
        H.Issuer.JwksKeys.Clear();
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        string rotated = H.Token(key: TestKeys.Other);
        using (ApiClient client = Client(o => o.Cache = _shared))
        {
            RequestVerificationResult result = await client.TryVerifyRequestAsync("Bearer " + rotated, null, "GET", "https://api.example.com/");
            Assert.True(result.IsValid, result.Error?.Message);
        }

        Assert.Equal((0, 1), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));
        using ApiClient next = Client(o => o.Cache = _shared);
        Assert.True((await next.TryVerifyRequestAsync("Bearer " + rotated, null, "GET", "https://api.example.com/")).IsValid);
        Assert.Equal((0, 1), (H.Issuer.DiscoveryRequests, H.Issuer.JwksRequests));
    }

    [Fact]
    public async Task Another_issuers_entries_are_ignored_and_overwritten()
    {
        await SeedAsync();
        await using Harness other = await Harness.StartAsync(TestKeys.Other);
        RecordingCacheAdapter otherShared = new();
        using (ApiClient seeding = new(new ApiClientOptions { Domain = other.Issuer.Domain, Audience = Harness.Audience, HttpClient = other.Http, TimeProvider = Time, Cache = otherShared }))
        {
            Assert.True((await seeding.TryVerifyAccessTokenAsync(other.Token())).IsValid);
        }

        await AssertIgnoredAndOverwrittenAsync(_discoveryKey, otherShared[otherShared.KeyContaining(":discovery:")]!);
        await AssertIgnoredAndOverwrittenAsync(_jwksKey, otherShared[otherShared.KeyContaining(":jwks:")]!);
    }

    [Fact]
    public async Task A_good_entry_truncated_at_any_byte_is_ignored_and_overwritten()
    {
        await SeedAsync();
        foreach ((string key, byte[] good) in new[] { (_discoveryKey, _goodDiscovery), (_jwksKey, _goodJwks) })
        {
            for (int length = 0; length < good.Length; length++)
            {
                await AssertIgnoredAndOverwrittenAsync(key, good[..length]);
            }
        }
    }

    // A few hundred random mutations of good entries, end to end (the reader alone gets thousands in
    // SharedCacheEntryTests): no exception escapes, and an entry whose bytes changed is never used.
    [Fact]
    public async Task Randomly_mutated_entries_are_never_used_and_never_fail_a_request()
    {
        await SeedAsync();
        Random random = new(20_240_612);
        for (int i = 0; i < 300; i++)
        {
            (string key, byte[] good) = i % 2 == 0 ? (_discoveryKey, _goodDiscovery) : (_jwksKey, _goodJwks);
            byte[] mutated = Mutations.Mutate(good, random);
            if (mutated.AsSpan().SequenceEqual(good))
            {
                continue;
            }

            await AssertIgnoredAndOverwrittenAsync(key, mutated);
        }
    }
}
