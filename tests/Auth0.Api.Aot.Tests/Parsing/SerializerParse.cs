using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Tests.Parsing;

/// <summary>
/// What KeySource.Parse made of a discovery or JWKS body when the library read them with the serializer (source-generated
/// metadata; the tests' contexts repeat the library's options), for the tests that hold the readers to it.
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
