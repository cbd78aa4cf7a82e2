using System;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Fuzz;

/// <summary>
/// Writes fuzz/corpus/ (committed): a few inputs per target, derived from the interop fixture (real tokens, proofs and
/// JWKS made by jose and dpop), the htu fixture (URLs as Node.js's WHATWG parser reads them), the hostile inputs of the
/// unit tests, and the entries this library writes to a shared cache. Deterministic: running it again changes nothing.
/// </summary>
internal static class Seeds
{
    public static void Write(string root)
    {
        Interop fixture = Interop.Instance;
        Write(root, "token", TokenSeeds(fixture));
        Write(root, "proof", ProofSeeds(fixture));
        Write(root, "htu", HtuSeeds());
        Write(root, "jwks", JwksSeeds(fixture));
        Write(root, "cache-entry", CacheEntrySeeds(fixture));
        Write(root, "documents", DocumentSeeds(fixture));
    }

    private static void Write(string root, string target, IEnumerable<(string Name, byte[] Data)> seeds)
    {
        string folder = Path.Combine(root, target);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        int count = 0;
        foreach ((string name, byte[] data) in seeds)
        {
            File.WriteAllBytes(Path.Combine(folder, name), data);
            count++;
        }

        Console.WriteLine(target + ": " + count + " seeds");
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    // A string's UTF-16 code units as they are in memory, lone surrogates kept (Encoding.Unicode would replace them).
    private static byte[] CodeUnits(string text) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(text.AsSpan()).ToArray();

    private static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private static string Segment(string jws, int index) => jws.Split('.')[index];

    private static string DecodeSegment(string jws, int index) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(Segment(jws, index)));

    private static IEnumerable<(string, byte[])> TokenSeeds(Interop fixture)
    {
        string bearer = fixture.BearerToken;
        string header = Segment(bearer, 0);
        string payload = Segment(bearer, 1);
        string signature = Segment(bearer, 2);
        char last = signature[^1] == 'A' ? 'B' : 'A';
        yield return ("access-token", Utf8(fixture.AccessToken));
        yield return ("bearer-token", Utf8(bearer));
        yield return ("bearer-token-signature-changed", Utf8(bearer[..^1] + last));
        yield return ("alg-none", Utf8(B64("{\"alg\":\"none\"}") + "." + payload + "."));
        yield return ("alg-hs256", Utf8(B64("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"interop-rs256\"}") + "." + payload + "." + signature));
        yield return ("crit", Utf8(B64("{\"alg\":\"RS256\",\"kid\":\"interop-rs256\",\"crit\":[\"exp\"],\"exp\":1}") + "." + payload + "." + signature));

        // From RobustnessTests: escapes of lone surrogates in every place a name or value is read.
        yield return ("kid-lone-surrogate", Utf8(B64("{\"alg\":\"RS256\",\"kid\":\"\\ud800\"}") + "." + B64("{}") + "." + signature));
        yield return ("aud-lone-surrogate", Utf8(header + "." + B64("{\"iss\":\"https://interop.example.com/\",\"aud\":[\"\\udc00x\"],\"permissions\":[\"a\",\"\\ud800\"]}") + "." + signature));
        yield return ("cnf-shapes", Utf8(header + "." + B64("{\"cnf\":{\"jkt\":\"\\u0041\",\"jkt\":1},\"exp\":1e-400,\"nbf\":-0,\"iat\":9223372036854775808}") + "." + signature));
        yield return ("deep-payload", Utf8(header + "." + B64(new string('[', 70) + new string(']', 70)) + "." + signature));
        // Repeated member names (RFC 7519 section 4): plain, escaped, and past the 16 names compared as they come.
        string claims = DecodeSegment(bearer, 1)[..^1];
        yield return ("duplicate-custom-claim", Interop.ToStructured(header + "." + B64(claims + ",\"roles\":\"user\",\"roles\":\"admin\"}") + "." + signature));
        yield return ("duplicate-escaped-claim", Interop.ToStructured(header + "." + B64(claims + ",\"roles\":[],\"r\\u006fles\":{}}") + "." + signature));
        yield return ("many-claims", Interop.ToStructured(header + "." + B64(claims + string.Concat(Enumerable.Range(0, 20).Select(i => ",\"m" + i + "\":" + i)) + ",\"m3\":0}") + "." + signature));
        yield return ("two-segments", Utf8(header + "." + payload));
        yield return ("padded", Utf8(header + "=." + payload + "." + signature));

        // Structured form (Interop.JwsFromInput): the decoded parts, so that mutations land in the JSON.
        yield return ("structured-bearer-token", Interop.ToStructured(bearer));
        yield return ("structured-access-token", Interop.ToStructured(fixture.AccessToken));
    }

    private static IEnumerable<(string, byte[])> ProofSeeds(Interop fixture)
    {
        foreach (InteropProof proof in fixture.Proofs)
        {
            yield return (proof.Name, Utf8(proof.Htm + "\n" + proof.Htu + "\n" + proof.BoundToken + "\n" + proof.Proof));
        }

        foreach (InteropProof proof in fixture.Proofs.Where(p => p.Name is "es256-get" or "ps256" or "ed25519"))
        {
            yield return ("structured-" + proof.Name, [.. Utf8(proof.Htm + "\n" + proof.Htu + "\n" + proof.BoundToken + "\n"), .. Interop.ToStructured(proof.Proof)]);
        }

        InteropProof first = fixture.Proofs[0];
        yield return ("no-token", Utf8(first.Htm + "\n" + first.Htu + "\n\n" + first.Proof));

        // The ES256 proof's header with a private member added to its jwk: refused before any key is imported.
        string header = DecodeSegment(first.Proof, 0);
        string withPrivate = header.Replace("\"crv\":", "\"d\":\"AAAA\",\"crv\":", StringComparison.Ordinal);
        yield return ("private-jwk", Utf8(first.Htm + "\n" + first.Htu + "\n" + first.BoundToken + "\n" + B64(withPrivate) + "." + Segment(first.Proof, 1) + "." + Segment(first.Proof, 2)));
    }

    private static IEnumerable<(string, byte[])> HtuSeeds()
    {
        using Stream stream = typeof(Seeds).Assembly.GetManifestResourceStream("htu-corpus.json")
            ?? throw new InvalidOperationException("the htu fixture is not embedded");
        using JsonDocument document = JsonDocument.Parse(stream);
        JsonElement root = document.RootElement;

        // One row of each kind the normaliser handles (the first whose input contains the marker), paired with its
        // comparison form (a match) or, where the parser refuses it, with the plainest URL.
        (string Name, string Marker)[] kinds =
        [
            ("idna", "bücher"), ("idna-invalid", "xn--a."), ("userinfo", "user:pw@"), ("backslashes", ":\\\\"),
            ("tab-newline", "\t"), ("port-leading-zero", ":0443"), ("ipv4-hex", "0x7f.1"), ("ipv6-embedded-ipv4", "::ffff:1.2.3.4"),
            ("escape-unreserved", "%7e"), ("escaped-dot-segment", "%2e%2E"), ("non-special", "foo://api.example.com/a"),
            ("fullwidth-digits", "１２７"), ("ipv6-zone", "[::1%25"),
        ];
        JsonElement[] rows = [.. root.GetProperty("rows").EnumerateArray()];
        foreach ((string name, string marker) in kinds)
        {
            JsonElement row = rows.First(r => r.GetProperty("input").GetString()!.Contains(marker, StringComparison.Ordinal));
            string input = row.GetProperty("input").GetString()!;
            string other = row.GetProperty("comparable").GetString() ?? "https://api.example.com/";
            yield return ("row-" + name, Utf8(input + "\n" + other));
        }

        JsonElement[] pairs = [.. root.GetProperty("pairs").EnumerateArray()];
        foreach (int index in new[] { 2, 8, 10, 18 })
        {
            yield return ("pair-" + index, Utf8(pairs[index].GetProperty("a").GetString() + "\n" + pairs[index].GetProperty("b").GetString()));
        }
    }

    private static IEnumerable<(string, byte[])> JwksSeeds(Interop fixture)
    {
        string rsa = fixture.Jwks;
        yield return ("interop-rsa", Utf8(rsa));

        // The proof keys of the fixture (EC P-256, P-384, P-521, RSA, OKP), as a JWKS and one alone (the proof's jwk reader).
        List<string> proofKeys = [];
        foreach (InteropProof proof in fixture.Proofs)
        {
            using JsonDocument header = JsonDocument.Parse(DecodeSegment(proof.Proof, 0));
            proofKeys.Add(header.RootElement.GetProperty("jwk").GetRawText());
        }

        yield return ("proof-keys", Utf8("{\"keys\":[" + string.Join(',', proofKeys.Distinct(StringComparer.Ordinal)) + "]}"));
        yield return ("lone-ec-jwk", Utf8(proofKeys[0]));
        yield return ("lone-okp-jwk", Utf8(proofKeys.First(k => k.Contains("\"OKP\"", StringComparison.Ordinal))));

        // Keys the rules refuse (JsonWebKeySet's header list): private, wrong use, key_ops without verify, small modulus,
        // even exponent, a point that is not on the curve.
        string n = JsonDocument.Parse(rsa).RootElement.GetProperty("keys")[0].GetProperty("n").GetString()!;
        yield return ("refused-keys", Utf8(
            "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"a\",\"n\":\"" + n + "\",\"e\":\"AQAB\",\"d\":\"AQAB\"}," +
            "{\"kty\":\"RSA\",\"kid\":\"b\",\"n\":\"" + n + "\",\"e\":\"AQAB\",\"use\":\"enc\"}," +
            "{\"kty\":\"RSA\",\"kid\":\"c\",\"n\":\"" + n + "\",\"e\":\"AQAB\",\"key_ops\":[\"sign\"]}," +
            "{\"kty\":\"RSA\",\"kid\":\"d\",\"n\":\"" + n[..40] + "\",\"e\":\"AQAB\"}," +
            "{\"kty\":\"RSA\",\"kid\":\"e\",\"n\":\"" + n + "\",\"e\":\"AQAA\"}," +
            "{\"kty\":\"EC\",\"kid\":\"f\",\"crv\":\"P-256\",\"x\":\"" + new string('A', 43) + "\",\"y\":\"" + new string('A', 43) + "\"}]}"));
        yield return ("no-keys", Utf8("{\"keys\":[]}"));
        yield return ("keys-null", Utf8("{\"keys\":[null,1,\"k\",{}]}"));
        yield return ("array", Utf8("[{\"keys\":[]}]"));
        yield return ("not-json", Utf8("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"\\ud800\",}"));
    }

    // The first byte chooses the reader (DocumentsTarget): 0 discovery, 1 JWKS, 2 key snapshot.
    private static IEnumerable<(string, byte[])> DocumentSeeds(Interop fixture)
    {
        const string Issuer = "https://interop.example.com/";
        string discovery = "{\"issuer\":\"" + Issuer + "\",\"jwks_uri\":\"" + Issuer + ".well-known/jwks.json\",\"token_endpoint\":\"" + Issuer
            + "oauth/token\",\"scopes_supported\":[\"openid\"],\"nested\":{\"issuer\":1}}";
        yield return ("discovery", [0, .. Utf8(discovery)]);
        yield return ("discovery-escaped-duplicate", [0, .. Utf8("{\"\\u0069ssuer\":\"a\",\"issuer\":\"\\u00e9\\uD83D\\uDE00\",\"jwks_uri\":null}")]);
        yield return ("discovery-lone-surrogate-name", [0, .. Utf8("{\"zz\\uD800\":1,\"issuer\":\"a\"}")]);
        yield return ("jwks", [1, .. Utf8(fixture.Jwks)]);
        yield return ("jwks-shapes", [1, .. Utf8("{\"keys\":[null,{\"kid\":\"a\",\"kid\":\"b\",\"key_ops\":[\"verify\",null]},{}],\"keys\":[]}")]);
        string jwks = "\"" + JsonEncodedText.Encode(fixture.Jwks) + "\"";
        string disc = "\"" + JsonEncodedText.Encode(discovery) + "\"";
        yield return ("snapshot", [2, .. Utf8("{\"version\":1,\"documents\":[{\"kind\":\"discovery\",\"key\":\"" + Issuer + "\",\"fetched_at\":1700000000,\"max_age\":600,\"body\":"
            + disc + "},{\"kind\":\"jwks\",\"key\":\"" + Issuer + ".well-known/jwks.json\",\"fetched_at\":1700000000,\"max_age\":600,\"body\":" + jwks + "}]}")]);
        yield return ("snapshot-numbers", [2, .. Utf8("{\"version\":1.0,\"documents\":[null,{\"fetched_at\":-9223372036854775808,\"max_age\":9223372036854775807,\"kind\":null}]}")]);
        yield return ("snapshot-escapes", [2, .. Utf8("{\"\\u0076ersion\":1,\"documents\":[{\"body\":\"<&>'+\\u2028\\uD83D\\uDE00\\t\",\"key\":\"\\u0000\"}]}")]);

        // The same snapshots as strings of UTF-16 code units (mode 3), one with a lone surrogate in a value.
        string small = "{\"version\":1,\"documents\":[{\"kind\":\"jwks\",\"key\":\"k\u00e9\uD83D\uDE00\",\"fetched_at\":1,\"max_age\":60,\"body\":\"{}\"}]}";
        yield return ("snapshot-utf16", [3, .. CodeUnits(small)]);
        yield return ("snapshot-utf16-lone-surrogate", [3, .. CodeUnits(small.Replace("\uDE00", "", StringComparison.Ordinal))]);
    }

    private static IEnumerable<(string, byte[])> CacheEntrySeeds(Interop fixture)
    {
        foreach ((string key, SharedDocumentKind kind, byte[] value) in CacheEntryTarget.Entries)
        {
            string name = kind == SharedDocumentKind.Jwks ? "jwks" : "discovery";
            yield return ("stored-" + name, [0, .. value]);
            yield return ("stored-" + name + "-truncated", [0, .. value.AsSpan(0, value.Length - 1)]);
        }

        byte[] body = Utf8(fixture.Jwks);
        long now = fixture.Now.ToUnixTimeMilliseconds();
        yield return ("sealed-jwks", Sealed(SharedCacheEntry.FormatVersion, (byte)'J', now - 60_000, now + 540_000, body));
        yield return ("sealed-jwks-expired", Sealed(SharedCacheEntry.FormatVersion, (byte)'J', now - 600_000, now, body));
        yield return ("sealed-jwks-future", Sealed(SharedCacheEntry.FormatVersion, (byte)'J', now + 301_000, now + 400_000, body));
        yield return ("sealed-version-1", Sealed(1, (byte)'J', now - 60_000, now + 540_000, body));
        yield return ("sealed-discovery-extremes", Sealed(SharedCacheEntry.FormatVersion, (byte)'D', long.MinValue, long.MaxValue, Utf8("{\"issuer\":\"https://interop.example.com/\"}")));
    }

    private static byte[] Sealed(byte version, byte kind, long fetchedAt, long expiresAt, byte[] body)
    {
        byte[] input = new byte[19 + body.Length];
        input[0] = 1;
        input[1] = version;
        input[2] = kind;
        BinaryPrimitives.WriteInt64BigEndian(input.AsSpan(3), fetchedAt);
        BinaryPrimitives.WriteInt64BigEndian(input.AsSpan(11), expiresAt);
        body.CopyTo(input.AsSpan(19));
        return input;
    }
}
