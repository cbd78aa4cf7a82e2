using System.Net.Http;

namespace Auth0.Api.Aot.AspNetCore.Tests;

/// <summary>The requests and header reads every test class of this project makes.</summary>
internal static class Requests
{
    /// <summary>A request with the credentials given (none when null).</summary>
    public static HttpRequestMessage Get(string path, string? authorization = null, string? dpop = null, HttpMethod? method = null)
    {
        HttpRequestMessage request = new(method ?? HttpMethod.Get, path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (dpop is not null)
        {
            request.Headers.TryAddWithoutValidation("DPoP", dpop);
        }

        return request;
    }

    /// <summary>The WWW-Authenticate header as written (HttpClient's parsed view splits it into challenges).</summary>
    public static string Challenge(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out System.Net.Http.Headers.HeaderStringValues values) ? string.Join(" | ", values) : "(none)";
}
