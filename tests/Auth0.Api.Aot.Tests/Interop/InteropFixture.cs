using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Auth0.Api.Aot.Tests.Interop;

/// <summary>
/// tests/Fixtures/Interop/dpop-interop.json, made once by the npm packages jose and dpop (see the README beside it) and
/// copied to the test output. Read with <see cref="JsonDocument"/>: reflection-based serialization is off in this project.
/// </summary>
internal sealed class InteropFixture
{
    private InteropFixture(JsonElement root)
    {
        JsonElement generator = root.GetProperty("generator");
        GeneratorVersions = "jose " + Text(generator, "jose") + ", dpop " + Text(generator, "dpop") + ", node " + Text(generator, "node");
        Issuer = Text(root, "issuer");
        Domain = Text(root, "domain");
        Audience = Text(root, "audience");
        Jwks = Text(root, "jwks");
        Now = root.GetProperty("now").GetInt64();
        AccessToken = Text(root, "accessToken");
        BearerToken = Text(root, "bearerToken");

        Dictionary<string, InteropProof> proofs = new(StringComparer.Ordinal);
        foreach (JsonElement proof in root.GetProperty("proofs").EnumerateArray())
        {
            JsonElement nonce = proof.GetProperty("nonce");
            InteropProof entry = new(
                Text(proof, "name"),
                Text(proof, "alg"),
                Text(proof, "htm"),
                Text(proof, "htu"),
                Text(proof, "jkt"),
                Text(proof, "proof"),
                Text(proof, "boundToken"),
                nonce.ValueKind == JsonValueKind.Null ? null : nonce.GetString());
            proofs.Add(entry.Name, entry);
        }

        Proofs = proofs;
    }

    public static InteropFixture Instance { get; } = Load();

    public string GeneratorVersions { get; }

    public string Issuer { get; }

    public string Domain { get; }

    public string Audience { get; }

    /// <summary>The JWKS of the token issuer, as JSON text.</summary>
    public string Jwks { get; }

    /// <summary>The Unix time of generation: the <c>iat</c> of every token and proof.</summary>
    public long Now { get; }

    /// <summary>The RS256 access token bound to the ES256 client key (<c>cnf.jkt</c>).</summary>
    public string AccessToken { get; }

    /// <summary>The same token without <c>cnf</c>.</summary>
    public string BearerToken { get; }

    public IReadOnlyDictionary<string, InteropProof> Proofs { get; }

    public DateTimeOffset NowAsDateTimeOffset => DateTimeOffset.FromUnixTimeSeconds(Now);

    /// <summary>The token a proof's <c>ath</c> was computed over.</summary>
    public string TokenFor(InteropProof proof) => proof.BoundToken switch
    {
        "accessToken" => AccessToken,
        "bearerToken" => BearerToken,
        _ => throw new InvalidOperationException("Unknown boundToken '" + proof.BoundToken + "'"),
    };

    /// <summary>The RFC 9449 <c>ath</c> of a token, computed here (base64url of its SHA-256).</summary>
    public static string Ath(string token) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A string member of a JWS segment (header or payload), as the other implementation wrote it.</summary>
    public static string? Member(string compact, int segment, string name)
    {
        string[] parts = compact.Split('.');
        using JsonDocument document = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[segment]));
        return document.RootElement.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    private static InteropFixture Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Interop", "dpop-interop.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        return new InteropFixture(document.RootElement);
    }

    private static string Text(JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new InvalidOperationException("Fixture member '" + name + "' is null");
}

/// <summary>One entry of the fixture's <c>proofs</c>.</summary>
/// <param name="Name">The entry's name, e.g. <c>es256-get</c>.</param>
/// <param name="Alg">The JWS algorithm of the proof.</param>
/// <param name="Htm">The method the proof was made for.</param>
/// <param name="Htu">The URL the proof was made for, as written in the proof.</param>
/// <param name="Jkt">The RFC 7638 SHA-256 thumbprint of the proof key, computed by jose.</param>
/// <param name="Proof">The compact JWS.</param>
/// <param name="BoundToken">The fixture member (<c>accessToken</c> or <c>bearerToken</c>) whose hash is the proof's <c>ath</c>.</param>
/// <param name="Nonce">The proof's <c>nonce</c>, or <see langword="null"/>.</param>
internal sealed record InteropProof(string Name, string Alg, string Htm, string Htu, string Jkt, string Proof, string BoundToken, string? Nonce);
