// Worker middleware: for an HTTP-triggered function, verifies the request through FunctionsAuthenticator before the
// function runs; on success the claims go into FunctionContext.Items (read them with GetAccessTokenClaims()), otherwise
// the invocation's result is the refusal (status, WWW-Authenticate, Retry-After, DPoP-Nonce, a JSON body naming the
// error code) and the function does not run. Invocations of other triggers pass through.
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace Auth0.Api.Aot.Functions;

/// <summary>Verifies Auth0 access tokens (Bearer and DPoP) for HTTP-triggered functions.</summary>
internal sealed class Auth0FunctionsMiddleware(FunctionsAuthenticator authenticator) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        HttpRequestData? request = await context.GetHttpRequestDataAsync();
        if (request is null)
        {
            await next(context);
            return;
        }

        FunctionsAuthentication outcome = await authenticator.AuthenticateAsync(
            context.FunctionDefinition.Name,
            Values(request.Headers, "Authorization"),
            Values(request.Headers, "DPoP"),
            request.Method,
            request.Url,
            context.CancellationToken);
        if (outcome.IsAuthenticated)
        {
            context.Items[FunctionContextClaims.ItemKey] = outcome.Claims!;
            await next(context);
            return;
        }

        HttpResponseData response = request.CreateResponse((HttpStatusCode)outcome.StatusCode);
        foreach (KeyValuePair<string, string> header in outcome.Headers)
        {
            response.Headers.Add(header.Key, header.Value);
        }

        // The error code only (a fixed OAuth token): never the token, the proof or a claim value.
        response.Headers.Add("Content-Type", "application/json");
        await response.WriteStringAsync("{\"error\":\"" + outcome.ErrorCode + "\"}");
        context.GetInvocationResult().Value = response;
    }

    private static string[]? Values(HttpHeadersCollection headers, string name) =>
        headers.TryGetValues(name, out IEnumerable<string>? values) ? values.ToArray() : null;
}
