// The loop of bench/instructions.sh: `proof N` verifies one DPoP proof of a returning client key with
// ApiClient.VerifyDPoPProofAsync (replay protection off, so the same proof verifies every time), `ecdsa N` runs the
// bare ECDsa.VerifyData of the same proof; each after 200 warm-up calls. No network, no server, no timer: nothing runs
// beside the loop, so callgrind's instruction total depends on the call count alone.

using System.Security.Cryptography;
using System.Text;
using Auth0.Api.Aot;

if (args.Length != 2 || args[0] is not ("proof" or "ecdsa") || !int.TryParse(args[1], out int calls))
{
    Console.Error.WriteLine("usage: Instructions proof|ecdsa N");
    return 2;
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

sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
