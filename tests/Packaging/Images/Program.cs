// Runs the core package's code on the platform of one of its ReadyToRun images (tests/Packaging/check-images.sh): a
// Bearer token and a DPoP request (RS256 token, ES256 proof) verified with seeded keys, and a forged signature and a
// proof for another URL refused. The token, keys and proof are minted beforehand by bench/seeded-size/mint.cs and
// given in SEEDED_DOMAIN, SEEDED_JWKS, SEEDED_TOKEN, SEEDED_DPOP_TOKEN and SEEDED_PROOF, so that nothing here creates
// or exports a key (Wine's bcrypt cannot export a generated RSA key). Prints "images: ok" and exits 0 when every
// check holds, else exits 1 with the first that does not.
using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Auth0.Api.Aot;

string domain = Required("SEEDED_DOMAIN");
string token = Required("SEEDED_TOKEN");
using ApiClient client = new(new ApiClientOptions
{
    Domain = domain,
    Audience = "https://api.example.com",
    StaticJwks = new Dictionary<string, string> { [domain] = Required("SEEDED_JWKS") },
    DPoPIatLeeway = TimeSpan.FromHours(1),
});

AccessTokenResult bearer = await client.TryVerifyAccessTokenAsync(token);
Check(bearer.IsValid && bearer.Claims!.Subject == "auth0|bench", "the Bearer token verified: " + bearer.ErrorDescription);
AccessTokenResult forged = await client.TryVerifyAccessTokenAsync(token[..^2] + (token[^2] == 'A' ? "BA" : "AA"));
Check(forged.Failure == VerificationFailure.SignatureInvalid, "a forged signature refused as such: " + forged.Failure);

string dpop = "DPoP " + Required("SEEDED_DPOP_TOKEN");
string proof = Required("SEEDED_PROOF");
RequestVerificationResult request = await client.TryVerifyRequestAsync(dpop, proof, "GET", "https://api.example.com/orders");
Check(request.IsValid && request.Scheme == "dpop", "the DPoP request verified: " + request.ErrorDescription);
RequestVerificationResult elsewhere = await client.TryVerifyRequestAsync(dpop, proof, "GET", "https://api.example.com/other");
Check(!elsewhere.IsValid && elsewhere.ErrorCode == "invalid_dpop_proof", "a proof for another URL refused: " + elsewhere.ErrorCode);

Console.WriteLine("images: ok on " + System.Runtime.InteropServices.RuntimeInformation.OSDescription + ", " + Environment.Version);
return 0;

static string Required(string name) =>
    Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException(name + " is not set");

static void Check(bool condition, string what)
{
    if (!condition)
    {
        Console.Error.WriteLine("images: FAILED: " + what);
        Environment.Exit(1);
    }
}
