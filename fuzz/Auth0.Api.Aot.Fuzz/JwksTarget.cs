using System;
using System.Security.Cryptography;
using System.Text.Json;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Fuzz;

/// <summary>
/// <c>jwks</c>: the input is a JWKS body, as fetched, read from a shared cache or given as StaticJwks.
/// <list type="bullet">
///   <item>JsonWebKeySet.Parse throws only its documented KeySourceException.</item>
///   <item>Every key, imported as a JWKS key and as a DPoP proof key (OKP included), answers Find, Misfit, the RFC 7638
///   thumbprint and Verify without throwing, and verifies no signature (the fuzzer holds no private key: a key for which
///   an input-derived signature verifies is a broken import).</item>
///   <item>An input that is one JSON object, as a proof header's jwk member would be, is also read by the proof's
///   JwkReader, with the same checks.</item>
/// </list>
/// </summary>
internal static class JwksTarget
{
    private static readonly byte[] s_signingInput = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmdXp6In0"u8.ToArray();

    /// <summary>Throws unless the harness is sound: the fixture's JWKS has a usable RS256 key.</summary>
    public static void SelfTest()
    {
        JsonWebKeySet set = JsonWebKeySet.Parse(System.Text.Encoding.UTF8.GetBytes(Interop.Instance.Jwks));
        InvariantViolationException.ThrowIf(set.Find("interop-rs256"u8, JwsAlgorithm.RS256, out _) is null, "harness: the fixture's key is not found");
    }

    public static void Run(ReadOnlySpan<byte> data)
    {
        byte[] body = data.ToArray();
        byte[] signature = Signature(data);
        try
        {
            JsonWebKeySet set = JsonWebKeySet.Parse(body);
            InvariantViolationException.ThrowIf(!ReferenceEquals(set.Body, body), "the key set does not keep its body");
            foreach (VerificationKey key in set.Keys)
            {
                Exercise(key, set, signature);
            }
        }
        catch (KeySourceException exception)
        {
            InvariantViolationException.ThrowIf(string.IsNullOrEmpty(exception.Message), "a refused JWKS has no reason");
        }

        // The same keys as a DPoP proof key would be imported (the Ed25519 provider present).
        JsonWebKeySetDto? dto;
        try
        {
            dto = JwksReader.Read(body);
        }
        catch (KeySourceException)
        {
            dto = null;
        }

        foreach (JsonWebKeyDto? jwk in dto?.Keys ?? [])
        {
            ExerciseDto(jwk, signature);
        }

        if (IsOneObject(data) && JwkReader.TryRead(data, out JsonWebKeyDto? embedded))
        {
            ExerciseDto(embedded, signature);
        }
    }

    private static void ExerciseDto(JsonWebKeyDto? jwk, byte[] signature)
    {
        if (jwk is not null)
        {
            bool computed = JwkThumbprint.TryCompute(jwk, out string? thumbprint, out string? error);
            InvariantViolationException.ThrowIf(computed ? thumbprint is not { Length: 43 } : string.IsNullOrEmpty(error), "a thumbprint is not 43 characters, or a refusal has no reason");
        }

        Exercise(VerificationKey.Import(jwk, Sodium.SodiumEd25519.Instance), null, signature);
    }

    private static void Exercise(VerificationKey key, JsonWebKeySet? set, byte[] signature)
    {
        foreach (JwsAlgorithm algorithm in JwsAlgorithm.All)
        {
            if (set is not null)
            {
                VerificationKey? found = set.Find(key.KidUtf8 ?? [], algorithm, out string? reason);
                InvariantViolationException.ThrowIf(found is null && key.KidUtf8 is not null && key.Unusable is null && key.Misfit(algorithm) is null, "a usable key that fits the algorithm was not found by its own kid: " + reason);
                InvariantViolationException.ThrowIf(found is not null && (found.Unusable is not null || found.Misfit(algorithm) is not null), "Find returned a key that cannot verify this algorithm");
            }

            if (key.Unusable is not null || key.Misfit(algorithm) is not null)
            {
                continue;
            }

            int length = algorithm.Family == KeyFamily.Rsa ? key.RsaSignatureLength : algorithm.FixedSignatureLength;
            InvariantViolationException.ThrowIf(
                key.Verify(algorithm, s_signingInput, signature.AsSpan(0, Math.Min(length, signature.Length))),
                "a signature made without any private key verified with " + algorithm.Name);
        }
    }

    // 1,024 input-derived bytes (SHA-512 in counter mode): as long as any signature, never one a private key made.
    private static byte[] Signature(ReadOnlySpan<byte> data)
    {
        byte[] signature = new byte[1024];
        byte[] seed = SHA512.HashData(data);
        for (int block = 0; block < signature.Length / 64; block++)
        {
            seed[0] ^= (byte)block;
            SHA512.HashData(seed, signature.AsSpan(block * 64, 64));
        }

        return signature;
    }

    // JwkReader reads the jwk member of a header that JoseHeader.TryRead accepted: valid UTF-8, JSON within depth 16 with
    // decodable escapes; and the member is one object. The same holds here, checked by the same functions.
    private static bool IsOneObject(ReadOnlySpan<byte> data)
    {
        if (!System.Text.Unicode.Utf8.IsValid(data) || !JsonSyntax.IsValid(data, 16) || !JsonEscapes.AreValid(data))
        {
            return false;
        }

        Utf8JsonReader reader = new(data, new JsonReaderOptions { MaxDepth = 16 });
        return reader.Read() && reader.TokenType == JsonTokenType.StartObject;
    }
}
