// Prints what rps-dpop.sh needs, one per line: an issuer domain, its JWKS (an RSA key made here), a Bearer token and a
// DPoP-bound token (cnf.jkt of a P-256 proof key made here) it signed for https://api.example.com, valid for a day; and
// writes <count> distinct proofs of that key for GET <url>, one per line, to <file> (each proof is accepted once).
//
//   dotnet run bench/aspnetcore-size/mint-dpop.cs -- <url> <count> <file>
#:project ../../tests/Auth0.Api.Aot.Testing/Auth0.Api.Aot.Testing.csproj
#:property PublishAot=false

using System;
using System.Globalization;
using System.IO;
using Auth0.Api.Aot.Testing;

string url = args[0];
int count = int.Parse(args[1], CultureInfo.InvariantCulture);
const string Domain = "issuer.example";
SigningKey key = SigningKey.CreateRsa("bench-key");
SigningKey proofKey = SigningKey.CreateEc("bench-proof-key");
long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
ClaimSet Payload() => new ClaimSet()
    .Set("iss", "https://" + Domain + "/")
    .Set("sub", "auth0|bench")
    .Set("aud", "https://api.example.com")
    .Set("iat", now)
    .Set("exp", now + 86400)
    .Set("scope", "read:orders");
string header = LocalIssuer.StandardHeader(key).ToJson();
string bearer = key.SignCompact(header, Payload().ToJson());
string bound = key.SignCompact(header, Payload().Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(proofKey))).ToJson());
using (StreamWriter proofs = new(args[2]))
{
    for (int i = 0; i < count; i++)
    {
        proofs.WriteLine(DPoPProofs.Create(proofKey, bound, "GET", url, DateTimeOffset.UtcNow));
    }
}

Console.WriteLine(Domain);
Console.WriteLine("{\"keys\":[" + key.PublicJwk().ToJson() + "]}");
Console.WriteLine(bearer);
Console.WriteLine(bound);
