using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using Auth0.Api.Aot.Tests.TokenExchange;
using Microsoft.AspNetCore.Http;
using Measurement = Auth0.Api.Aot.Tests.Support.TelemetryRecorder.Measurement;

namespace Auth0.Api.Aot.Tests.Api;

/// <summary>
/// The key-source instruments and spans (docs/observability.md) through real scenarios against a loopback issuer on a
/// fake clock: a cold verification, each kind of outage with stale serving, a key rotation.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class KeySourceTelemetryTests : FakeClockIssuerTests
{
    private const string Url = "https://api.example.com/x";

    private int Port => int.Parse(H.Issuer.Domain[(H.Issuer.Domain.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);

    private static string Row(Measurement m) => m.Tag("auth0.document") + "|" + m.Tag("auth0.outcome") + "|" + m.Tag("server.address");

    [Fact]
    public async Task A_cold_verification_measures_one_discovery_and_one_jwks_fetch_in_spans_the_HttpClient_nests_under()
    {
        using TelemetryRecorder recorder = new();
        using ApiClient client = Client();
        string token = H.Token();
        Assert.True((await client.TryVerifyRequestAsync("Bearer " + token, null, "GET", Url)).IsValid);
        string expired = H.Token((_, p) => p.Set("exp", Time.GetUtcNow().AddHours(-1).ToUnixTimeSeconds()).Set("jti", "jti-secret-value"));
        Assert.Equal(VerificationFailure.Expired, (await client.TryVerifyAccessTokenAsync(expired)).Failure);

        Assert.Equal(["discovery|success|127.0.0.1", "jwks|success|127.0.0.1"], recorder.Of("auth0.api.key_source.fetches", Port).Select(Row));
        Assert.Equal(["discovery|success|127.0.0.1", "jwks|success|127.0.0.1"], recorder.Of("auth0.api.key_source.fetch.duration", Port).Select(Row));
        Assert.Empty(recorder.Of("auth0.api.key_source.stale_serves", Port));

        string port = Port.ToString(CultureInfo.InvariantCulture);
        Activity discovery = Assert.Single(recorder.Spans("auth0.discovery"), a => Convert.ToString(a.GetTagItem("server.port"), CultureInfo.InvariantCulture) == port);
        Activity jwks = Assert.Single(recorder.Spans("auth0.jwks"), a => Convert.ToString(a.GetTagItem("server.port"), CultureInfo.InvariantCulture) == port);
        foreach (Activity fetch in new[] { discovery, jwks })
        {
            Assert.Equal(ActivityKind.Client, fetch.Kind);
            Assert.Equal("success", fetch.GetTagItem("auth0.outcome"));
            Assert.Equal("127.0.0.1", fetch.GetTagItem("server.address"));
            Assert.Equal(ActivityStatusCode.Unset, fetch.Status);

            // The HttpClient's own span is a child of the library's.
            Assert.Contains(recorder.Activities, a => a.Source.Name == "System.Net.Http" && a.ParentSpanId == fetch.SpanId);
        }

        Activity[] verifications = recorder.Spans("auth0.verify");
        Assert.Equal(
            ["success|bearer|" + H.Issuer.Issuer + "|", "Expired|token|" + H.Issuer.Issuer + "|Expired"],
            verifications.Select(a => a.GetTagItem("auth0.result") + "|" + a.GetTagItem("auth0.scheme") + "|" + a.GetTagItem("auth0.issuer") + "|" + a.GetTagItem("error.type")));
        Assert.Equal([ActivityStatusCode.Unset, ActivityStatusCode.Error], verifications.Select(a => a.Status));

        // Each verification's span is its own root: none is left current for the caller, so none parents the next.
        Assert.Null(Activity.Current);
        Assert.All(verifications, a => Assert.Null(a.Parent));

        // No token, no claim value (subject, jti), anywhere.
        Assert.DoesNotContain(recorder.AllTagValues(), v => v.Contains(token, StringComparison.Ordinal) || v.Contains(expired, StringComparison.Ordinal)
            || v.Contains("user_123", StringComparison.Ordinal) || v.Contains("jti-secret-value", StringComparison.Ordinal) || v.Contains(token.Split('.')[2], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_listener_no_span_is_started()
    {
        Assert.False(Internal.Telemetry.Source.HasListeners());
        Assert.Null(Internal.Telemetry.StartVerification());
        using ApiClient client = Client();
        Activity? before = Activity.Current;
        Assert.True((await client.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        Assert.Same(before, Activity.Current);
    }

    public static TheoryData<string, string, KeySourceFailureKind> Outages => new()
    {
        { "500", "http_error", KeySourceFailureKind.HttpError },
        { "garbage", "invalid_document", KeySourceFailureKind.InvalidDocument },
        { "refused", "network", KeySourceFailureKind.Network },
        { "hang", "timeout", KeySourceFailureKind.Timeout },
    };

    [Theory]
    [MemberData(nameof(Outages))]
    public async Task An_outage_shows_failed_fetches_stale_serves_a_growing_key_age_and_KeySourceFailed(string outage, string outcome, KeySourceFailureKind kind)
    {
        using TelemetryRecorder recorder = new();
        using ApiClient client = Client(o => { o.CacheTtl = TimeSpan.FromMinutes(10); o.MaxStaleness = TimeSpan.FromHours(1); o.Timeout = TimeSpan.FromSeconds(10); });
        ConcurrentQueue<KeySourceFailure> failures = new();
        client.KeySourceFailed += failures.Enqueue;
        await client.VerifyAccessTokenAsync(H.Token());
        Assert.Equal([0.0], KeyAges(recorder));

        await StartOutageAsync(outage);
        Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal([660.0], KeyAges(recorder));
        recorder.Measurements.Clear();
        recorder.Activities.Clear();

        // Past the TTL: the stale keys verify, and their background refreshes fail.
        int hanging = HangingRequests;
        Assert.Equal("user_123", (await client.VerifyAccessTokenAsync(H.Token())).Subject);
        await AdvanceThroughAttemptAsync(
            () => client.Keys.Discovery.IsRefreshing(H.Issuer.Issuer) || client.Keys.Jwks.IsRefreshing(H.Issuer.JwksUri),
            outage,
            hanging,
            TimeSpan.FromSeconds(11),
            TimeSpan.FromSeconds(6));

        // A failed fetch is over (no longer refreshing) before its KeySourceFailed handlers run: wait for them to have
        // reported both documents, not only for the refreshes to end.
        await Eventually.TrueAsync(() => failures.Any(f => f.Document == KeySourceDocument.Discovery) && failures.Any(f => f.Document == KeySourceDocument.Jwks));

        Assert.Equal(["discovery|127.0.0.1", "jwks|127.0.0.1"], recorder.Of("auth0.api.key_source.stale_serves", Port).Select(m => m.Tag("auth0.document") + "|" + m.Tag("server.address")).Order());
        Measurement[] fetches = recorder.Of("auth0.api.key_source.fetches", Port);
        Assert.Equal(["discovery|" + outcome + "|127.0.0.1", "jwks|" + outcome + "|127.0.0.1"], fetches.Select(Row).Order());
        KeySourceFailure failure = Assert.Single(failures, f => f.Document == KeySourceDocument.Discovery);
        Assert.Equal(("127.0.0.1", Port, kind, true, true), (failure.Host, failure.Port, failure.Kind, failure.ServingCached, failure.ServingStale));

        // Not the scheme's default port: ToString shows it.
        Assert.Equal("Discovery fetch from 127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture) + " failed: " + kind, failure.ToString());
        Assert.Contains(failures, f => f.Document == KeySourceDocument.Jwks && f.Kind == kind);

        string[] spans = [.. recorder.Spans("auth0.discovery").Concat(recorder.Spans("auth0.jwks"))
            .Where(a => Convert.ToString(a.GetTagItem("server.port"), CultureInfo.InvariantCulture) == Port.ToString(CultureInfo.InvariantCulture))
            .Select(a => a.OperationName + "|" + a.GetTagItem("error.type") + "|" + a.Status)
            .Order()];
        Assert.Equal(["auth0.discovery|" + outcome + "|Error", "auth0.jwks|" + outcome + "|Error"], spans);

        // The key age keeps growing while nothing can be fetched.
        Assert.InRange(Assert.Single(KeyAges(recorder)), 666, 3600);
    }

    [Fact]
    public async Task A_failure_with_nothing_cached_is_reported_as_not_serving()
    {
        using TelemetryRecorder recorder = new();
        using ApiClient client = Client();
        ConcurrentQueue<KeySourceFailure> failures = new();
        client.KeySourceFailed += failures.Enqueue;
        H.Issuer.Intercept = context => { context.Response.StatusCode = 503; return Task.FromResult(true); };
        Assert.Equal(VerificationFailure.KeySourceFailed, (await client.TryVerifyAccessTokenAsync(H.Token())).Failure);

        KeySourceFailure failure = Assert.Single(failures);
        Assert.Equal((KeySourceDocument.Discovery, KeySourceFailureKind.HttpError, false, false), (failure.Document, failure.Kind, failure.ServingCached, failure.ServingStale));
        Assert.Equal("Discovery fetch from 127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture) + " failed: HttpError", failure.ToString());
        Assert.Equal(["discovery|http_error|127.0.0.1"], recorder.Of("auth0.api.key_source.fetches", Port).Select(Row));
        Assert.Empty(KeyAges(recorder));
    }

    // A handler's exception used to leave the fetch task faulted: the verifications waiting on it threw it (instead of
    // their KeySourceFailed value result), a background refresh swallowed it, and later handlers were not called.
    [Fact]
    public async Task A_KeySourceFailed_handler_that_throws_changes_no_verification_and_is_not_swallowed()
    {
        using ApiClient client = Client(o => { o.CacheTtl = TimeSpan.FromMinutes(10); o.MaxStaleness = TimeSpan.FromHours(1); });
        ConcurrentQueue<Exception> faulted = new();
        client.Keys.HandlerFaulted = faulted.Enqueue;
        ConcurrentQueue<KeySourceFailure> failures = new();
        client.KeySourceFailed += _ => throw new InvalidOperationException("handler bug");
        client.KeySourceFailed += failures.Enqueue;

        // Nothing cached: the waiting verification gets its value result, not the handler's exception.
        H.Issuer.Intercept = context => { context.Response.StatusCode = 503; return Task.FromResult(true); };
        Assert.Equal(VerificationFailure.KeySourceFailed, (await client.TryVerifyAccessTokenAsync(H.Token())).Failure);
        Assert.Equal([KeySourceDocument.Discovery], failures.Select(f => f.Document));
        Assert.Equal(["handler bug"], faulted.Select(e => e.Message));

        // A background refresh that fails: the stale keys verify, and the handler's exceptions are not lost.
        H.Issuer.Intercept = null;
        Time.Advance(TimeSpan.FromSeconds(6));
        await client.VerifyAccessTokenAsync(H.Token());
        H.Issuer.Intercept = context => { context.Response.StatusCode = 500; return Task.FromResult(true); };
        Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal("user_123", (await client.VerifyAccessTokenAsync(H.Token())).Subject);
        // A failed fetch is over before its handlers run, so the refreshes' end does not mean the handlers have run: the
        // last handler's report of the second document does (the throwing handler runs, and is reported, before it).
        await Eventually.TrueAsync(() => !client.Keys.Discovery.IsRefreshing(H.Issuer.Issuer) && !client.Keys.Jwks.IsRefreshing(H.Issuer.JwksUri) && failures.Count >= 3);
        Assert.Equal(3, faulted.Count);
        Assert.Equal(3, failures.Count);
        Assert.All(failures.Skip(1), f => Assert.True(f.ServingStale));
    }

    // The failure was reported while the fetch was still marked as running, so a handler that verified again and waited
    // for it joined that fetch, which waited for the handler: a deadlock.
    [Fact]
    public async Task A_KeySourceFailed_handler_that_waits_for_a_verification_gets_the_failure_instead_of_a_deadlock()
    {
        using ApiClient client = Client();
        ConcurrentQueue<VerificationFailure> nested = new();
        // The handler blocks on purpose (an event handler is synchronous): only a blocking handler shows the deadlock.
#pragma warning disable xUnit1031
        client.KeySourceFailed += _ =>
        {
            Task<AccessTokenResult> again = client.TryVerifyAccessTokenAsync(H.Token()).AsTask();

            // A bound on a hang, not a timing assertion: with the defect this wait never ends.
            if (again.Wait(TimeSpan.FromSeconds(30)))
            {
                nested.Enqueue(again.Result.Failure);
            }
        };
#pragma warning restore xUnit1031
        H.Issuer.Intercept = context => { context.Response.StatusCode = 503; return Task.FromResult(true); };
        // WaitAsync bounds a hang (a TimeoutException fails the test); it asserts no timing.
        AccessTokenResult first = await client.TryVerifyAccessTokenAsync(H.Token()).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(VerificationFailure.KeySourceFailed, first.Failure);
        Assert.Equal([VerificationFailure.KeySourceFailed], nested);
    }

    // With no back-off, a handler that verifies again started a new fetch, whose failure called the handler again: an
    // endless chain of fetches. A call from a handler gets the failure being reported and fetches nothing.
    [Fact]
    public async Task A_KeySourceFailed_handler_that_verifies_again_with_no_backoff_starts_no_second_fetch()
    {
        using ApiClient client = Client(o => o.FailureBackoff = TimeSpan.Zero);
        int raised = 0, requests = 0;
        ConcurrentQueue<VerificationFailure> nested = new();
#pragma warning disable xUnit1031 // the handler is synchronous; the nested call completes at once
        client.KeySourceFailed += _ =>
        {
            if (Interlocked.Increment(ref raised) <= 3)
            {
                nested.Enqueue(client.TryVerifyAccessTokenAsync(H.Token()).AsTask().GetAwaiter().GetResult().Failure);
            }
        };
#pragma warning restore xUnit1031
        H.Issuer.Intercept = context =>
        {
            Interlocked.Increment(ref requests);
            context.Response.StatusCode = 503;
            return Task.FromResult(true);
        };

        Assert.Equal(VerificationFailure.KeySourceFailed, (await client.TryVerifyAccessTokenAsync(H.Token())).Failure);
        Assert.Equal(1, raised);
        Assert.Equal(1, requests);
        Assert.Equal([VerificationFailure.KeySourceFailed], nested);
    }

    [Fact]
    public async Task A_rotation_counts_one_unknown_kid_refetch_and_a_cooldown_skip_after_it()
    {
        using TelemetryRecorder recorder = new();
        using ApiClient client = Client();
        await client.VerifyAccessTokenAsync(H.Token());
        H.Issuer.JwksKeys.Clear();
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        await client.VerifyAccessTokenAsync(H.Token(null, TestKeys.Other));
        Assert.Equal(VerificationFailure.KeyNotFound, (await client.TryVerifyAccessTokenAsync(H.Token())).Failure);

        Assert.Equal(["127.0.0.1"], recorder.Of("auth0.api.key_source.unknown_kid_refetches", Port).Select(m => m.Tag("server.address")));
        Assert.Single(recorder.Of("auth0.api.key_source.cooldown_skips", Port));
        Assert.Equal(["discovery|success|127.0.0.1", "jwks|success|127.0.0.1", "jwks|success|127.0.0.1"], recorder.Of("auth0.api.key_source.fetches", Port).Select(Row));
        Assert.Equal(
            ["success", "success", "KeyNotFound"],
            recorder.Of("auth0.api.verifications").Select(m => m.Tag("auth0.result")));
    }

    // The unknown-kid counters were recorded under the entry's lock: every listener callback (an exporter's aggregation)
    // ran inside it, holding up every request for that key set.
    [Fact]
    public async Task The_unknown_kid_counters_are_recorded_outside_the_entrys_lock()
    {
        using ApiClient client = Client();
        ConcurrentQueue<(string Instrument, bool Locked)> seen = new();
        using System.Diagnostics.Metrics.MeterListener listener = new()
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Auth0.Api.Aot" && instrument.Name is "auth0.api.key_source.unknown_kid_refetches" or "auth0.api.key_source.cooldown_skips")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, _, _) => seen.Enqueue((instrument.Name, client.Keys.Jwks.HoldsLock(H.Issuer.JwksUri))));
        listener.Start();

        await client.VerifyAccessTokenAsync(H.Token());
        H.Issuer.JwksKeys.Clear();
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        await client.VerifyAccessTokenAsync(H.Token(null, TestKeys.Other));
        Assert.Equal(VerificationFailure.KeyNotFound, (await client.TryVerifyAccessTokenAsync(H.Token())).Failure);

        Assert.Equal([("auth0.api.key_source.unknown_kid_refetches", false), ("auth0.api.key_source.cooldown_skips", false)], seen);
    }

    private double[] KeyAges(TelemetryRecorder recorder) =>
        [.. recorder.Observe("auth0.api.key_source.keys.age").Where(m => m.Tag("server.port") == Port.ToString(CultureInfo.InvariantCulture)).Select(m => m.Value)];
}

/// <summary>The verified-token cache instruments through real verifications: the same token twice, a key rotation, an expiry.</summary>
[Collection(MetricsCollection.Name)]
public sealed class TokenCacheTelemetryTests : FakeClockIssuerTests
{
    private static string[] Lookups(TelemetryRecorder recorder) => [.. recorder.Of("auth0.api.token_cache.lookups").Select(m => m.Tag("auth0.result")!)];

    private static string[] Removals(TelemetryRecorder recorder) => [.. recorder.Of("auth0.api.token_cache.removals").Select(m => m.Tag("auth0.reason")!)];

    [Fact]
    public async Task The_same_token_twice_is_one_miss_then_one_hit()
    {
        using TelemetryRecorder recorder = new();
        using ApiClient client = Client();
        string token = H.Token();
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.True((await client.TryVerifyRequestAsync("Bearer " + token, null, "GET", "https://api.example.com/x")).IsValid);

        Assert.Equal(["miss", "hit"], Lookups(recorder));
        Assert.Empty(Removals(recorder));
        Assert.DoesNotContain(recorder.AllTagValues(), v => v.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rotation_drops_the_entry_as_keys_changed_and_an_expired_token_as_expired()
    {
        using TelemetryRecorder recorder = new();
        using ApiClient client = Client();
        string token = H.Token();
        await client.VerifyAccessTokenAsync(token);

        // A token signed with a new key forces a JWKS refetch: the set the cached entry verified with is replaced.
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        await client.VerifyAccessTokenAsync(H.Token(null, TestKeys.Other));
        await client.VerifyAccessTokenAsync(token);
        Assert.Equal(["miss", "miss", "hit"], Lookups(recorder));
        Assert.Equal(["keys_changed"], Removals(recorder));

        string shortLived = H.Token((_, p) => p.Set("exp", Time.GetUtcNow().AddSeconds(30).ToUnixTimeSeconds()));
        await client.VerifyAccessTokenAsync(shortLived);
        Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(VerificationFailure.Expired, (await client.TryVerifyAccessTokenAsync(shortLived)).Failure);
        Assert.Equal(["keys_changed", "expired"], Removals(recorder));
    }

    // A cached token whose key set was replaced was counted as a stale serve twice per stale document: once when its
    // entry's keys were checked, and again by the full verification that followed.
    [Fact]
    public async Task A_cached_token_whose_keys_changed_counts_each_stale_document_once()
    {
        using TelemetryRecorder recorder = new();
        using ApiClient client = Client(o => { o.CacheTtl = TimeSpan.FromMinutes(10); o.MaxStaleness = TimeSpan.FromHours(1); });
        string token = H.Token();
        await client.VerifyAccessTokenAsync(token);

        // Five minutes on, a token signed with a new key forces a JWKS refetch: the cached entry's key set is replaced.
        Time.Advance(TimeSpan.FromMinutes(5));
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        await client.VerifyAccessTokenAsync(H.Token(null, TestKeys.Other));

        // Past the discovery document's lifetime (not the new key set's), with the issuer down: discovery is stale.
        await StartOutageAsync("500");
        Time.Advance(TimeSpan.FromMinutes(6));
        recorder.Measurements.Clear();
        Assert.Equal("user_123", (await client.VerifyAccessTokenAsync(token)).Subject);

        Assert.Equal(["hit"], Lookups(recorder));
        Assert.Equal(["keys_changed"], Removals(recorder));
        int port = int.Parse(H.Issuer.Domain[(H.Issuer.Domain.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        Assert.Equal(["discovery"], recorder.Of("auth0.api.key_source.stale_serves", port).Select(m => m.Tag("auth0.document")!));
        await Eventually.TrueAsync(() => !client.Keys.Discovery.IsRefreshing(H.Issuer.Issuer));
    }

    // With several domains, the cached-keys path looked at each candidate's discovery document until one was the
    // token's issuer, and counted a stale serve for every stale one it looked at, used or not.
    [Fact]
    public async Task A_stale_candidate_document_the_token_is_not_from_is_not_counted()
    {
        using TelemetryRecorder recorder = new();
        string port = H.Issuer.Domain[(H.Issuer.Domain.LastIndexOf(':') + 1)..];
        string alias = "localhost:" + port;
        using ApiClient client = Client(o =>
        {
            o.Domains = [alias, H.Issuer.Domain];
            o.CacheTtl = TimeSpan.FromMinutes(10);
            o.MaxStaleness = TimeSpan.FromHours(1);
            o.VerifiedTokenCache = false;
        });

        // The alias's discovery document is cached (it names the other issuer, so its token is refused).
        Assert.Equal(VerificationFailure.ClaimMismatch, (await client.TryVerifyAccessTokenAsync(H.Token((_, p) => p.Set("iss", "https://" + alias + "/")))).Failure);
        Assert.True((await client.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        await StartOutageAsync("500");
        Time.Advance(TimeSpan.FromMinutes(11));
        recorder.Measurements.Clear();

        // Both documents are stale; the token is the second domain's, and only that domain's documents serve it.
        Assert.True((await client.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        Assert.Equal(
            ["discovery|127.0.0.1", "jwks|127.0.0.1"],
            recorder.Of("auth0.api.key_source.stale_serves", int.Parse(port, CultureInfo.InvariantCulture)).Select(m => m.Tag("auth0.document") + "|" + m.Tag("server.address")).Order());
        await Eventually.TrueAsync(() => !client.Keys.Discovery.IsRefreshing("https://" + alias + "/") && !client.Keys.Discovery.IsRefreshing(H.Issuer.Issuer) && !client.Keys.Jwks.IsRefreshing(H.Issuer.JwksUri));
    }

    [Fact]
    public async Task Nothing_is_measured_with_the_cache_off()
    {
        using TelemetryRecorder recorder = new();
        using ApiClient client = Client(o => o.VerifiedTokenCache = false);
        string token = H.Token();
        await client.VerifyAccessTokenAsync(token);
        await client.VerifyAccessTokenAsync(token);
        Assert.Empty(Lookups(recorder));
        Assert.Equal(2, recorder.Of("auth0.api.verifications").Length);
    }
}

/// <summary>DPoP instruments: replay refusals (the verification counter's result), the replay-store gauges, nonce challenges.</summary>
[Collection(MetricsCollection.Name)]
public sealed class DPoPTelemetryTests : FakeClockIssuerTests
{
    private const string Url = "https://api.example.com/resource";
    private static readonly SigningKey s_proofKey = SigningKey.CreateEc("telemetry-proof-key");

    private string BoundToken() => H.Token((_, p) => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(s_proofKey))));

    private string Proof(string token, string? nonce = null, string jti = "proof-jti-value") =>
        DPoPProofs.Create(s_proofKey, token, "GET", Url, Time.GetUtcNow(), (_, p) =>
        {
            p.Set("jti", jti);
            if (nonce is not null)
            {
                p.Set("nonce", nonce);
            }
        });

    private static long Sum(Measurement[] measurements) => (long)measurements.Sum(m => m.Value);

    [Fact]
    public async Task A_replay_is_a_ProofReplayed_verification_and_the_store_gauges_follow_the_client()
    {
        using TelemetryRecorder recorder = new();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long size = Sum(recorder.Observe("auth0.api.dpop.replay_store.size"));
        long capacity = Sum(recorder.Observe("auth0.api.dpop.replay_store.capacity"));

        string token = BoundToken();
        string proof = Proof(token);
        using (ApiClient client = Client(o => o.DPoPReplayCapacity = 5000))
        {
            Assert.Equal(capacity + 5000, Sum(recorder.Observe("auth0.api.dpop.replay_store.capacity")));
            recorder.Measurements.Clear();
            Assert.True((await client.TryVerifyRequestAsync("DPoP " + token, proof, "GET", Url)).IsValid);
            Assert.Equal(VerificationFailure.ProofReplayed, (await client.TryVerifyRequestAsync("DPoP " + token, proof, "GET", Url)).Failure);
            Assert.Equal(
                ["success|dpop", "ProofReplayed|dpop"],
                recorder.Of("auth0.api.verifications").Select(m => m.Tag("auth0.result") + "|" + m.Tag("auth0.scheme")));
            Assert.Equal(size + 1, Sum(recorder.Observe("auth0.api.dpop.replay_store.size")));
        }

        // A disposed client's store leaves the gauges.
        Assert.Equal(capacity, Sum(recorder.Observe("auth0.api.dpop.replay_store.capacity")));
        Assert.DoesNotContain(recorder.AllTagValues(), v => v.Contains("proof-jti-value", StringComparison.Ordinal) || v.Contains(proof.Split('.')[2], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_use_dpop_nonce_answer_is_a_nonce_challenge_with_its_reason()
    {
        using TelemetryRecorder recorder = new();
        using ApiClient client = Client(o => o.DPoPNonceKey = RandomNumberGenerator.GetBytes(32));
        string token = BoundToken();
        RequestVerificationResult missing = await client.TryVerifyRequestAsync("DPoP " + token, Proof(token, jti: "a"), "GET", Url);
        RequestVerificationResult invalid = await client.TryVerifyRequestAsync("DPoP " + token, Proof(token, "not-a-nonce", "b"), "GET", Url);
        string nonce = Assert.IsType<UseDPoPNonceException>(invalid.Error).Nonce;
        Assert.True((await client.TryVerifyRequestAsync("DPoP " + token, Proof(token, nonce, "c"), "GET", Url)).IsValid);

        Assert.Equal(["missing", "invalid"], recorder.Of("auth0.api.dpop.nonce_challenges").Select(m => m.Tag("auth0.reason")));
        Assert.Equal(
            ["ProofNonceMissing", "ProofNonceInvalid", "success"],
            recorder.Of("auth0.api.verifications").Select(m => m.Tag("auth0.result")));
        Assert.Equal(VerificationFailure.ProofNonceMissing, missing.Failure);
        Assert.DoesNotContain(recorder.AllTagValues(), v => v.Contains(nonce, StringComparison.Ordinal));
    }
}

/// <summary>Token-exchange instruments and spans against a loopback token endpoint.</summary>
[Collection(MetricsCollection.Name)]
public sealed class TokenExchangeTelemetryTests : TokenEndpointTestBase
{
    [Fact]
    public async Task Each_flow_is_counted_with_its_outcome_and_a_span_that_holds_neither_token_nor_secret()
    {
        using TelemetryRecorder recorder = new();
        using ApiClient client = Confidential();
        AnswerJson("{\"access_token\":\"downstream-token\",\"expires_in\":3600,\"token_type\":\"Bearer\"}");
        await client.GetTokenOnBehalfOfAsync("incoming-access-token", "https://orders.example.com");
        await client.GetAccessTokenForConnectionAsync(new ConnectionTokenRequest { Connection = "google-oauth2", AccessToken = "incoming-access-token" });
        await client.GetTokenByExchangeProfileAsync(new TokenExchangeRequest { SubjectToken = "external-subject-token", SubjectTokenType = "urn:example:external" });
        Answer(400, "application/json", "{\"error\":\"invalid_target\",\"error_description\":\"Unknown audience\"}");
        await Assert.ThrowsAsync<ApiException>(async () => await client.GetTokenOnBehalfOfAsync("incoming-access-token", "https://nowhere.example.com"));
        AnswerJson("{\"access_token\":");
        await Assert.ThrowsAsync<ApiException>(async () => await client.GetTokenOnBehalfOfAsync("incoming-access-token", "https://orders.example.com"));
        await TimesOutAsync(async () => await client.GetTokenOnBehalfOfAsync("incoming-access-token", "https://orders.example.com"));

        // A request refused before it is sent is not a token-endpoint request.
        await Assert.ThrowsAsync<MissingRequiredArgumentException>(async () => await client.GetTokenOnBehalfOfAsync(string.Empty, "https://orders.example.com"));

        string[] expected =
        [
            "on_behalf_of|success",
            "token_vault|success",
            "custom_token_exchange|success",
            "on_behalf_of|error_response",
            "on_behalf_of|invalid_response",
            "on_behalf_of|timeout",
        ];
        Assert.Equal(expected, recorder.Of("auth0.api.token_exchange.requests").Select(m => m.Tag("auth0.flow") + "|" + m.Tag("auth0.outcome")));
        Assert.Equal(expected, recorder.Of("auth0.api.token_exchange.duration").Select(m => m.Tag("auth0.flow") + "|" + m.Tag("auth0.outcome")));
        Activity[] spans = recorder.Spans("auth0.token_exchange");
        Assert.Equal(expected, spans.Select(a => a.GetTagItem("auth0.flow") + "|" + a.GetTagItem("auth0.outcome")));
        Assert.All(spans, a => Assert.Contains(recorder.Activities, h => h.Source.Name == "System.Net.Http" && h.ParentSpanId == a.SpanId));
        Assert.Equal(ActivityStatusCode.Error, spans[3].Status);

        Assert.DoesNotContain(recorder.AllTagValues(), v => v.Contains("incoming-access-token", StringComparison.Ordinal) || v.Contains("downstream-token", StringComparison.Ordinal)
            || v.Contains("external-subject-token", StringComparison.Ordinal) || v.Contains(ClientSecret, StringComparison.Ordinal) || v.Contains("invalid_target", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_redirect_answer_and_a_redirect_an_injected_client_followed_are_http_errors()
    {
        using TelemetryRecorder recorder = new();

        // The library's own client follows none: the 302 is the answer (its exception keeps the flow's code and status).
        using (ApiClient client = Confidential())
        {
            H.Issuer.TokenHandler = (context, _) =>
            {
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = "https://" + H.Issuer.Domain + "/elsewhere";
                return Task.CompletedTask;
            };
            AssertApiError(await Assert.ThrowsAsync<ApiException>(async () => await client.GetTokenOnBehalfOfAsync("incoming-access-token", "https://orders.example.com")), "token_exchange_error", 302);
        }

        // An injected client that follows redirects reaches another URL: refused (network_error, 502), an http_error too.
        H.Issuer.Intercept = async context =>
        {
            if (context.Request.Path == "/moved-token")
            {
                await LocalIssuer.Respond(context, 200, "application/json", "{\"access_token\":\"downstream-token\",\"expires_in\":3600}");
                return true;
            }

            return false;
        };
        H.Issuer.TokenHandler = (context, _) =>
        {
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = "/moved-token";
            return Task.CompletedTask;
        };
        System.Net.Http.SocketsHttpHandler handler = H.Issuer.CreateHandler();
        handler.AllowAutoRedirect = true;
        using System.Net.Http.HttpClient following = new(handler);
        using (ApiClient client = Confidential(o => o.HttpClient = following))
        {
            AssertApiError(await Assert.ThrowsAsync<ApiException>(async () => await client.GetTokenOnBehalfOfAsync("incoming-access-token", "https://orders.example.com")), "network_error", 502);
        }

        Assert.Equal(["on_behalf_of|http_error", "on_behalf_of|http_error"], recorder.Of("auth0.api.token_exchange.requests").Select(m => m.Tag("auth0.flow") + "|" + m.Tag("auth0.outcome")));
        Assert.All(recorder.Spans("auth0.token_exchange"), a => Assert.Equal(("http_error", ActivityStatusCode.Error), (a.GetTagItem("error.type"), a.Status)));
    }

    [Fact]
    public async Task A_token_endpoint_answer_too_large_to_read_is_an_invalid_response_not_a_network_error()
    {
        using TelemetryRecorder recorder = new();
        using ApiClient client = Confidential();
        AnswerJson("{\"access_token\":\"" + new string('a', Auth0.Api.Aot.Internal.KeySource.MaxDocumentBytes) + "\",\"expires_in\":3600}");

        ApiException refused = await Assert.ThrowsAsync<ApiException>(async () => await client.GetTokenOnBehalfOfAsync("incoming-access-token", "https://orders.example.com"));

        AssertApiError(refused, "invalid_response", 502);
        Assert.Equal(["on_behalf_of|invalid_response"], recorder.Of("auth0.api.token_exchange.requests").Select(m => m.Tag("auth0.flow") + "|" + m.Tag("auth0.outcome")));
        Assert.Equal("invalid_response", Assert.Single(recorder.Spans("auth0.token_exchange")).GetTagItem("error.type"));
    }

    [Fact]
    public async Task An_unreachable_discovery_is_a_discovery_error()
    {
        using TelemetryRecorder recorder = new();
        using ApiClient client = Confidential();
        H.Issuer.Intercept = context => { context.Response.StatusCode = 500; return Task.FromResult(true); };
        await Assert.ThrowsAsync<ApiException>(async () => await client.GetTokenOnBehalfOfAsync("incoming-access-token", "https://orders.example.com"));
        Assert.Equal(["on_behalf_of|discovery_error"], recorder.Of("auth0.api.token_exchange.requests").Select(m => m.Tag("auth0.flow") + "|" + m.Tag("auth0.outcome")));
    }
}
