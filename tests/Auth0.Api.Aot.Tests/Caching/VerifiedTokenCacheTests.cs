using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Internal;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Auth0.Api.Aot.Tests.Caching;

/// <summary>
/// The verified-token cache (issue 15, docs/caching.md): the same token again skips the signature check, and every
/// invalidation rule holds (expiry, nbf, key removal after a routine or a forced refresh, the domains resolver, DPoP
/// proofs and bindings, exact-token keys, size bounds, the option off, failures never cached, concurrency), against a
/// real issuer on loopback with a fake clock. Signature checks are counted with the verifier's test hook.
/// </summary>
public sealed class VerifiedTokenCacheTests(ITestOutputHelper output) : FakeClockIssuerTests
{
    private const string Url = "https://api.example.com/orders";
    private static readonly SigningKey s_proofKey = SigningKey.CreateEc("cache-proof-key");
    private static readonly SigningKey s_otherProofKey = SigningKey.CreateEc("cache-other-proof-key");

    private sealed class Counts
    {
        public int Signatures;
        public int Hits;
        public int Misses;
        public int Stored;
        public int NotStored;
        public int KeysChanged;
        public int Expired;
    }

    private static Counts Watch(ApiClient client)
    {
        Counts counts = new();
        client.Verifier.SignatureChecked = () => Interlocked.Increment(ref counts.Signatures);
        if (client.Verifier.TokenCache is { } cache)
        {
            cache.Observer = e =>
            {
                switch (e)
                {
                    case TokenCacheEvent.Hit: Interlocked.Increment(ref counts.Hits); break;
                    case TokenCacheEvent.Miss: Interlocked.Increment(ref counts.Misses); break;
                    case TokenCacheEvent.Stored: Interlocked.Increment(ref counts.Stored); break;
                    case TokenCacheEvent.NotStored: Interlocked.Increment(ref counts.NotStored); break;
                    case TokenCacheEvent.KeysChanged: Interlocked.Increment(ref counts.KeysChanged); break;
                    case TokenCacheEvent.Expired: Interlocked.Increment(ref counts.Expired); break;
                }
            };
        }

        return counts;
    }

    private string Proof(string token, SigningKey? key = null, string method = "GET") =>
        DPoPProofs.Create(key ?? s_proofKey, token, method, Url, Time.GetUtcNow());

    private string Bound() => H.Token((_, p) => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(s_proofKey))));

    [Fact]
    public async Task The_same_token_again_is_not_signature_checked_and_has_the_same_claims()
    {
        using ApiClient client = Client();
        Counts counts = Watch(client);
        string token = H.Token((_, p) => p.Set("scope", "read:orders"));

        AccessTokenClaims first = await client.VerifyAccessTokenAsync(token);
        AccessTokenClaims again = await client.VerifyAccessTokenAsync(token);

        // Another string with the same characters is the same token.
        AccessTokenClaims copy = await client.VerifyAccessTokenAsync(new string(token.AsSpan()));

        Assert.Equal(1, counts.Signatures);
        Assert.Equal((1, 2), (counts.Stored, counts.Hits));

        // The first hit found the keys through the document caches and remembered them in a recent-key slot, so later
        // hits take no lock.
        Assert.Equal(1, client.Verifier.RecentIssuers);
        foreach (AccessTokenClaims claims in new[] { again, copy })
        {
            Assert.NotSame(first, claims);
            Assert.Equal(first.Subject, claims.Subject);
            Assert.Equal(first.Scopes, claims.Scopes);
            Assert.Equal(first.ExpiresAt, claims.ExpiresAt);
            Assert.Equal(first.IssuedAt, claims.IssuedAt);
            Assert.Equal(first.NotBefore, claims.NotBefore);
            Assert.Equal(first.PayloadJson, claims.PayloadJson);
        }

        // As a Bearer request too: the token is a slice of the header value.
        RequestVerificationResult request = await client.TryVerifyRequestAsync("Bearer " + token, null, "GET", Url);
        Assert.True(request.IsValid, request.ErrorDescription);
        Assert.Equal(1, counts.Signatures);
    }

    [Fact]
    public async Task A_cached_token_past_exp_plus_skew_is_refused_as_expired()
    {
        using ApiClient client = Client(o => o.ClockSkew = TimeSpan.FromSeconds(30));
        Counts counts = Watch(client);
        long now = Time.GetUtcNow().ToUnixTimeSeconds();
        string token = H.Token((_, p) => p.Set("exp", now + 60));
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);

        // Within the skew: still served from the cache.
        Time.Advance(TimeSpan.FromSeconds(89));
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.Equal((1, 1), (counts.Signatures, counts.Hits));

        // exp <= now - skew: expired, from the entry (which is dropped), then from a full verification.
        Time.Advance(TimeSpan.FromSeconds(1));
        await client.RejectsAsync(token, VerificationFailure.Expired);
        Assert.Equal(1, counts.Expired);
        Assert.Equal(0, client.Verifier.TokenCache!.Count);
        Assert.Equal(2, counts.Signatures);
    }

    [Fact]
    public async Task A_cached_token_is_refused_as_not_yet_valid_when_the_clock_moves_back_before_nbf()
    {
        AdjustableClock clock = new(Time);
        using ApiClient client = Client(o => o.TimeProvider = clock);
        Counts counts = Watch(client);
        long now = Time.GetUtcNow().ToUnixTimeSeconds();
        string token = H.Token((_, p) => p.Set("nbf", now));
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.Equal(1, counts.Hits);

        // The wall clock is set back (an NTP step, say): nbf is in the future again.
        clock.Offset = TimeSpan.FromMinutes(-5);
        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(token);
        Assert.Equal(VerificationFailure.NotYetValid, result.Failure);
        Assert.Equal(2, counts.Hits);
        Assert.Equal(1, counts.Signatures);
    }

    [Fact]
    public async Task After_a_routine_refresh_to_a_set_without_its_key_a_cached_token_is_verified_again_and_refused()
    {
        using ApiClient client = Client(o => o.CacheTtl = TimeSpan.FromMinutes(10));
        Counts counts = Watch(client);
        string token = H.Token();
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.Equal(1, counts.Signatures);

        // The issuer drops the key. Past the refresh-ahead point (80 % of the TTL), a hit starts the background refresh
        // and is still served by the current set.
        H.Issuer.JwksKeys.Clear();
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        Time.Advance(TimeSpan.FromMinutes(8.5));
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        await Eventually.TrueAsync(() => H.Issuer.JwksRequests >= 2 && !client.Keys.Jwks.IsRefreshing(H.Issuer.JwksUri) && !client.Keys.Discovery.IsRefreshing(H.Issuer.Issuer));

        // Refreshed: the entry no longer stands, the token is verified in full, and its kid is gone.
        await client.RejectsAsync(token, VerificationFailure.KeyNotFound);
        Assert.True(counts.KeysChanged >= 1);
        Assert.Equal(1, counts.Signatures);
    }

    [Fact]
    public async Task After_a_forced_refresh_to_a_set_without_its_key_a_cached_token_is_refused()
    {
        using ApiClient client = Client();
        Counts counts = Watch(client);
        string token = H.Token();
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);

        // A token with the new key forces a refetch, which returns a set without the old key.
        H.Issuer.JwksKeys.Clear();
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        Assert.True((await client.TryVerifyAccessTokenAsync(H.Token((_, p) => p.Set("sub", "rotated"), TestKeys.Other))).IsValid);
        Assert.Equal(2, H.Issuer.JwksRequests);

        await client.RejectsAsync(token, VerificationFailure.KeyNotFound);
        Assert.Equal(1, counts.KeysChanged);
    }

    [Fact]
    public async Task A_cached_token_is_refused_once_the_resolver_stops_allowing_its_issuer()
    {
        bool allowed = true;
        int calls = 0;
        using ApiClient client = Client(o => o.UseDomainsResolver(_ =>
        {
            Interlocked.Increment(ref calls);
            return allowed ? [H.Issuer.Domain] : ["other.example.com"];
        }));
        Counts counts = Watch(client);
        string token = H.Token();
        Assert.True((await client.TryVerifyAccessTokenAsync(token, Url, null)).IsValid);
        Assert.True((await client.TryVerifyAccessTokenAsync(token, Url, null)).IsValid);
        Assert.Equal((1, 1, 2), (counts.Signatures, counts.Hits, calls));

        allowed = false;
        AccessTokenResult refused = await client.TryVerifyAccessTokenAsync(token, Url, null);
        Assert.Equal(VerificationFailure.IssuerNotAllowed, refused.Failure);
        Assert.Equal(3, calls);

        // The resolver decides per request: allowed again, the entry serves again.
        allowed = true;
        Assert.True((await client.TryVerifyAccessTokenAsync(token, Url, null)).IsValid);
        Assert.Equal((1, 4), (counts.Signatures, calls));
    }

    [Fact]
    public async Task A_key_set_refetched_after_its_eviction_replaces_the_one_cached_tokens_and_recent_keys_verified_with()
    {
        // Three issuers and room for two documents of each kind: the third issuer's documents push out the first's.
        await using LocalIssuer two = await LocalIssuer.StartAsync(TestKeys.Other);
        await using LocalIssuer three = await LocalIssuer.StartAsync(TestKeys.Other);
        two.Clock = three.Clock = Time;
        using RoutingHandler routing = new(H.Issuer, two, three);
        using System.Net.Http.HttpClient http = routing.CreateClient();
        using ApiClient client = Client(o =>
        {
            o.Domain = null;
            o.Domains = [H.Issuer.Domain, two.Domain, three.Domain];
            o.HttpClient = http;
            o.CacheMaxEntries = 2;
        });
        Counts counts = Watch(client);
        string token = H.Token();
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.Equal((1, 1, 1), (counts.Signatures, counts.Hits, client.Verifier.RecentIssuers));

        // The first issuer drops its key; the others' tokens evict its documents (well before their refresh time).
        H.Issuer.JwksKeys.Clear();
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        Assert.True((await client.TryVerifyAccessTokenAsync(two.CreateToken(Harness.Audience))).IsValid);
        Assert.True((await client.TryVerifyAccessTokenAsync(three.CreateToken(Harness.Audience))).IsValid);
        Assert.Null(client.Keys.Jwks.Inspect(H.Issuer.JwksUri));

        // A warm-up fetches them again: the new set lacks the key. Neither the cached token nor a first-seen token
        // signed with the dropped key may still verify through the set remembered in the recent-key slot.
        await client.WarmUpAsync();
        Assert.Equal(2, H.Issuer.JwksRequests);
        await client.RejectsAsync(token, VerificationFailure.KeyNotFound);
        await client.RejectsAsync(H.Token((_, p) => p.Set("sub", "first-seen")), VerificationFailure.KeyNotFound);
        Assert.Equal(3, counts.Signatures);
    }

    [Fact]
    public async Task The_resolver_decides_for_each_request_url_whether_a_cached_token_is_served()
    {
        const string Other = "https://other-tenant.example.com/orders";
        using ApiClient client = Client(o => o.UseDomainsResolver(c => c.RequestUrl == Url ? [H.Issuer.Domain] : ["other.example.com"]));
        Counts counts = Watch(client);
        string token = H.Token();
        Assert.True((await client.TryVerifyAccessTokenAsync(token, Url, null)).IsValid);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(VerificationFailure.IssuerNotAllowed, (await client.TryVerifyAccessTokenAsync(token, Other, null)).Failure);
            Assert.Equal(VerificationFailure.IssuerNotAllowed, (await client.TryVerifyRequestAsync("Bearer " + token, null, "GET", Other)).Failure);
            Assert.True((await client.TryVerifyAccessTokenAsync(token, Url, null)).IsValid);
            Assert.True((await client.TryVerifyRequestAsync("Bearer " + token, null, "GET", Url)).IsValid);
        }

        // Every call after the first found the entry; the refusals came from the resolver, not from a full verification.
        Assert.Equal((1, 8), (counts.Signatures, counts.Hits));
    }

    [Fact]
    public async Task A_token_differing_from_a_cached_one_in_any_single_character_is_never_served_its_entry()
    {
        using ApiClient client = Client();
        Counts counts = Watch(client);
        string token = H.Token((_, p) => p.Set("scope", "read:orders"));
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        for (int i = 0; i < token.Length; i++)
        {
            if (token[i] == '.')
            {
                continue;
            }

            char[] changed = token.ToCharArray();
            changed[i] = token[i] == 'A' ? 'B' : 'A';
            AccessTokenResult result = await client.TryVerifyAccessTokenAsync(new string(changed));
            Assert.False(result.IsValid, "position " + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // No lookup of a changed token hit, and nothing but the original was stored; the original still hits.
        Assert.Equal((0, 1, 1), (counts.Hits, counts.Stored, client.Verifier.TokenCache!.Count));
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.Equal(1, counts.Hits);
    }

    [Fact]
    public async Task Another_client_does_not_share_the_cache_and_applies_its_own_audience()
    {
        using ApiClient client = Client();
        using ApiClient other = Client(o => o.Audience = "another-api");
        Counts counts = Watch(other);
        string token = H.Token();
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.Equal(VerificationFailure.ClaimMismatch, (await other.TryVerifyAccessTokenAsync(token)).Failure);
        Assert.Equal((0, 0), (counts.Hits, counts.Stored));
        Assert.Equal(0, other.Verifier.TokenCache!.Count);
    }

    [Fact]
    public async Task An_entry_does_not_keep_the_documents_it_verified_with_alive_after_they_were_replaced()
    {
        // An issuer's documents may be up to 1 MiB each and refreshed every MinimumCacheLifetime: were every entry to
        // keep the set it verified with, the cache could hold a replaced pair per entry, far beyond its documented bound.
        using ApiClient client = Client();
        string token = H.Token();
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        (WeakReference discovery, WeakReference keys) = Current(client);

        // A token with a new kid forces a refetch of the JWKS; a routine refresh replaces the discovery document. The
        // new token's hits refill the recent-key slots with the new documents; the first token's entry stays.
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        string rotated = H.Token((_, p) => p.Set("sub", "rotated"), TestKeys.Other);
        Assert.True((await client.TryVerifyAccessTokenAsync(rotated)).IsValid);
        Time.Advance(TimeSpan.FromMinutes(9));
        Assert.True((await client.TryVerifyAccessTokenAsync(rotated)).IsValid);
        await Eventually.TrueAsync(() => H.Issuer.DiscoveryRequests >= 2 && !client.Keys.Discovery.IsRefreshing(H.Issuer.Issuer) && !client.Keys.Jwks.IsRefreshing(H.Issuer.JwksUri));
        Assert.True((await client.TryVerifyAccessTokenAsync(rotated)).IsValid);
        Assert.Equal(2, client.Verifier.TokenCache!.Count);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(discovery.IsAlive, "the replaced discovery document is still reachable");
        Assert.False(keys.IsAlive, "the replaced key set is still reachable");

        // The entry still stands for nothing stale: its token is verified again against the current set.
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        static (WeakReference, WeakReference) Current(ApiClient client)
        {
            Assert.True(client.Keys.Discovery.TryGet(client.AuthorizationServers[0], out CachedValue<DiscoveryDocument>? d));
            Assert.True(client.Keys.Jwks.TryGet(d.Value.JwksUri!, out CachedValue<JsonWebKeySet>? k));
            return (new WeakReference(d.Value), new WeakReference(k.Value));
        }
    }

    [Fact]
    public async Task With_a_resolver_an_entry_whose_keys_changed_is_verified_again_asking_the_resolver_once()
    {
        int calls = 0;
        using ApiClient client = Client(o => o.UseDomainsResolver(_ =>
        {
            Interlocked.Increment(ref calls);
            return [H.Issuer.Domain];
        }));
        Counts counts = Watch(client);
        string token = H.Token();
        Assert.True((await client.TryVerifyAccessTokenAsync(token, Url, null)).IsValid);

        // A forced refresh (a token with an unknown kid) replaces the key set, with the same key in it.
        H.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        Assert.True((await client.TryVerifyAccessTokenAsync(H.Token((_, p) => p.Set("sub", "other"), TestKeys.Other), Url, null)).IsValid);
        int before = calls;

        Assert.True((await client.TryVerifyAccessTokenAsync(token, Url, null)).IsValid);
        Assert.Equal(1, counts.KeysChanged);
        Assert.Equal(before + 1, calls);
        Assert.Equal(3, counts.Signatures);
    }

    [Fact]
    public async Task The_same_proof_sent_at_once_to_a_client_that_has_served_no_DPoP_request_is_accepted_once()
    {
        // ApiClient builds its DPoP proof verifier at the first DPoP request (Interlocked.CompareExchange): threads that
        // race to build it must end up on one verifier and one replay store, so the same proof sent at once by many
        // callers to a client that has served none is accepted exactly once, and every other copy is a replay.
        using ApiClient client = Client();
        string token = Bound();
        string header = "DPoP " + token;
        string proof = Proof(token);
        const int Callers = 16;
        using Barrier start = new(Callers);
        // A thread each (the barrier blocks until all have arrived; 60 s is a hang guard, and the assertions hold
        // whatever the interleaving).
        Task<RequestVerificationResult>[] calls = Enumerable.Range(0, Callers).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(60));
            return client.TryVerifyRequestAsync(header, proof, "GET", Url).AsTask();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()).ToArray();
        RequestVerificationResult[] results = await Task.WhenAll(calls);

        Assert.Equal(1, results.Count(r => r.IsValid));
        Assert.All(results.Where(r => !r.IsValid), r => Assert.Equal(VerificationFailure.ProofReplayed, r.Failure));
        Assert.Same(client.DPoP, client.DPoP);
    }

    [Fact]
    public async Task A_cached_DPoP_token_still_needs_a_valid_fresh_bound_proof_every_time()
    {
        using ApiClient client = Client();
        Counts counts = Watch(client);
        string token = Bound();
        string header = "DPoP " + token;
        Assert.True((await client.TryVerifyRequestAsync(header, Proof(token), "GET", Url)).IsValid);
        string second = Proof(token);
        Assert.True((await client.TryVerifyRequestAsync(header, second, "GET", Url)).IsValid);
        Assert.Equal(1, counts.Signatures);
        Assert.Equal(1, counts.Hits);

        async Task RefusedAsync(string? proof, VerificationFailure failure, string authorization = "")
        {
            RequestVerificationResult result = await client.TryVerifyRequestAsync(authorization.Length == 0 ? header : authorization, proof, "GET", Url);
            Assert.Equal(failure, result.Failure);
        }

        await RefusedAsync(second, VerificationFailure.ProofReplayed);
        await RefusedAsync(null, VerificationFailure.DPoPProofMissing);
        await RefusedAsync(Proof(H.Token((_, p) => p.Set("sub", "someone-else"))), VerificationFailure.ProofTokenHashMismatch);
        await RefusedAsync(Proof(token, method: "POST"), VerificationFailure.ProofMethodMismatch);
        await RefusedAsync(Proof(token, s_otherProofKey), VerificationFailure.BindingMismatch);
        await RefusedAsync(Proof(token)[..^4] + "AAAA", VerificationFailure.ProofSignatureInvalid);

        // The downgrade guard runs on the cached confirmation: a bound token is not a Bearer token.
        await RefusedAsync(null, VerificationFailure.BoundTokenAsBearer, "Bearer " + token);

        // The token part came from the cache every time it was looked at (a missing proof is refused before); the
        // proofs were each checked.
        Assert.Equal(1, counts.Signatures);
        Assert.Equal(7, counts.Hits);
        Assert.True((await client.TryVerifyRequestAsync(header, Proof(token), "GET", Url)).IsValid);
    }

    [Fact]
    public async Task A_cached_plain_token_is_refused_as_a_DPoP_token()
    {
        using ApiClient client = Client();
        string token = H.Token();
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        RequestVerificationResult result = await client.TryVerifyRequestAsync("DPoP " + token, Proof(token), "GET", Url);
        Assert.Equal(VerificationFailure.ConfirmationMissing, result.Failure);
    }

    [Fact]
    public async Task A_forged_token_sharing_a_cached_tokens_signature_and_length_is_not_served_its_entry()
    {
        using ApiClient client = Client();
        Counts counts = Watch(client);
        string token = H.Token((_, p) => p.Set("sub", "user_123"));
        string other = H.Token((_, p) => p.Set("sub", "user_124"));
        Assert.Equal(token.Length, other.Length);
        Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);

        // Same length and same last 32 characters (so the same hash and slots), different payload.
        string forged = other[..other.LastIndexOf('.')] + token[token.LastIndexOf('.')..];
        Assert.Equal(token.Length, forged.Length);
        await client.RejectsAsync(forged, VerificationFailure.SignatureInvalid);
        Assert.Equal(0, counts.Hits);

        // Each token gets its own entry and its own claims.
        Assert.Equal("user_124", (await client.VerifyAccessTokenAsync(other)).Subject);
        Assert.Equal("user_123", (await client.VerifyAccessTokenAsync(token)).Subject);
        Assert.Equal("user_124", (await client.VerifyAccessTokenAsync(other)).Subject);
        Assert.Equal(2, counts.Hits);
        Assert.Equal(2, client.Verifier.TokenCache!.Count);
    }

    [Fact]
    public void The_token_comparison_finds_a_difference_at_every_position()
    {
        string token = new('a', 1037);
        Assert.True(VerifiedTokenCache.FixedTimeEquals(token, new string(token.AsSpan())));
        Assert.False(VerifiedTokenCache.FixedTimeEquals(token, token.AsSpan()[..^1]));
        Assert.True(VerifiedTokenCache.FixedTimeEquals(string.Empty, string.Empty));
        for (int i = 0; i < token.Length; i++)
        {
            char[] changed = token.ToCharArray();
            changed[i] = 'b';
            Assert.False(VerifiedTokenCache.FixedTimeEquals(token, changed));

            // A difference in the high byte of a character only.
            changed[i] = (char)('a' | 0x100);
            Assert.False(VerifiedTokenCache.FixedTimeEquals(token, changed));
        }
    }

    [Fact]
    public async Task A_token_longer_than_the_bound_is_not_cached()
    {
        string token = H.Token();
        using ApiClient client = Client(o => o.VerifiedTokenCacheMaxTokenLength = token.Length - 1);
        Counts counts = Watch(client);
        for (int i = 0; i < 3; i++)
        {
            Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
        }

        Assert.Equal((3, 0, 3), (counts.Signatures, counts.Stored, counts.NotStored));
        Assert.Equal(0, client.Verifier.TokenCache!.Count);

        // At the bound, it is.
        using ApiClient exact = Client(o => o.VerifiedTokenCacheMaxTokenLength = token.Length);
        Counts exactCounts = Watch(exact);
        Assert.True((await exact.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.True((await exact.TryVerifyAccessTokenAsync(token)).IsValid);
        Assert.Equal((1, 1), (exactCounts.Signatures, exactCounts.Hits));
    }

    [Fact]
    public async Task A_token_in_a_header_value_much_longer_than_itself_is_not_cached()
    {
        using ApiClient client = Client();
        Counts counts = Watch(client);
        string header = "Bearer" + new string(' ', 40) + H.Token();
        Assert.True((await client.TryVerifyRequestAsync(header, null, "GET", Url)).IsValid);
        Assert.Equal((0, 1), (counts.Stored, counts.NotStored));
    }

    [Fact]
    public async Task The_entry_count_stays_within_the_capacity()
    {
        using ApiClient client = Client(o => o.VerifiedTokenCacheCapacity = 8);
        Counts counts = Watch(client);
        string[] tokens = Enumerable.Range(0, 50).Select(i => H.Token((_, p) => p.Set("sub", "user_" + i))).ToArray();
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < tokens.Length; i++)
            {
                Assert.Equal("user_" + i, (await client.VerifyAccessTokenAsync(tokens[i])).Subject);
                Assert.InRange(client.Verifier.TokenCache!.Count, 1, 8);
            }
        }

        Assert.Equal(8, client.Verifier.TokenCache!.Capacity);
        Assert.True(counts.Signatures >= 92, counts.Signatures.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task With_the_option_off_every_call_checks_the_signature()
    {
        using ApiClient client = Client(o => o.VerifiedTokenCache = false);
        Counts counts = Watch(client);
        Assert.Null(client.Verifier.TokenCache);
        string token = H.Token();
        for (int i = 0; i < 5; i++)
        {
            Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
            Assert.True((await client.TryVerifyRequestAsync("Bearer " + token, null, "GET", Url)).IsValid);
        }

        Assert.Equal(10, counts.Signatures);
    }

    [Fact]
    public async Task Failures_are_never_cached()
    {
        using ApiClient client = Client();
        Counts counts = Watch(client);
        long now = Time.GetUtcNow().ToUnixTimeSeconds();
        string expired = H.Token((_, p) => p.Set("exp", now - 1));
        string wrongAudience = H.Token((_, p) => p.Set("aud", "someone-else"));
        string wrongKey = H.Token(key: SigningKey.CreateRsa(TestKeys.Primary.Kid));
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(VerificationFailure.Expired, (await client.TryVerifyAccessTokenAsync(expired)).Failure);
            Assert.Equal(VerificationFailure.ClaimMismatch, (await client.TryVerifyAccessTokenAsync(wrongAudience)).Failure);
            Assert.Equal(VerificationFailure.SignatureInvalid, (await client.TryVerifyAccessTokenAsync(wrongKey)).Failure);
        }

        Assert.Equal((0, 0, 6), (counts.Stored, counts.Hits, counts.Signatures));
        Assert.Equal(0, client.Verifier.TokenCache!.Count);
    }

    [Fact]
    public async Task Required_claims_are_checked_at_every_hit()
    {
        using ApiClient client = Client();
        Counts counts = Watch(client);
        string token = H.Token((_, p) => p.Set("org_id", "org_1"));

        // A call whose required claim is missing fails and stores nothing.
        AccessTokenResult missing = await client.TryVerifyAccessTokenAsync(token, ["tenant"]);
        Assert.Equal(VerificationFailure.ClaimMissing, missing.Failure);
        Assert.Equal(0, counts.Stored);

        Assert.True((await client.TryVerifyAccessTokenAsync(token, ["org_id"])).IsValid);
        AccessTokenResult again = await client.TryVerifyAccessTokenAsync(token, ["org_id", "tenant"]);
        Assert.Equal(VerificationFailure.ClaimMissing, again.Failure);
        Assert.Equal("tenant", again.Claim);
        Assert.True((await client.TryVerifyAccessTokenAsync(token, ["sub", "org_id"])).IsValid);
        Assert.Equal((2, 2), (counts.Signatures, counts.Hits));
    }

    [Fact]
    public async Task Many_threads_presenting_the_same_token_share_one_entry()
    {
        using ApiClient client = Client();
        Counts counts = Watch(client);
        string token = H.Token();
        const int Threads = 16, Calls = 200;
        AccessTokenResult[][] results = await Task.WhenAll(Enumerable.Range(0, Threads).Select(_ => Task.Run(async () =>
        {
            AccessTokenResult[] mine = new AccessTokenResult[Calls];
            for (int i = 0; i < Calls; i++)
            {
                mine[i] = await client.TryVerifyAccessTokenAsync(token);
            }

            return mine;
        })));

        Assert.All(results.SelectMany(r => r), r => Assert.Equal("user_123", r.Claims?.Subject));
        Assert.InRange(counts.Signatures, 1, Threads);
        Assert.Equal(Threads * Calls, counts.Hits + counts.Misses);
        Assert.Equal(1, client.Verifier.TokenCache!.Count);
    }

    [Fact]
    public async Task Many_threads_presenting_more_tokens_than_slots_always_get_their_own_claims()
    {
        using ApiClient client = Client(o => o.VerifiedTokenCacheCapacity = 4);
        string[] tokens = Enumerable.Range(0, 12).Select(i => H.Token((_, p) => p.Set("sub", "user_" + i))).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < 300; i++)
            {
                int k = (i * 7 + t) % tokens.Length;
                AccessTokenResult result = await client.TryVerifyAccessTokenAsync(tokens[k]);
                Assert.Equal("user_" + k, result.Claims?.Subject);
            }
        })));
        Assert.InRange(client.Verifier.TokenCache!.Count, 1, 4);
    }

    [Fact]
    public async Task A_hit_allocates_only_the_claims_and_a_first_seen_token_stays_within_its_budget()
    {
        using ApiClient client = Client();
        using ApiClient uncached = Client(o => o.VerifiedTokenCache = false);
        string token = H.Token();
        string header = "Bearer " + token;
        string[] fresh = Enumerable.Range(0, 101).Select(i => H.Token((_, p) => p.Set("sub", "user_" + i))).ToArray();
        Assert.True((await uncached.TryVerifyAccessTokenAsync(fresh[100])).IsValid);
        for (int i = 0; i < 50; i++)
        {
            Assert.True((await client.TryVerifyAccessTokenAsync(token)).IsValid);
            Assert.True((await client.TryVerifyRequestAsync(header, null, "GET", Url)).IsValid);
        }

        Assert.True((await client.TryVerifyAccessTokenAsync(fresh[100])).IsValid);

        long claimsObject = PerCall(_ => new ValueTask<AccessTokenResult>(new AccessTokenResult(new AccessTokenClaims(token, 0, 1, 0, 0, null))));
        long hit = PerCall(_ => client.TryVerifyAccessTokenAsync(token));
        long bearerHit = PerCall(_ => client.TryVerifyRequestAsync(header, null, "GET", Url));
        long firstSeen = PerCall(i => client.TryVerifyAccessTokenAsync(fresh[i]));
        long firstSeenUncached = PerCall(i => uncached.TryVerifyAccessTokenAsync(fresh[i]));
        output.WriteLine($"token length {token.Length}; AccessTokenClaims {claimsObject} B; hit {hit} B, Bearer request hit {bearerHit} B, first seen (stored) {firstSeen} B, first seen with the cache off {firstSeenUncached} B");

        // The result's AccessTokenClaims object is all a hit allocates.
        Assert.Equal(claimsObject, hit);
        Assert.Equal(claimsObject, bearerHit);
        Assert.InRange(firstSeen, 1, 512);

        // The miss path adds one entry (and nothing else) to a full verification.
        Assert.InRange(firstSeen - firstSeenUncached, 1, 160);
    }

    [Theory]
    [InlineData(0, "VerifiedTokenCacheCapacity must be between 1 and 1000000")]
    [InlineData(1_000_001, "VerifiedTokenCacheCapacity must be between 1 and 1000000")]
    public void A_capacity_outside_its_range_is_refused_naming_the_option(int capacity, string message)
    {
        ConfigurationException e = Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "auth0.local", Audience = "a", VerifiedTokenCacheCapacity = capacity }));
        Assert.Equal(message, e.Message);
        Assert.Equal(message, Assert.Throws<ConfigurationException>(() => new ApiClientOptions { Domain = "auth0.local", Audience = "a", VerifiedTokenCacheCapacity = capacity }.Validate()).Message);
    }

    [Theory]
    [InlineData(63)]
    [InlineData(1_048_577)]
    public void A_token_length_bound_outside_its_range_is_refused_naming_the_option(int length)
    {
        ConfigurationException e = Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "auth0.local", Audience = "a", VerifiedTokenCacheMaxTokenLength = length }));
        Assert.Equal("VerifiedTokenCacheMaxTokenLength must be between 64 and 1048576 characters", e.Message);
    }

    [Fact]
    public void The_cache_is_on_by_default_with_its_documented_bounds()
    {
        ApiClientOptions options = new() { Domain = "auth0.local", Audience = "a" };
        Assert.True(options.VerifiedTokenCache);
        using ApiClient client = new(options);
        Assert.Equal(ApiClientOptions.DefaultVerifiedTokenCacheCapacity, client.Verifier.TokenCache!.Capacity);
        Assert.Equal(ApiClientOptions.DefaultVerifiedTokenCacheMaxTokenLength, client.Verifier.TokenCache.MaxTokenLength);

        // The length bound never exceeds MaxTokenLength (longer tokens are refused before the cache is asked).
        using ApiClient small = new(new ApiClientOptions { Domain = "auth0.local", Audience = "a", MaxTokenLength = 1000 });
        Assert.Equal(1000, small.Verifier.TokenCache!.MaxTokenLength);
    }

    private const int Calls = 100;

    private static long PerCall(Func<int, ValueTask<AccessTokenResult>> call)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            ValueTask<AccessTokenResult> pending = call(i);
            Assert.True(pending.IsCompletedSuccessfully && pending.Result.IsValid);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
    }

    private static long PerCall(Func<int, ValueTask<RequestVerificationResult>> call)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            ValueTask<RequestVerificationResult> pending = call(i);
            Assert.True(pending.IsCompletedSuccessfully && pending.Result.IsValid);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
    }

    /// <summary>A wall clock that can be set back (the monotonic timestamp and timers stay those of the fake clock).</summary>
    private sealed class AdjustableClock(FakeTimeProvider time) : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => time.GetUtcNow() + Offset;

        public override long GetTimestamp() => time.GetTimestamp();

        public override long TimestampFrequency => time.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => time.CreateTimer(callback, state, dueTime, period);
    }
}
