// Prints what rps.sh needs, one per line: an issuer domain, its JWKS (an RSA key made here) and a Bearer token it
// signed for https://api.example.com with the scope read:orders, valid for a day.
//
//   dotnet run bench/aspnetcore-size/mint.cs
#:project ../../tests/Auth0.Api.Aot.Testing/Auth0.Api.Aot.Testing.csproj
#:property PublishAot=false

using System;
using Auth0.Api.Aot.Testing;

const string Domain = "issuer.example";
SigningKey key = SigningKey.CreateRsa("bench-key");
long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
ClaimSet payload = new ClaimSet()
    .Set("iss", "https://" + Domain + "/")
    .Set("sub", "auth0|bench")
    .Set("aud", "https://api.example.com")
    .Set("iat", now)
    .Set("exp", now + 86400)
    .Set("scope", "read:orders");
Console.WriteLine(Domain);
Console.WriteLine("{\"keys\":[" + key.PublicJwk().ToJson() + "]}");
Console.WriteLine(key.SignCompact(LocalIssuer.StandardHeader(key).ToJson(), payload.ToJson()));
