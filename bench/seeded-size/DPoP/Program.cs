// This library with keys seeded (StaticJwks): one DPoP request (RS256 access token, ES256 proof) verified, no network.
using System;
using System.Collections.Generic;
using Auth0.Api.Aot;

string domain = Environment.GetEnvironmentVariable("SEEDED_DOMAIN")!;
using ApiClient client = new(new ApiClientOptions
{
    Domain = domain,
    Audience = "https://api.example.com",
    StaticJwks = new Dictionary<string, string> { [domain] = Environment.GetEnvironmentVariable("SEEDED_JWKS")! },
    // The proof is minted once for the whole measurement.
    DPoPIatLeeway = TimeSpan.FromHours(12),
});
RequestVerificationResult result = await client.TryVerifyRequestAsync(
    "DPoP " + Environment.GetEnvironmentVariable("SEEDED_DPOP_TOKEN"), Environment.GetEnvironmentVariable("SEEDED_PROOF"), "GET", "https://api.example.com/orders");
Console.WriteLine(result.IsValid ? result.Scheme : result.ErrorDescription);
return result.IsValid ? 0 : 1;
