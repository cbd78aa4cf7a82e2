using System.Net;
using System.Threading.Tasks;
using Auth0.Api.Aot;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace Auth0.Api.Aot.Functions;

/// <summary>HTTP functions behind the middleware: the function runs only for a verified request.</summary>
public static class OrdersFunctions
{
    /// <summary>GET /api/orders: needs the scope read:orders (Program.cs); answers with the caller's subject.</summary>
    [Function("orders")]
    public static async Task<HttpResponseData> Orders([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request, FunctionContext context)
    {
        AccessTokenClaims claims = context.GetAccessTokenClaims();
        HttpResponseData response = request.CreateResponse(HttpStatusCode.OK);
        await response.WriteStringAsync("orders of " + claims.Subject);
        return response;
    }

    /// <summary>GET /api/me: any valid access token.</summary>
    [Function("me")]
    public static async Task<HttpResponseData> Me([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequestData request, FunctionContext context)
    {
        AccessTokenClaims claims = context.GetAccessTokenClaims();
        HttpResponseData response = request.CreateResponse(HttpStatusCode.OK);
        await response.WriteStringAsync(claims.Subject ?? string.Empty);
        return response;
    }
}
