// RFC 7638 JWK thumbprint with SHA-256, as DPoP binds a token to a key (RFC 9449 section 6.1, cnf.jkt):
// the required members of the key type only, in lexicographic order, as compact JSON, hashed and base64url-encoded.
//   EC:  {"crv","kty","x","y"}     RSA: {"e","kty","n"}     OKP: {"crv","kty","x"}
// Optional members (kid, alg, use...) never change a thumbprint. Member values are written as JSON strings by
// Utf8JsonWriter; base64url and curve names contain nothing that JSON escapes.

using System;
using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Auth0.Api.Aot.Internal;

internal static class JwkThumbprint
{
    /// <summary>Computes the SHA-256 thumbprint of a public JWK.</summary>
    /// <returns><see langword="false"/> with a reason when the key type is unsupported or a required member is missing.</returns>
    public static bool TryCompute(JsonWebKeyDto jwk, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? thumbprint, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        thumbprint = null;
        ArrayBufferWriter<byte> json = new(256);
        using (Utf8JsonWriter writer = new(json, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            writer.WriteStartObject();
            switch (jwk.Kty)
            {
                case "EC" when jwk is { Crv: { } crv, X: { } x, Y: { } y }:
                    writer.WriteString("crv"u8, crv);
                    writer.WriteString("kty"u8, "EC"u8);
                    writer.WriteString("x"u8, x);
                    writer.WriteString("y"u8, y);
                    break;
                case "RSA" when jwk is { E: { } e, N: { } n }:
                    writer.WriteString("e"u8, e);
                    writer.WriteString("kty"u8, "RSA"u8);
                    writer.WriteString("n"u8, n);
                    break;
                case "OKP" when jwk is { Crv: { } crv, X: { } x }:
                    writer.WriteString("crv"u8, crv);
                    writer.WriteString("kty"u8, "OKP"u8);
                    writer.WriteString("x"u8, x);
                    break;
                case "EC" or "RSA" or "OKP":
                    error = jwk.Kty + " key missing required parameters";
                    return false;
                default:
                    error = "key type not supported for a thumbprint";
                    return false;
            }

            writer.WriteEndObject();
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(json.WrittenSpan, hash);
        thumbprint = Base64UrlStrict.Encode(hash);
        error = null;
        return true;
    }

    /// <summary>base64url(SHA-256(ASCII(accessToken))): the DPoP <c>ath</c> claim (RFC 9449 section 4.2).</summary>
    public static string AccessTokenHash(string accessToken)
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(System.Text.Encoding.UTF8.GetMaxByteCount(accessToken.Length));
        try
        {
            int length = System.Text.Encoding.UTF8.GetBytes(accessToken, rented);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(rented.AsSpan(0, length), hash);
            return Base64UrlStrict.Encode(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
