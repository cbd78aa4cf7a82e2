// Prints what measure.sh needs, one per line: an issuer domain, its JWKS (an RSA key made here), a Bearer token it
// signed for https://api.example.com valid for a day, a DPoP-bound token and its ES256 proof for GET
// https://api.example.com/orders.
//
//   dotnet run bench/seeded-size/mint.cs
#:project ../../tests/Auth0.Api.Aot.Testing/Auth0.Api.Aot.Testing.csproj
#:property PublishAot=false

using System;
using Auth0.Api.Aot.Testing;

const string Domain = "issuer.example";
SigningKey key = SigningKey.CreateRsa("bench-key");
SigningKey proofKey = SigningKey.CreateEc("proof-key");
DateTimeOffset now = DateTimeOffset.UtcNow;
ClaimSet Payload() => new ClaimSet()
    .Set("iss", "https://" + Domain + "/")
    .Set("sub", "auth0|bench")
    .Set("aud", "https://api.example.com")
    .Set("iat", now.ToUnixTimeSeconds())
    .Set("exp", now.ToUnixTimeSeconds() + 86400)
    .Set("scope", "read:orders");
string dpopToken = key.SignCompact(LocalIssuer.StandardHeader(key).ToJson(), Payload().Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(proofKey))).ToJson());
Console.WriteLine(Domain);
Console.WriteLine("{\"keys\":[" + key.PublicJwk().ToJson() + "]}");
Console.WriteLine(key.SignCompact(LocalIssuer.StandardHeader(key).ToJson(), Payload().ToJson()));
Console.WriteLine(dpopToken);
Console.WriteLine(DPoPProofs.Create(proofKey, dpopToken, "GET", "https://api.example.com/orders", now));
