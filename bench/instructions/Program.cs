// The loop of bench/instructions.sh: `proof N` verifies one DPoP proof of a returning client key with
// ApiClient.VerifyDPoPProofAsync (replay protection off, so the same proof verifies every time), `ecdsa N` runs the
// bare ECDsa.VerifyData of the same proof; `bearer N` verifies an RS256 access token shaped like an Auth0 one (custom
// claims included) with TryVerifyAccessTokenAsync, the keys seeded and the verified-token cache off, so that every call
// is a first-seen verification, and `rsa N` runs the bare RSA.VerifyData of the same token (both read the token that
// `mint FILE` made, from INSTRUCTIONS_TOKEN_FILE). Each runs 200 warm-up calls first. No network, no server, no timer:
// nothing runs beside the loop, so callgrind's instruction total depends on the call count alone.

using System.Security.Cryptography;
using System.Text;
using Auth0.Api.Aot;

if (args is ["mint", string file])
{
    return Bearer.Mint(file);
}

if (args.Length != 2 || args[0] is not ("proof" or "ecdsa" or "bearer" or "rsa") || !int.TryParse(args[1], out int calls))
{
    Console.Error.WriteLine("usage: Instructions proof|ecdsa|bearer|rsa N (bearer and rsa read INSTRUCTIONS_TOKEN_FILE) | mint FILE");
    return 2;
}

if (args[0] is "bearer" or "rsa")
{
    return Bearer.Run(args[0] == "bearer", calls, Environment.GetEnvironmentVariable("INSTRUCTIONS_TOKEN_FILE") ?? "token.txt");
}

DateTimeOffset now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
using ApiClient client = new(new ApiClientOptions { Domain = "auth0.local", Audience = "a", TimeProvider = new FixedTime(now), DPoPReplayProtection = false });
using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
ECParameters point = key.ExportParameters(false);
string header = Base64Url(Encoding.UTF8.GetBytes($"{{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":{{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"{Base64Url(point.Q.X!)}\",\"y\":\"{Base64Url(point.Q.Y!)}\"}}}}"));
const string Token = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2F1dGgwLmxvY2FsLyIsInN1YiI6ImF1dGgwfDEyMzQ1Njc4OTAiLCJhdWQiOiJhIiwiaWF0IjoxODAwMDAwMDAwLCJleHAiOjE4MDAwMDM2MDB9.c2lnbmF0dXJl";
const string Url = "https://api.example.com/orders";
string ath = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(Token)));
string payload = $"{{\"jti\":\"e1j3V_bKic8-LAEB\",\"htm\":\"GET\",\"htu\":\"{Url}\",\"iat\":{now.ToUnixTimeSeconds()},\"ath\":\"{ath}\"}}";
string signingInput = header + "." + Base64Url(Encoding.UTF8.GetBytes(payload));
byte[] input = Encoding.ASCII.GetBytes(signingInput);
byte[] signature = key.SignData(input, HashAlgorithmName.SHA256);
string proof = signingInput + "." + Base64Url(signature);
using ECDsa verifier = ECDsa.Create(point);

int succeeded = 0;
for (int i = 0; i < 200 + calls; i++)
{
    bool ok = args[0] == "proof"
        ? client.VerifyDPoPProofAsync(Token, proof, "GET", Url).AsTask().GetAwaiter().GetResult().Jti.Length > 0
        : verifier.VerifyData(input, signature, HashAlgorithmName.SHA256);
    succeeded += ok ? 1 : 0;
}

Console.WriteLine(succeeded);
return succeeded == 200 + calls ? 0 : 1;

static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

internal static class Bearer
{
    // The token and its JWKS, made once outside the measured runs (`mint FILE`): generating an RSA key searches for
    // primes, whose instruction count varies from run to run by more than the whole verification.
    public static int Mint(string file)
    {
        using RSA key = RSA.Create(2048);
        RSAParameters publicKey = key.ExportParameters(false);
        string jwks = $"{{\"keys\":[{{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"k1\",\"n\":\"{Encode(publicKey.Modulus!)}\",\"e\":\"{Encode(publicKey.Exponent!)}\"}}]}}";
        string header = Encode(Encoding.UTF8.GetBytes("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}"));
        string payload = Encode(Encoding.UTF8.GetBytes(
            "{\"https://example.com/roles\":[\"admin\",\"user\"],\"https://example.com/email\":\"user@example.com\",\"iss\":\"https://auth0.local/\","
            + "\"sub\":\"auth0|1234567890\",\"aud\":[\"a\",\"https://auth0.local/userinfo\"],\"iat\":1800000000,\"exp\":1800003600,"
            + "\"scope\":\"openid profile read:orders\",\"org_id\":\"org_abc123\",\"azp\":\"client123\",\"gty\":\"client-credentials\","
            + "\"permissions\":[\"read:orders\",\"write:orders\"]}"));
        string signingInput = header + "." + payload;
        byte[] signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        File.WriteAllLines(file, [signingInput + "." + Encode(signature), jwks, Encode(publicKey.Modulus!), Encode(publicKey.Exponent!)]);
        return 0;
    }

    public static int Run(bool library, int calls, string file)
    {
        string[] lines = File.ReadAllLines(file);
        string token = lines[0];
        DateTimeOffset now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        using ApiClient client = new(new ApiClientOptions
        {
            Domain = "auth0.local",
            Audience = "a",
            TimeProvider = new FixedTime(now),
            StaticJwks = new Dictionary<string, string> { ["auth0.local"] = lines[1] },
            VerifiedTokenCache = false,
        });
        byte[] input = Encoding.ASCII.GetBytes(token[..token.LastIndexOf('.')]);
        byte[] signature = Decode(token[(token.LastIndexOf('.') + 1)..]);
        using RSA verifier = RSA.Create(new RSAParameters { Modulus = Decode(lines[2]), Exponent = Decode(lines[3]) });

        // The span overload, as the library calls it.
        int succeeded = 0;
        for (int i = 0; i < 200 + calls; i++)
        {
            bool ok = library
                ? client.TryVerifyAccessTokenAsync(token).AsTask().GetAwaiter().GetResult().IsValid
                : verifier.VerifyData(input.AsSpan(), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            succeeded += ok ? 1 : 0;
        }

        Console.WriteLine(succeeded);
        return succeeded == 200 + calls ? 0 : 1;
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Decode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
