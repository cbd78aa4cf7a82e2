// The Lambda Runtime API, version 2018-06-01, as a custom runtime uses it (AWS Lambda developer guide, "Using the Lambda
// runtime API for custom runtimes"): the base address is http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/.
//
//   GET  invocation/next            200, the event as the body; Lambda-Runtime-Aws-Request-Id, -Deadline-Ms,
//                                   -Invoked-Function-Arn, -Trace-Id headers. It blocks until an event comes: no timeout.
//   POST invocation/{id}/response   the function's result; 202, or 413 when it is over Lambda's payload limit
//   POST invocation/{id}/error      {"errorMessage","errorType"} with Lambda-Runtime-Function-Error-Type; 202
//   POST init/error                 the same, when initialisation failed; the runtime then exits
//
// Any other answer (400, 403, and 500: "non-recoverable state, runtime should exit promptly") is thrown as an
// HttpRequestException, on which the loop exits.

using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Lambda;

/// <summary>
/// One event handed out by <c>invocation/next</c>: its request id, its deadline (Unix milliseconds, 0 when the header is
/// missing or not a number) and its X-Ray trace header (<see langword="null"/> when missing).
/// </summary>
internal readonly record struct Invocation(string RequestId, long DeadlineMs, string? TraceId, byte[] Event);

/// <summary>A client of the Lambda Runtime API. Thread safety: one invocation at a time, as the API expects.</summary>
internal sealed class RuntimeApi : IDisposable
{
    private static readonly MediaTypeHeaderValue s_json = new("application/json");
    private readonly HttpClient _http;

    /// <param name="address">The value of <c>AWS_LAMBDA_RUNTIME_API</c>: <c>host:port</c>.</param>
    public RuntimeApi(string address)
    {
        if (!Uri.TryCreate("http://" + address + "/2018-06-01/runtime/", UriKind.Absolute, out Uri? baseAddress) || baseAddress.PathAndQuery != "/2018-06-01/runtime/" || baseAddress.UserInfo.Length != 0)
        {
            throw new LambdaConfigurationException("AWS_LAMBDA_RUNTIME_API must be host:port");
        }

        // The Runtime API is local to the execution environment: no proxy, no redirects, and no timeout, since next
        // waits for as long as the function is frozen.
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<Invocation> NextAsync(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _http.GetAsync(new Uri("invocation/next", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException("invocation/next answered " + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        string requestId = Header(response, "Lambda-Runtime-Aws-Request-Id") ?? string.Empty;
        // The id goes into the next request's path: anything but the characters of a UUID is refused.
        if (requestId.Length is 0 or > 128 || !IsIdentifier(requestId))
        {
            throw new HttpRequestException("invocation/next gave no usable Lambda-Runtime-Aws-Request-Id");
        }

        long deadline = long.TryParse(Header(response, "Lambda-Runtime-Deadline-Ms"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long ms) ? ms : 0;
        string? traceId = Header(response, "Lambda-Runtime-Trace-Id") is { Length: > 0 } trace ? trace : null;
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new Invocation(requestId, deadline, traceId, body);
    }

    /// <returns><see langword="false"/> when Lambda refused the response as too large (413): post an error instead.</returns>
    public async Task<bool> RespondAsync(string requestId, byte[] json, CancellationToken cancellationToken) =>
        await PostAsync("invocation/" + requestId + "/response", json, null, cancellationToken).ConfigureAwait(false) != HttpStatusCode.RequestEntityTooLarge;

    public Task FailAsync(string requestId, string errorType, string errorMessage, CancellationToken cancellationToken) =>
        PostAsync("invocation/" + requestId + "/error", ErrorBody(errorType, errorMessage), errorType, cancellationToken);

    public Task FailInitAsync(string errorType, string errorMessage, CancellationToken cancellationToken) =>
        PostAsync("init/error", ErrorBody(errorType, errorMessage), errorType, cancellationToken);

    public void Dispose() => _http.Dispose();

    private static byte[] ErrorBody(string errorType, string errorMessage) =>
        JsonSerializer.SerializeToUtf8Bytes(new RuntimeError { ErrorMessage = errorMessage, ErrorType = errorType }, LambdaJsonContext.Default.RuntimeError);

    // 202, or 413 for a response (the caller's to handle); anything else is thrown.
    private async Task<HttpStatusCode> PostAsync(string path, byte[] json, string? errorType, CancellationToken cancellationToken)
    {
        using ByteArrayContent content = new(json);
        content.Headers.ContentType = s_json;
        using HttpRequestMessage request = new(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = content };
        if (errorType is not null)
        {
            request.Headers.TryAddWithoutValidation("Lambda-Runtime-Function-Error-Type", errorType);
        }

        using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Accepted || (errorType is null && response.StatusCode == HttpStatusCode.RequestEntityTooLarge))
        {
            return response.StatusCode;
        }

        // The path holds the request id only (checked in NextAsync), never anything from the event.
        throw new HttpRequestException(path + " answered " + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out HeaderStringValues values) ? values.ToString() : null;

    private static bool IsIdentifier(string value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
