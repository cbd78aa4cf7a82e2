using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace Auth0.Api.Aot.Fuzz;

/// <summary>One DPoP proof of the interop fixture, with the request it was made for.</summary>
internal sealed record InteropProof(string Name, string Htm, string Htu, string Proof, string BoundToken);

/// <summary>
/// tests/Fixtures/Interop/dpop-interop.json (embedded): an access token, a Bearer token, their issuer's JWKS and DPoP
/// proofs, all made by the npm packages jose and dpop. Their signed bytes are the only ones a target may ever see verify:
/// nobody here holds the private keys, so a fuzzed input that verifies with other signed bytes is a forgery.
/// </summary>
internal sealed class Interop
{
    private Interop(JsonElement root)
    {
        Domain = Text(root, "domain");
        Audience = Text(root, "audience");
        Jwks = Text(root, "jwks");
        Now = DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("now").GetInt64());
        AccessToken = Text(root, "accessToken");
        BearerToken = Text(root, "bearerToken");
        List<InteropProof> proofs = [];
        foreach (JsonElement proof in root.GetProperty("proofs").EnumerateArray())
        {
            string bound = Text(proof, "boundToken") == "accessToken" ? AccessToken : BearerToken;
            proofs.Add(new InteropProof(Text(proof, "name"), Text(proof, "htm"), Text(proof, "htu"), Text(proof, "proof"), bound));
        }

        Proofs = proofs;
    }

    public static Interop Instance { get; } = Load();

    public string Domain { get; }

    public string Audience { get; }

    /// <summary>The issuer's JWKS, as JSON text.</summary>
    public string Jwks { get; }

    /// <summary>When the fixture was made: the <c>iat</c> of every token and proof, and the clock of every target.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The RS256 access token bound to the ES256 client key (<c>cnf.jkt</c>).</summary>
    public string AccessToken { get; }

    /// <summary>The same claims without <c>cnf</c>.</summary>
    public string BearerToken { get; }

    public IReadOnlyList<InteropProof> Proofs { get; }

    /// <summary>A compact JWS's signed bytes: the text before its second '.'; <see langword="null"/> without two dots.</summary>
    public static string? SigningInput(ReadOnlySpan<char> jws)
    {
        int first = jws.IndexOf('.');
        int second = first < 0 ? -1 : jws[(first + 1)..].IndexOf('.');
        return second < 0 ? null : jws[..(first + 1 + second)].ToString();
    }

    private static Interop Load()
    {
        using Stream stream = typeof(Interop).Assembly.GetManifestResourceStream("dpop-interop.json")
            ?? throw new InvalidOperationException("the interop fixture is not embedded");
        using JsonDocument document = JsonDocument.Parse(stream);
        return new Interop(document.RootElement);
    }

    private static string Text(JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new InvalidOperationException("fixture member '" + name + "' is null");
}
