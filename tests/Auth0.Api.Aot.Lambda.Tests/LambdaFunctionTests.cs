using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Lambda;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Lambda.Tests;

/// <summary>
/// The sample's runtime loop (<see cref="LambdaBootstrap.RunAsync"/>) against the Runtime API emulator: events in,
/// responses and errors out, over real HTTP on loopback. There is no issuer: keys are seeded, and the library has no
/// fetch path (Auth0ApiAotHttpFetch=false), so the emulator is the only thing the function can reach, and it records
/// every request.
/// </summary>
public sealed class LambdaFunctionTests : IAsyncLifetime
{
    private const string Domain = "tenant.example.auth0.com";
    private const string Audience = "https://orders.example.com";

    private static readonly SigningKey s_key = SigningKey.CreateRsa("lambda-key");
    private static readonly SigningKey s_otherKey = SigningKey.CreateRsa("lambda-key");
    private static readonly SigningKey s_proofKey = SigningKey.CreateEc("proof-key");

    // A fixed instant: tokens and proofs are minted for it, and expiry is reached by advancing it.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly CancellationTokenSource _stop = new();
    private LambdaRuntimeEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await LambdaRuntimeEmulator.StartAsync();

    public async Task DisposeAsync()
    {
        _stop.Dispose();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public void The_library_runs_without_its_http_fetch_paths_as_in_the_published_sample()
    {
        Assert.True(AppContext.TryGetSwitch("Auth0.Api.Aot.HttpFetch", out bool enabled));
        Assert.False(enabled);
    }

    [Fact]
    public async Task A_valid_bearer_token_is_authorized_with_sub_scope_and_scheme_in_the_context_and_never_the_token()
    {
        string token = Token();
        LambdaInvocationResult[] results = await RunAsync(Settings(), Event(("authorization", "Bearer " + token)));

        using JsonDocument response = Response(results[0]);
        Assert.True(response.RootElement.GetProperty("isAuthorized").GetBoolean());
        JsonElement context = response.RootElement.GetProperty("context");
        Assert.Equal("auth0|lambda-user", context.GetProperty("sub").GetString());
        Assert.Equal("read:orders", context.GetProperty("scope").GetString());
        Assert.Equal("bearer", context.GetProperty("scheme").GetString());
        Assert.DoesNotContain(token, results[0].Body, StringComparison.Ordinal);
        OnlyTheRuntimeApiWasCalled(expectedPosts: 1);
    }

    [Fact]
    public async Task Several_events_are_answered_in_turn_by_one_process()
    {
        LambdaInvocationResult[] results = await RunAsync(
            Settings(),
            Event(("authorization", "Bearer " + Token())),
            Event(),
            Event(("authorization", "Bearer " + Token(p => p.Set("sub", "auth0|second")))));

        Assert.Equal([true, false, true], results.Select(r => Response(r).RootElement.GetProperty("isAuthorized").GetBoolean()));
        Assert.Equal("auth0|second", Response(results[2]).RootElement.GetProperty("context").GetProperty("sub").GetString());
        OnlyTheRuntimeApiWasCalled(expectedPosts: 3);
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "no Authorization header", string.Empty },
        { "an unknown scheme", "Basic dXNlcjpwYXNz" },
        { "a malformed token", "Bearer not.a.jwt" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_request_without_a_usable_token_is_not_authorized_and_gets_no_context(string why, string authorization)
    {
        string json = authorization.Length == 0 ? Event() : Event(("authorization", authorization));
        LambdaInvocationResult[] results = await RunAsync(Settings(), json);

        Assert.False(results[0].IsError, why);
        using JsonDocument response = Response(results[0]);
        Assert.False(response.RootElement.GetProperty("isAuthorized").GetBoolean());
        Assert.False(response.RootElement.TryGetProperty("context", out _));
    }

    [Fact]
    public async Task An_expired_token_is_not_authorized()
    {
        string token = Token();
        _time.Advance(TimeSpan.FromHours(1));
        LambdaInvocationResult[] results = await RunAsync(Settings(), Event(("authorization", "Bearer " + token)));

        Assert.False(Response(results[0]).RootElement.GetProperty("isAuthorized").GetBoolean());
    }

    [Fact]
    public async Task A_token_for_another_audience_or_signed_by_another_key_is_not_authorized()
    {
        LambdaInvocationResult[] results = await RunAsync(
            Settings(),
            Event(("authorization", "Bearer " + Token(p => p.Set("aud", "https://other.example.com")))),
            Event(("authorization", "Bearer " + LambdaEvents.Token(s_otherKey, Domain, Audience, _time.GetUtcNow()))));

        Assert.All(results, r => Assert.False(Response(r).RootElement.GetProperty("isAuthorized").GetBoolean()));
    }

    [Fact]
    public async Task A_dpop_request_is_authorized_when_the_proof_names_the_method_and_the_url_built_from_domainName_and_rawPath()
    {
        string token = DPoPToken();
        string proof = DPoPProofs.Create(s_proofKey, token, "GET", LambdaEvents.Url, _time.GetUtcNow());
        LambdaInvocationResult[] results = await RunAsync(Settings(), Event(("authorization", "DPoP " + token), ("dpop", proof)));

        using JsonDocument response = Response(results[0]);
        Assert.True(response.RootElement.GetProperty("isAuthorized").GetBoolean());
        Assert.Equal("dpop", response.RootElement.GetProperty("context").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task A_dpop_proof_for_another_url_or_method_or_seen_before_or_missing_is_not_authorized()
    {
        string token = DPoPToken();
        string proof = DPoPProofs.Create(s_proofKey, token, "GET", LambdaEvents.Url, _time.GetUtcNow());
        LambdaInvocationResult[] results = await RunAsync(
            Settings(),
            Event(("authorization", "DPoP " + token), ("dpop", DPoPProofs.Create(s_proofKey, token, "GET", "https://" + LambdaEvents.DomainName + "/admin", _time.GetUtcNow()))),
            Event(("authorization", "DPoP " + token), ("dpop", DPoPProofs.Create(s_proofKey, token, "POST", LambdaEvents.Url, _time.GetUtcNow()))),
            Event(("authorization", "DPoP " + token), ("dpop", proof)),
            Event(("authorization", "DPoP " + token), ("dpop", proof)),
            Event(("authorization", "DPoP " + token)),
            // A DPoP-bound token presented as a Bearer token.
            Event(("authorization", "Bearer " + token)));

        Assert.Equal([false, false, true, false, false, false], results.Select(r => Response(r).RootElement.GetProperty("isAuthorized").GetBoolean()));
    }

    [Fact]
    public async Task Dpop_required_refuses_a_bearer_token()
    {
        LambdaInvocationResult[] results = await RunAsync(Settings(("AUTH0_DPOP_MODE", "required")), Event(("authorization", "Bearer " + Token())));

        Assert.False(Response(results[0]).RootElement.GetProperty("isAuthorized").GetBoolean());
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "not JSON", "{\"version\":" },
        { "a JSON array", "[]" },
        { "payload format 1.0", "{\"version\":\"1.0\",\"type\":\"REQUEST\",\"methodArn\":\"arn\",\"headers\":{}}" },
        { "no requestContext", "{\"version\":\"2.0\",\"type\":\"REQUEST\",\"rawPath\":\"/orders\",\"headers\":{}}" },
        { "no http method", "{\"version\":\"2.0\",\"type\":\"REQUEST\",\"rawPath\":\"/orders\",\"requestContext\":{\"domainName\":\"d\",\"http\":{}}}" },
        { "a repeated authorization header", "{\"version\":\"2.0\",\"type\":\"REQUEST\",\"rawPath\":\"/o\",\"headers\":{\"authorization\":\"Bearer a\",\"authorization\":\"Bearer b\"},\"requestContext\":{\"domainName\":\"d\",\"http\":{\"method\":\"GET\"}}}" },
        { "a header that is not a string", "{\"version\":\"2.0\",\"type\":\"REQUEST\",\"rawPath\":\"/o\",\"headers\":{\"authorization\":1},\"requestContext\":{\"domainName\":\"d\",\"http\":{\"method\":\"GET\"}}}" },
        { "a rawPath without its slash", "{\"version\":\"2.0\",\"type\":\"REQUEST\",\"rawPath\":\"orders\",\"requestContext\":{\"domainName\":\"d.example\",\"http\":{\"method\":\"GET\"}}}" },
        { "a domainName with user info", "{\"version\":\"2.0\",\"type\":\"REQUEST\",\"rawPath\":\"/orders\",\"requestContext\":{\"domainName\":\"user@d.example\",\"http\":{\"method\":\"GET\"}}}" },
        { "a domainName with a port", "{\"version\":\"2.0\",\"type\":\"REQUEST\",\"rawPath\":\"/orders\",\"requestContext\":{\"domainName\":\"d.example:8443\",\"http\":{\"method\":\"GET\"}}}" },
        { "a domainName with a path", "{\"version\":\"2.0\",\"type\":\"REQUEST\",\"rawPath\":\"/orders\",\"requestContext\":{\"domainName\":\"d.example/admin\",\"http\":{\"method\":\"GET\"}}}" },
        { "a lone surrogate in a header", "{\"version\":\"2.0\",\"type\":\"REQUEST\",\"rawPath\":\"/o\",\"headers\":{\"authorization\":\"Bearer \\ud800\"},\"requestContext\":{\"domainName\":\"d\",\"http\":{\"method\":\"GET\"}}}" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_event_is_reported_to_the_error_endpoint_and_the_next_event_still_answered(string why, string json)
    {
        LambdaInvocationResult[] results = await RunAsync(Settings(), json, Event(("authorization", "Bearer " + Token())));

        Assert.True(results[0].IsError, why);
        Assert.Equal(HttpApiFunction.InvalidEvent, results[0].ErrorType);
        using (JsonDocument error = JsonDocument.Parse(results[0].Body))
        {
            Assert.Equal(HttpApiFunction.InvalidEvent, error.RootElement.GetProperty("errorType").GetString());
            Assert.StartsWith("the event is not", error.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        }

        Assert.True(Response(results[1]).RootElement.GetProperty("isAuthorized").GetBoolean());
        Assert.Contains("POST /2018-06-01/runtime/invocation/" + results[0].RequestId + "/error", _emulator.Requests);
    }

    [Fact]
    public async Task An_event_naming_authorization_twice_in_different_cases_is_reported_not_answered_with_either_value()
    {
        // API Gateway sends each name once, in lower case. Which of two the library would read depends on order: one of
        // these values is a valid token.
        LambdaInvocationResult[] results = await RunAsync(
            Settings(),
            Event(("authorization", "Bearer " + Token()), ("Authorization", "Basic dXNlcjpwYXNz")),
            Event(("Authorization", "Basic dXNlcjpwYXNz"), ("authorization", "Bearer " + Token())),
            Event(("authorization", "DPoP x"), ("dpop", "a.b.c"), ("DPoP", "d.e.f")));

        Assert.All(results, r =>
        {
            Assert.True(r.IsError, r.Body);
            Assert.Equal(HttpApiFunction.InvalidEvent, r.ErrorType);
            Assert.Contains("header name appears twice", r.Body, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task An_authorizer_given_a_proxy_integration_event_reports_it_rather_than_answering_a_simple_response()
    {
        // Wired as a route's integration by mistake, {"isAuthorized":true} would reach the client as a 200 body.
        string proxyEvent = LambdaEvents.Authorizer(new Dictionary<string, string> { ["authorization"] = "Bearer " + Token() }).Replace("\"type\":\"REQUEST\",", string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain("\"type\"", proxyEvent, StringComparison.Ordinal);

        LambdaInvocationResult[] authorizer = await RunAsync(Settings(), proxyEvent);
        LambdaInvocationResult[] api = await RunAsync(Settings(("AUTH0_LAMBDA_MODE", "api")), proxyEvent);

        Assert.True(authorizer[0].IsError, authorizer[0].Body);
        Assert.Equal(HttpApiFunction.InvalidEvent, authorizer[0].ErrorType);
        Assert.Contains("type REQUEST", authorizer[0].Body, StringComparison.Ordinal);
        Assert.Equal(200, Response(api[0]).RootElement.GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task Authorization_headers_that_api_gateway_joined_with_a_comma_are_refused_even_when_each_token_is_valid()
    {
        // Two Authorization lines reach the function as one value, "a,b" (API Gateway payload format 2.0).
        string first = Token();
        string second = Token(p => p.Set("sub", "auth0|second"));
        string joined = "Bearer " + first + ",Bearer " + second;
        string spaced = "Bearer " + first + ", Bearer " + second;
        LambdaInvocationResult[] authorizer = await RunAsync(Settings(), Event(("authorization", joined)), Event(("authorization", spaced)));
        LambdaInvocationResult[] api = await RunAsync(Settings(("AUTH0_LAMBDA_MODE", "api")), Event(("authorization", joined)));

        Assert.All(authorizer, r => Assert.False(Response(r).RootElement.GetProperty("isAuthorized").GetBoolean()));
        using JsonDocument refused = Response(api[0]);
        Assert.Equal(400, refused.RootElement.GetProperty("statusCode").GetInt32());
        Assert.Contains("invalid_request", refused.RootElement.GetProperty("headers").GetProperty("www-authenticate").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(first, api[0].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dpop_headers_that_api_gateway_joined_with_a_comma_are_refused_even_when_one_proof_is_valid()
    {
        string token = DPoPToken();
        string proof = DPoPProofs.Create(s_proofKey, token, "GET", LambdaEvents.Url, _time.GetUtcNow());
        string other = DPoPProofs.Create(s_proofKey, token, "GET", LambdaEvents.Url, _time.GetUtcNow());
        LambdaInvocationResult[] authorizer = await RunAsync(Settings(), Event(("authorization", "DPoP " + token), ("dpop", proof + "," + other)));
        LambdaInvocationResult[] api = await RunAsync(Settings(("AUTH0_LAMBDA_MODE", "api")), Event(("authorization", "DPoP " + token), ("dpop", other + ", " + proof)));

        Assert.False(Response(authorizer[0]).RootElement.GetProperty("isAuthorized").GetBoolean());
        using JsonDocument refused = Response(api[0]);
        Assert.Equal(400, refused.RootElement.GetProperty("statusCode").GetInt32());
        Assert.Contains("invalid_dpop_proof", refused.RootElement.GetProperty("headers").GetProperty("www-authenticate").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dpop_proof_is_checked_against_the_events_own_method_and_path()
    {
        // Not a fixed method or path: a POST to another route, with a proof for exactly that, is authorised; the same
        // proof for the GET of that route is not.
        string token = DPoPToken();
        const string Path = "/orders/42/items";
        string post = DPoPProofs.Create(s_proofKey, token, "POST", "https://" + LambdaEvents.DomainName + Path, _time.GetUtcNow());
        string again = DPoPProofs.Create(s_proofKey, token, "POST", "https://" + LambdaEvents.DomainName + Path, _time.GetUtcNow());
        LambdaInvocationResult[] results = await RunAsync(
            Settings(),
            LambdaEvents.Authorizer(new Dictionary<string, string> { ["authorization"] = "DPoP " + token, ["dpop"] = post }, "POST", Path),
            LambdaEvents.Authorizer(new Dictionary<string, string> { ["authorization"] = "DPoP " + token, ["dpop"] = again }, "GET", Path));

        Assert.Equal([true, false], results.Select(r => Response(r).RootElement.GetProperty("isAuthorized").GetBoolean()));
    }

    [Fact]
    public async Task A_token_whose_key_is_not_seeded_is_refused_without_a_fetch_and_without_an_error()
    {
        // An unknown kid would make a fetching build refetch the JWKS; this one has no fetch path, and the seeded keys
        // are all there is: a denial (KeyNotFound), not a 5xx error and not a crash.
        SigningKey unseeded = SigningKey.CreateRsa("rotated-key");
        LambdaInvocationResult[] results = await RunAsync(
            Settings(),
            Event(("authorization", "Bearer " + LambdaEvents.Token(unseeded, Domain, Audience, _time.GetUtcNow()))),
            Event(("authorization", "Bearer " + Token())));

        Assert.False(Response(results[0]).RootElement.GetProperty("isAuthorized").GetBoolean());
        Assert.True(Response(results[1]).RootElement.GetProperty("isAuthorized").GetBoolean());
        OnlyTheRuntimeApiWasCalled(expectedPosts: 2);
    }

    [Fact]
    public async Task A_huge_authorization_header_is_refused_and_the_next_event_still_answered()
    {
        string huge = "Bearer " + Token() + new string('A', 1024 * 1024);
        LambdaInvocationResult[] results = await RunAsync(Settings(), Event(("authorization", huge)), Event(("authorization", "Bearer " + Token())));

        Assert.False(Response(results[0]).RootElement.GetProperty("isAuthorized").GetBoolean());
        Assert.True(Response(results[1]).RootElement.GetProperty("isAuthorized").GetBoolean());
    }

    [Fact]
    public async Task Refusals_are_logged_by_failure_kind_without_the_token()
    {
        string expired = Token();
        _time.Advance(TimeSpan.FromHours(2));
        StringWriter log = new();
        TextWriter original = Console.Error;
        Console.SetError(log);
        try
        {
            await RunAsync(Settings(), Event(("authorization", "Bearer " + expired)), Event(("authorization", "Bearer " + Token())));
        }
        finally
        {
            Console.SetError(original);
        }

        string written = log.ToString();
        Assert.Contains(" refused: Expired (401)", written, StringComparison.Ordinal);
        Assert.DoesNotContain(expired.Split('.')[1], written, StringComparison.Ordinal);
        Assert.DoesNotContain("auth0|lambda-user", written, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_invocation_sets_the_x_ray_trace_header_in_the_environment_and_one_without_clears_it()
    {
        const string Trace = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1";
        Environment.SetEnvironmentVariable(LambdaBootstrap.TraceIdVariable, null);
        try
        {
            string[] traced = [_emulator.Enqueue(Event(("authorization", "Bearer " + Token())), Trace)];
            await RunQueuedAsync(Settings(), traced);
            Assert.Equal(Trace, Environment.GetEnvironmentVariable(LambdaBootstrap.TraceIdVariable));

            string[] untraced = [_emulator.Enqueue(Event(("authorization", "Bearer " + Token())), traceId: null)];
            await RunQueuedAsync(Settings(), untraced);
            Assert.Null(Environment.GetEnvironmentVariable(LambdaBootstrap.TraceIdVariable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(LambdaBootstrap.TraceIdVariable, null);
        }
    }

    public static TheoryData<string, string, int> RuntimeApiRefusals => new()
    {
        // The Runtime API's 500: "non-recoverable state, runtime should exit promptly".
        { "invocation/next", "GET /2018-06-01/runtime/invocation/next", 500 },
        { "/response", "/response", 500 },
        { "/response", "/response", 400 },
        { "/response", "/response", 403 },
        { "/error", "/error", 500 },
    };

    [Theory]
    [MemberData(nameof(RuntimeApiRefusals))]
    public async Task A_refusing_runtime_api_ends_the_loop_with_1_and_nothing_is_called_after_it(string resource, string lastRequest, int status)
    {
        _emulator.Refuse = r => r.EndsWith(resource, StringComparison.Ordinal) ? status : null;
        // A malformed event makes the function post to /error.
        _emulator.Enqueue(resource == "/error" ? "[]" : Event(("authorization", "Bearer " + Token())));

        int exitCode = await LambdaBootstrap.RunAsync(Lookup(Settings()), _time, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode);
        Assert.EndsWith(lastRequest, _emulator.Requests.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_lambda_refuses_as_too_large_is_replaced_by_an_error_and_the_loop_goes_on()
    {
        _emulator.Refuse = r => r.EndsWith("/response", StringComparison.Ordinal) ? 413 : null;
        LambdaInvocationResult[] results = await RunAsync(Settings(), Event(("authorization", "Bearer " + Token())), Event());

        Assert.All(results, r =>
        {
            Assert.True(r.IsError, r.Body);
            Assert.Equal(LambdaBootstrap.ResponseTooLarge, r.ErrorType);
        });
    }

    [Fact]
    public async Task A_refused_init_error_still_ends_the_bootstrap_with_2_rather_than_an_exception()
    {
        _emulator.Refuse = r => r == "init/error" ? 500 : null;
        Dictionary<string, string> settings = Settings();
        settings.Remove("AUTH0_AUDIENCE");

        Assert.Equal(2, await LambdaBootstrap.RunAsync(Lookup(settings), _time, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(["POST /2018-06-01/runtime/init/error"], _emulator.Requests);
    }

    [Fact]
    public async Task An_unreachable_runtime_api_at_init_error_ends_the_bootstrap_with_2_rather_than_an_exception()
    {
        // Port 0: no server can listen there, so the connection fails at once (a freed port could be taken by another).
        Dictionary<string, string> settings = Settings(("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:0"));
        settings.Remove("AUTH0_AUDIENCE");

        Assert.Equal(2, await LambdaBootstrap.RunAsync(Lookup(settings), _time, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    public static TheoryData<string, string?, string> BadSettings => new()
    {
        { "AUTH0_DOMAIN", null, "AUTH0_DOMAIN is required" },
        { "AUTH0_DOMAIN", "SECRET-LOOKING-VALUE.example.com/a path?q", "AUTH0_DOMAIN, AUTH0_AUDIENCE or the JWKS is not usable: Invalid 'domain'" },
        { "AUTH0_AUDIENCE", null, "AUTH0_AUDIENCE is required" },
        { "AUTH0_JWKS", null, "AUTH0_JWKS (the tenant's JWKS document) or AUTH0_JWKS_FILE" },
        { "AUTH0_JWKS", "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"SECRET-LOOKING-VALUE\"}]}", "the JWKS is not usable: StaticJwks for '" },
        { "AUTH0_JWKS_FILE", "does-not-exist.json", "AUTH0_JWKS_FILE cannot be read" },
        { "AUTH0_DPOP_MODE", "sometimes", "AUTH0_DPOP_MODE must be" },
        { "AUTH0_LAMBDA_MODE", "SECRET-LOOKING-VALUE", "AUTH0_LAMBDA_MODE must be" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_is_posted_to_init_error_naming_the_variable_but_not_its_value(string name, string? value, string message)
    {
        Dictionary<string, string> settings = Settings();
        settings.Remove(name);
        if (name == "AUTH0_JWKS_FILE")
        {
            settings.Remove("AUTH0_JWKS");
        }

        if (value is not null)
        {
            settings[name] = value;
        }

        int exitCode = await LambdaBootstrap.RunAsync(Lookup(settings), _time, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, exitCode);
        LambdaInvocationResult error = await _emulator.InitError.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(LambdaBootstrap.ConfigurationError, error.ErrorType);
        using JsonDocument body = JsonDocument.Parse(error.Body);
        Assert.Equal(LambdaBootstrap.ConfigurationError, body.RootElement.GetProperty("errorType").GetString());
        Assert.Contains(message, body.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-LOOKING-VALUE", error.Body, StringComparison.Ordinal);
        Assert.Equal(["POST /2018-06-01/runtime/init/error"], _emulator.Requests);
    }

    [Fact]
    public async Task The_jwks_can_come_from_a_file_relative_to_lambda_task_root()
    {
        string root = Directory.CreateTempSubdirectory("lambda-task-root").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "jwks.json"), LambdaEvents.Jwks(s_key));
            Dictionary<string, string> settings = Settings(("AUTH0_JWKS_FILE", "jwks.json"), ("LAMBDA_TASK_ROOT", root));
            settings.Remove("AUTH0_JWKS");

            LambdaInvocationResult[] results = await RunAsync(settings, Event(("authorization", "Bearer " + Token())));

            Assert.True(Response(results[0]).RootElement.GetProperty("isAuthorized").GetBoolean());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Api_mode_answers_200_with_the_caller_and_401_with_a_challenge_for_a_missing_or_expired_token()
    {
        string token = Token();
        Dictionary<string, string> settings = Settings(("AUTH0_LAMBDA_MODE", "api"));
        LambdaInvocationResult[] fresh = await RunAsync(settings, Event(("authorization", "Bearer " + token)), Event());

        using JsonDocument ok = Response(fresh[0]);
        Assert.Equal(200, ok.RootElement.GetProperty("statusCode").GetInt32());
        Assert.False(ok.RootElement.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal("application/json", ok.RootElement.GetProperty("headers").GetProperty("content-type").GetString());
        using (JsonDocument caller = JsonDocument.Parse(ok.RootElement.GetProperty("body").GetString()!))
        {
            Assert.Equal("auth0|lambda-user", caller.RootElement.GetProperty("sub").GetString());
        }

        using JsonDocument none = Response(fresh[1]);
        Assert.Equal(401, none.RootElement.GetProperty("statusCode").GetInt32());
        string challenge = none.RootElement.GetProperty("headers").GetProperty("www-authenticate").GetString()!;
        Assert.StartsWith("Bearer ", challenge, StringComparison.Ordinal);
        Assert.DoesNotContain("error=", challenge, StringComparison.Ordinal);
        Assert.Contains("DPoP ", challenge, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromHours(2));
        LambdaInvocationResult[] late = await RunAsync(settings, Event(("authorization", "Bearer " + token)));
        using JsonDocument expired = Response(late[0]);
        Assert.Equal(401, expired.RootElement.GetProperty("statusCode").GetInt32());
        Assert.Contains("error=\"invalid_token\"", expired.RootElement.GetProperty("headers").GetProperty("www-authenticate").GetString(), StringComparison.Ordinal);
        Assert.Contains("\\u0022invalid_token\\u0022", expired.RootElement.GetProperty("body").GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(token, late[0].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_mode_answers_a_bad_dpop_proof_with_400_invalid_dpop_proof()
    {
        string token = DPoPToken();
        string proof = DPoPProofs.Create(s_proofKey, token, "GET", "https://elsewhere.example/orders", _time.GetUtcNow());
        LambdaInvocationResult[] results = await RunAsync(Settings(("AUTH0_LAMBDA_MODE", "api")), Event(("authorization", "DPoP " + token), ("dpop", proof)));

        using JsonDocument response = Response(results[0]);
        Assert.Equal(400, response.RootElement.GetProperty("statusCode").GetInt32());
        Assert.Contains("invalid_dpop_proof", response.RootElement.GetProperty("headers").GetProperty("www-authenticate").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_loop_stops_when_cancelled_while_waiting_for_the_next_event()
    {
        Task<int> loop = LambdaBootstrap.RunAsync(Lookup(Settings()), _time, _stop.Token);
        await Eventually.TrueAsync(() => _emulator.Requests.Contains("GET /2018-06-01/runtime/invocation/next"));

        await _stop.CancelAsync();

        Assert.Equal(0, await loop.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("127.0.0.1:1/elsewhere")]
    [InlineData("user@127.0.0.1:1")]
    public async Task Without_a_usable_aws_lambda_runtime_api_the_bootstrap_exits_with_2_and_calls_nothing(string? address)
    {
        Dictionary<string, string> settings = Settings();
        settings.Remove("AWS_LAMBDA_RUNTIME_API");
        if (address is not null)
        {
            settings["AWS_LAMBDA_RUNTIME_API"] = address;
        }

        Assert.Equal(2, await LambdaBootstrap.RunAsync(Lookup(settings), _time, CancellationToken.None));
        Assert.Empty(_emulator.Requests);
    }

    // Queues the events, runs the loop until each has its answer, stops it; the results in the events' order.
    private Task<LambdaInvocationResult[]> RunAsync(Dictionary<string, string> settings, params string[] events) =>
        RunQueuedAsync(settings, events.Select(e => _emulator.Enqueue(e)).ToArray());

    // Runs the loop until each queued request id has its answer, and stops it.
    private async Task<LambdaInvocationResult[]> RunQueuedAsync(Dictionary<string, string> settings, string[] ids)
    {
        using CancellationTokenSource stop = new();
        Task<int> loop = LambdaBootstrap.RunAsync(Lookup(settings), _time, stop.Token);
        try
        {
            // A bound against a hang only: no timing is asserted.
            LambdaInvocationResult[] results = await Task.WhenAll(ids.Select(_emulator.ResultAsync)).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.False(loop.IsCompleted, "the loop ended early");
            return results;
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await loop.WaitAsync(TimeSpan.FromSeconds(30)));
            // Its cancelled invocation/next must be gone before another loop's events are queued.
            await Eventually.TrueAsync(() => _emulator.WaitingForEvents == 0);
        }
    }

    private void OnlyTheRuntimeApiWasCalled(int expectedPosts)
    {
        string[] requests = _emulator.Requests.ToArray();
        Assert.All(requests, r => Assert.Matches("^(GET /2018-06-01/runtime/invocation/next|POST /2018-06-01/runtime/invocation/[0-9a-f-]+/response)$", r));
        Assert.Equal(expectedPosts, requests.Count(r => r.StartsWith("POST ", StringComparison.Ordinal)));
    }

    private Dictionary<string, string> Settings(params (string Name, string Value)[] extra)
    {
        Dictionary<string, string> settings = new()
        {
            ["AWS_LAMBDA_RUNTIME_API"] = _emulator.Address,
            ["AUTH0_DOMAIN"] = Domain,
            ["AUTH0_AUDIENCE"] = Audience,
            ["AUTH0_JWKS"] = LambdaEvents.Jwks(s_key),
        };
        foreach ((string name, string value) in extra)
        {
            settings[name] = value;
        }

        return settings;
    }

    private static Func<string, string?> Lookup(Dictionary<string, string> settings) => name => settings.GetValueOrDefault(name);

    private string Token(Action<ClaimSet>? configure = null) => LambdaEvents.Token(s_key, Domain, Audience, _time.GetUtcNow(), configure);

    private string DPoPToken() => Token(p => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(s_proofKey))));

    private static string Event(params (string Name, string Value)[] headers) => LambdaEvents.Authorizer(headers.ToDictionary(h => h.Name, h => h.Value));

    private static JsonDocument Response(LambdaInvocationResult result)
    {
        Assert.False(result.IsError, "the function posted an error: " + result.Body);
        return JsonDocument.Parse(result.Body);
    }
}
