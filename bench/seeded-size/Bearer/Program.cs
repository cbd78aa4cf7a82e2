// This library with keys seeded (StaticJwks): one Bearer token verified, no network.
using System;
using System.Collections.Generic;
using Auth0.Api.Aot;

string domain = Environment.GetEnvironmentVariable("SEEDED_DOMAIN")!;
using ApiClient client = new(new ApiClientOptions
{
    Domain = domain,
    Audience = "https://api.example.com",
    StaticJwks = new Dictionary<string, string> { [domain] = Environment.GetEnvironmentVariable("SEEDED_JWKS")! },
});
AccessTokenResult result = await client.TryVerifyAccessTokenAsync(Environment.GetEnvironmentVariable("SEEDED_TOKEN"));
Console.WriteLine(result.IsValid ? result.Claims!.Subject : result.ErrorDescription);
return result.IsValid ? 0 : 1;
