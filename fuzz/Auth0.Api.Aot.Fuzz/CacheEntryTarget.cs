using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Fuzz;

/// <summary>
/// <c>cache-entry</c>: the input is what a shared cache returned, in one of two modes chosen by its first byte.
/// <list type="bullet">
///   <item>Even: the rest is the value as stored. SharedCacheEntry.TryRead never throws, and reads as good only an
///   entry this library wrote (a fixture entry, made at start-up): any other bytes are a forgery or corruption.</item>
///   <item>Odd: the rest is the header fields and body of an entry that the target seals with a correct digest
///   (CreateRaw), so that the time and size rules behind the digest are reached: version (1 byte), kind (1), fetched at
///   (8, big-endian), expires at (8), body. A good read gives back that body with a remaining lifetime above zero and
///   within the documented bound, and the body goes through the document reader KeySource uses for its kind.</item>
/// </list>
/// </summary>
internal static class CacheEntryTarget
{
    public const string JwksKey = "auth0-api-aot:v2:jwks:https://interop.example.com/.well-known/jwks.json";
    public const string DiscoveryKey = "auth0-api-aot:v2:discovery:https://interop.example.com/";

    /// <summary>The reader's CacheTtl (the library's default).</summary>
    public static readonly TimeSpan MaxLifetime = ApiClientOptions.DefaultCacheTtl;

    private static readonly Interop s_fixture = Interop.Instance;

    /// <summary>The entries this library writes for the fixture's documents, fetched a minute before the fixture's time.</summary>
    public static IReadOnlyList<(string Key, SharedDocumentKind Kind, byte[] Value)> Entries { get; } = CreateEntries();

    /// <summary>Throws unless the harness is sound: the entries this library wrote read as good.</summary>
    public static void SelfTest()
    {
        foreach ((string key, SharedDocumentKind kind, byte[] value) in Entries)
        {
            InvariantViolationException.ThrowIf(!SharedCacheEntry.TryRead(value, key, kind, s_fixture.Now, MaxLifetime, out _, out _), "harness: a fixture entry does not read as good");
        }
    }

    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if ((data[0] & 1) == 0)
        {
            ReadStored(data[1..]);
        }
        else
        {
            ReadSealed(data[1..]);
        }
    }

    private static void ReadStored(ReadOnlySpan<byte> value)
    {
        foreach ((string key, SharedDocumentKind kind, byte[] written) in Entries)
        {
            if (SharedCacheEntry.TryRead(value, key, kind, s_fixture.Now, MaxLifetime, out byte[]? body, out TimeSpan remaining))
            {
                InvariantViolationException.ThrowIf(!value.SequenceEqual(written), "a value this library did not write read as a good entry");
                CheckGood(body, value[SharedCacheEntry.HeaderLength..], remaining);
            }
        }
    }

    private static void ReadSealed(ReadOnlySpan<byte> fields)
    {
        if (fields.Length < 18)
        {
            return;
        }

        byte version = fields[0];
        byte kind = fields[1];
        long fetchedAt = BinaryPrimitives.ReadInt64BigEndian(fields[2..]);
        long expiresAt = BinaryPrimitives.ReadInt64BigEndian(fields[10..]);
        ReadOnlySpan<byte> content = fields[18..];
        foreach ((string key, SharedDocumentKind expected, _) in Entries)
        {
            byte[] value = SharedCacheEntry.CreateRaw(key, version, kind, fetchedAt, expiresAt, content);
            if (!SharedCacheEntry.TryRead(value, key, expected, s_fixture.Now, MaxLifetime, out byte[]? body, out TimeSpan remaining))
            {
                continue;
            }

            InvariantViolationException.ThrowIf(version != SharedCacheEntry.FormatVersion || kind != (byte)expected, "an entry of another version or kind read as good");
            long now = s_fixture.Now.ToUnixTimeMilliseconds();
            InvariantViolationException.ThrowIf(
                expiresAt <= now || expiresAt <= fetchedAt || fetchedAt < 0 || expiresAt - fetchedAt > (long)MaxLifetime.TotalMilliseconds
                    || fetchedAt > now + (long)SharedCacheEntry.MaxClockSkew.TotalMilliseconds,
                "an expired entry, one that lives longer than CacheTtl or one fetched in the future read as good");
            CheckGood(body, content, remaining);
            ParseBody(body, expected);
        }
    }

    private static void CheckGood(byte[] body, ReadOnlySpan<byte> content, TimeSpan remaining)
    {
        InvariantViolationException.ThrowIf(!content.SequenceEqual(body), "a good entry's body is not the stored body");
        InvariantViolationException.ThrowIf(
            remaining <= TimeSpan.Zero || remaining > MaxLifetime + SharedCacheEntry.MaxClockSkew,
            "a good entry's remaining lifetime is out of bounds: " + remaining);
    }

    // What KeySource does with a good entry's body: the reader of its kind, whose only documented failure is KeySourceException.
    private static void ParseBody(byte[] body, SharedDocumentKind kind)
    {
        try
        {
            if (kind == SharedDocumentKind.Jwks)
            {
                _ = JsonWebKeySet.Parse(body);
            }
            else
            {
                DiscoveryDocument document = DiscoveryDocument.Parse(body);
                _ = document.IsComplete;
            }
        }
        catch (KeySourceException)
        {
        }
    }

    private static List<(string, SharedDocumentKind, byte[])> CreateEntries()
    {
        DateTimeOffset fetched = s_fixture.Now.AddMinutes(-1);
        byte[] discovery = Encoding.UTF8.GetBytes(
            "{\"issuer\":\"https://interop.example.com/\",\"jwks_uri\":\"https://interop.example.com/.well-known/jwks.json\",\"token_endpoint\":\"https://interop.example.com/oauth/token\"}");
        return
        [
            (JwksKey, SharedDocumentKind.Jwks, SharedCacheEntry.Create(JwksKey, SharedDocumentKind.Jwks, fetched, TimeSpan.FromMinutes(10), Encoding.UTF8.GetBytes(s_fixture.Jwks))),
            (DiscoveryKey, SharedDocumentKind.Discovery, SharedCacheEntry.Create(DiscoveryKey, SharedDocumentKind.Discovery, fetched, TimeSpan.FromMinutes(10), discovery)),
        ];
    }
}
