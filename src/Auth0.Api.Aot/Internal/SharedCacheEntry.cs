// The value this library stores in an ICacheAdapter for one discovery document or JWKS (format 2, or 3 when the fleet
// shares an ApiClientOptions.CacheSigningKey; the keys of both start with "auth0-api-aot:v2:"). What comes back from a
// shared store is untrusted input: a corrupt, truncated, foreign or forged value must read as a miss, never as an
// exception or as a document it does not hold.
//
// Layout, integers big-endian:
//   offset  size  field
//        0     4  magic "A0KC"
//        4     1  format version: 2 (digest SHA-256) or 3 (digest HMAC-SHA256 under the CacheSigningKey)
//        5     1  kind: 'D' discovery document, 'J' JWKS
//        6     8  fetched at, Unix milliseconds
//       14     8  expires at, Unix milliseconds
//       22     4  body length
//       26    32  SHA-256 (format 2) or HMAC-SHA256 (format 3) of: the cache key's UTF-8 length (4 bytes) and bytes,
//                 bytes 0-25 of the value, the body
//       58     n  body: the document as received, 1 to KeySource.MaxDocumentBytes bytes
//
// The digest detects corruption, truncation and a value written under another key (another issuer's document). In
// format 2 it is a checksum, not a signature: whoever may write the store can forge entries, so the store must be
// writable by the fleet only. In format 3 it is a MAC under a key only the fleet holds: a writer without the key cannot
// make an entry that reads. A reader reads only its own format (with a key, format 3 under that key; without, format
// 2), so a fleet moving to a key refetches rather than trusts what the other half wrote. A value that passes still has
// its body parsed and validated exactly like a fetched document.
//
// Times: both within [0, year 9999], fetched before it expires, fetched at most MaxClockSkew in this instance's future
// (clocks of a fleet differ a little), not yet expired, and a lifetime no longer than the reader's CacheTtl.

using System;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Auth0.Api.Aot.Internal;

/// <summary>The kinds of document kept in a shared cache.</summary>
internal enum SharedDocumentKind : byte
{
    Discovery = (byte)'D',
    Jwks = (byte)'J',
}

/// <summary>Writes and reads the shared-cache value of one document (format 2).</summary>
/// <remarks>Thread safety: stateless. Purity: <see cref="TryRead"/> never throws and allocates only the body it returns.</remarks>
internal static class SharedCacheEntry
{
    public const int HeaderLength = 58;
    public const byte FormatVersion = 2;

    /// <summary>The format of entries authenticated with a <c>CacheSigningKey</c>.</summary>
    public const byte SignedFormatVersion = 3;

    /// <summary>How far in this instance's future another instance's fetch time may be.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private const int DigestOffset = 26;
    private const int DigestLength = 32;
    private const long MaxUnixMilliseconds = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

    private static ReadOnlySpan<byte> Magic => "A0KC"u8;

    /// <summary>
    /// The value for <paramref name="body"/>, fetched at <paramref name="fetchedAt"/> and living <paramref name="lifetime"/>:
    /// format 3 authenticated under <paramref name="signingKey"/> when one is given, else format 2.
    /// </summary>
    public static byte[] Create(string key, SharedDocumentKind kind, DateTimeOffset fetchedAt, TimeSpan lifetime, ReadOnlySpan<byte> body, byte[]? signingKey = null)
    {
        long fetched = Math.Clamp(fetchedAt.ToUnixTimeMilliseconds(), 0, MaxUnixMilliseconds);
        double milliseconds = Math.Max(0, lifetime.TotalMilliseconds);
        long expires = milliseconds >= MaxUnixMilliseconds - fetched ? MaxUnixMilliseconds : fetched + (long)milliseconds;
        return CreateRaw(key, signingKey is null ? FormatVersion : SignedFormatVersion, (byte)kind, fetched, expires, body, signingKey);
    }

    /// <summary>A value with every field given (tests build forged and hostile entries with it); the digest is an HMAC under <paramref name="signingKey"/> when one is given.</summary>
    internal static byte[] CreateRaw(string key, byte version, byte kind, long fetchedAt, long expiresAt, ReadOnlySpan<byte> body, byte[]? signingKey = null)
    {
        byte[] value = new byte[HeaderLength + body.Length];
        Magic.CopyTo(value);
        value[4] = version;
        value[5] = kind;
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(6), fetchedAt);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(14), expiresAt);
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(22), body.Length);
        body.CopyTo(value.AsSpan(HeaderLength));
        Digest(key, value.AsSpan(0, DigestOffset), body, value.AsSpan(DigestOffset, DigestLength), signingKey);
        return value;
    }

    /// <summary>
    /// Reads a value from the shared store: the body, and how long it has left, when the value is a well-formed,
    /// intact entry of <paramref name="kind"/> written under <paramref name="key"/> and fresh at <paramref name="now"/>, in
    /// format 3 authenticated under <paramref name="signingKey"/> when one is given, else in format 2; otherwise
    /// <see langword="false"/> (a miss).
    /// </summary>
    /// <param name="value">The bytes the store returned.</param>
    /// <param name="key">The key they were read under.</param>
    /// <param name="kind">The document expected.</param>
    /// <param name="now">This instance's time.</param>
    /// <param name="maxLifetime">The longest lifetime accepted (the reader's <c>CacheTtl</c>).</param>
    /// <param name="body">The document, when the value is good.</param>
    /// <param name="remaining">Its remaining lifetime, positive and at most <paramref name="maxLifetime"/> plus <see cref="MaxClockSkew"/>.</param>
    /// <param name="signingKey">The fleet's <c>CacheSigningKey</c>, if it has one.</param>
    public static bool TryRead(ReadOnlySpan<byte> value, string key, SharedDocumentKind kind, DateTimeOffset now, TimeSpan maxLifetime, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? body, out TimeSpan remaining, byte[]? signingKey = null)
    {
        body = null;
        remaining = TimeSpan.Zero;
        if (value.Length <= HeaderLength || value.Length - HeaderLength > KeySource.MaxDocumentBytes
            || !value.StartsWith(Magic) || value[4] != (signingKey is null ? FormatVersion : SignedFormatVersion) || value[5] != (byte)kind
            || BinaryPrimitives.ReadInt32BigEndian(value[22..]) != value.Length - HeaderLength)
        {
            return false;
        }

        long fetchedAt = BinaryPrimitives.ReadInt64BigEndian(value[6..]);
        long expiresAt = BinaryPrimitives.ReadInt64BigEndian(value[14..]);
        long nowMs = now.ToUnixTimeMilliseconds();
        long maxLifetimeMs = maxLifetime.TotalMilliseconds >= MaxUnixMilliseconds ? MaxUnixMilliseconds : (long)maxLifetime.TotalMilliseconds;

        // Range first, so that no difference below can overflow.
        if (fetchedAt is < 0 or > MaxUnixMilliseconds || expiresAt is < 0 or > MaxUnixMilliseconds
            || expiresAt <= fetchedAt || expiresAt - fetchedAt > maxLifetimeMs
            || fetchedAt > nowMs + (long)MaxClockSkew.TotalMilliseconds || expiresAt <= nowMs)
        {
            return false;
        }

        ReadOnlySpan<byte> content = value[HeaderLength..];
        Span<byte> digest = stackalloc byte[DigestLength];
        Digest(key, value[..DigestOffset], content, digest, signingKey);
        if (!CryptographicOperations.FixedTimeEquals(digest, value.Slice(DigestOffset, DigestLength)))
        {
            return false;
        }

        body = content.ToArray();
        remaining = TimeSpan.FromMilliseconds(expiresAt - nowMs);
        return true;
    }

    private static void Digest(string key, ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, Span<byte> destination, byte[]? signingKey)
    {
        using IncrementalHash hash = signingKey is null
            ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256)
            : IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, signingKey);
        byte[] keyBytes = Encoding.UTF8.GetBytes(key);
        Span<byte> keyLength = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(keyLength, keyBytes.Length);
        hash.AppendData(keyLength);
        hash.AppendData(keyBytes);
        hash.AppendData(header);
        hash.AppendData(body);
        hash.GetHashAndReset(destination);
    }
}
