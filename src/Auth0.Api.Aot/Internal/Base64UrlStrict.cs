// Strict base64url (RFC 4648 section 5, as profiled by RFC 7515 section 2 and appendix C):
//   - alphabet A-Z a-z 0-9 - _ only: no padding '=', no whitespace, no '+' or '/';
//   - no impossible lengths (length % 4 == 1);
//   - canonical encodings only: the unused low bits of the final character must be zero, so that
//     one byte string has exactly one accepted encoding (no signature or token malleability).
// System.Buffers.Text.Base64Url tolerates whitespace and padding, so it is not used for tokens.

using System;
using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace Auth0.Api.Aot.Internal;

internal static class Base64UrlStrict
{
    // Maps an ASCII code point to its 6-bit value, or -1 outside the base64url alphabet.
    private static ReadOnlySpan<sbyte> DecodeMap =>
    [
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1,
        52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
        -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
        15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63,
        -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
        41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
    ];

    private static readonly SearchValues<char> s_alphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static ReadOnlySpan<byte> EncodeMap => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"u8;

    /// <summary>
    /// The exact number of bytes <paramref name="encodedLength"/> characters decode to, or -1 when no
    /// valid encoding has that length.
    /// </summary>
    public static int GetDecodedLength(int encodedLength)
    {
        Debug.Assert(encodedLength >= 0);
        int remainder = encodedLength & 3;
        if (remainder == 1)
        {
            return -1;
        }

        return ((encodedLength >> 2) * 3) + (remainder == 0 ? 0 : remainder - 1);
    }

    public static int GetEncodedLength(int byteLength) => ((byteLength / 3) * 4) + (byteLength % 3 == 0 ? 0 : (byteLength % 3) + 1);

    /// <summary>Decodes <paramref name="source"/> into <paramref name="destination"/>.</summary>
    /// <returns><see langword="false"/> when the input is not strict, canonical base64url or the destination is too small.</returns>
    public static bool TryDecode(ReadOnlySpan<char> source, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        int decodedLength = GetDecodedLength(source.Length);
        if (decodedLength < 0 || destination.Length < decodedLength || source.ContainsAnyExcept(s_alphabet))
        {
            return false;
        }

        // Canonical form: the bits of the last character that carry no data must be zero.
        int remainder = source.Length & 3;
        if (remainder != 0 && (DecodeMap[source[^1]] & (remainder == 2 ? 0x0F : 0x03)) != 0)
        {
            return false;
        }

#if NET9_0_OR_GREATER
        // The alphabet, length and trailing bits are checked above, so the runtime's vectorised decoder sees only
        // input that it and this class agree on.
        return System.Buffers.Text.Base64Url.TryDecodeFromChars(source, destination, out bytesWritten) && bytesWritten == decodedLength;
#else
        return TryDecodeScalar(source, destination, out bytesWritten);
#endif
    }

    /// <summary>The portable decoder (also the reference the vectorised path is tested against).</summary>
    internal static bool TryDecodeScalar(ReadOnlySpan<char> source, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        int decodedLength = GetDecodedLength(source.Length);
        if (decodedLength < 0 || destination.Length < decodedLength)
        {
            return false;
        }

        ReadOnlySpan<sbyte> map = DecodeMap;
        int full = source.Length & ~3;
        int o = 0;
        for (int i = 0; i < full; i += 4)
        {
            int a = Map(map, source[i]);
            int b = Map(map, source[i + 1]);
            int c = Map(map, source[i + 2]);
            int d = Map(map, source[i + 3]);
            if ((a | b | c | d) < 0)
            {
                return false;
            }

            int value = (a << 18) | (b << 12) | (c << 6) | d;
            destination[o] = (byte)((value >> 16) & 0xFF);
            destination[o + 1] = (byte)((value >> 8) & 0xFF);
            destination[o + 2] = (byte)(value & 0xFF);
            o += 3;
        }

        int remainder = source.Length - full;
        if (remainder == 2)
        {
            int a = Map(map, source[full]);
            int b = Map(map, source[full + 1]);
            if ((a | b) < 0 || (b & 0x0F) != 0)
            {
                return false;
            }

            destination[o++] = (byte)(((a << 2) | (b >> 4)) & 0xFF);
        }
        else if (remainder == 3)
        {
            int a = Map(map, source[full]);
            int b = Map(map, source[full + 1]);
            int c = Map(map, source[full + 2]);
            if ((a | b | c) < 0 || (c & 0x03) != 0)
            {
                return false;
            }

            int value = (a << 10) | (b << 4) | (c >> 2);
            destination[o++] = (byte)((value >> 8) & 0xFF);
            destination[o++] = (byte)(value & 0xFF);
        }

        bytesWritten = o;
        return true;
    }

    /// <summary>Decodes a whole value (a JWK member, say) into a new array, or returns <see langword="null"/>.</summary>
    public static byte[]? DecodeToArray(string? value) => value is null ? null : DecodeToArray(value.AsSpan());

    /// <summary>Decodes a span into a new array, or returns <see langword="null"/> when it is not strict base64url.</summary>
    public static byte[]? DecodeToArray(ReadOnlySpan<char> value)
    {
        int length = GetDecodedLength(value.Length);
        if (length < 0)
        {
            return null;
        }

        byte[] bytes = new byte[length];
        return TryDecode(value, bytes, out _) ? bytes : null;
    }

    public static string Encode(ReadOnlySpan<byte> data)
    {
        char[] chars = new char[GetEncodedLength(data.Length)];
        Encode(data, chars);
        return new string(chars);
    }

    public static void Encode(ReadOnlySpan<byte> data, Span<char> destination)
    {
        ReadOnlySpan<byte> map = EncodeMap;
        int o = 0;
        int i = 0;
        for (; i + 3 <= data.Length; i += 3)
        {
            int value = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
            destination[o++] = (char)map[(value >> 18) & 63];
            destination[o++] = (char)map[(value >> 12) & 63];
            destination[o++] = (char)map[(value >> 6) & 63];
            destination[o++] = (char)map[value & 63];
        }

        int rest = data.Length - i;
        if (rest == 1)
        {
            int value = data[i] << 16;
            destination[o++] = (char)map[(value >> 18) & 63];
            destination[o] = (char)map[(value >> 12) & 63];
        }
        else if (rest == 2)
        {
            int value = (data[i] << 16) | (data[i + 1] << 8);
            destination[o++] = (char)map[(value >> 18) & 63];
            destination[o++] = (char)map[(value >> 12) & 63];
            destination[o] = (char)map[(value >> 6) & 63];
        }
    }

    private static int Map(ReadOnlySpan<sbyte> map, char c) => c < 128 ? map[c] : -1;
}
