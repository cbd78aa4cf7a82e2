using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace Auth0.Api.Aot.Internal;

/// <summary>
/// Export and import of the key cache as a string (cold start: a Lambda keeps it in an environment variable or a file),
/// and static JWKS given in the options. Imported documents are parsed and validated exactly like fetched ones.
/// </summary>
internal static class KeySnapshot
{
    private const string DiscoveryKind = "discovery";
    private const string JwksKind = "jwks";

    public static string Export(KeySource keys, TimeProvider time)
    {
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        List<KeySnapshotDocumentDto> documents = [];
        foreach (ExportedValue<DiscoveryDocument> value in keys.Discovery.Export())
        {
            documents.Add(Document(DiscoveryKind, value.Key, value.Value.Body, now, value.Age, value.MaxAge));
        }

        foreach (ExportedValue<JsonWebKeySet> value in keys.Jwks.Export())
        {
            documents.Add(Document(JwksKind, value.Key, value.Value.Body, now, value.Age, value.MaxAge));
        }

        return Encoding.UTF8.GetString(KeySnapshotJson.Write(documents));
    }

    /// <exception cref="ConfigurationException">The snapshot is not one this library wrote, or a document in it is invalid.</exception>
    public static void Import(string snapshot, KeySource keys, TimeProvider time)
    {
        KeySnapshotDto? dto;
        try
        {
            dto = KeySnapshotJson.Read(snapshot);
        }
        catch (JsonException)
        {
            throw new ConfigurationException("KeySnapshot is not valid JSON");
        }

        if (dto is not { Version: 1, Documents: { } documents })
        {
            throw new ConfigurationException("KeySnapshot is not a version 1 snapshot");
        }

        long now = time.GetUtcNow().ToUnixTimeSeconds();
        foreach (KeySnapshotDocumentDto? document in documents)
        {
            if (document is not { Key: { Length: > 0 } key, Body: { } body } || document.MaxAge < 0)
            {
                throw new ConfigurationException("KeySnapshot has an incomplete document");
            }

            byte[] bytes = Encoding.UTF8.GetBytes(body);
            TimeSpan age = TimeSpan.FromSeconds(Math.Max(0, now - document.FetchedAt));
            TimeSpan maxAge = TimeSpan.FromSeconds(document.MaxAge);
            try
            {
                switch (document.Kind)
                {
                    case DiscoveryKind:
                        if (!DomainNormalizer.TryNormalize(key, out string? issuer, out _) || issuer != key)
                        {
                            throw new ConfigurationException("KeySnapshot has a discovery document for an invalid issuer");
                        }

                        Seed(keys.Discovery, key, DiscoveryDocument.Parse(bytes), maxAge, age);
                        break;
                    case JwksKind:
                        Seed(keys.Jwks, key, JsonWebKeySet.Parse(bytes), maxAge, age);
                        break;
                    default:
                        throw new ConfigurationException("KeySnapshot has a document of an unknown kind");
                }
            }
            catch (KeySourceException exception)
            {
                throw new ConfigurationException("KeySnapshot has an invalid " + document.Kind + " document: " + exception.Message);
            }
        }
    }

    // A build without HTTP (HttpFetchFeature) could never refresh a snapshot's document: it is pinned instead of going
    // stale and then failing.
    private static void Seed<T>(RefreshingCache<T> cache, string key, T value, TimeSpan maxAge, TimeSpan age)
        where T : class
    {
        if (HttpFetchFeature.IsEnabled)
        {
            cache.Seed(key, value, maxAge, age);
        }
        else
        {
            cache.Pin(key, value);
        }
    }

    /// <summary>Pins a JWKS given up front for <paramref name="issuer"/> (normalised), with a discovery document naming it.</summary>
    /// <exception cref="ConfigurationException">The JWKS is invalid.</exception>
    public static void PinStaticJwks(string issuer, string jwks, KeySource keys)
    {
        string jwksUri = issuer + ".well-known/jwks.json";
        JsonWebKeySet set;
        try
        {
            set = JsonWebKeySet.Parse(Encoding.UTF8.GetBytes(jwks));
        }
        catch (KeySourceException exception)
        {
            throw new ConfigurationException("StaticJwks for '" + issuer + "' is invalid: " + exception.Message);
        }

        // Auth0's token endpoint is at a fixed path: token exchange works for a pinned domain without any discovery request.
        DiscoveryDocumentDto discovery = new() { Issuer = issuer, JwksUri = jwksUri, TokenEndpoint = issuer + "oauth/token" };
        // No body: a pinned document is never exported nor shared, and serialising one would keep the JSON writer in
        // a seeded-key binary.
        keys.Discovery.Pin(issuer, new DiscoveryDocument(discovery, []));
        keys.Jwks.Pin(jwksUri, set);
    }

    private static KeySnapshotDocumentDto Document(string kind, string key, byte[] body, long now, TimeSpan age, TimeSpan maxAge) => new()
    {
        Kind = kind,
        Key = key,
        FetchedAt = now - (long)age.TotalSeconds,
        MaxAge = (long)maxAge.TotalSeconds,
        Body = Encoding.UTF8.GetString(body),
    };
}
