using System.Text.Json.Serialization;

namespace Auth0.Api.Aot.Internal;

/// <summary>The members of an OpenID Provider Metadata document this library reads (OIDC Discovery 1.0 section 3).</summary>
internal sealed class DiscoveryDocumentDto
{
    [JsonPropertyName("issuer")]
    public string? Issuer { get; set; }

    [JsonPropertyName("jwks_uri")]
    public string? JwksUri { get; set; }

    [JsonPropertyName("token_endpoint")]
    public string? TokenEndpoint { get; set; }
}

/// <summary>A JSON Web Key Set (RFC 7517 section 5).</summary>
internal sealed class JsonWebKeySetDto
{
    [JsonPropertyName("keys")]
    public JsonWebKeyDto?[]? Keys { get; set; }
}

/// <summary>The members of a JSON Web Key (RFC 7517 section 4, RFC 7518 section 6) this library reads.</summary>
internal sealed class JsonWebKeyDto
{
    [JsonPropertyName("kty")]
    public string? Kty { get; set; }

    [JsonPropertyName("kid")]
    public string? Kid { get; set; }

    [JsonPropertyName("use")]
    public string? Use { get; set; }

    [JsonPropertyName("alg")]
    public string? Alg { get; set; }

    [JsonPropertyName("key_ops")]
    public string[]? KeyOps { get; set; }

    [JsonPropertyName("n")]
    public string? N { get; set; }

    [JsonPropertyName("e")]
    public string? E { get; set; }

    [JsonPropertyName("crv")]
    public string? Crv { get; set; }

    [JsonPropertyName("x")]
    public string? X { get; set; }

    [JsonPropertyName("y")]
    public string? Y { get; set; }

    // Private members: a key that carries any of them is refused (a JWKS publishes public keys only).
    [JsonPropertyName("d")]
    public string? D { get; set; }

    [JsonPropertyName("p")]
    public string? P { get; set; }

    [JsonPropertyName("q")]
    public string? Q { get; set; }

    [JsonPropertyName("k")]
    public string? K { get; set; }
}

/// <summary>A snapshot of the key cache (<c>ApiClient.ExportKeySnapshot</c>), version 1.</summary>
internal sealed class KeySnapshotDto
{
    [JsonPropertyName("version")]
    public int Version { get; set; }

    [JsonPropertyName("documents")]
    public KeySnapshotDocumentDto[]? Documents { get; set; }
}

/// <summary>One cached document: what it is, its cache key, when it was fetched, its lifetime and its body.</summary>
internal sealed class KeySnapshotDocumentDto
{
    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("key")]
    public string? Key { get; set; }

    [JsonPropertyName("fetched_at")]
    public long FetchedAt { get; set; }

    [JsonPropertyName("max_age")]
    public long MaxAge { get; set; }

    [JsonPropertyName("body")]
    public string? Body { get; set; }
}

/// <summary>Source-generated System.Text.Json metadata: no reflection at run time.</summary>
[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Metadata,
    PropertyNameCaseInsensitive = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    NumberHandling = JsonNumberHandling.Strict)]
// The JWKS types are not here: JwksReader reads them without the serializer (its file says why), and a type listed
// here has its metadata code in every NativeAOT binary, used or not.
[JsonSerializable(typeof(DiscoveryDocumentDto))]
[JsonSerializable(typeof(KeySnapshotDto))]
internal sealed partial class Auth0JsonContext : JsonSerializerContext
{
}
