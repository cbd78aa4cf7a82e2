using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot;

/// <summary>
/// Verifies Auth0 access tokens for an API. Create one per application and share it: it caches each issuer's
/// discovery document, JWKS and imported keys.
/// </summary>
/// <remarks>
/// <para>Thread safety: all members are safe for concurrent use.</para>
/// <para>The options are validated and copied at construction; later changes to the options object are ignored.</para>
/// </remarks>
public sealed partial class ApiClient : IDisposable
{
    private readonly ValidatedOptions _options;
    private readonly TokenVerifier _verifier;
    private readonly DPoPNonces? _nonces;
    private readonly MemoryReplayStore? _memoryReplays;

    // Built at their first use (CreateDPoP, CreateRequests, CreateExchange), so that an API that verifies only Bearer
    // tokens never builds them and the JIT never compiles their constructors. They hold only what was validated here.
    private DPoPProofVerifier? _dpop;
    private RequestVerifier? _requests;
    private TokenExchangeClient? _exchange;
    private IReadOnlyList<string>? _authorizationServers;
    private IReadOnlyList<string>? _dpopAlgorithmNames;

    /// <summary>Validates <paramref name="options"/> and creates the client.</summary>
    /// <param name="options">The configuration; copied, not kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="MissingRequiredArgumentException"><see cref="ApiClientOptions.Audience"/> is missing.</exception>
    /// <exception cref="ConfigurationException">Any other option is invalid; the message says which and why.</exception>
    public ApiClient(ApiClientOptions options)
    {
        ValidatedOptions valid = _options = new ValidatedOptions(options);
        TimeProvider timeProvider = valid.TimeProvider;

        RefreshPolicy policy = new(valid.CacheTtl, valid.MinimumCacheLifetime, valid.MaxStaleness, valid.FailureBackoff, valid.UnknownKidRefreshCooldown, valid.CacheMaxEntries, timeProvider);
        KeySource keySource = new(valid.HttpClient, valid.Timeout, policy, valid.Cache, valid.CacheSigningKey);
        try
        {
            SeedKeys(valid, keySource);
        }
        catch
        {
            keySource.Dispose();
            throw;
        }

        // The in-memory replay store is built here, not with the proof verifier: the replay-store metrics count its
        // capacity from the client's construction.
        _memoryReplays = valid.DPoPReplayProtection && valid.DPoPReplayStore is null ? new MemoryReplayStore(valid.DPoPReplayCapacity, valid.DPoPReplayMaxPerKey, timeProvider) : null;
        _nonces = valid.DPoPNonceKey is { } nonceKey ? new DPoPNonces(nonceKey, valid.DPoPNonceLifetime, timeProvider) : null;
        IsDPoPRequired = valid.DPoPMode == DPoPMode.Required;
        _verifier = new TokenVerifier(valid.Audience, valid.DomainIssuer, valid.AllowedIssuers, valid.DomainsResolver, valid.AccessTokenAlgorithms, valid.ClockSkew, valid.MaxTokenLength, timeProvider, keySource,
            valid.VerifiedTokenCache ? new VerifiedTokenCache(valid.VerifiedTokenCacheCapacity, Math.Min(valid.VerifiedTokenCacheMaxTokenLength, valid.MaxTokenLength)) : null);
    }

    // Each lazy part is built from the validated options, which cannot fail; when two threads race, one instance wins
    // and both use it.
    private DPoPProofVerifier CreateDPoP()
    {
        ValidatedOptions valid = _options;
        IDPoPReplayStore? replays = valid.DPoPReplayProtection ? valid.DPoPReplayStore : null;
        DPoPProofVerifier created = new(valid.DPoPAlgorithms, valid.Ed25519Provider, valid.DPoPIatLeeway, valid.DPoPIatOffset, valid.MaxDPoPProofLength, valid.CacheMaxEntries, valid.TimeProvider, replays, _memoryReplays, _nonces);
        return Interlocked.CompareExchange(ref _dpop, created, null) ?? created;
    }

    private RequestVerifier CreateRequests()
    {
        RequestVerifier created = new(_verifier, DPoP, _options.DPoPMode, _options.DPoPAlgorithms, _options.AcceptCertificateBoundTokens);
        return Interlocked.CompareExchange(ref _requests, created, null) ?? created;
    }

    private TokenExchangeClient CreateExchange()
    {
        ValidatedOptions valid = _options;
        TokenExchangeClient created = new(new TokenEndpointClient(_verifier.Keys, valid.Timeout, valid.TimeProvider, valid.DomainIssuer, valid.ClientId, valid.ClientSecret));
        return Interlocked.CompareExchange(ref _exchange, created, null) ?? created;
    }

    private RequestVerifier Requests => _requests ?? CreateRequests();

    private TokenExchangeClient Exchange => _exchange ?? CreateExchange();

    internal string? Domain => _options.Domain;

    /// <summary>
    /// Raised after each failed discovery or JWKS fetch (at most one per document per
    /// <see cref="ApiClientOptions.FailureBackoff"/>), on the thread that ran the fetch, before the verifications waiting
    /// on it resume: a handler must be quick. A handler that throws changes no verification and does not keep the other
    /// handlers from being called; its exception is rethrown on the thread pool, where it is unhandled (and ends the
    /// process, as an exception from a timer callback does): catch inside the handler. The ASP.NET Core package logs it.
    /// </summary>
    public event System.Action<KeySourceFailure>? KeySourceFailed
    {
        add => _verifier.Keys.Failed += value;
        remove => _verifier.Keys.Failed -= value;
    }


    /// <summary>The normalised <see cref="ApiClientOptions.Domain"/>, e.g. <c>https://tenant.auth0.com/</c>.</summary>
    internal string? DomainIssuer => _options.DomainIssuer;

    /// <summary>The normalised allow-list (Multiple Custom Domains), or <see langword="null"/> in single-domain mode.</summary>
    internal IReadOnlyList<string>? AllowedIssuers => _options.AllowedIssuers;

    internal TimeSpan CacheTtl => _options.CacheTtl;

    internal TimeSpan Timeout => _options.Timeout;

    internal string? ClientId => _options.ClientId;

    internal string? ClientSecret => _options.ClientSecret;

    internal KeySource Keys => _verifier.Keys;

    internal TokenVerifier Verifier => _verifier;

    internal DomainsResolver? Resolver => _options.DomainsResolver;

    internal DPoPProofVerifier DPoP => _dpop ?? CreateDPoP();

    /// <summary>
    /// A fresh server nonce, for the <c>DPoP-Nonce</c> header of a response (RFC 9449 section 9), or
    /// <see langword="null"/> when <see cref="ApiClientOptions.DPoPNonceKey"/> is not set.
    /// </summary>
    /// <returns>The nonce, or <see langword="null"/>.</returns>
    public string? CreateDPoPNonce() => _nonces?.Create();

    /// <summary>
    /// The <c>WWW-Authenticate</c> value of a 403 <c>insufficient_scope</c> answer (RFC 6750 section 3.1) for a request
    /// that authenticated with <paramref name="scheme"/> (<see cref="RequestVerificationResult.Scheme"/>): in the DPoP
    /// challenge for a DPoP request, in the Bearer one for a Bearer request, with the other challenges this client's
    /// <see cref="ApiClientOptions.DPoPMode"/> offers.
    /// </summary>
    /// <param name="scheme"><c>bearer</c> or <c>dpop</c>, as the request result reports it.</param>
    /// <param name="requiredScopes">The scopes the operation needs, for the challenge's <c>scope</c>; none for a permission check.</param>
    /// <param name="resourceMetadata">The RFC 9728 metadata URL for <c>resource_metadata</c>, or <see langword="null"/>.</param>
    /// <returns>The challenge.</returns>
    public string CreateInsufficientScopeChallenge(string? scheme, IReadOnlyList<string>? requiredScopes = null, string? resourceMetadata = null) =>
        Requests.InsufficientScopeChallenge(scheme, requiredScopes, resourceMetadata);

    /// <summary>
    /// The <c>WWW-Authenticate</c> value of a refusal the application decided after verification (a token it blocks,
    /// say): <paramref name="errorCode"/> and <paramref name="description"/> in the challenge of the scheme the request
    /// used, with the other challenges this client's mode offers. Values are written with RFC 6750 characters only.
    /// </summary>
    /// <param name="scheme"><c>bearer</c> or <c>dpop</c>, as the request result reports it.</param>
    /// <param name="errorCode">The OAuth error code, e.g. <c>invalid_token</c>.</param>
    /// <param name="description">The error description; empty for none.</param>
    /// <param name="resourceMetadata">The RFC 9728 metadata URL for <c>resource_metadata</c>, or <see langword="null"/>.</param>
    /// <returns>The challenge.</returns>
    public string CreateChallenge(string? scheme, string errorCode, string description, string? resourceMetadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(errorCode);
        ArgumentNullException.ThrowIfNull(description);
        return Requests.ChallengeFor(scheme, errorCode, Error.Untrusted(description, 1024), resourceMetadata);
    }

    /// <summary>Whether only DPoP requests are accepted (<see cref="ApiClientOptions.DPoPMode"/> is Required).</summary>
    public bool IsDPoPRequired { get; }

    /// <summary>How DPoP requests are treated (<see cref="ApiClientOptions.DPoPMode"/>).</summary>
    public DPoPMode DPoPMode => _options.DPoPMode;

    /// <summary>The API identifier tokens must be issued for (<see cref="ApiClientOptions.Audience"/>).</summary>
    public string Audience => _options.Audience;

    /// <summary>
    /// The issuers configured by <see cref="ApiClientOptions.Domain"/> and <see cref="ApiClientOptions.Domains"/>,
    /// normalised (<c>https://tenant.auth0.com/</c>), for RFC 9728's <c>authorization_servers</c>; empty when only a
    /// <see cref="ApiClientOptions.DomainsResolver"/> decides.
    /// </summary>
    public IReadOnlyList<string> AuthorizationServers => _authorizationServers ??= _options.AllowedIssuers is { } issuers ? [.. issuers] : _options.DomainIssuer is { } issuer ? [issuer] : [];

    /// <summary>The DPoP proof algorithms accepted (<see cref="ApiClientOptions.DPoPAlgorithms"/>), by JOSE name, as the challenges' <c>algs</c> lists them.</summary>
    public IReadOnlyList<string> DPoPSigningAlgorithms => _dpopAlgorithmNames ??= JwsAlgorithm.FormatNames(_options.DPoPAlgorithms).Split(' ');

    /// <summary>
    /// Exports the cached discovery documents and JWKS as a string, for <see cref="ApiClientOptions.KeySnapshot"/> of a
    /// later instance (a Lambda's next cold start, say). It holds public documents only: no token, no secret.
    /// </summary>
    /// <returns>The snapshot (JSON).</returns>
    public string ExportKeySnapshot() => KeySnapshot.Export(_verifier.Keys, _options.TimeProvider);

    private static void SeedKeys(ValidatedOptions options, KeySource keys)
    {
        if (options.KeySnapshot is { } snapshot)
        {
            KeySnapshot.Import(snapshot, keys, options.TimeProvider);
        }

        if (options.StaticJwks is { } staticJwks)
        {
            foreach (KeyValuePair<string, string> entry in staticJwks)
            {
                if (!DomainNormalizer.TryNormalize(entry.Key, out string? issuer, out string? error))
                {
                    throw new ConfigurationException("StaticJwks has an invalid domain: " + error);
                }

                // With a resolver any domain may be pinned: the resolver still decides, per request, whether it is used.
                bool configured = options.DomainsResolver is not null || (options.AllowedIssuers is null ? issuer == options.DomainIssuer : Array.IndexOf(options.AllowedIssuers, issuer) >= 0);
                if (!configured)
                {
                    throw new ConfigurationException("StaticJwks has an entry for '" + issuer + "', which is not a configured domain");
                }

                KeySnapshot.PinStaticJwks(issuer, entry.Value ?? string.Empty, keys);
            }
        }

        if (!HttpFetchFeature.IsEnabled)
        {
            RequireSeeded(options, keys);
        }
    }

    // A build without HTTP verifies only with seeded keys: a configured issuer without them is refused here, not at its
    // first request. A resolver may name issuers that are not seeded (refused per request), but not with none seeded.
    private static void RequireSeeded(ValidatedOptions options, KeySource keys)
    {
        string[] issuers = options.AllowedIssuers ?? (options.DomainIssuer is { } domainIssuer ? [domainIssuer] : []);
        if (issuers.Length == 0 && keys.Discovery.Count == 0)
        {
            throw new ConfigurationException("DomainsResolver is set without StaticJwks or KeySnapshot, but " + HttpFetchFeature.DisabledReason);
        }

        foreach (string issuer in issuers)
        {
            if (keys.Discovery.Inspect(issuer)?.Value is not { JwksUri: { } jwksUri } || keys.Jwks.Inspect(jwksUri) is null)
            {
                throw new ConfigurationException("'" + issuer + "' has no keys in StaticJwks or KeySnapshot, but " + HttpFetchFeature.DisabledReason);
            }
        }
    }

    /// <summary>
    /// Fetches the discovery document and keys of every configured issuer (<see cref="ApiClientOptions.Domain"/>,
    /// <see cref="ApiClientOptions.Domains"/>) into the cache, so that the first request does not wait for them: for a
    /// host's startup. Issuers known only to a <see cref="ApiClientOptions.DomainsResolver"/> are fetched when first
    /// seen. A failure is reported in the result, never thrown, and is retried by the next request after the back-off.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the fetches themselves run to their own timeout).</param>
    /// <returns>The state of each configured issuer's keys afterwards.</returns>
    public async ValueTask<IReadOnlyList<KeyStatus>> WarmUpAsync(CancellationToken cancellationToken = default)
    {
        foreach (string issuer in AuthorizationServers)
        {
            CacheRead<DiscoveryDocument> discovery = await Keys.Discovery.GetAsync(issuer, cancellationToken).ConfigureAwait(false);
            if (discovery.Value is { Value.JwksUri: string jwksUri })
            {
                _ = await Keys.Jwks.GetAsync(jwksUri, cancellationToken).ConfigureAwait(false);
            }
        }

        return GetKeyStatus();
    }

    /// <summary>The state of each configured issuer's keys, read from the cache without fetching (for health checks).</summary>
    /// <returns>One entry per configured issuer, in configuration order; empty when only a resolver decides.</returns>
    public IReadOnlyList<KeyStatus> GetKeyStatus()
    {
        List<KeyStatus> statuses = new(AuthorizationServers.Count);
        foreach (string issuer in AuthorizationServers)
        {
            CachedValue<DiscoveryDocument>? discovery = Keys.Discovery.Inspect(issuer, out _, out string? discoveryError, out _);
            if (discovery?.Value.JwksUri is not string jwksUri)
            {
                statuses.Add(new KeyStatus(issuer, discoveryError is null ? KeyState.Missing : KeyState.Failing, null, discoveryError is null ? null : Error.Untrusted(discoveryError)));
                continue;
            }

            CachedValue<JsonWebKeySet>? keys = Keys.Jwks.Inspect(jwksUri, out bool stale, out string? jwksError, out TimeSpan age);
            string? error = jwksError ?? discoveryError;
            KeyState state = keys is null ? (error is null ? KeyState.Missing : KeyState.Failing) : stale ? KeyState.Stale : KeyState.Fresh;
            statuses.Add(new KeyStatus(issuer, state, keys is null || keys.Pinned ? null : age, error is null ? null : Error.Untrusted(error)));
        }

        return statuses;
    }

    /// <summary>Releases the HTTP client the library created (a client given in the options is left alone).</summary>
    public void Dispose()
    {
        if (_memoryReplays is not null)
        {
            Telemetry.Unregister(_memoryReplays);
        }

        _verifier.Dispose();
    }
}
