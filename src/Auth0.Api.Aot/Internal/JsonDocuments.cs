using System.Text.Json.Serialization;

namespace Auth0.Api.Aot.Internal;

// The documents read from JSON. The library reads and writes them with Utf8JsonReader and Utf8JsonWriter (JsonShape
// says why not the serializer); the attributes name their members for the tests, whose source-generated contexts
// compare the readers with the serializer. The discovery and JWKS types hold fields, not properties: each accessor
// would be one more method the JIT compiles when keys are first read; [JsonInclude] lets the serializer read them.

/// <summary>The members of an OpenID Provider Metadata document this library reads (OIDC Discovery 1.0 section 3).</summary>
internal sealed class DiscoveryDocumentDto
{
    [JsonInclude]
    [JsonPropertyName("issuer")]
    public string? Issuer;

    [JsonInclude]
    [JsonPropertyName("jwks_uri")]
    public string? JwksUri;

    [JsonInclude]
    [JsonPropertyName("token_endpoint")]
    public string? TokenEndpoint;
}

/// <summary>A JSON Web Key Set (RFC 7517 section 5).</summary>
internal sealed class JsonWebKeySetDto
{
    [JsonInclude]
    [JsonPropertyName("keys")]
    public JsonWebKeyDto?[]? Keys;
}

/// <summary>The members of a JSON Web Key (RFC 7517 section 4, RFC 7518 section 6) this library reads.</summary>
internal sealed class JsonWebKeyDto
{
    [JsonInclude]
    [JsonPropertyName("kty")]
    public string? Kty;

    [JsonInclude]
    [JsonPropertyName("kid")]
    public string? Kid;

    [JsonInclude]
    [JsonPropertyName("use")]
    public string? Use;

    [JsonInclude]
    [JsonPropertyName("alg")]
    public string? Alg;

    [JsonInclude]
    [JsonPropertyName("key_ops")]
    public string[]? KeyOps;

    [JsonInclude]
    [JsonPropertyName("n")]
    public string? N;

    [JsonInclude]
    [JsonPropertyName("e")]
    public string? E;

    [JsonInclude]
    [JsonPropertyName("crv")]
    public string? Crv;

    [JsonInclude]
    [JsonPropertyName("x")]
    public string? X;

    [JsonInclude]
    [JsonPropertyName("y")]
    public string? Y;

    // Private members: a key that carries any of them is refused (a JWKS publishes public keys only).
    [JsonInclude]
    [JsonPropertyName("d")]
    public string? D;

    [JsonInclude]
    [JsonPropertyName("p")]
    public string? P;

    [JsonInclude]
    [JsonPropertyName("q")]
    public string? Q;

    [JsonInclude]
    [JsonPropertyName("k")]
    public string? K;
}

/// <summary>A snapshot of the key cache (<c>ApiClient.ExportKeySnapshot</c>), version 1.</summary>
internal sealed class KeySnapshotDto
{
    [JsonPropertyName("version")]
    public int Version { get; set; }

    [JsonPropertyName("documents")]
    public KeySnapshotDocumentDto?[]? Documents { get; set; }
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
