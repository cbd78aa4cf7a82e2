using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Auth0.Api.Aot.Testing;

/// <summary>
/// API Gateway HTTP API events (payload format 2.0) as a Lambda REQUEST authorizer receives them, and tokens for a
/// seeded issuer, for the Lambda sample's tests and its client.
/// </summary>
public static class LambdaEvents
{
    public const string DomainName = "abc123def4.execute-api.us-east-1.amazonaws.com";

    public const string RawPath = "/orders";

    /// <summary>The URL the client called, which a DPoP proof's <c>htu</c> names.</summary>
    public const string Url = "https://" + DomainName + RawPath;

    /// <summary>
    /// An authorizer event for <paramref name="method"/> <paramref name="rawPath"/> with <paramref name="headers"/>
    /// (names as given; API Gateway sends them in lower case), shaped as the API Gateway developer guide documents it.
    /// </summary>
    public static string Authorizer(IReadOnlyDictionary<string, string> headers, string method = "GET", string rawPath = RawPath)
    {
        ArgumentNullException.ThrowIfNull(headers);
        using MemoryStream buffer = new();
        using (Utf8JsonWriter json = new(buffer))
        {
            json.WriteStartObject();
            json.WriteString("version", "2.0");
            json.WriteString("type", "REQUEST");
            json.WriteString("routeArn", "arn:aws:execute-api:us-east-1:000000000000:abc123def4/$default/" + method + rawPath);
            json.WriteStartArray("identitySource");
            if (headers.TryGetValue("authorization", out string? authorization))
            {
                json.WriteStringValue(authorization);
            }

            json.WriteEndArray();
            json.WriteString("routeKey", method + " " + rawPath);
            json.WriteString("rawPath", rawPath);
            json.WriteString("rawQueryString", "page=2");
            json.WriteStartObject("headers");
            json.WriteString("host", DomainName);
            json.WriteString("user-agent", "emulated-client/1.0");
            foreach (KeyValuePair<string, string> header in headers)
            {
                json.WriteString(header.Key, header.Value);
            }

            json.WriteEndObject();
            json.WriteStartObject("queryStringParameters");
            json.WriteString("page", "2");
            json.WriteEndObject();
            json.WriteStartObject("requestContext");
            json.WriteString("accountId", "000000000000");
            json.WriteString("apiId", "abc123def4");
            json.WriteString("domainName", DomainName);
            json.WriteString("domainPrefix", "abc123def4");
            json.WriteStartObject("http");
            json.WriteString("method", method);
            json.WriteString("path", rawPath);
            json.WriteString("protocol", "HTTP/1.1");
            json.WriteString("sourceIp", "192.0.2.1");
            json.WriteString("userAgent", "emulated-client/1.0");
            json.WriteEndObject();
            json.WriteString("requestId", "emulated-request");
            json.WriteString("routeKey", method + " " + rawPath);
            json.WriteString("stage", "$default");
            json.WriteString("time", "01/Jan/2026:00:00:00 +0000");
            json.WriteNumber("timeEpoch", 1767225600000);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A token from <paramref name="domain"/> for <paramref name="audience"/>, issued at <paramref name="now"/>, valid an hour.</summary>
    public static string Token(SigningKey key, string domain, string audience, DateTimeOffset now, Action<ClaimSet>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ClaimSet payload = new ClaimSet()
            .Set("iss", "https://" + domain + "/")
            .Set("sub", "auth0|lambda-user")
            .Set("aud", audience)
            .Set("iat", now.ToUnixTimeSeconds())
            .Set("exp", now.ToUnixTimeSeconds() + 3600)
            .Set("scope", "read:orders");
        configure?.Invoke(payload);
        return key.SignCompact(LocalIssuer.StandardHeader(key).ToJson(), payload.ToJson());
    }

    /// <summary>The JWKS document of <paramref name="key"/>, as AUTH0_JWKS takes it.</summary>
    public static string Jwks(SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return "{\"keys\":[" + key.PublicJwk().ToJson() + "]}";
    }
}
