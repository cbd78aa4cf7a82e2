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

    /// <summary>A compact JWS's decoded payload (its second segment); <see langword="null"/> without one that decodes.</summary>
    public static byte[]? PayloadOf(string jws)
    {
        string[] parts = jws.Split('.');
        if (parts.Length < 2 || !System.Buffers.Text.Base64Url.IsValid(parts[1]))
        {
            return null;
        }

        return System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]);
    }

    /// <summary>
    /// A compact JWS from a fuzzer's bytes. Plain: the bytes are its text, as UTF-8. Structured, when the first byte is
    /// 0: the rest is the decoded header, payload and signature separated by the first two 0 bytes, each base64url-encoded
    /// here and joined with dots (fewer parts, fewer segments), so that the fuzzer mutates JSON rather than base64url
    /// text. A fixture token in structured form encodes back to the very same text.
    /// </summary>
    public static string JwsFromInput(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || data[0] != 0)
        {
            return System.Text.Encoding.UTF8.GetString(data);
        }

        System.Text.StringBuilder jws = new();
        ReadOnlySpan<byte> rest = data[1..];
        for (int part = 0; part < 3; part++)
        {
            int end = part == 2 ? -1 : rest.IndexOf((byte)0);
            ReadOnlySpan<byte> segment = end < 0 ? rest : rest[..end];
            jws.Append(part == 0 ? string.Empty : ".").Append(System.Buffers.Text.Base64Url.EncodeToString(segment));
            if (end < 0)
            {
                break;
            }

            rest = rest[(end + 1)..];
        }

        return jws.ToString();
    }

    /// <summary>The structured form of a compact JWS: 0, then its decoded header, 0, payload, 0, signature.</summary>
    public static byte[] ToStructured(string jws)
    {
        string[] parts = jws.Split('.');
        return [0, .. System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]), 0, .. System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]), 0, .. System.Buffers.Text.Base64Url.DecodeFromChars(parts[2])];
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
