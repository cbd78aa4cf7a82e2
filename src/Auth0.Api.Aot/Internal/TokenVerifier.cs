// Access-token verification, in the order of auth0-api-python's verify_access_token (reference section 4.2)
// with this library's differences (DESIGN.md):
//   parse (TokenParser: shape, base64url, header, alg allow-list, typ, crit, kid, payload types, aud match)
//   -> iss present and well-formed -> allowed domains -> discovery -> discovery issuer present and valid
//   -> first issuer check (normalised) -> jwks_uri -> JWKS -> key by kid fitting alg -> signature
//   -> second issuer check (exact) -> aud -> exp -> nbf -> iat present -> required claims.
// The common case (discovery and JWKS cached, iss byte-equal to the discovery issuer) completes synchronously
// with no allocation but the result; anything else takes the general path, which performs every check above.

using System;
using System.Buffers;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Internal;

internal sealed class TokenVerifier : IDisposable
{
    private readonly SigningAlgorithms _algorithms;
    private readonly byte[] _audienceUtf8;
    private readonly long _skewSeconds;
    private readonly int _maxTokenLength;
    private readonly TimeProvider _timeProvider;
    private readonly string? _domainIssuer;
    private readonly string[]? _allowedIssuers;
    private readonly string[] _candidateKeys;
    private readonly DomainsResolver? _resolver;
    private readonly VerifiedTokenCache? _tokenCache;

    // Recently verified headers and issuers' keys, a few slots each, written only after a signature verified (so
    // forged tokens can neither fill nor evict them). A token whose header segment is in a slot skips the header decode
    // and parse; one whose issuer is in a slot (before the slot's cache expiry) skips two locked cache lookups. Several
    // slots keep a key rotation (two kids alive at once) or a few custom domains from thrashing a single one.
    private const int SlotCount = 4;
    private readonly RecentSlots<HeaderMemo> _headers = new(SlotCount);
    private readonly RecentSlots<HotKeys> _hotKeys = new(SlotCount);

    public TokenVerifier(
        string audience,
        string? domainIssuer,
        string[]? allowedIssuers,
        DomainsResolver? resolver,
        SigningAlgorithms algorithms,
        TimeSpan clockSkew,
        int maxTokenLength,
        TimeProvider timeProvider,
        KeySource keySource,
        VerifiedTokenCache? tokenCache = null)
    {
        _tokenCache = tokenCache;
        _audienceUtf8 = Encoding.UTF8.GetBytes(audience);
        _domainIssuer = domainIssuer;
        _allowedIssuers = allowedIssuers;
        _resolver = resolver;

        // The issuers whose cached keys the synchronous path may use. With a resolver there are none: its answer can
        // change with every request, so it is asked before any cached key is used.
        _candidateKeys = resolver is not null ? [] : allowedIssuers ?? [domainIssuer!];
        _algorithms = algorithms;
        _skewSeconds = (long)clockSkew.TotalSeconds;
        _maxTokenLength = maxTokenLength;
        _timeProvider = timeProvider;
        Keys = keySource;

        // A forced JWKS refresh (key rotation) replaces keys before the recent slots' expiry: forget them.
        keySource.Jwks.ForcedRefresh += _hotKeys.Clear;
    }

    public KeySource Keys { get; }

    /// <summary>The remembered header of the last verified token (for tests).</summary>
    internal HeaderMemo?[] Headers => _headers.ToArray();

    /// <summary>How many recent-issuer slots are filled (for tests).</summary>
    internal int RecentIssuers => _hotKeys.Count;

    /// <summary>The verified-token cache; <see langword="null"/> when <see cref="ApiClientOptions.VerifiedTokenCache"/> is off.</summary>
    internal VerifiedTokenCache? TokenCache => _tokenCache;

    /// <summary>Called after each signature check of an access token (for tests: proves a call did or did not check one).</summary>
    internal Action? SignatureChecked { get; set; }

    public ValueTask<AccessTokenResult> VerifyAsync(string? token, IReadOnlyList<string>? requiredClaims, CancellationToken cancellationToken) =>
        VerifyAsync(token, requiredClaims, null, null, cancellationToken);

    /// <summary>Verifies a token; <paramref name="requestUrl"/> and <paramref name="requestHeaders"/> are for the domains resolver.</summary>
    public ValueTask<AccessTokenResult> VerifyAsync(string? token, IReadOnlyList<string>? requiredClaims, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, CancellationToken cancellationToken)
    {
        ValueTask<TokenOutcome> pending = VerifyAsync(token.AsMemory(), requiredClaims, requestUrl, requestHeaders, cancellationToken);
        return pending.IsCompletedSuccessfully ? new(pending.Result.Result) : ResultAsync(pending);

        static async ValueTask<AccessTokenResult> ResultAsync(ValueTask<TokenOutcome> pending) => (await pending.ConfigureAwait(false)).Result;
    }

    /// <summary>
    /// Verifies the token in <paramref name="token"/> (a slice of a header value, say: nothing is copied) and reports,
    /// besides the result, the confirmation the parse found, so that the request stage needs no second look at the payload.
    /// </summary>
    public ValueTask<TokenOutcome> VerifyAsync(ReadOnlyMemory<char> token, IReadOnlyList<string>? requiredClaims, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, CancellationToken cancellationToken)
    {
        if (token.IsEmpty)
        {
            return new(new TokenOutcome(Error.TokenMissing));
        }

        if (token.Length > _maxTokenLength)
        {
            return new(new TokenOutcome(Error.TokenTooLarge(_maxTokenLength)));
        }

        // The same token again: its entry stands for the parse and the signature check, after the resolver (which sees
        // every request) and only while its keys are current; everything that depends on the time or the call is
        // checked again. An entry that no longer stands is dropped and the token verified in full.
        if (_tokenCache is not null && _tokenCache.TryGet(token.Span, out VerifiedToken? cached))
        {
            if (_resolver is not null)
            {
                return VerifyCachedAfterResolverAsync(token, cached, requiredClaims, requestUrl, requestHeaders, cancellationToken);
            }

            if (TryUseCached(token, cached, cached.Issuer, requiredClaims, out TokenOutcome outcome))
            {
                return new(outcome);
            }
        }

        return VerifyFullAsync(token, requiredClaims, requestUrl, requestHeaders, allowedIssuer: null, cancellationToken);
    }

    // With a resolver, the entry is used only once the resolver allowed the token's issuer for this request. When the
    // entry does not stand, the full verification does not ask the resolver again: it would ask the same question.
    private async ValueTask<TokenOutcome> VerifyCachedAfterResolverAsync(ReadOnlyMemory<char> token, VerifiedToken cached, IReadOnlyList<string>? requiredClaims, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, CancellationToken cancellationToken)
    {
        Resolution resolution = await DomainsResolution.CheckAsync(_resolver!, cached.Issuer, requestUrl, requestHeaders, cancellationToken).ConfigureAwait(false);
        if (resolution.Error is AuthError error)
        {
            return new(error);
        }

        string allowed = resolution.Allowed!;

        return TryUseCached(token, cached, allowed, requiredClaims, out TokenOutcome outcome)
            ? outcome
            : await VerifyFullAsync(token, requiredClaims, requestUrl, requestHeaders, allowed, cancellationToken).ConfigureAwait(false);
    }

    // A cached token's checks, in the order of a full verification's after the signature: the keys it verified with are
    // still the issuer's (else false: verify in full), exp, nbf, the required claims. Every result names the allowed
    // issuer (the entry's, or the resolver's that allowed it for this request).
    private bool TryUseCached(ReadOnlyMemory<char> token, VerifiedToken cached, string issuer, IReadOnlyList<string>? requiredClaims, out TokenOutcome outcome)
    {
        if (!KeysAreCurrent(cached))
        {
            _tokenCache!.Remove(cached, TokenCacheEvent.KeysChanged);
            outcome = default;
            return false;
        }

        long now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (cached.Exp <= now - _skewSeconds)
        {
            _tokenCache!.Remove(cached, TokenCacheEvent.Expired);
            outcome = new(Error.Expired with { Issuer = issuer });
            return true;
        }

        if (cached.Nbf is long nbf && nbf > now + _skewSeconds)
        {
            outcome = new(Error.NotYetValid with { Issuer = issuer });
            return true;
        }

        MemoryMarshal.TryGetString(token, out string? source, out int start, out _);
        if (requiredClaims is not null && MissingClaim(source.AsSpan(start + cached.PayloadOffset, cached.PayloadLength), requiredClaims) is string missing)
        {
            outcome = new(Error.RequiredClaimMissing(missing) with { Issuer = issuer });
            return true;
        }

        outcome = new TokenOutcome(new AccessTokenResult(new AccessTokenClaims(source!, start + cached.PayloadOffset, cached.PayloadLength, cached.Exp, cached.Iat, cached.Nbf), issuer), cached);
        return true;
    }

    // The discovery document and key set the token verified with are the ones a full verification would use now: the
    // same objects, by id (a refresh, forced or routine, replaces them, and then the token is verified again against the new
    // set, which may lack its key). A recent-key slot answers without a lock, as it does for a first-seen token.
    private bool KeysAreCurrent(VerifiedToken cached)
    {
        // Read before the documents: a slot made from what is read below holds only while no document was replaced since.
        KeyVersions versions = CurrentVersions();
        if (_resolver is null)
        {
            long timestamp = _timeProvider.GetTimestamp();
            for (int i = 0; i < _hotKeys.Length; i++)
            {
                HotKeys? hot = _hotKeys[i];
                if (hot is not null && hot.Keys.Id == cached.KeysId && hot.Discovery.Id == cached.DiscoveryId && hot.IsLive(timestamp, versions))
                {
                    return true;
                }
            }
        }

        // Discovery is keyed as the full verification keys it: the configured domain in single-domain mode, else the
        // (allowed) normalised issuer, which a verified token's discovery document has.
        // Peeked, not read: a stale document counts as served only when the entry stands (when it does not, the full
        // verification that follows reads the same documents and counts them).
        string discoveryKey = _resolver is null && _allowedIssuers is null ? _domainIssuer! : cached.Issuer;
        if (!Keys.Discovery.TryPeek(discoveryKey, out CachedValue<DiscoveryDocument>? document, out bool staleDiscovery)
            || document.Value.Id != cached.DiscoveryId
            || !Keys.Jwks.TryPeek(document.Value.JwksUri!, out CachedValue<JsonWebKeySet>? keys, out bool staleKeys)
            || keys.Value.Id != cached.KeysId)
        {
            return false;
        }

        CountStaleServes(discoveryKey, staleDiscovery, document.Value.JwksUri!, staleKeys);

        // Current: remembered in a recent-key slot (as a first-seen token's keys are), so that the next hits take no lock.
        long expiresAt = Math.Min(document.RefreshAt, keys.RefreshAt);
        if (_resolver is null && _timeProvider.GetTimestamp() < expiresAt)
        {
            _hotKeys.Add(new HotKeys(document.Value, keys.Value, expiresAt, versions));
        }

        return true;
    }

    // The first required claim the payload lacks, decoded into a rented buffer (a cached token's payload is not kept).
    private static string? MissingClaim(ReadOnlySpan<char> segment, IReadOnlyList<string> requiredClaims)
    {
        byte[] payload = ArrayPool<byte>.Shared.Rent(Base64UrlStrict.GetDecodedLength(segment.Length));
        try
        {
            Base64UrlStrict.TryDecode(segment, payload, out int length);
            for (int i = 0; i < requiredClaims.Count; i++)
            {
                if (!AccessTokenClaims.Contains(payload.AsSpan(0, length), requiredClaims[i]))
                {
                    return requiredClaims[i];
                }
            }

            return null;
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(payload);
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    // allowedIssuer: the resolver's entry that already allowed the token's issuer for this request (the cached path), or null.
    private ValueTask<TokenOutcome> VerifyFullAsync(ReadOnlyMemory<char> token, IReadOnlyList<string>? requiredClaims, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, string? allowedIssuer, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(TokenParser.BufferSize(token.Length));
        bool handedOff = false;
        try
        {
            if (!TokenParser.TryParse(token.Span, buffer, _algorithms, _audienceUtf8, _headers, out ParsedToken parsed, out AuthError error))
            {
                return new(new TokenOutcome(error));
            }

            if (_resolver is null && TryGetCachedKeys(buffer, in parsed, out DiscoveryDocument? discovery, out JsonWebKeySet? keys, out long expiresAt, out KeyVersions versions, out bool recent))
            {
                // The token's iss is byte-equal to the (allowed) discovery issuer: the result names its normalised form.
                string issuer = discovery.NormalizedIssuer!;
                AccessTokenResult result = Complete(token, buffer, in parsed, discovery, keys, issuer, requiredClaims, out bool unknownKid);
                if (unknownKid)
                {
                    handedOff = true;
                    return RetryWithRefreshedKeysAsync(token, buffer, parsed, discovery, issuer, requiredClaims, cancellationToken);
                }

                if (result.IsValid && !recent)
                {
                    _hotKeys.Add(new HotKeys(discovery, keys, expiresAt, versions));
                }

                return new(new TokenOutcome(result, in parsed));
            }

            handedOff = true;
            return VerifySlowAsync(token, buffer, parsed, requiredClaims, requestUrl, requestHeaders, allowedIssuer, cancellationToken);
        }
        finally
        {
            if (!handedOff)
            {
                Release(buffer, token.Length);
            }
        }
    }

    // The buffer holds the decoded token and its signing input: that part is cleared before the buffer goes back to the
    // shared pool (the rest, the header's member names, is not the token's).
    private static void Release(byte[] buffer, int tokenLength)
    {
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(buffer.AsSpan(0, TokenParser.DecodedSize(tokenLength)));
        ArrayPool<byte>.Shared.Return(buffer);
    }

    public void Dispose() => Keys.Dispose();

    private bool TryGetCachedKeys(byte[] buffer, in ParsedToken parsed, out DiscoveryDocument discovery, out JsonWebKeySet keys, out long expiresAt, out KeyVersions versions, out bool recent)
    {
        discovery = null!;
        keys = null!;
        expiresAt = 0;
        recent = false;

        // Read before the documents: a slot made from what is read below holds only while no document was replaced since.
        versions = CurrentVersions();
        if (!parsed.HasIss)
        {
            return false;
        }

        ReadOnlySpan<byte> iss = parsed.Iss(buffer);
        long now = _timeProvider.GetTimestamp();
        for (int i = 0; i < _hotKeys.Length; i++)
        {
            HotKeys? hot = _hotKeys[i];
            if (hot is not null && hot.IsLive(now, versions) && iss.SequenceEqual(hot.Discovery.IssuerUtf8))
            {
                discovery = hot.Discovery;
                keys = hot.Keys;
                recent = true;
                return true;
            }
        }

        // Peeked, not read: only the documents this path goes on with count as served (a candidate the token is not
        // from was not served; when the key set is missing, the full verification reads the discovery document again).
        foreach (string candidate in _candidateKeys)
        {
            if (Keys.Discovery.TryPeek(candidate, out CachedValue<DiscoveryDocument>? document, out bool staleDiscovery)
                && document.Value.IsComplete
                && iss.SequenceEqual(document.Value.IssuerUtf8)
                && (_allowedIssuers is null || string.Equals(document.Value.NormalizedIssuer, candidate, StringComparison.Ordinal)))
            {
                discovery = document.Value;
                if (Keys.Jwks.TryPeek(discovery.JwksUri!, out CachedValue<JsonWebKeySet>? cachedKeys, out bool staleKeys))
                {
                    keys = cachedKeys.Value;
                    CountStaleServes(candidate, staleDiscovery, discovery.JwksUri!, staleKeys);

                    // A recent slot lives until either document is due for a refresh; the caches take over from there.
                    expiresAt = Math.Min(document.RefreshAt, cachedKeys.RefreshAt);
                    return true;
                }

                return false;
            }
        }

        return false;
    }

    private async ValueTask<TokenOutcome> VerifySlowAsync(ReadOnlyMemory<char> token, byte[] buffer, ParsedToken parsed, IReadOnlyList<string>? requiredClaims, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, string? allowedIssuer, CancellationToken cancellationToken)
    {
        try
        {
            // An empty iss is missing, as the Python SDK's truthiness test has it.
            if (!parsed.HasIss || parsed.Iss(buffer).IsEmpty)
            {
                return new(Error.IssuerMissing);
            }

            string iss = Encoding.UTF8.GetString(parsed.Iss(buffer));
            if (!DomainNormalizer.TryNormalize(iss, out string? normalizedIss, out string? issError))
            {
                return new(Error.IssuerFormat(issError));
            }

            // Discovery is built from the allowed, normalised issuer only (https://host[:port]/), never from the raw claim.
            // allowed: the allow-list's (or the resolver's) entry the issuer matched, the string every later refusal names
            // (AuthError.Issuer); in single-domain mode the configured domain's when the issuer is that domain, else none
            // until the discovery document's issuer is matched below.
            string discoveryKey;
            string? allowed;
            if (_resolver is not null)
            {
                if (allowedIssuer is null)
                {
                    Resolution resolution = await DomainsResolution.CheckAsync(_resolver, normalizedIss, requestUrl, requestHeaders, cancellationToken).ConfigureAwait(false);
                    if (resolution.Error is AuthError error)
                    {
                        return new(error);
                    }

                    allowedIssuer = resolution.Allowed;
                }

                discoveryKey = normalizedIss;
                allowed = allowedIssuer;
            }
            else if (_allowedIssuers is not null)
            {
                int index = Array.IndexOf(_allowedIssuers, normalizedIss);
                if (index < 0)
                {
                    return new(Error.IssuerNotAllowed);
                }

                discoveryKey = _allowedIssuers[index];
                allowed = discoveryKey;
            }
            else
            {
                discoveryKey = _domainIssuer!;
                allowed = string.Equals(normalizedIss, _domainIssuer, StringComparison.Ordinal) ? _domainIssuer : null;
            }

            CacheRead<DiscoveryDocument> discoveryRead = await Keys.Discovery.GetAsync(discoveryKey, cancellationToken).ConfigureAwait(false);
            if (discoveryRead.Value is not { Value: DiscoveryDocument discovery })
            {
                // Unreachable, or fetched but unusable (no issuer or jwks_uri): the issuer's fault either way (503).
                return new((discoveryRead.ErrorIsWhole
                    ? new AuthError(VerificationFailure.KeySourceFailed, discoveryRead.Error!) { RetryAfter = discoveryRead.RetryAfter }
                    : Error.DiscoveryFailed(discoveryRead.Error!, discoveryRead.Cause, discoveryRead.RetryAfter)) with { Issuer = allowed });
            }

            // A seeded or pinned document is checked where it is loaded; these hold for every fetched one.
            if (discovery.Issuer is null)
            {
                return new(Error.DiscoveryIssuerMissing with { RetryAfter = Keys.Backoff, Issuer = allowed });
            }

            if (discovery.NormalizedIssuer is null)
            {
                return new(Error.DiscoveryIssuerFormat(discovery.IssuerError) with { RetryAfter = Keys.Backoff, Issuer = allowed });
            }

            if (!string.Equals(normalizedIss, discovery.NormalizedIssuer, StringComparison.Ordinal))
            {
                return new(Error.IssuerDiscoveryMismatch with { Issuer = allowed });
            }

            // Matched: in single-domain mode, the issuer the configured domain's discovery document names.
            string issuer = allowed ?? discovery.NormalizedIssuer;
            if (discovery.JwksUri is null)
            {
                return new(Error.JwksUriMissing with { RetryAfter = Keys.Backoff, Issuer = issuer });
            }

            CacheRead<JsonWebKeySet> jwksRead = await Keys.Jwks.GetAsync(discovery.JwksUri, cancellationToken).ConfigureAwait(false);
            if (jwksRead.Value is not { Value: JsonWebKeySet keys })
            {
                return new(Error.JwksFailed(jwksRead.Error!, jwksRead.Cause, jwksRead.RetryAfter) with { Issuer = issuer });
            }

            AccessTokenResult result = Complete(token, buffer, in parsed, discovery, keys, issuer, requiredClaims, out bool unknownKid);
            return unknownKid ? await RefreshKeysAndCompleteAsync(token, buffer, parsed, discovery, issuer, requiredClaims, cancellationToken).ConfigureAwait(false) : new(result, in parsed);
        }
        finally
        {
            Release(buffer, token.Length);
        }
    }

    private async ValueTask<TokenOutcome> RetryWithRefreshedKeysAsync(ReadOnlyMemory<char> token, byte[] buffer, ParsedToken parsed, DiscoveryDocument discovery, string issuer, IReadOnlyList<string>? requiredClaims, CancellationToken cancellationToken)
    {
        try
        {
            return await RefreshKeysAndCompleteAsync(token, buffer, parsed, discovery, issuer, requiredClaims, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Release(buffer, token.Length);
        }
    }

    // Key rotation: no key in the cached JWKS has the token's kid. Refetch the JWKS once (at most once per cooldown for
    // this issuer, shared with concurrent requests) and verify again in the same request.
    private async ValueTask<TokenOutcome> RefreshKeysAndCompleteAsync(ReadOnlyMemory<char> token, byte[] buffer, ParsedToken parsed, DiscoveryDocument discovery, string issuer, IReadOnlyList<string>? requiredClaims, CancellationToken cancellationToken)
    {
        CacheRead<JsonWebKeySet> refreshed = await Keys.Jwks.ForceRefreshAsync(discovery.JwksUri!, cancellationToken).ConfigureAwait(false);
        if (refreshed.Value is { Value: JsonWebKeySet keys })
        {
            return new(Complete(token, buffer, in parsed, discovery, keys, issuer, requiredClaims, out _), in parsed);
        }

        // The JWKS cannot be had (a failed refetch, or the back-off of one): the issuer's fault, answered 503, so that a
        // client whose token was signed with a new key keeps it. Within the cooldown, the kid is simply unknown.
        return new((refreshed.Error is { } failed ? Error.JwksFailed(failed, refreshed.Cause, refreshed.RetryAfter) : Error.KeyNotFound) with { Issuer = issuer });
    }

    private AccessTokenResult Complete(ReadOnlyMemory<char> token, byte[] buffer, in ParsedToken parsed, DiscoveryDocument discovery, JsonWebKeySet keys, string issuer, IReadOnlyList<string>? requiredClaims, out bool unknownKid)
    {
        VerificationKey? key = keys.Find(parsed.Kid(buffer), parsed.Algorithm, out string? reason);
        unknownKid = key is null && reason is null;
        if (key is null)
        {
            return new((reason is null ? Error.KeyNotFound : Error.KeyUnusable(reason)) with { Issuer = issuer });
        }

        bool verified = key.Verify(parsed.Algorithm, TokenParser.SigningInput(token.Span, buffer, in parsed), parsed.Signature(buffer));
        SignatureChecked?.Invoke();
        if (!verified)
        {
            return new(Error.SignatureInvalid with { Issuer = issuer });
        }

        if (!parsed.Iss(buffer).SequenceEqual(discovery.IssuerUtf8))
        {
            return new(Error.VerifiedIssuerMismatch with { Issuer = issuer });
        }

        switch (parsed.Audience)
        {
            case AudienceMatch.Matched:
                break;
            case AudienceMatch.MismatchArray:
                return new(Error.AudienceMismatchArray with { Issuer = issuer });
            default:
                return new(Error.AudienceMismatchSingle with { Issuer = issuer });
        }

        long now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (!parsed.HasExp || parsed.Exp <= now - _skewSeconds)
        {
            return new(Error.Expired with { Issuer = issuer });
        }

        if (parsed.HasNbf && parsed.Nbf > now + _skewSeconds)
        {
            return new(Error.NotYetValid with { Issuer = issuer });
        }

        if (!parsed.HasIat)
        {
            return new(Error.IatMissing with { Issuer = issuer });
        }

        ReadOnlySpan<byte> payload = parsed.Payload(buffer);
        if (requiredClaims is not null)
        {
            for (int i = 0; i < requiredClaims.Count; i++)
            {
                string name = requiredClaims[i];
                if (!AccessTokenClaims.Contains(payload, name))
                {
                    return new(Error.RequiredClaimMissing(name) with { Issuer = issuer });
                }
            }
        }

        if (!parsed.HeaderFromMemo)
        {
            _headers.Add(new HeaderMemo(token.Span[..parsed.HeaderSegmentLength].ToString(), parsed.Algorithm, parsed.Kid(buffer).ToArray()));
        }

        // Verified: the same token again may skip the parse and the signature check (VerifiedTokenCache).
        _tokenCache?.Add(token, in parsed, discovery, keys, _timeProvider.GetTimestamp(), now - _skewSeconds);

        // The claims keep the string the token is in (no copy) and where its payload segment is.
        MemoryMarshal.TryGetString(token, out string? source, out int start, out _);
        int payloadOffset = start + parsed.HeaderSegmentLength + 1;
        return new AccessTokenResult(new AccessTokenClaims(source!, payloadOffset, parsed.SigningInputLength - parsed.HeaderSegmentLength - 1, parsed.Exp, parsed.Iat, parsed.HasNbf ? parsed.Nbf : null), issuer);
    }

    // The stale-serve counts of the documents a verification used (after TryPeek): off the common path, where neither is stale.
    private void CountStaleServes(string discoveryKey, bool staleDiscovery, string jwksUri, bool staleKeys)
    {
        if (staleDiscovery)
        {
            Keys.Discovery.CountStaleServe(discoveryKey);
        }

        if (staleKeys)
        {
            Keys.Jwks.CountStaleServe(jwksUri);
        }
    }

    private KeyVersions CurrentVersions() => new(Keys.Discovery.Version, Keys.Jwks.Version);

    /// <summary>The document caches' versions (<see cref="RefreshingCache{T}.Version"/>) when a recent-key slot's documents were read.</summary>
    private readonly record struct KeyVersions(long Discovery, long Jwks);

    // An issuer's keys, remembered after a signature verified with them: they stand until either document is due for a
    // refresh, and only while no document was replaced since they were read. A replacement before that time (a forced
    // refresh; a document evicted by other issuers' and fetched again, by a warm-up say; a seed) makes every slot stale,
    // so a key that left the set stops verifying at once, and a slot filled by a thread that read the documents just
    // before a forced refresh cannot bring the old set back after the refresh cleared the slots.
    private sealed class HotKeys(DiscoveryDocument discovery, JsonWebKeySet keys, long expiresAt, KeyVersions versions)
    {
        public DiscoveryDocument Discovery { get; } = discovery;

        public JsonWebKeySet Keys { get; } = keys;

        public long ExpiresAt { get; } = expiresAt;

        public KeyVersions Versions { get; } = versions;

        public bool IsLive(long timestamp, KeyVersions current) => timestamp < ExpiresAt && Versions == current;
    }
}

/// <summary>
/// What token verification hands the request stage: the result, and the confirmation (<c>cnf</c>) the parse read, so
/// that neither the payload nor <c>cnf</c> is read twice.
/// </summary>
internal readonly struct TokenOutcome
{
    public TokenOutcome(AuthError error)
    {
        Result = new AccessTokenResult(error);
    }

    public TokenOutcome(AccessTokenResult result, in ParsedToken parsed)
    {
        Result = result;
        if (result.IsValid)
        {
            Confirmation = parsed.Confirmation;
            ConfirmationOnlyCertificate = parsed.ConfirmationOnlyCertificate;
            Jkt = parsed.Jkt;
        }
    }

    /// <summary>A cached token's result and the confirmation its full verification read.</summary>
    public TokenOutcome(AccessTokenResult result, VerifiedToken cached)
    {
        Result = result;
        Confirmation = cached.Confirmation;
        ConfirmationOnlyCertificate = cached.ConfirmationOnlyCertificate;
        Jkt = cached.Jkt;
    }

    public AccessTokenResult Result { get; }

    public Confirmation Confirmation { get; }

    /// <summary>Whether cnf holds only a certificate thumbprint (<c>x5t#S256</c>, RFC 8705).</summary>
    public bool ConfirmationOnlyCertificate { get; }

    /// <summary>The decoded <c>cnf.jkt</c> when <see cref="Confirmation"/> is <see cref="Internal.Confirmation.Thumbprint"/>.</summary>
    public Bytes32 Jkt { get; }
}
