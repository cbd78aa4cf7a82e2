// Stateless DPoP server nonces (RFC 9449 section 9): nonce = base64url(step || MAC(key, label || step)[0..16]), where
// step is the current time divided by the nonce lifetime (8 bytes, big-endian) and MAC is HMAC-SHA256. A nonce is
// accepted for the step it was made in and the previous one, so it lives between one and two lifetimes; nothing is
// stored, and every instance sharing the key accepts every other instance's nonces. MACs are compared in fixed time.

using System;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Auth0.Api.Aot.Internal;

internal sealed class DPoPNonces
{
    private const int StepBytes = 8;
    private const int MacBytes = 16;
    private static ReadOnlySpan<byte> Label => "auth0-api-aot dpop nonce v1"u8;

    private readonly byte[] _key;
    private readonly long _lifetimeSeconds;
    private readonly TimeProvider _time;

    public DPoPNonces(byte[] key, TimeSpan lifetime, TimeProvider time)
    {
        _key = (byte[])key.Clone();
        _lifetimeSeconds = Math.Max(1, (long)lifetime.TotalSeconds);
        _time = time;
    }

    public string Create() => Create(CurrentStep());

    public bool IsValid(string? nonce)
    {
        if (nonce is null || nonce.Length != Base64UrlStrict.GetEncodedLength(StepBytes + MacBytes))
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[StepBytes + MacBytes];
        if (!Base64UrlStrict.TryDecode(nonce, decoded, out int written) || written != decoded.Length)
        {
            return false;
        }

        long step = BinaryPrimitives.ReadInt64BigEndian(decoded);
        long current = CurrentStep();
        if (step != current && step != current - 1)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        Mac(step, expected);
        return CryptographicOperations.FixedTimeEquals(expected, decoded[StepBytes..]);
    }

    private long CurrentStep() => _time.GetUtcNow().ToUnixTimeSeconds() / _lifetimeSeconds;

    private string Create(long step)
    {
        Span<byte> nonce = stackalloc byte[StepBytes + MacBytes];
        BinaryPrimitives.WriteInt64BigEndian(nonce, step);
        Mac(step, nonce[StepBytes..]);
        return Base64UrlStrict.Encode(nonce);
    }

    private void Mac(long step, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[Label.Length + StepBytes];
        Label.CopyTo(input);
        BinaryPrimitives.WriteInt64BigEndian(input[Label.Length..], step);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, input, mac);
        mac[..MacBytes].CopyTo(destination);
    }
}
