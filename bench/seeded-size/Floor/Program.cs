// The floor: what any RS256 verifier must do, and nothing else. The JWKS, header and payload read with System.Text.Json
// source generation, the key imported with RSA.Create(RSAParameters), RSA.VerifyData, then iss, aud and exp checked.
using System;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
#if FLOOR_ASYNC
using System.Threading.Tasks;
#endif

#if FLOOR_ASYNC
// FloorAsync: the same work in an async method (which completes without waiting, as a verification with seeded keys
// does), awaited by the app, as the caller of any asynchronous verification API awaits it. The await alone keeps the
// runtime's task and thread-pool machinery in the binary.
string? subject = await VerifyAsync();
#else
string? subject = Verify();
#endif
Console.WriteLine(subject ?? "invalid");
return subject is null ? 1 : 0;

#if FLOOR_ASYNC
#pragma warning disable CS1998 // the floor's work never waits: the method is async for its callers' sake
static async ValueTask<string?> VerifyAsync() => Verify();
#pragma warning restore CS1998
#endif

static string? Verify()
{
    string token = Environment.GetEnvironmentVariable("SEEDED_TOKEN")!;
    string issuer = "https://" + Environment.GetEnvironmentVariable("SEEDED_DOMAIN") + "/";
    Jwks jwks = JsonSerializer.Deserialize(Environment.GetEnvironmentVariable("SEEDED_JWKS")!, FloorJson.Default.Jwks)!;

    string[] parts = token.Split('.');
    Header header = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(parts[0]), FloorJson.Default.Header)!;
    Jwk? jwk = Array.Find(jwks.Keys ?? [], k => k.Kid == header.Kid);
    if (header.Alg != "RS256" || jwk is null)
    {
        return null;
    }

    using (RSA rsa = RSA.Create(new RSAParameters { Modulus = Base64Url.DecodeFromChars(jwk.N), Exponent = Base64Url.DecodeFromChars(jwk.E) }))
    {
        if (!rsa.VerifyData(Encoding.ASCII.GetBytes(token[..(parts[0].Length + 1 + parts[1].Length)]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return null;
        }
    }

    Payload payload = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(parts[1]), FloorJson.Default.Payload)!;
    bool valid = payload.Iss == issuer && payload.Aud == "https://api.example.com" && payload.Exp > DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    return valid ? payload.Sub : null;
}

internal sealed class Jwks
{
    [JsonPropertyName("keys")] public Jwk[]? Keys { get; set; }
}

internal sealed class Jwk
{
    [JsonPropertyName("kid")] public string? Kid { get; set; }
    [JsonPropertyName("n")] public string N { get; set; } = "";
    [JsonPropertyName("e")] public string E { get; set; } = "";
}

internal sealed class Header
{
    [JsonPropertyName("alg")] public string? Alg { get; set; }
    [JsonPropertyName("kid")] public string? Kid { get; set; }
}

internal sealed class Payload
{
    [JsonPropertyName("iss")] public string? Iss { get; set; }
    [JsonPropertyName("sub")] public string? Sub { get; set; }
    [JsonPropertyName("aud")] public string? Aud { get; set; }
    [JsonPropertyName("exp")] public long Exp { get; set; }
}

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(Jwks))]
[JsonSerializable(typeof(Header))]
[JsonSerializable(typeof(Payload))]
internal sealed partial class FloorJson : JsonSerializerContext
{
}
