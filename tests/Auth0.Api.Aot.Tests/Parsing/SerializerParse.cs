using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Auth0.Api.Aot.Internal;

// Shared by the reader tests and the fuzz project's documents target (linked there): the serializer the readers replaced.
namespace Auth0.Api.Aot.Tests.Parsing;

/// <summary>
/// What KeySource.Parse made of a discovery or JWKS body when the library read them with the serializer (source-generated
/// metadata with the library's former options: <see cref="SerializerReferenceJson"/>), for the tests that hold the
/// readers to it.
/// </summary>
internal static class SerializerParse
{
    public static T Parse<T>(byte[] body, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        T? document;
        try
        {
            document = JsonSerializer.Deserialize(body, typeInfo);
        }
        catch (JsonException)
        {
            throw new KeySourceException("response is not valid JSON of the expected shape");
        }

        return document ?? throw new KeySourceException("response is not a JSON object");
    }
}

/// <summary>The source-generated context the library had before its readers, with its options.</summary>
[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Metadata,
    PropertyNameCaseInsensitive = false,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(DiscoveryDocumentDto))]
[JsonSerializable(typeof(JsonWebKeySetDto))]
[JsonSerializable(typeof(KeySnapshotDto))]
internal sealed partial class SerializerReferenceJson : JsonSerializerContext
{
}
