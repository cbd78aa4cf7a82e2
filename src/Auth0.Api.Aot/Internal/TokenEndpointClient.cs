// The token endpoint for token exchange (reference section 8): found through the configured Domain's discovery document
// (the verification cache), called with HTTP Basic client authentication and a form body, its answers mapped to typed
// errors. Differences from the Python SDK (docs/compatibility.md, token exchange):
//   - a discovery failure is ApiException("discovery_error", ..., 502), never a raw exception;
//   - client_id and client_secret are never in the body (Basic only, in every flow);
//   - a 200 body that is not JSON is invalid_json 502 in every flow; not an object: invalid_response 502;
//   - an error body that is not valid JSON, or not an object, counts as {} (defaults for code and message);
//   - expires_in must be an integer (or an integer string) in [0, int.MaxValue] in every flow;
//   - optional string fields must be strings when present; the body is read up to 1 MiB; redirects are refused;
//   - Timeout bounds each request (discovery, when not cached, and the POST): 504 timeout_error for the POST; any
//     transport failure: 502 network_error;
//   - the token endpoint must be https on the configured Domain's host and port: a discovery document from a poisoned
//     shared cache or snapshot cannot send the client secret elsewhere.
// Nothing from the request (token, secret, Basic header) ever appears in an error message.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Internal;

internal sealed class TokenEndpointClient
{
    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
    private const int MaxResponseBytes = KeySource.MaxDocumentBytes;

    private readonly KeySource _keys;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly string? _domainIssuer;
    private readonly string? _basic;

    public TokenEndpointClient(KeySource keys, TimeSpan timeout, TimeProvider time, string? domainIssuer, string? clientId, string? clientSecret)
    {
        _keys = keys;
        _timeout = timeout;
        _time = time;
        _domainIssuer = domainIssuer;
        _basic = string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(clientSecret)
            ? null
            : Convert.ToBase64String(Encoding.UTF8.GetBytes(clientId + ":" + clientSecret));
    }

    public bool HasCredentials => _basic is not null;

    /// <summary>POSTs the form to the token endpoint and parses a successful answer.</summary>
    /// <param name="flow">The metrics' name of the flow (<c>token_vault</c>, <c>custom_token_exchange</c>, <c>on_behalf_of</c>).</param>
    /// <param name="form">The form fields, in order.</param>
    /// <param name="endpointProblem">Builds the flow's exception for a missing or unusable token endpoint.</param>
    /// <param name="defaultCode">The error code when an error response names none.</param>
    /// <param name="defaultMessage">The message when an error response has no description.</param>
    /// <param name="cancellationToken">The caller's cancellation.</param>
    /// <exception cref="ApiException">Discovery, transport, the endpoint's error answer, or an unusable success answer.</exception>
    /// <exception cref="BaseAuthException">The flow's exception (<paramref name="endpointProblem"/>) in a build without HTTP (HttpFetchFeature), or when a field's name or value holds a lone surrogate (before any request).</exception>
    public Task<TokenEndpointResponse> PostAsync(string flow, List<KeyValuePair<string, string>> form, Func<string, BaseAuthException> endpointProblem, string defaultCode, Func<int, string> defaultMessage, CancellationToken cancellationToken) =>
        !HttpFetchFeature.IsEnabled ? throw endpointProblem("Token endpoint requests are not possible: " + HttpFetchFeature.DisabledReason)
            : LoneSurrogateField(form) is { } field ? throw endpointProblem("Parameter '" + Error.Untrusted(field, 64) + "' holds a lone surrogate and cannot be sent")
            : Telemetry.TokenRequestsEnabled ? PostMeasuredAsync(flow, form, endpointProblem, defaultCode, defaultMessage, cancellationToken)
            : PostCoreAsync(form, endpointProblem, defaultCode, defaultMessage, null, cancellationToken);

    // The request's span and measurements: the outcome is the stage the request reached (a fixed set of names), never
    // the endpoint's own error code, which is the authorization server's text.
    private async Task<TokenEndpointResponse> PostMeasuredAsync(string flow, List<KeyValuePair<string, string>> form, Func<string, BaseAuthException> endpointProblem, string defaultCode, Func<int, string> defaultMessage, CancellationToken cancellationToken)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        System.Diagnostics.Activity? activity = Telemetry.StartTokenRequest(flow);
        StrongBox<string> outcome = new("network");
        try
        {
            return await PostCoreAsync(form, endpointProblem, defaultCode, defaultMessage, outcome, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome.Value = "cancelled";
            throw;
        }
        finally
        {
            Telemetry.RecordTokenRequest(started, flow, outcome.Value!, activity);
        }
    }

    private async Task<TokenEndpointResponse> PostCoreAsync(List<KeyValuePair<string, string>> form, Func<string, BaseAuthException> endpointProblem, string defaultCode, Func<int, string> defaultMessage, StrongBox<string>? outcome, CancellationToken cancellationToken)
    {
        Set(outcome, "discovery_error");
        Uri endpoint = await FindEndpointAsync(endpointProblem, cancellationToken).ConfigureAwait(false);
        Set(outcome, "network");
        using CancellationTokenSource timeoutSource = new(_timeout, _time);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        using HttpRequestMessage request = new(HttpMethod.Post, endpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _basic);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Content = new FormUrlEncodedContent(form);

        int status;
        string? contentType;
        byte[] body;
        try
        {
            using HttpResponseMessage response = await _keys.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (response.RequestMessage?.RequestUri is Uri final && final != endpoint)
            {
                // An injected client followed a redirect: refused, and measured as the key source measures one.
                Set(outcome, "http_error");
                throw new ApiException("network_error", "Network error occurred: redirects are not followed", 502);
            }

            status = (int)response.StatusCode;
            contentType = response.Content.Headers.ContentType?.MediaType;
            byte[]? read = await KeySource.ReadLimitedAsync(response.Content, MaxResponseBytes, linked.Token).ConfigureAwait(false);
            Set(outcome, "invalid_response");
            body = read ?? throw new ApiException("invalid_response", "Token endpoint response is too large.", 502);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested && timeoutSource.IsCancellationRequested)
        {
            Set(outcome, "timeout");
            throw new ApiException("timeout_error", FormattableString.Invariant($"Request to token endpoint timed out after {_timeout.TotalSeconds:0.###} s"), 504, exception);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            Set(outcome, "timeout");
            throw new ApiException("timeout_error", "Request to token endpoint timed out (the HttpClient's own Timeout)", 504, exception);
        }
        catch (HttpRequestException exception)
        {
            throw new ApiException("network_error", "Network error occurred: " + (exception.HttpRequestError == HttpRequestError.Unknown ? Error.Untrusted(exception.Message) : exception.HttpRequestError.ToString()), 502, exception);
        }
        catch (IOException exception)
        {
            throw new ApiException("network_error", "Network error occurred: the response could not be read", 502, exception);
        }
        catch (Exception exception) when (exception is not ApiException && !cancellationToken.IsCancellationRequested)
        {
            throw new ApiException("network_error", "Network error occurred: " + exception.GetType().Name, 502, exception);
        }

        if (status != 200)
        {
            // A redirect answer (the library's own client follows none) is not the endpoint's error answer.
            Set(outcome, status is >= 300 and < 400 ? "http_error" : "error_response");
            throw ErrorAnswer(status, contentType, body, defaultCode, defaultMessage);
        }

        TokenEndpointResponse answer = ParseSuccess(body);
        Set(outcome, "success");
        return answer;
    }

    private static void Set(StrongBox<string>? outcome, string value)
    {
        if (outcome is not null)
        {
            outcome.Value = value;
        }
    }

    private async Task<Uri> FindEndpointAsync(Func<string, BaseAuthException> endpointProblem, CancellationToken cancellationToken)
    {
        CacheRead<DiscoveryDocument> read = await _keys.Discovery.GetAsync(_domainIssuer!, cancellationToken).ConfigureAwait(false);
        if (read.Value is not { Value: DiscoveryDocument discovery })
        {
            throw new ApiException("discovery_error", "Failed to fetch OIDC discovery metadata: " + Error.Untrusted(read.Error!), 502, read.Cause);
        }

        if (discovery.TokenEndpoint is null)
        {
            throw endpointProblem("Token endpoint missing in OIDC metadata. Verify your domain configuration and that the OIDC discovery endpoint ("
                + DomainNormalizer.DiscoveryUrl(_domainIssuer!) + ") is accessible");
        }

        if (!Uri.TryCreate(discovery.TokenEndpoint, UriKind.Absolute, out Uri? endpoint) || endpoint.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(endpoint.UserInfo))
        {
            throw endpointProblem("Token endpoint in OIDC metadata is not an absolute https URL");
        }

        // The client secret goes where the token endpoint points: only to the configured domain itself.
        Uri domain = new(_domainIssuer!);
        if (!string.Equals(endpoint.IdnHost, domain.IdnHost, StringComparison.OrdinalIgnoreCase) || endpoint.Port != domain.Port)
        {
            throw endpointProblem("Token endpoint in OIDC metadata is not on the configured domain");
        }

        return endpoint;
    }

    // A non-200 answer: error and error_description from a JSON object body, else the flow's defaults.
    private static ApiException ErrorAnswer(int status, string? contentType, byte[] body, string defaultCode, Func<int, string> defaultMessage)
    {
        string? code = null;
        string? description = null;
        if (contentType is not null && contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    code = NonEmptyString(document.RootElement, "error");
                    description = NonEmptyString(document.RootElement, "error_description");
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: the defaults apply.
            }
        }

        // The authorization server's words, which may echo what a client sent (a subject token's content through an
        // Action's deny reason, say): kept to RFC 6750 characters like every other message.
        return new ApiException(code is null ? defaultCode : Error.Untrusted(code, 64), description is null ? defaultMessage(status) : Error.Untrusted(description, 1024), status);
    }

    private static string? NonEmptyString(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && JsonStrings.TryGetString(value, out string? text) && text.Length > 0 ? text : null;

    private TokenEndpointResponse ParseSuccess(byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw new ApiException("invalid_json", "Token endpoint returned invalid JSON.", 502);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("Token endpoint response is not a JSON object.");
            }

            string accessToken = OptionalString(root, "access_token", "Missing or invalid access_token in response.") is { Length: > 0 } token
                ? token
                : throw Invalid("Missing or invalid access_token in response.");
            long expiresIn = ExpiresIn(root);
            return new TokenEndpointResponse(
                accessToken,
                TimeSpan.FromSeconds(expiresIn),
                DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds() + expiresIn),
                OptionalString(root, "scope"),
                OptionalString(root, "id_token"),
                OptionalString(root, "refresh_token"),
                OptionalString(root, "token_type"),
                OptionalString(root, "issued_token_type"));
        }
    }

    // expires_in: absent is 3600; an integer, a number (truncated) or an integer string, in [0, int.MaxValue].
    private static long ExpiresIn(JsonElement root)
    {
        if (!root.TryGetProperty("expires_in", out JsonElement value))
        {
            return 3600;
        }

        long seconds;
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out long integer))
            {
                seconds = integer;
            }
            else if (value.TryGetDouble(out double number) && double.IsFinite(number) && Math.Abs(number) < 9e15)
            {
                // The sign before the truncation: -0.9 is negative, not 0.
                seconds = number < 0 ? -1 : (long)Math.Truncate(number);
            }
            else
            {
                throw Invalid("expires_in is out of range.");
            }
        }
        else if (value.ValueKind == JsonValueKind.String
            && JsonStrings.TryGetString(value, out string? text)
            && long.TryParse(text.Trim(' ', '\t', '\n', '\r'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed))
        {
            seconds = parsed;
        }
        else
        {
            throw Invalid("expires_in is not an integer.");
        }

        if (seconds < 0)
        {
            throw Invalid("expires_in cannot be negative.");
        }

        return seconds <= int.MaxValue ? seconds : throw Invalid("expires_in is out of range.");
    }

    // A string member: absent or null is null; a string (even empty) is kept; anything else is an invalid response.
    private static string? OptionalString(JsonElement root, string name, string? message = null)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // A string whose escapes do not decode (a lone surrogate) is as unusable as a number.
        return JsonStrings.TryGetString(value, out string? text) ? text : throw Invalid(message ?? "Invalid '" + name + "' in response.");
    }

    private static ApiException Invalid(string message) => new("invalid_response", message, 502);

    // The name of the first field whose name or value holds a lone surrogate, which FormUrlEncodedContent would send as
    // U+FFFD: another token or value than the caller's. Checked before any request, span or measurement.
    private static string? LoneSurrogateField(List<KeyValuePair<string, string>> form)
    {
        foreach (KeyValuePair<string, string> field in form)
        {
            if (!IsWellFormedUtf16(field.Key) || !IsWellFormedUtf16(field.Value))
            {
                return field.Key;
            }
        }

        return null;
    }

    // Whether every surrogate in text is half of a pair, so that its UTF-8 form is the same text.
    private static bool IsWellFormedUtf16(string text)
    {
        int i = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (i < 0)
        {
            return true;
        }

        for (; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A parsed successful token-endpoint answer.</summary>
internal sealed record TokenEndpointResponse(string AccessToken, TimeSpan ExpiresIn, DateTimeOffset ExpiresAt, string? Scope, string? IdToken, string? RefreshToken, string? TokenType, string? IssuedTokenType)
{
    // Records print their members; this one holds tokens.
    public override string ToString() => nameof(TokenEndpointResponse);
}
