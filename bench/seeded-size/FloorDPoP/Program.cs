// The DPoP floor: what any verifier of one DPoP request (RS256 access token, ES256 proof, RFC 9449) must do, and
// nothing else. The floor's RS256 token check (System.Text.Json source generation, RSA.Create(RSAParameters),
// RSA.VerifyData, iss/aud/exp), then the proof: its header (typ, alg, jwk) and payload read the same way, the jwk
// imported with ECDsa.Create(ECParameters), ECDsa.VerifyData, htm, htu, iat window, ath, and the token's cnf.jkt
// compared with the jwk's RFC 7638 thumbprint. No replay store: a floor keeps no state.
using System;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

string token = Environment.GetEnvironmentVariable("SEEDED_DPOP_TOKEN")!;
string proof = Environment.GetEnvironmentVariable("SEEDED_PROOF")!;
string issuer = "https://" + Environment.GetEnvironmentVariable("SEEDED_DOMAIN") + "/";
const string Method = "GET", Url = "https://api.example.com/orders";
Jwks jwks = JsonSerializer.Deserialize(Environment.GetEnvironmentVariable("SEEDED_JWKS")!, FloorJson.Default.Jwks)!;
long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

string[] parts = token.Split('.');
Header header = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(parts[0]), FloorJson.Default.Header)!;
Jwk? jwk = Array.Find(jwks.Keys ?? [], k => k.Kid == header.Kid);
bool valid = header.Alg == "RS256" && jwk is not null;
if (valid)
{
    using RSA rsa = RSA.Create(new RSAParameters { Modulus = Base64Url.DecodeFromChars(jwk!.N), Exponent = Base64Url.DecodeFromChars(jwk.E) });
    valid = rsa.VerifyData(Encoding.ASCII.GetBytes(token[..(parts[0].Length + 1 + parts[1].Length)]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
}

Payload? payload = null;
if (valid)
{
    payload = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(parts[1]), FloorJson.Default.Payload)!;
    valid = payload.Iss == issuer && payload.Aud == "https://api.example.com" && payload.Exp > now && payload.Cnf?.Jkt is not null;
}

if (valid)
{
    string[] proofParts = proof.Split('.');
    ProofHeader proofHeader = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(proofParts[0]), FloorJson.Default.ProofHeader)!;
    ProofJwk? key = proofHeader.Jwk;
    valid = proofHeader.Typ == "dpop+jwt" && proofHeader.Alg == "ES256" && key is { Kty: "EC", Crv: "P-256" };
    if (valid)
    {
        using ECDsa ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars(key!.X), Y = Base64Url.DecodeFromChars(key.Y) },
        });
        valid = ecdsa.VerifyData(Encoding.ASCII.GetBytes(proof[..(proofParts[0].Length + 1 + proofParts[1].Length)]), Base64Url.DecodeFromChars(proofParts[2]), HashAlgorithmName.SHA256);
    }

    if (valid)
    {
        ProofPayload claims = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(proofParts[1]), FloorJson.Default.ProofPayload)!;
        string thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes("{\"crv\":\"" + key!.Crv + "\",\"kty\":\"EC\",\"x\":\"" + key.X + "\",\"y\":\"" + key.Y + "\"}")));
        string ath = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
        // The proof was minted once for the whole measurement, as for the library's DPoP app (12 hours of leeway).
        valid = claims.Htm == Method && claims.Htu == Url && claims.Jti is { Length: > 0 } && Math.Abs(now - claims.Iat) <= 12 * 3600
            && claims.Ath == ath && thumbprint == payload!.Cnf!.Jkt;
    }
}

Console.WriteLine(valid ? payload!.Sub : "refused");
return valid ? 0 : 1;

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

internal sealed class Confirmation
{
    [JsonPropertyName("jkt")] public string? Jkt { get; set; }
}

internal sealed class Payload
{
    [JsonPropertyName("iss")] public string? Iss { get; set; }
    [JsonPropertyName("sub")] public string? Sub { get; set; }
    [JsonPropertyName("aud")] public string? Aud { get; set; }
    [JsonPropertyName("exp")] public long Exp { get; set; }
    [JsonPropertyName("cnf")] public Confirmation? Cnf { get; set; }
}

internal sealed class ProofJwk
{
    [JsonPropertyName("kty")] public string? Kty { get; set; }
    [JsonPropertyName("crv")] public string? Crv { get; set; }
    [JsonPropertyName("x")] public string X { get; set; } = "";
    [JsonPropertyName("y")] public string Y { get; set; } = "";
}

internal sealed class ProofHeader
{
    [JsonPropertyName("typ")] public string? Typ { get; set; }
    [JsonPropertyName("alg")] public string? Alg { get; set; }
    [JsonPropertyName("jwk")] public ProofJwk? Jwk { get; set; }
}

internal sealed class ProofPayload
{
    [JsonPropertyName("htm")] public string? Htm { get; set; }
    [JsonPropertyName("htu")] public string? Htu { get; set; }
    [JsonPropertyName("iat")] public long Iat { get; set; }
    [JsonPropertyName("jti")] public string? Jti { get; set; }
    [JsonPropertyName("ath")] public string? Ath { get; set; }
}

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(Jwks))]
[JsonSerializable(typeof(Header))]
[JsonSerializable(typeof(Payload))]
[JsonSerializable(typeof(ProofHeader))]
[JsonSerializable(typeof(ProofPayload))]
internal sealed partial class FloorJson : JsonSerializerContext
{
}
