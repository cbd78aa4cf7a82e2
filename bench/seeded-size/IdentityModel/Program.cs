// Microsoft.IdentityModel.JsonWebTokens with the keys given as a string: one RS256 token verified, no network.
using System;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

JsonWebKeySet keys = new(Environment.GetEnvironmentVariable("SEEDED_JWKS")!);
TokenValidationParameters parameters = new()
{
    ValidIssuer = "https://" + Environment.GetEnvironmentVariable("SEEDED_DOMAIN") + "/",
    ValidAudience = "https://api.example.com",
    IssuerSigningKeys = keys.GetSigningKeys(),
};
TokenValidationResult result = await new JsonWebTokenHandler().ValidateTokenAsync(Environment.GetEnvironmentVariable("SEEDED_TOKEN"), parameters);
Console.WriteLine(result.IsValid ? result.ClaimsIdentity.Name ?? "valid" : result.Exception?.GetType().Name);
return result.IsValid ? 0 : 1;
