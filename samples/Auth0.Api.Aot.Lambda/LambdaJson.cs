// The JSON this function reads and writes, all through the source-generated LambdaJsonContext (no reflection).
//
// In: an API Gateway HTTP API event, payload format 2.0. A Lambda authorizer's event ("type":"REQUEST", with routeArn
// and identitySource) and a proxy integration's event share the members read here; the rest is ignored.
// Out: the authorizer's simple response, or an HTTP API response, or a Runtime API error body.

using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Auth0.Api.Aot.Lambda;

internal sealed class HttpApiEvent
{
    [JsonPropertyName("version")]
    public string? Version { get; set; }

    /// <summary><c>REQUEST</c> in a Lambda authorizer's event; absent from a proxy integration's.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("rawPath")]
    public string? RawPath { get; set; }

    /// <summary>
    /// The request headers, names in lower case; repeated headers arrive joined with commas. A name given twice is refused
    /// by the reader (AllowDuplicateProperties), twice in different cases by <see cref="HttpApiFunction"/>.
    /// </summary>
    [JsonPropertyName("headers")]
    public Dictionary<string, string>? Headers { get; set; }

    [JsonPropertyName("requestContext")]
    public HttpApiRequestContext? RequestContext { get; set; }
}

internal sealed class HttpApiRequestContext
{
    /// <summary>The host the client called (the execute-api host or a custom domain).</summary>
    [JsonPropertyName("domainName")]
    public string? DomainName { get; set; }

    [JsonPropertyName("http")]
    public HttpApiRequestLine? Http { get; set; }
}

internal sealed class HttpApiRequestLine
{
    [JsonPropertyName("method")]
    public string? Method { get; set; }
}

/// <summary>The authorizer's simple response (payload format 2.0, enableSimpleResponses).</summary>
internal sealed class AuthorizerResponse
{
    [JsonPropertyName("isAuthorized")]
    public bool IsAuthorized { get; set; }

    /// <summary>Handed to the integration as <c>$context.authorizer.*</c>: facts about the caller, never the token.</summary>
    [JsonPropertyName("context")]
    public CallerContext? Context { get; set; }
}

/// <summary>The verified caller: the authorizer's context, and the body of the api mode's 200.</summary>
internal sealed class CallerContext
{
    [JsonPropertyName("sub")]
    public string? Subject { get; set; }

    [JsonPropertyName("scope")]
    public string? Scope { get; set; }

    /// <summary><c>bearer</c> or <c>dpop</c>.</summary>
    [JsonPropertyName("scheme")]
    public string? Scheme { get; set; }
}

/// <summary>An HTTP API response, payload format 2.0.</summary>
internal sealed class HttpApiResponse
{
    [JsonPropertyName("statusCode")]
    public int StatusCode { get; set; }

    [JsonPropertyName("headers")]
    public Dictionary<string, string> Headers { get; set; } = [];

    [JsonPropertyName("body")]
    public string Body { get; set; } = string.Empty;

    [JsonPropertyName("isBase64Encoded")]
    public bool IsBase64Encoded { get; set; }
}

/// <summary>The OAuth error body of a refused request (RFC 6750 names); the description never holds the token.</summary>
internal sealed class OAuthError
{
    [JsonPropertyName("error")]
    public string? Error { get; set; }

    [JsonPropertyName("error_description")]
    public string? ErrorDescription { get; set; }
}

/// <summary>The body of <c>invocation/{id}/error</c> and <c>init/error</c>.</summary>
internal sealed class RuntimeError
{
    [JsonPropertyName("errorMessage")]
    public string ErrorMessage { get; set; } = string.Empty;

    [JsonPropertyName("errorType")]
    public string ErrorType { get; set; } = string.Empty;
}

// A duplicated member (two "authorization" headers in one object, say) is refused rather than last-one-wins.
[JsonSourceGenerationOptions(AllowDuplicateProperties = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HttpApiEvent))]
[JsonSerializable(typeof(AuthorizerResponse))]
[JsonSerializable(typeof(HttpApiResponse))]
[JsonSerializable(typeof(CallerContext))]
[JsonSerializable(typeof(OAuthError))]
[JsonSerializable(typeof(RuntimeError))]
internal sealed partial class LambdaJsonContext : JsonSerializerContext;
