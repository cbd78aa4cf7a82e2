// The options of an ApiClient, validated once and copied (reference section 2.3): the checks run in the order of
// auth0-api-python's ApiClient.__init__, with its messages, then this library's own options in declaration order. The
// first failure is thrown; on success every value the client uses is read from here, never from the options again.
// StaticJwks and KeySnapshot are only taken here: they are checked while the key source is seeded (ApiClient.SeedKeys),
// after it exists, because their checks parse documents into it.

using System;
using System.Collections.Generic;
using System.Net.Http;

namespace Auth0.Api.Aot.Internal;

internal sealed class ValidatedOptions
{
    private const int MaxMaxTokenLength = 1024 * 1024;
    private const int MaxDPoPReplayCapacity = 100_000_000;
    private const int MaxVerifiedTokenCacheCapacity = 1_000_000;
    private const long MaxTimeoutTicks = 10 * TimeSpan.TicksPerMinute;

    public readonly string Audience;

    /// <summary>The configured <see cref="ApiClientOptions.Domain"/> as given, or <see langword="null"/> when none is set.</summary>
    public readonly string? Domain;

    /// <summary>The normalised <see cref="ApiClientOptions.Domain"/>, e.g. <c>https://tenant.auth0.com/</c>.</summary>
    public readonly string? DomainIssuer;

    /// <summary>The normalised static allow-list (Multiple Custom Domains), or <see langword="null"/>.</summary>
    public readonly string[]? AllowedIssuers;

    public readonly DomainsResolver? DomainsResolver;

    public readonly string? ClientId;

    public readonly string? ClientSecret;

    public readonly TimeSpan CacheTtl;

    public readonly TimeSpan MinimumCacheLifetime;

    public readonly int CacheMaxEntries;

    public readonly TimeSpan Timeout;

    public readonly TimeSpan ClockSkew;

    public readonly int MaxTokenLength;

    public readonly SigningAlgorithms AccessTokenAlgorithms;

    public readonly TimeSpan UnknownKidRefreshCooldown;

    public readonly TimeSpan MaxStaleness;

    public readonly TimeSpan FailureBackoff;

    public readonly SigningAlgorithms DPoPAlgorithms;

    public readonly IEd25519Provider? Ed25519Provider;

    public readonly TimeSpan DPoPIatLeeway;

    public readonly TimeSpan DPoPIatOffset;

    public readonly byte[]? DPoPNonceKey;

    public readonly TimeSpan DPoPNonceLifetime;

    public readonly bool DPoPReplayProtection;

    public readonly bool AcceptCertificateBoundTokens;

    public readonly IDPoPReplayStore? DPoPReplayStore;

    public readonly int DPoPReplayCapacity;

    /// <summary>The most records of one proof key in the in-memory store: the share of the capacity, at least one.</summary>
    public readonly int DPoPReplayMaxPerKey;

    public readonly int MaxDPoPProofLength;

    public readonly bool VerifiedTokenCache;

    public readonly int VerifiedTokenCacheCapacity;

    public readonly int VerifiedTokenCacheMaxTokenLength;

    public readonly DPoPMode DPoPMode;

    public readonly ICacheAdapter? Cache;
    public readonly byte[]? CacheSigningKey;

    public readonly IReadOnlyDictionary<string, string>? StaticJwks;

    public readonly string? KeySnapshot;

    public readonly HttpClient? HttpClient;

    /// <summary><see cref="ApiClientOptions.TimeProvider"/>, or <see cref="TimeProvider.System"/>.</summary>
    public readonly TimeProvider TimeProvider;

    /// <summary>Checks <paramref name="options"/> and copies what the client needs.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="MissingRequiredArgumentException"><see cref="ApiClientOptions.Audience"/> is missing.</exception>
    /// <exception cref="ConfigurationException">Any other option is invalid; the message says which and why.</exception>
    public ValidatedOptions(ApiClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Order and messages of auth0-api-python's ApiClient.__init__ (reference section 2.3).
        string? audience = options.Audience;
        if (string.IsNullOrEmpty(audience))
        {
            throw new MissingRequiredArgumentException("audience");
        }

        IReadOnlyList<string>? domains = options.Domains;
        string[]? allowedIssuers = null;
        if (domains is not null)
        {
            if (domains.Count == 0)
            {
                throw new ConfigurationException("domains list cannot be empty");
            }

            allowedIssuers = NormalizeDomains(domains);
        }

        DomainsResolver? resolver = options.DomainsResolver;
        if (domains is not null && resolver is not null)
        {
            throw new ConfigurationException("Set either 'Domains' (a static list) or 'DomainsResolver', not both");
        }

        string? domain = options.Domain;
        if (string.IsNullOrEmpty(domain) && allowedIssuers is null && resolver is null)
        {
            throw new ConfigurationException("Must provide either 'domain' or 'domains' parameter. Use 'domain' for single-domain mode, 'domains' for multi-domain support.");
        }

        string? clientId = options.ClientId;
        if (!string.IsNullOrEmpty(clientId) && string.IsNullOrEmpty(domain))
        {
            throw new ConfigurationException("The 'domain' parameter is required when 'client_id' is configured.");
        }

        TimeSpan cacheTtl = options.CacheTtl;
        if (cacheTtl < TimeSpan.Zero)
        {
            throw new ConfigurationException("CacheTtl must be a non-negative duration");
        }

        TimeSpan minimumCacheLifetime = options.MinimumCacheLifetime;
        if (minimumCacheLifetime < TimeSpan.Zero || minimumCacheLifetime > TimeSpan.FromHours(1))
        {
            throw new ConfigurationException("MinimumCacheLifetime must be between zero and one hour");
        }

        int cacheMaxEntries = options.CacheMaxEntries;
        if (cacheMaxEntries < 2)
        {
            throw new ConfigurationException("CacheMaxEntries must be an integer greater than 1");
        }

        string? domainIssuer = null;
        if (!string.IsNullOrEmpty(domain))
        {
            if (!DomainNormalizer.TryNormalize(domain, out domainIssuer, out string? error))
            {
                throw new ConfigurationException("Invalid 'domain': " + error);
            }
        }

        TimeSpan timeout = options.Timeout;
        if (timeout <= TimeSpan.Zero || timeout.Ticks > MaxTimeoutTicks)
        {
            throw new ConfigurationException("Timeout must be a positive duration of at most 10 minutes");
        }

        TimeSpan clockSkew = options.ClockSkew;
        if (clockSkew < TimeSpan.Zero || clockSkew > TimeSpan.FromDays(1))
        {
            throw new ConfigurationException("ClockSkew must be between zero and one day");
        }

        int maxTokenLength = options.MaxTokenLength;
        if (maxTokenLength is < 64 or > MaxMaxTokenLength)
        {
            throw new ConfigurationException("MaxTokenLength must be between 64 and 1048576 characters");
        }

        SigningAlgorithms algorithms = options.AccessTokenAlgorithms;
        if (algorithms == SigningAlgorithms.None)
        {
            throw new ConfigurationException("AccessTokenAlgorithms must name at least one algorithm");
        }

        if ((algorithms & ~JwsAlgorithm.AccessTokenCapable) != 0)
        {
            throw new ConfigurationException("AccessTokenAlgorithms may contain only RS256, RS384, RS512, PS256, PS384, PS512, ES256 and ES384");
        }

        TimeSpan cooldown = options.UnknownKidRefreshCooldown;
        TimeSpan maxStaleness = options.MaxStaleness;
        TimeSpan failureBackoff = options.FailureBackoff;
        if (cooldown < TimeSpan.Zero || maxStaleness < TimeSpan.Zero || failureBackoff < TimeSpan.Zero)
        {
            throw new ConfigurationException("UnknownKidRefreshCooldown, MaxStaleness and FailureBackoff must be non-negative durations");
        }

        SigningAlgorithms dpopAlgorithms = options.DPoPAlgorithms;
        if (dpopAlgorithms == SigningAlgorithms.None || (dpopAlgorithms & ~JwsAlgorithm.ProofCapable) != 0)
        {
            throw new ConfigurationException("DPoPAlgorithms must name one or more of ES256, ES384, ES512, RS256, PS256, EdDSA and Ed25519");
        }

        IEd25519Provider? ed25519 = options.Ed25519Provider;
        if ((dpopAlgorithms & JwsAlgorithm.NeedEd25519) != 0 && ed25519 is null)
        {
            throw new ConfigurationException("DPoPAlgorithms includes EdDSA or Ed25519, which need an Ed25519Provider: reference the Auth0.Api.Aot.Sodium package and set Ed25519Provider = SodiumEd25519.Instance");
        }

        TimeSpan iatLeeway = options.DPoPIatLeeway;
        TimeSpan iatOffset = options.DPoPIatOffset;
        if (iatLeeway < TimeSpan.Zero || iatOffset < TimeSpan.Zero)
        {
            throw new ConfigurationException("DPoPIatLeeway and DPoPIatOffset must be non-negative durations");
        }

        byte[]? nonceKey = options.DPoPNonceKey;
        if (nonceKey is { Length: < 32 })
        {
            throw new ConfigurationException("DPoPNonceKey must be at least 32 bytes");
        }

        if (options.CacheSigningKey is { Length: < 32 })
        {
            throw new ConfigurationException("CacheSigningKey must be at least 32 bytes");
        }

        TimeSpan nonceLifetime = options.DPoPNonceLifetime;
        if (nonceLifetime < TimeSpan.FromSeconds(1))
        {
            throw new ConfigurationException("DPoPNonceLifetime must be at least one second");
        }

        int replayCapacity = options.DPoPReplayCapacity;
        if (replayCapacity is < 1 or > MaxDPoPReplayCapacity)
        {
            throw new ConfigurationException("DPoPReplayCapacity must be between 1 and 100000000");
        }

        double keyShare = options.DPoPReplayMaxKeyShare;
        if (!(keyShare > 0 && keyShare <= 1))
        {
            throw new ConfigurationException("DPoPReplayMaxKeyShare must be greater than 0 and at most 1");
        }

        int maxProofLength = options.MaxDPoPProofLength;
        if (maxProofLength is < 64 or > MaxMaxTokenLength)
        {
            throw new ConfigurationException("MaxDPoPProofLength must be between 64 and 1048576 characters");
        }

        DPoPMode mode = options.DPoPMode;
        if (mode is not (DPoPMode.Allowed or DPoPMode.Required or DPoPMode.Disabled))
        {
            throw new ConfigurationException("DPoPMode must be Allowed, Required or Disabled");
        }

        int tokenCacheCapacity = options.VerifiedTokenCacheCapacity;
        if (tokenCacheCapacity is < 1 or > MaxVerifiedTokenCacheCapacity)
        {
            throw new ConfigurationException("VerifiedTokenCacheCapacity must be between 1 and 1000000");
        }

        int tokenCacheMaxTokenLength = options.VerifiedTokenCacheMaxTokenLength;
        if (tokenCacheMaxTokenLength is < 64 or > MaxMaxTokenLength)
        {
            throw new ConfigurationException("VerifiedTokenCacheMaxTokenLength must be between 64 and 1048576 characters");
        }

        Audience = audience;
        Domain = domainIssuer is null ? null : domain;
        DomainIssuer = domainIssuer;
        AllowedIssuers = allowedIssuers;
        DomainsResolver = resolver;
        ClientId = clientId;
        ClientSecret = options.ClientSecret;
        CacheTtl = cacheTtl;
        MinimumCacheLifetime = minimumCacheLifetime;
        CacheMaxEntries = cacheMaxEntries;
        Timeout = timeout;
        ClockSkew = clockSkew;
        MaxTokenLength = maxTokenLength;
        AccessTokenAlgorithms = algorithms;
        UnknownKidRefreshCooldown = cooldown;
        MaxStaleness = maxStaleness;
        FailureBackoff = failureBackoff;
        DPoPAlgorithms = dpopAlgorithms;
        Ed25519Provider = ed25519;
        DPoPIatLeeway = iatLeeway;
        DPoPIatOffset = iatOffset;
        DPoPNonceKey = nonceKey;
        DPoPNonceLifetime = nonceLifetime;
        DPoPReplayProtection = options.DPoPReplayProtection;
        AcceptCertificateBoundTokens = options.AcceptCertificateBoundTokens;
        DPoPReplayStore = options.DPoPReplayStore;
        DPoPReplayCapacity = replayCapacity;
        DPoPReplayMaxPerKey = Math.Max(1, (int)Math.Floor(replayCapacity * keyShare));
        MaxDPoPProofLength = maxProofLength;
        DPoPMode = mode;
        VerifiedTokenCache = options.VerifiedTokenCache;
        VerifiedTokenCacheCapacity = tokenCacheCapacity;
        VerifiedTokenCacheMaxTokenLength = tokenCacheMaxTokenLength;
        Cache = options.Cache;

        // A copy: a caller that changes or clears its array later changes nothing here.
        CacheSigningKey = options.CacheSigningKey is { } signingKey ? (byte[])signingKey.Clone() : null;
        StaticJwks = options.StaticJwks;
        KeySnapshot = options.KeySnapshot;
        HttpClient = options.HttpClient;
        TimeProvider = options.TimeProvider ?? TimeProvider.System;
    }

    // Outside the constructor, which then has no loop (and is compiled at start without instrumentation).
    private static string[] NormalizeDomains(IReadOnlyList<string> domains)
    {
        string[] allowedIssuers = new string[domains.Count];
        for (int i = 0; i < allowedIssuers.Length; i++)
        {
            string? entry = domains[i];
            if (string.IsNullOrWhiteSpace(entry))
            {
                throw new ConfigurationException("domains list must contain only non-empty strings");
            }

            if (!DomainNormalizer.TryNormalize(entry, out string? normalized, out string? error))
            {
                throw new ConfigurationException("domains list contains an invalid domain: " + error);
            }

            allowedIssuers[i] = normalized;
        }

        return allowedIssuers;
    }
}
