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

    // Recently verified headers and issuers' keys, a few slots each, written only after a signature verified (so
    // forged tokens can neither fill nor evict them). A token whose header segment is in a slot skips the header decode
    // and parse; one whose issuer is in a slot (before the slot's cache expiry) skips two locked cache lookups. Several
    // slots keep a key rotation (two kids alive at once) or a few custom domains from thrashing a single one.
    private const int RecentSlots = 4;
    private readonly HeaderMemo?[] _headers = new HeaderMemo?[RecentSlots];
    private readonly HotKeys?[] _hotKeys = new HotKeys?[RecentSlots];
    private int _nextHeader;
    private int _nextHotKeys;

    public TokenVerifier(
        string audience,
        string? domainIssuer,
        string[]? allowedIssuers,
        DomainsResolver? resolver,
        SigningAlgorithms algorithms,
        TimeSpan clockSkew,
        int maxTokenLength,
        TimeProvider timeProvider,
        KeySource keySource)
    {
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
        keySource.Jwks.ForcedRefresh += () => Array.Clear(_hotKeys);
    }

    public KeySource Keys { get; }

    /// <summary>The remembered header of the last verified token (for tests).</summary>
    internal HeaderMemo?[] Headers => _headers;

    /// <summary>How many recent-issuer slots are filled (for tests).</summary>
    internal int RecentIssuers
    {
        get
        {
            int count = 0;
            foreach (HotKeys? hot in _hotKeys)
            {
                count += hot is null ? 0 : 1;
            }

            return count;
        }
    }

    public ValueTask<AccessTokenResult> VerifyAsync(string? token, IReadOnlyList<string>? requiredClaims, CancellationToken cancellationToken) =>
        VerifyAsync(token, requiredClaims, null, null, cancellationToken);

    /// <summary>Verifies a token; <paramref name="requestUrl"/> and <paramref name="requestHeaders"/> are for the domains resolver.</summary>
    public ValueTask<AccessTokenResult> VerifyAsync(string? token, IReadOnlyList<string>? requiredClaims, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return new(new AccessTokenResult(new TokenError(VerificationFailure.MissingToken, "The argument 'access_token' is required but was not provided.")));
        }

        if (token.Length > _maxTokenLength)
        {
            return new(new AccessTokenResult(new TokenError(
                VerificationFailure.TokenTooLarge,
                FormattableString.Invariant($"Token is longer than the maximum of {_maxTokenLength} characters"))));
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(TokenParser.BufferSize(token.Length));
        bool handedOff = false;
        try
        {
            if (!TokenParser.TryParse(token, buffer, _algorithms, _audienceUtf8, _headers, out ParsedToken parsed, out TokenError error))
            {
                return new(new AccessTokenResult(error));
            }

            if (_resolver is null && TryGetCachedKeys(buffer, in parsed, out DiscoveryDocument? discovery, out JsonWebKeySet? keys, out long expiresAt, out bool recent))
            {
                AccessTokenResult result = Complete(token, buffer, in parsed, discovery, keys, requiredClaims, out bool unknownKid);
                if (unknownKid)
                {
                    handedOff = true;
                    return RetryWithRefreshedKeysAsync(token, buffer, parsed, discovery, requiredClaims, cancellationToken);
                }

                if (result.IsValid && !recent)
                {
                    _hotKeys[(int)(unchecked((uint)Interlocked.Increment(ref _nextHotKeys)) % RecentSlots)] = new HotKeys(discovery, keys, expiresAt);
                }

                return new(result);
            }

            handedOff = true;
            return VerifySlowAsync(token, buffer, parsed, requiredClaims, requestUrl, requestHeaders, cancellationToken);
        }
        finally
        {
            if (!handedOff)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public void Dispose() => Keys.Dispose();

    private bool TryGetCachedKeys(byte[] buffer, in ParsedToken parsed, out DiscoveryDocument discovery, out JsonWebKeySet keys, out long expiresAt, out bool recent)
    {
        discovery = null!;
        keys = null!;
        expiresAt = 0;
        recent = false;
        if (!parsed.HasIss)
        {
            return false;
        }

        ReadOnlySpan<byte> iss = parsed.Iss(buffer);
        long now = _timeProvider.GetTimestamp();
        foreach (HotKeys? hot in _hotKeys)
        {
            if (hot is not null && now < hot.ExpiresAt && iss.SequenceEqual(hot.Discovery.IssuerUtf8))
            {
                discovery = hot.Discovery;
                keys = hot.Keys;
                recent = true;
                return true;
            }
        }

        foreach (string candidate in _candidateKeys)
        {
            if (Keys.Discovery.TryGet(candidate, out CachedValue<DiscoveryDocument>? document)
                && document.Value.IsComplete
                && iss.SequenceEqual(document.Value.IssuerUtf8)
                && (_allowedIssuers is null || string.Equals(document.Value.NormalizedIssuer, candidate, StringComparison.Ordinal)))
            {
                discovery = document.Value;
                if (Keys.Jwks.TryGet(discovery.JwksUri!, out CachedValue<JsonWebKeySet>? cachedKeys))
                {
                    keys = cachedKeys.Value;

                    // A recent slot lives until either document is due for a refresh; the caches take over from there.
                    expiresAt = Math.Min(document.RefreshAt, cachedKeys.RefreshAt);
                    return true;
                }

                return false;
            }
        }

        return false;
    }

    private async ValueTask<AccessTokenResult> VerifySlowAsync(string token, byte[] buffer, ParsedToken parsed, IReadOnlyList<string>? requiredClaims, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, CancellationToken cancellationToken)
    {
        try
        {
            // An empty iss is missing, as the Python SDK's truthiness test has it.
            if (!parsed.HasIss || parsed.Iss(buffer).IsEmpty)
            {
                return Fail(VerificationFailure.ClaimMissing, "Token missing 'iss' claim", "iss");
            }

            string iss = Encoding.UTF8.GetString(parsed.Iss(buffer));
            if (!DomainNormalizer.TryNormalize(iss, out string? normalizedIss, out string? issError))
            {
                return Fail(VerificationFailure.ClaimInvalid, "Invalid token issuer format: " + issError, "iss");
            }

            // Discovery is built from the allowed, normalised issuer only (https://host[:port]/), never from the raw claim.
            string discoveryKey;
            if (_resolver is not null)
            {
                if (await DomainsResolution.CheckAsync(_resolver, normalizedIss, requestUrl, requestHeaders, cancellationToken).ConfigureAwait(false) is TokenError refused)
                {
                    return new AccessTokenResult(refused);
                }

                discoveryKey = normalizedIss;
            }
            else if (_allowedIssuers is not null)
            {
                int index = Array.IndexOf(_allowedIssuers, normalizedIss);
                if (index < 0)
                {
                    return Fail(VerificationFailure.IssuerNotAllowed, DomainsResolution.NotAllowed, "iss");
                }

                discoveryKey = _allowedIssuers[index];
            }
            else
            {
                discoveryKey = _domainIssuer!;
            }

            DiscoveryDocument discovery;
            try
            {
                discovery = (await Keys.Discovery.GetAsync(discoveryKey, cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (KeySourceException exception)
            {
                return Fail(VerificationFailure.KeySourceFailed, "Failed to fetch OIDC discovery metadata: " + exception.Message);
            }

            if (discovery.Issuer is null)
            {
                return Fail(VerificationFailure.KeySourceFailed, "Discovery metadata missing 'issuer' field");
            }

            if (discovery.NormalizedIssuer is null)
            {
                return Fail(VerificationFailure.KeySourceFailed, "Invalid discovery issuer format: " + discovery.IssuerError);
            }

            if (!string.Equals(normalizedIss, discovery.NormalizedIssuer, StringComparison.Ordinal))
            {
                return Fail(VerificationFailure.ClaimMismatch, "Token issuer does not match the discovery issuer", "iss");
            }

            if (discovery.JwksUri is null)
            {
                return Fail(VerificationFailure.KeySourceFailed, "Discovery metadata missing 'jwks_uri' field");
            }

            JsonWebKeySet keys;
            try
            {
                keys = (await Keys.Jwks.GetAsync(discovery.JwksUri, cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (KeySourceException exception)
            {
                return Fail(VerificationFailure.KeySourceFailed, "Failed to fetch JWKS: " + exception.Message);
            }

            AccessTokenResult result = Complete(token, buffer, in parsed, discovery, keys, requiredClaims, out bool unknownKid);
            return unknownKid ? await RefreshKeysAndCompleteAsync(token, buffer, parsed, discovery, requiredClaims, cancellationToken).ConfigureAwait(false) : result;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask<AccessTokenResult> RetryWithRefreshedKeysAsync(string token, byte[] buffer, ParsedToken parsed, DiscoveryDocument discovery, IReadOnlyList<string>? requiredClaims, CancellationToken cancellationToken)
    {
        try
        {
            return await RefreshKeysAndCompleteAsync(token, buffer, parsed, discovery, requiredClaims, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Key rotation: no key in the cached JWKS has the token's kid. Refetch the JWKS once (at most once per cooldown for
    // this issuer, shared with concurrent requests) and verify again in the same request.
    private async ValueTask<AccessTokenResult> RefreshKeysAndCompleteAsync(string token, byte[] buffer, ParsedToken parsed, DiscoveryDocument discovery, IReadOnlyList<string>? requiredClaims, CancellationToken cancellationToken)
    {
        CachedValue<JsonWebKeySet>? refreshed = await Keys.Jwks.ForceRefreshAsync(discovery.JwksUri!, cancellationToken).ConfigureAwait(false);
        if (refreshed is null)
        {
            return Fail(VerificationFailure.KeyNotFound, "No matching key found in JWKS", "kid");
        }

        return Complete(token, buffer, in parsed, discovery, refreshed.Value, requiredClaims, out _);
    }

    private AccessTokenResult Complete(string token, byte[] buffer, in ParsedToken parsed, DiscoveryDocument discovery, JsonWebKeySet keys, IReadOnlyList<string>? requiredClaims, out bool unknownKid)
    {
        VerificationKey? key = keys.Find(parsed.Kid(buffer), parsed.Algorithm, out string? reason);
        unknownKid = key is null && reason is null;
        if (key is null)
        {
            return Fail(VerificationFailure.KeyNotFound, reason is null ? "No matching key found in JWKS" : "No matching key found in JWKS: " + reason, "kid");
        }

        if (!key.Verify(parsed.Algorithm, TokenParser.SigningInput(token, buffer, in parsed), parsed.Signature(buffer)))
        {
            return Fail(VerificationFailure.SignatureInvalid, "Signature verification failed: bad_signature");
        }

        if (!parsed.Iss(buffer).SequenceEqual(discovery.IssuerUtf8))
        {
            return Fail(VerificationFailure.ClaimMismatch, "Verified Token issuer does not match the discovery issuer", "iss");
        }

        switch (parsed.Audience)
        {
            case AudienceMatch.Matched:
                break;
            case AudienceMatch.MismatchArray:
                return Fail(VerificationFailure.ClaimMismatch, "Audience mismatch (not in token's aud array)", "aud");
            default:
                return Fail(VerificationFailure.ClaimMismatch, "Audience mismatch (single aud)", "aud");
        }

        long now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (!parsed.HasExp || parsed.Exp <= now - _skewSeconds)
        {
            return Fail(VerificationFailure.Expired, "Token is expired", "exp");
        }

        if (parsed.HasNbf && parsed.Nbf > now + _skewSeconds)
        {
            return Fail(VerificationFailure.NotYetValid, "Token is not yet valid", "nbf");
        }

        if (!parsed.HasIat)
        {
            return Fail(VerificationFailure.ClaimMissing, "Missing 'iat' claim in token", "iat");
        }

        ReadOnlySpan<byte> payload = parsed.Payload(buffer);
        if (requiredClaims is not null)
        {
            for (int i = 0; i < requiredClaims.Count; i++)
            {
                string name = requiredClaims[i];
                if (!AccessTokenClaims.Contains(payload, name))
                {
                    return Fail(VerificationFailure.ClaimMissing, "Missing required claim: " + name, name);
                }
            }
        }

        if (!parsed.HeaderFromMemo)
        {
            _headers[(int)(unchecked((uint)Interlocked.Increment(ref _nextHeader)) % RecentSlots)] =
                new HeaderMemo(token[..parsed.HeaderSegmentLength], parsed.Algorithm, parsed.Kid(buffer).ToArray());
        }

        int payloadOffset = parsed.HeaderSegmentLength + 1;
        return new AccessTokenResult(new AccessTokenClaims(token, payloadOffset, parsed.SigningInputLength - payloadOffset, parsed.Exp, parsed.Iat, parsed.HasNbf ? parsed.Nbf : null));
    }

    private static AccessTokenResult Fail(VerificationFailure kind, string message, string? claim = null) => new(new TokenError(kind, message, claim));

    private sealed class HotKeys(DiscoveryDocument discovery, JsonWebKeySet keys, long expiresAt)
    {
        public DiscoveryDocument Discovery { get; } = discovery;

        public JsonWebKeySet Keys { get; } = keys;

        public long ExpiresAt { get; } = expiresAt;
    }
}
