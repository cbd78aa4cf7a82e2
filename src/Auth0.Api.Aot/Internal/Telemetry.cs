// The library's metrics (docs/observability.md): BCL System.Diagnostics.Metrics only, so the core keeps its
// no-dependency rule. With no listener attached, a verification pays one check of Instrument.Enabled per instrument
// and nothing else: no timestamp, no tag list, no claim read.
// Tags have bounded cardinality: the result is a name of the VerificationFailure enum (or "success"), the scheme is
// "bearer", "dpop" or "none", and the issuer is the allowed issuer the token matched (AccessTokenResult.Issuer: a
// configured or resolver-allowed one, normalised), on a success or a refusal after the match: never a value copied
// from an unverified token. The key-source instruments name the host of a document the key source fetches, and it
// fetches only for an allowed issuer (TokenVerifier checks the allow-list or asks the resolver before the first
// fetch), so those hosts are bounded by the configuration too.
// The ActivitySource has the same rule, and no span or tag ever carries a token, a proof, a jti, a secret or a claim
// value. With no ActivityListener, StartActivity is not called at all (HasListeners is checked first), and with the
// Tracing switch off (TracingFeature, a constant for the trimmer) never: no span, and no Activity code in the binary.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Auth0.Api.Aot.Internal;

internal static class Telemetry
{
    public const string MeterName = "Auth0.Api.Aot";

    // The assembly's version (major.minor.build), written at build time (LibraryVersion.g.cs, from the project's
    // AssemblyVersion): reading it from the assembly's metadata at run time cost a cold start about 0.2 million
    // instructions of reflection.
    private static readonly Meter s_meter = new(MeterName, LibraryVersion.Value);

    /// <summary>The library's spans: discovery, JWKS and token-endpoint requests, and sampled verifications.</summary>
    /// <remarks>
    /// Made at its first use, which is behind the Tracing switch everywhere (an ActivityListener added earlier is still
    /// asked about it then): with the switch off, a NativeAOT binary has no ActivitySource, nor the
    /// DiagnosticSourceEventSource its constructor reaches (8 KB of the seeded no-HTTP Bearer app).
    /// </remarks>
    public static ActivitySource Source => Spans.Source;

    private static readonly Counter<long> s_verifications = s_meter.CreateCounter<long>(
        "auth0.api.verifications",
        unit: "{verification}",
        description: "Access-token and request verifications, by result (success or the failure kind), scheme and allowed issuer.");

    private static readonly Histogram<double> s_duration = s_meter.CreateHistogram<double>(
        "auth0.api.verification.duration",
        unit: "s",
        description: "Duration of access-token and request verifications, with the tags of auth0.api.verifications.");

    private static readonly Counter<long> s_fetches = s_meter.CreateCounter<long>(
        "auth0.api.key_source.fetches",
        unit: "{fetch}",
        description: "Discovery and JWKS requests to the issuer, by document, outcome and host.");

    private static readonly Histogram<double> s_fetchDuration = s_meter.CreateHistogram<double>(
        "auth0.api.key_source.fetch.duration",
        unit: "s",
        description: "Duration of discovery and JWKS requests, with the tags of auth0.api.key_source.fetches.");

    private static readonly Counter<long> s_staleServes = s_meter.CreateCounter<long>(
        "auth0.api.key_source.stale_serves",
        unit: "{serve}",
        description: "Reads of a discovery document or JWKS past its lifetime (served stale while a refresh runs or fails).");

    private static readonly Counter<long> s_refetches = s_meter.CreateCounter<long>(
        "auth0.api.key_source.unknown_kid_refetches",
        unit: "{fetch}",
        description: "JWKS refetches started because a token named a kid the cached key set lacks.");

    private static readonly Counter<long> s_cooldownSkips = s_meter.CreateCounter<long>(
        "auth0.api.key_source.cooldown_skips",
        unit: "{skip}",
        description: "Unknown-kid refetches not made because one happened within the cooldown.");

    private static readonly Counter<long> s_nonceChallenges = s_meter.CreateCounter<long>(
        "auth0.api.dpop.nonce_challenges",
        unit: "{challenge}",
        description: "401 use_dpop_nonce answers issued with a fresh DPoP-Nonce, by reason (missing or invalid nonce).");

    private static readonly Counter<long> s_tokenRequests = s_meter.CreateCounter<long>(
        "auth0.api.token_exchange.requests",
        unit: "{request}",
        description: "Token-endpoint requests of the token-exchange flows, by flow and outcome.");

    private static readonly Histogram<double> s_tokenDuration = s_meter.CreateHistogram<double>(
        "auth0.api.token_exchange.duration",
        unit: "s",
        description: "Duration of token-exchange flows (discovery included), with the tags of auth0.api.token_exchange.requests.");

    private static readonly Counter<long> s_cacheLookups = s_meter.CreateCounter<long>(
        "auth0.api.token_cache.lookups",
        unit: "{lookup}",
        description: "Verified-token cache lookups, by result (hit: the token's entry was found; miss).");

    private static readonly Counter<long> s_cacheRemovals = s_meter.CreateCounter<long>(
        "auth0.api.token_cache.removals",
        unit: "{entry}",
        description: "Verified-token cache entries dropped, by reason (evicted by another token, keys_changed, expired).");

    // The sources of the observable instruments: every live KeySource and in-memory replay store, held weakly so
    // that an undisposed ApiClient is still collected.
    private static readonly List<WeakReference<KeySource>> s_keySources = [];
    private static readonly List<WeakReference<MemoryReplayStore>> s_replayStores = [];

    private static readonly ObservableGauge<double> s_keyAge = s_meter.CreateObservableGauge(
        "auth0.api.key_source.keys.age",
        ObserveKeyAges,
        unit: "s",
        description: "How long ago each issuer's JWKS was fetched, by issuer host (pinned key sets excluded).");

    private static readonly ObservableUpDownCounter<long> s_replaySize = s_meter.CreateObservableUpDownCounter(
        "auth0.api.dpop.replay_store.size",
        () => ObserveReplayStores(capacity: false),
        unit: "{entry}",
        description: "Live entries of the in-memory DPoP replay stores.");

    private static readonly ObservableUpDownCounter<long> s_replayCapacity = s_meter.CreateObservableUpDownCounter(
        "auth0.api.dpop.replay_store.capacity",
        () => ObserveReplayStores(capacity: true),
        unit: "{entry}",
        description: "Capacity of the in-memory DPoP replay stores.");

    /// <summary>Whether any listener wants verification measurements or spans.</summary>
    public static bool VerificationsEnabled => s_verifications.Enabled || s_duration.Enabled || Tracing;

    /// <summary>Whether any listener wants stale-serve measurements.</summary>
    public static bool StaleServesEnabled => s_staleServes.Enabled;

    /// <summary>Whether any listener wants fetch measurements or spans.</summary>
    public static bool FetchesEnabled => s_fetches.Enabled || s_fetchDuration.Enabled || Tracing;

    /// <summary>Whether any listener wants token-exchange measurements or spans.</summary>
    public static bool TokenRequestsEnabled => s_tokenRequests.Enabled || s_tokenDuration.Enabled || Tracing;

    // Whether spans may be started and someone listens to them.
    private static bool Tracing => TracingFeature.IsEnabled && Source.HasListeners();

    /// <summary>A verification span, when a listener samples one; <see langword="null"/> otherwise (and with no listener, for free).</summary>
    public static Activity? StartVerification() => Tracing ? Source.StartActivity("auth0.verify", ActivityKind.Internal) : null;

    /// <summary>
    /// Records one verification that started at <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp), and ends
    /// its span; <paramref name="issuer"/> is the allowed issuer the token matched (<see cref="AccessTokenResult.Issuer"/>),
    /// on a success or a failure, or <see langword="null"/>.
    /// </summary>
    public static void RecordVerification(long started, VerificationFailure failure, string? scheme, string? issuer, Activity? activity = null)
    {
        string result = Result(failure);
        TagList tags = new()
        {
            { "auth0.result", result },
            { "auth0.scheme", scheme ?? "none" },
        };
        if (issuer is not null)
        {
            tags.Add("auth0.issuer", issuer);
        }

        s_verifications.Add(1, in tags);
        s_duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, in tags);
        if (activity is not null)
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                activity.SetTag(tag.Key, tag.Value);
            }

            if (failure != VerificationFailure.None)
            {
                activity.SetTag("error.type", result);
                activity.SetStatus(ActivityStatusCode.Error);
            }

            activity.Dispose();
        }
    }

    /// <summary>A fetch span (a client span the HttpClient's own span nests under), when a listener samples one.</summary>
    public static Activity? StartFetch(string document, Address address)
    {
        if (!Tracing)
        {
            return null;
        }

        Activity? activity = Source.StartActivity(document == Document.Discovery ? "auth0.discovery" : "auth0.jwks", ActivityKind.Client);
        activity?.SetTag("auth0.document", document);
        activity?.SetTag("server.address", address.Host);
        activity?.SetTag("server.port", address.Port);
        return activity;
    }

    /// <summary>Records one discovery or JWKS request and ends its span.</summary>
    public static void RecordFetch(long started, string document, Address address, FetchOutcome outcome, Activity? activity)
    {
        string name = Outcome(outcome);
        TagList tags = new()
        {
            { "auth0.document", document },
            { "auth0.outcome", name },
            { "server.address", address.Host },
            { "server.port", address.Port },
        };
        s_fetches.Add(1, in tags);
        s_fetchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, in tags);
        End(activity, "auth0.outcome", name, outcome != FetchOutcome.Success);
    }

    /// <summary>Counts a read of a value past its lifetime.</summary>
    public static void RecordStaleServe(string document, Address address)
    {
        if (s_staleServes.Enabled)
        {
            s_staleServes.Add(1, new KeyValuePair<string, object?>("auth0.document", document), new KeyValuePair<string, object?>("server.address", address.Host), new KeyValuePair<string, object?>("server.port", address.Port));
        }
    }

    /// <summary>Counts an unknown-kid refetch (<paramref name="skipped"/>: one the cooldown refused).</summary>
    public static void RecordUnknownKid(Address address, bool skipped)
    {
        Counter<long> counter = skipped ? s_cooldownSkips : s_refetches;
        if (counter.Enabled)
        {
            counter.Add(1, new KeyValuePair<string, object?>("server.address", address.Host), new KeyValuePair<string, object?>("server.port", address.Port));
        }
    }

    /// <summary>Counts a <c>use_dpop_nonce</c> challenge.</summary>
    public static void RecordNonceChallenge(bool missing)
    {
        if (s_nonceChallenges.Enabled)
        {
            s_nonceChallenges.Add(1, new KeyValuePair<string, object?>("auth0.reason", missing ? "missing" : "invalid"));
        }
    }

    /// <summary>Counts a verified-token cache lookup or removal (stores are not measured).</summary>
    public static void RecordTokenCache(TokenCacheEvent tokenCacheEvent)
    {
        switch (tokenCacheEvent)
        {
            case TokenCacheEvent.Hit or TokenCacheEvent.Miss:
                if (s_cacheLookups.Enabled)
                {
                    s_cacheLookups.Add(1, new KeyValuePair<string, object?>("auth0.result", tokenCacheEvent == TokenCacheEvent.Hit ? "hit" : "miss"));
                }

                break;
            case TokenCacheEvent.Evicted or TokenCacheEvent.KeysChanged or TokenCacheEvent.Expired:
                if (s_cacheRemovals.Enabled)
                {
                    string reason = tokenCacheEvent switch
                    {
                        TokenCacheEvent.Evicted => "evicted",
                        TokenCacheEvent.KeysChanged => "keys_changed",
                        _ => "expired",
                    };
                    s_cacheRemovals.Add(1, new KeyValuePair<string, object?>("auth0.reason", reason));
                }

                break;
        }
    }

    /// <summary>A token-endpoint span, when a listener samples one.</summary>
    public static Activity? StartTokenRequest(string flow)
    {
        if (!Tracing)
        {
            return null;
        }

        Activity? activity = Source.StartActivity("auth0.token_exchange", ActivityKind.Client);
        activity?.SetTag("auth0.flow", flow);
        return activity;
    }

    /// <summary>Records one token-exchange request and ends its span.</summary>
    public static void RecordTokenRequest(long started, string flow, string outcome, Activity? activity)
    {
        TagList tags = new()
        {
            { "auth0.flow", flow },
            { "auth0.outcome", outcome },
        };
        s_tokenRequests.Add(1, in tags);
        s_tokenDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, in tags);
        End(activity, "auth0.outcome", outcome, outcome != "success");
    }

    private static void End(Activity? activity, string key, string value, bool failed)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(key, value);
        if (failed)
        {
            activity.SetTag("error.type", value);
            activity.SetStatus(ActivityStatusCode.Error);
        }

        activity.Dispose();
    }

    /// <summary>The outcome tag's value.</summary>
    public static string Outcome(FetchOutcome outcome) => outcome switch
    {
        FetchOutcome.Success => "success",
        FetchOutcome.HttpError => "http_error",
        FetchOutcome.InvalidDocument => "invalid_document",
        FetchOutcome.Timeout => "timeout",
        _ => "network",
    };

    /// <summary>
    /// The host and port of a URL the key source fetches (an allowed issuer's, or its JWKS location), read by
    /// <see cref="HttpAuthority"/> (no <see cref="Uri"/>); <c>invalid</c> and 0 for one it does not accept.
    /// </summary>
    public static Address AddressOf(string url) => HttpAuthority.TryParse(url, out string host, out int port, out bool defaultPort) ? new(host, port, defaultPort) : Address.Invalid;

    /// <summary>Removes a disposed key source from the key-age gauge.</summary>
    public static void Unregister(KeySource keys) => Unregister(s_keySources, keys);

    /// <summary>Removes the replay store of a disposed client from the store gauges.</summary>
    public static void Unregister(MemoryReplayStore store) => Unregister(s_replayStores, store);

    private static void Unregister<T>(List<WeakReference<T>> list, T item)
        where T : class
    {
        lock (list)
        {
            list.RemoveAll(r => !r.TryGetTarget(out T? live) || ReferenceEquals(live, item));
        }
    }

    /// <summary>Adds a key source to the key-age gauge.</summary>
    public static void Register(KeySource keys) => Register(s_keySources, keys);

    /// <summary>Adds an in-memory replay store to the store gauges.</summary>
    public static void Register(MemoryReplayStore store) => Register(s_replayStores, store);

    private static void Register<T>(List<WeakReference<T>> list, T item)
        where T : class
    {
        lock (list)
        {
            list.RemoveAll(static r => !r.TryGetTarget(out _));
            list.Add(new WeakReference<T>(item));
        }
    }

    private static List<T> Live<T>(List<WeakReference<T>> list)
        where T : class
    {
        List<T> live = [];
        lock (list)
        {
            foreach (WeakReference<T> reference in list)
            {
                if (reference.TryGetTarget(out T? item))
                {
                    live.Add(item);
                }
            }
        }

        return live;
    }

    private static IEnumerable<Measurement<double>> ObserveKeyAges()
    {
        List<Measurement<double>> ages = [];
        foreach (KeySource keys in Live(s_keySources))
        {
            keys.AddKeyAges(ages);
        }

        return ages;
    }

    /// <summary>One measurement of the key-age gauge: an issuer's key set fetched <paramref name="seconds"/> ago.</summary>
    public static Measurement<double> KeyAge(string issuer, double seconds)
    {
        Address address = AddressOf(issuer);
        return new Measurement<double>(seconds, new KeyValuePair<string, object?>("server.address", address.Host), new KeyValuePair<string, object?>("server.port", address.Port));
    }

    // One measurement, the sum over the stores: an application has one per ApiClient, usually one.
    private static long ObserveReplayStores(bool capacity)
    {
        long total = 0;
        foreach (MemoryReplayStore store in Live(s_replayStores))
        {
            total += capacity ? store.Capacity : store.Count;
        }

        return total;
    }

    /// <summary>The document tag's values.</summary>
    public static class Document
    {
        public const string Discovery = "discovery";
        public const string Jwks = "jwks";
    }

    /// <summary>The result tag's value for <paramref name="failure"/>.</summary>
    public static string Result(VerificationFailure failure) =>
        (uint)failure < (uint)ResultNames.Values.Length && ResultNames.Values[(int)failure] is { } name ? name : "unknown";

    private static class Spans
    {
        public static readonly ActivitySource Source = new(MeterName, LibraryVersion.Value);
    }

    // VerificationFailure names by value, for the result tag (no Enum.ToString per measurement), made at the first
    // measurement rather than in Telemetry's static constructor, and written out rather than read with Enum.GetValues
    // and Enum.ToString, so that an app without a listener pays nothing for them (MetricsTests checks every name).
    private static class ResultNames
    {
        public static readonly string[] Values =
        [
            "success",
            nameof(VerificationFailure.MissingToken),
            nameof(VerificationFailure.TokenTooLarge),
            nameof(VerificationFailure.MalformedToken),
            nameof(VerificationFailure.AlgorithmNotAllowed),
            nameof(VerificationFailure.TypeNotAllowed),
            nameof(VerificationFailure.CriticalHeader),
            nameof(VerificationFailure.ClaimMissing),
            nameof(VerificationFailure.ClaimInvalid),
            nameof(VerificationFailure.ClaimMismatch),
            nameof(VerificationFailure.IssuerNotAllowed),
            nameof(VerificationFailure.KeySourceFailed),
            nameof(VerificationFailure.KeyNotFound),
            nameof(VerificationFailure.SignatureInvalid),
            nameof(VerificationFailure.Expired),
            nameof(VerificationFailure.NotYetValid),
            nameof(VerificationFailure.DomainsResolverFailed),
            nameof(VerificationFailure.AuthorizationMissing),
            nameof(VerificationFailure.AuthorizationMalformed),
            nameof(VerificationFailure.SchemeNotSupported),
            nameof(VerificationFailure.SchemeNotAllowed),
            nameof(VerificationFailure.DPoPProofMissing),
            nameof(VerificationFailure.BearerWithDPoPProof),
            nameof(VerificationFailure.RequestContextMissing),
            nameof(VerificationFailure.MultipleDPoPProofs),
            nameof(VerificationFailure.ProofTooLarge),
            nameof(VerificationFailure.ProofMalformed),
            nameof(VerificationFailure.ProofTypeInvalid),
            nameof(VerificationFailure.ProofCriticalHeader),
            nameof(VerificationFailure.ProofAlgorithmNotAllowed),
            nameof(VerificationFailure.ProofKeyInvalid),
            nameof(VerificationFailure.ProofSignatureInvalid),
            nameof(VerificationFailure.ProofClaimMissing),
            nameof(VerificationFailure.ProofClaimInvalid),
            nameof(VerificationFailure.ProofIatTooOld),
            nameof(VerificationFailure.ProofIatInFuture),
            nameof(VerificationFailure.ProofMethodMismatch),
            nameof(VerificationFailure.ProofUrlMismatch),
            nameof(VerificationFailure.ProofTokenHashMismatch),
            nameof(VerificationFailure.ProofNonceMissing),
            nameof(VerificationFailure.ProofNonceInvalid),
            nameof(VerificationFailure.ProofReplayed),
            nameof(VerificationFailure.ConfirmationMissing),
            nameof(VerificationFailure.ConfirmationInvalid),
            nameof(VerificationFailure.BindingMismatch),
            nameof(VerificationFailure.BoundTokenAsBearer),
            nameof(VerificationFailure.ProofReplayStoreUnavailable),
            nameof(VerificationFailure.ProofKeyQuotaExceeded),
            nameof(VerificationFailure.AuthorizationRepeated),
        ];
    }
}

/// <summary>How a discovery or JWKS request ended (the <c>auth0.outcome</c> tag).</summary>
internal enum FetchOutcome : byte
{
    Success,

    /// <summary>A status other than 2xx, redirects included.</summary>
    HttpError,

    /// <summary>A body that is too large, not JSON of the expected shape, or an unusable document (no issuer, no jwks_uri, a bad key).</summary>
    InvalidDocument,

    Timeout,

    /// <summary>Connection, TLS or read failure (or a handler's own exception).</summary>
    Network,
}

/// <summary>
/// The <c>server.address</c> and <c>server.port</c> tags of a fetched URL (a class: an entry caches it without a lock),
/// and whether the port is its scheme's default (then <see cref="KeySourceFailure.ToString"/> leaves it out).
/// </summary>
internal sealed record Address(string Host, int Port, bool DefaultPort = false)
{
    /// <summary>A URL <see cref="HttpAuthority"/> does not accept.</summary>
    public static readonly Address Invalid = new("invalid", 0);
}
