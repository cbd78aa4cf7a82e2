using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot;

namespace Auth0.Api.Aot.Lambda;

/// <summary>What one invocation produced: a response body for <c>/response</c>, or an error for <c>/error</c>.</summary>
internal readonly record struct InvocationOutcome(byte[]? Response, string? ErrorType, string? ErrorMessage)
{
    public static InvocationOutcome Respond(byte[] json) => new(json, null, null);

    public static InvocationOutcome Fail(string errorType, string errorMessage) => new(null, errorType, errorMessage);
}

/// <summary>
/// Verifies the request an API Gateway HTTP API event describes and answers as an authorizer or as the protected handler.
/// Thread safety: safe for concurrent invocations (the <see cref="ApiClient"/> is).
/// </summary>
internal sealed class HttpApiFunction : IDisposable
{
    /// <summary>The Runtime API error type of an event that is not an HTTP API 2.0 event.</summary>
    public const string InvalidEvent = "Auth0.InvalidEvent";

    /// <summary>The error type of a fault that is not the caller's (keys unavailable, replay store full): 5xx, not a denial.</summary>
    public const string Unavailable = "Auth0.Unavailable";

    private static readonly IReadOnlyDictionary<string, string> s_noHeaders = new Dictionary<string, string>();

    private readonly ApiClient _client;
    private readonly LambdaMode _mode;

    public HttpApiFunction(LambdaSettings settings)
    {
        // ApiClient checks the options and imports the seeded JWKS here, at init: a bad key set fails before any event.
        _client = new ApiClient(settings.Options);
        _mode = settings.Mode;
    }

    public async ValueTask<InvocationOutcome> HandleAsync(Invocation invocation, CancellationToken cancellationToken)
    {
        HttpApiEvent? request;
        try
        {
            request = JsonSerializer.Deserialize(invocation.Event, LambdaJsonContext.Default.HttpApiEvent);
        }
        catch (JsonException)
        {
            // The reader's message quotes the input's position, not its content; still, only the fact is reported.
            return InvocationOutcome.Fail(InvalidEvent, "the event is not valid JSON, or repeats a member");
        }

        if (request is not { Version: "2.0", RawPath: { Length: > 0 } rawPath, RequestContext: { DomainName: { Length: > 0 } domain, Http.Method: { Length: > 0 } method } })
        {
            return InvocationOutcome.Fail(InvalidEvent, "the event is not an API Gateway HTTP API event of payload format 2.0 (version, rawPath, requestContext.domainName and requestContext.http.method are required)");
        }

        if (rawPath[0] != '/' || !IsHostName(domain))
        {
            // The two make the URL a DPoP proof names: a path without its slash, or a domain with a port, user info or a
            // path of its own, would make another URL (and another host) of it.
            return InvocationOutcome.Fail(InvalidEvent, "the event is not usable: rawPath must start with '/' and requestContext.domainName must be a host name");
        }

        if (_mode == LambdaMode.Authorizer && request.Type != "REQUEST")
        {
            // A proxy integration's event: the function is wired as a route's integration, where its simple response
            // would reach the client as a 200 body. Reported, so that the misconfiguration shows as errors.
            return InvocationOutcome.Fail(InvalidEvent, "the event is not a Lambda authorizer's event (type REQUEST is required; AUTH0_LAMBDA_MODE=api serves a proxy integration)");
        }

        if (request.Headers is { Count: > 1 } named && HasNameTwice(named))
        {
            // API Gateway sends each name once, in lower case; two that differ only in case would leave the choice of
            // Authorization or DPoP value to dictionary order.
            return InvocationOutcome.Fail(InvalidEvent, "the event is not usable: a header name appears twice, in different cases");
        }

        // RFC 9449 section 4.3: htu is the URL without query and fragment, which is what the client signed: the
        // domain it called and the raw path. Headers are looked up case-insensitively by the library.
        string url = "https://" + domain + rawPath;
        IReadOnlyDictionary<string, string> headers = request.Headers ?? s_noHeaders;
        RequestVerificationResult result = await _client.TryVerifyRequestAsync(headers, method, url, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            // The failure's kind only: never the token, the proof or a claim value.
            Console.Error.WriteLine(invocation.RequestId + " refused: " + result.Failure.ToString() + " (" + result.StatusCode.ToString(CultureInfo.InvariantCulture) + ")");
        }

        return _mode == LambdaMode.Authorizer ? Authorize(result) : Answer(result);
    }

    public void Dispose() => _client.Dispose();

    // A DNS name as API Gateway gives it: letters, digits, hyphens and dots, no empty label.
    private static bool IsHostName(string domain)
    {
        if (domain.Length > 253 || domain[0] == '.' || domain[^1] == '.' || domain.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in domain)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasNameTwice(Dictionary<string, string> headers)
    {
        HashSet<string> names = new(headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (string name in headers.Keys)
        {
            if (!names.Add(name))
            {
                return true;
            }
        }

        return false;
    }

    private static InvocationOutcome Authorize(RequestVerificationResult result)
    {
        if (!result.IsValid && result.StatusCode >= 500)
        {
            // Not the caller's fault: an error (API Gateway answers 500) that shows in the function's error metrics,
            // rather than a denial that looks like a bad token.
            return InvocationOutcome.Fail(Unavailable, result.ErrorDescription);
        }

        AuthorizerResponse response = result.IsValid
            ? new AuthorizerResponse { IsAuthorized = true, Context = Caller(result) }
            // API Gateway answers a denial with 403 and no challenge of ours (docs/samples-lambda.md).
            : new AuthorizerResponse { IsAuthorized = false };
        return InvocationOutcome.Respond(JsonSerializer.SerializeToUtf8Bytes(response, LambdaJsonContext.Default.AuthorizerResponse));
    }

    private static InvocationOutcome Answer(RequestVerificationResult result)
    {
        HttpApiResponse response = new()
        {
            StatusCode = result.StatusCode,
            Headers = { ["content-type"] = "application/json", ["cache-control"] = "no-store" },
        };
        if (result.IsValid)
        {
            response.Body = JsonSerializer.Serialize(Caller(result), LambdaJsonContext.Default.CallerContext);
        }
        else
        {
            if (result.Challenge is { } challenge)
            {
                response.Headers["www-authenticate"] = challenge;
            }

            if (result.RetryAfter is { } retryAfter)
            {
                response.Headers["retry-after"] = ((long)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }

            response.Body = JsonSerializer.Serialize(
                new OAuthError { Error = result.ErrorCode.Length > 0 ? result.ErrorCode : null, ErrorDescription = result.ErrorDescription.Length > 0 ? result.ErrorDescription : null },
                LambdaJsonContext.Default.OAuthError);
        }

        return InvocationOutcome.Respond(JsonSerializer.SerializeToUtf8Bytes(response, LambdaJsonContext.Default.HttpApiResponse));
    }

    private static CallerContext Caller(RequestVerificationResult result) =>
        new() { Subject = result.Claims!.Subject, Scope = result.Claims.Scope, Scheme = result.Scheme };
}
