using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.NoHttpTests;

/// <summary>
/// Runs with the Auth0.Api.Aot.HttpFetch switch off (Auth0ApiAotHttpFetch=false in the project file): seeded keys
/// verify, every path that would fetch is a configuration error naming the property, and the loopback issuer, which
/// would answer any request, never sees one.
/// </summary>
public sealed class SeededKeysWithoutHttpTests : IAsyncLifetime
{
    private const string Audience = "my-audience";
    private const string Property = "Auth0ApiAotHttpFetch";

    private static readonly SigningKey s_primary = SigningKey.CreateRsa("TEST_KEY");
    private static readonly SigningKey s_other = SigningKey.CreateRsa("OTHER_KEY");

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private LocalIssuer _issuer = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _issuer = await LocalIssuer.StartAsync(s_primary);
        _issuer.Clock = _time;
        _http = _issuer.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _issuer.DisposeAsync();
    }

    [Fact]
    public void The_project_property_reaches_the_runtime_as_the_switch()
    {
        Assert.True(AppContext.TryGetSwitch("Auth0.Api.Aot.HttpFetch", out bool enabled));
        Assert.False(enabled);

        // Auth0ApiAotTracing is not set in the project file: it follows Auth0ApiAotHttpFetch (docs/observability.md).
        Assert.True(AppContext.TryGetSwitch("Auth0.Api.Aot.Tracing", out bool tracing));
        Assert.False(tracing);
    }

    /// <summary>A build without HTTP keeps its metrics but has no verification spans: the Activity machinery is left out of its binary (docs/observability.md).</summary>
    [Fact]
    public async Task Verifications_are_counted_but_no_span_is_started_even_with_a_sampling_listener()
    {
        List<string> spans = [];
        List<string> results = [];
        using System.Diagnostics.ActivityListener activities = new()
        {
            ShouldListenTo = source => source.Name == "Auth0.Api.Aot",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity.OperationName); } },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(activities);
        using System.Diagnostics.Metrics.MeterListener meters = new()
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "auth0.api.verifications")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "auth0.result")
                {
                    lock (results) { results.Add((string)tag.Value!); }
                }
            }
        });
        meters.Start();
        using ApiClient client = Client(o => o.StaticJwks = new Dictionary<string, string> { [_issuer.Domain] = _issuer.JwksJson() });

        Assert.True((await client.TryVerifyAccessTokenAsync(Token())).IsValid);
        Assert.Equal(["success"], results);
        Assert.Empty(spans);
    }

    [Fact]
    public async Task Static_jwks_verify_and_an_unknown_kid_is_refused_without_a_request_even_with_an_http_client_given()
    {
        using ApiClient client = Client(o => o.StaticJwks = new Dictionary<string, string> { [_issuer.Domain] = _issuer.JwksJson() });

        Assert.Equal("user_123", (await client.VerifyAccessTokenAsync(Token())).Subject);
        AccessTokenResult unknown = await client.TryVerifyAccessTokenAsync(Token(s_other));
        Assert.Equal(VerificationFailure.KeyNotFound, unknown.Failure);

        _time.Advance(TimeSpan.FromDays(30));
        Assert.True((await client.TryVerifyAccessTokenAsync(Token())).IsValid);
        Assert.Equal(0, _issuer.TotalRequests);
    }

    [Fact]
    public async Task A_dpop_request_verifies_with_static_jwks()
    {
        using ApiClient client = Client(o => o.StaticJwks = new Dictionary<string, string> { [_issuer.Domain] = _issuer.JwksJson() });
        SigningKey proofKey = SigningKey.CreateEc("proof");
        string token = Token(configure: (_, payload) => payload.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(proofKey))));
        string proof = DPoPProofs.Create(proofKey, token, "GET", "https://api.example.com/orders", _time.GetUtcNow());

        RequestVerificationResult result = await client.TryVerifyRequestAsync("DPoP " + token, proof, "GET", "https://api.example.com/orders");

        Assert.True(result.IsValid, result.ErrorDescription);
        Assert.Equal("dpop", result.Scheme);
        Assert.Equal(0, _issuer.TotalRequests);
    }

    [Fact]
    public async Task A_snapshot_is_pinned_so_it_still_verifies_long_after_its_lifetime()
    {
        using ApiClient client = Client(o => o.KeySnapshot = Snapshot(ageSeconds: 0, maxAgeSeconds: 60));

        _time.Advance(TimeSpan.FromDays(365));
        Assert.True((await client.TryVerifyAccessTokenAsync(Token())).IsValid);
        Assert.Equal(VerificationFailure.KeyNotFound, (await client.TryVerifyAccessTokenAsync(Token(s_other))).Failure);
        Assert.Equal(0, _issuer.TotalRequests);
    }

    [Fact]
    public void A_domain_without_seeded_keys_is_refused_at_construction_naming_the_property()
    {
        ConfigurationException exception = Assert.Throws<ConfigurationException>(() => Client());
        Assert.Equal(
            "'" + _issuer.Issuer + "' has no keys in StaticJwks or KeySnapshot, but this build cannot fetch keys or tokens (the Auth0ApiAotHttpFetch build property, AppContext switch Auth0.Api.Aot.HttpFetch, is false)",
            exception.Message);
    }

    [Fact]
    public void Every_listed_domain_needs_its_keys_and_a_resolver_needs_some()
    {
        ConfigurationException partly = Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions
        {
            Domains = [_issuer.Domain, "other.example.com"],
            Audience = Audience,
            StaticJwks = new Dictionary<string, string> { [_issuer.Domain] = _issuer.JwksJson() },
        }));
        Assert.StartsWith("'https://other.example.com/' has no keys", partly.Message, StringComparison.Ordinal);

        ConfigurationException resolver = Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions
        {
            DomainsResolver = (_, _) => new ValueTask<IReadOnlyList<string>>([_issuer.Domain]),
            Audience = Audience,
        }));
        Assert.Contains(Property, resolver.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resolver_naming_an_issuer_that_is_not_seeded_gets_a_value_result_naming_the_property()
    {
        await using LocalIssuer unseeded = await LocalIssuer.StartAsync(s_other);
        using ApiClient client = new(new ApiClientOptions
        {
            DomainsResolver = (_, _) => new ValueTask<IReadOnlyList<string>>([_issuer.Domain, unseeded.Domain]),
            Audience = Audience,
            TimeProvider = _time,
            StaticJwks = new Dictionary<string, string> { [_issuer.Domain] = _issuer.JwksJson() },
        });

        Assert.True((await client.TryVerifyAccessTokenAsync(Token())).IsValid);
        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(unseeded.CreateToken(Audience));

        Assert.Equal(VerificationFailure.KeySourceFailed, result.Failure);
        Assert.Contains(Property, result.ErrorDescription, StringComparison.Ordinal);
        Assert.Equal((0, 0), (_issuer.TotalRequests, unseeded.TotalRequests));
    }

    [Fact]
    public async Task A_fetch_that_cannot_happen_fails_like_a_fetch_once_per_back_off_on_the_calling_thread()
    {
        await using LocalIssuer unseeded = await LocalIssuer.StartAsync(s_other);
        using ApiClient client = new(new ApiClientOptions
        {
            DomainsResolver = (_, _) => new ValueTask<IReadOnlyList<string>>([_issuer.Domain, unseeded.Domain]),
            Audience = Audience,
            TimeProvider = _time,
            FailureBackoff = TimeSpan.FromSeconds(5),
            StaticJwks = new Dictionary<string, string> { [_issuer.Domain] = _issuer.JwksJson() },
        });
        List<(KeySourceFailure Failure, int Thread)> failures = [];
        client.KeySourceFailed += failure => failures.Add((failure, Environment.CurrentManagedThreadId));
        string token = unseeded.CreateToken(Audience);

        int thread = Environment.CurrentManagedThreadId;
        AccessTokenResult first = await client.TryVerifyAccessTokenAsync(token);
        AccessTokenResult second = await client.TryVerifyAccessTokenAsync(token); // inside the back-off: no new failure
        Assert.Equal((VerificationFailure.KeySourceFailed, VerificationFailure.KeySourceFailed), (first.Failure, second.Failure));
        Assert.Contains(Property, first.ErrorDescription, StringComparison.Ordinal);
        Assert.Contains(Property, second.ErrorDescription, StringComparison.Ordinal);
        (KeySourceFailure failure, int raisedOn) = Assert.Single(failures);
        Assert.Equal((KeySourceDocument.Discovery, new Uri(unseeded.Issuer).Host, false, thread), (failure.Document, failure.Host, failure.ServingCached, raisedOn));

        _time.Advance(TimeSpan.FromSeconds(5)); // the back-off is over: the next request fails (and is reported) again
        Assert.Equal(VerificationFailure.KeySourceFailed, (await client.TryVerifyAccessTokenAsync(token)).Failure);
        Assert.Equal(2, failures.Count);
        Assert.True((await client.TryVerifyAccessTokenAsync(Token())).IsValid);
        Assert.Equal((0, 0), (_issuer.TotalRequests, unseeded.TotalRequests));
    }

    // A handler that verifies again, on the thread that raised it, gets the failure it is being told of: as a call made
    // while a real fetch's handlers run joins that fetch, it raises no second event, even with no back-off (which
    // would otherwise recurse until the stack overflowed: the test stops re-entering after 3 levels).
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public async Task A_handler_that_verifies_again_gets_the_failure_without_a_second_event(int backoffSeconds)
    {
        await using LocalIssuer unseeded = await LocalIssuer.StartAsync(s_other);
        using ApiClient client = new(new ApiClientOptions
        {
            DomainsResolver = (_, _) => new ValueTask<IReadOnlyList<string>>([_issuer.Domain, unseeded.Domain]),
            Audience = Audience,
            TimeProvider = _time,
            FailureBackoff = TimeSpan.FromSeconds(backoffSeconds),
            StaticJwks = new Dictionary<string, string> { [_issuer.Domain] = _issuer.JwksJson() },
        });
        string token = unseeded.CreateToken(Audience);
        int raised = 0;
        bool completed = true;
        List<AccessTokenResult> nested = [];
        client.KeySourceFailed += _ =>
        {
            if (++raised <= 3)
            {
                // Nothing to wait for in a build without HTTP: complete at once, so no deadlock is possible. (No
                // assertion in here: a handler's exception is rethrown on the thread pool.)
                ValueTask<AccessTokenResult> again = client.TryVerifyAccessTokenAsync(token);
                completed &= again.IsCompleted;
                nested.Add(again.AsTask().GetAwaiter().GetResult());
            }
        };

        AccessTokenResult outer = await client.TryVerifyAccessTokenAsync(token);

        Assert.Equal(1, raised);
        Assert.True(completed);
        AccessTokenResult inner = Assert.Single(nested);
        Assert.Equal((VerificationFailure.KeySourceFailed, VerificationFailure.KeySourceFailed), (outer.Failure, inner.Failure));
        Assert.Contains(Property, inner.ErrorDescription, StringComparison.Ordinal);
        Assert.Equal(outer.ErrorDescription, inner.ErrorDescription);

        // The next verification is a new failure once the back-off is over (at once without one), reported once more.
        _time.Advance(TimeSpan.FromSeconds(backoffSeconds));
        Assert.Equal(VerificationFailure.KeySourceFailed, (await client.TryVerifyAccessTokenAsync(token)).Failure);
        Assert.Equal(2, raised);
        Assert.Equal(2, nested.Count);
        Assert.True((await client.TryVerifyAccessTokenAsync(Token())).IsValid);
    }

    [Fact]
    public async Task Tokens_naming_many_other_allowed_issuers_never_evict_the_seeded_keys()
    {
        // A resolver that allows the unverified issuer (as a multi-tenant resolver may): each forged iss asks the cache
        // for a document it cannot fetch. Before pinned values lived apart, CacheMaxEntries of them evicted the seeded
        // issuer's entries, and with no HTTP they never came back.
        using ApiClient client = new(new ApiClientOptions
        {
            DomainsResolver = (context, _) => new ValueTask<IReadOnlyList<string>>([_issuer.Domain, new Uri(context.UnverifiedIssuer).Host]),
            Audience = Audience,
            TimeProvider = _time,
            CacheMaxEntries = 10,
            StaticJwks = new Dictionary<string, string> { [_issuer.Domain] = _issuer.JwksJson() },
        });

        for (int i = 0; i < 25; i++)
        {
            AccessTokenResult forged = await client.TryVerifyAccessTokenAsync(Token(configure: (_, p) => p.Set("iss", $"https://tenant-{i}.example.com/")));
            Assert.Equal(VerificationFailure.KeySourceFailed, forged.Failure);
        }

        Assert.True((await client.TryVerifyAccessTokenAsync(Token())).IsValid);
        Assert.Equal(0, _issuer.TotalRequests);
    }

    [Fact]
    public async Task More_seeded_domains_than_cache_entries_all_verify()
    {
        Dictionary<string, string> jwks = [];
        List<string> domains = [_issuer.Domain];
        jwks[_issuer.Domain] = _issuer.JwksJson();
        for (int i = 0; i < 12; i++)
        {
            domains.Add($"t{i}.example.com");
            jwks[$"t{i}.example.com"] = _issuer.JwksJson();
        }

        using ApiClient client = new(new ApiClientOptions { Domains = domains, Audience = Audience, TimeProvider = _time, CacheMaxEntries = 10, StaticJwks = jwks });
        Assert.True((await client.TryVerifyAccessTokenAsync(Token())).IsValid);
        Assert.True((await client.TryVerifyAccessTokenAsync(Token(configure: (_, p) => p.Set("iss", "https://t0.example.com/")))).IsValid);
    }

    [Fact]
    public async Task Token_exchange_fails_with_the_flows_configuration_error_and_sends_nothing()
    {
        using ApiClient client = Client(o =>
        {
            o.StaticJwks = new Dictionary<string, string> { [_issuer.Domain] = _issuer.JwksJson() };
            o.ClientId = "client";
            o.ClientSecret = "secret";
        });

        GetAccessTokenForConnectionException connection = await Assert.ThrowsAsync<GetAccessTokenForConnectionException>(async () =>
            await client.GetAccessTokenForConnectionAsync(new ConnectionTokenRequest { Connection = "google-oauth2", AccessToken = "subject-token" }));
        Assert.Contains(Property, connection.Message, StringComparison.Ordinal);

        GetTokenByExchangeProfileException onBehalfOf = await Assert.ThrowsAsync<GetTokenByExchangeProfileException>(async () =>
            await client.GetTokenOnBehalfOfAsync("subject-token", "https://downstream.example.com"));
        Assert.Contains(Property, onBehalfOf.Message, StringComparison.Ordinal);
        Assert.Empty(_issuer.TokenRequests);
        Assert.Equal(0, _issuer.TotalRequests);
    }

    private ApiClient Client(Action<ApiClientOptions>? configure = null)
    {
        ApiClientOptions options = new() { Domain = _issuer.Domain, Audience = Audience, HttpClient = _http, TimeProvider = _time };
        configure?.Invoke(options);
        return new ApiClient(options);
    }

    private string Token(SigningKey? key = null, Action<ClaimSet, ClaimSet>? configure = null) => _issuer.CreateToken(Audience, configure, key);

    // A version 1 snapshot as ApiClient.ExportKeySnapshot writes one (taking one needs a fetching build).
    private string Snapshot(long ageSeconds, long maxAgeSeconds)
    {
        long fetchedAt = _time.GetUtcNow().ToUnixTimeSeconds() - ageSeconds;
        using MemoryStream buffer = new();
        using (Utf8JsonWriter writer = new(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", 1);
            writer.WriteStartArray("documents");
            foreach ((string kind, string key, string body) in new[] { ("discovery", _issuer.Issuer, _issuer.DiscoveryJson()), ("jwks", _issuer.JwksUri, _issuer.JwksJson()) })
            {
                writer.WriteStartObject();
                writer.WriteString("kind", kind);
                writer.WriteString("key", key);
                writer.WriteNumber("fetched_at", fetchedAt);
                writer.WriteNumber("max_age", maxAgeSeconds);
                writer.WriteString("body", body);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
