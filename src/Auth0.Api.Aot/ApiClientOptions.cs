using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using System.Net.Http;

namespace Auth0.Api.Aot;

/// <summary>
/// Configuration of an <see cref="ApiClient"/>. The client validates these values once, at construction, and takes
/// a snapshot: changing an options object afterwards has no effect on a client built from it.
/// </summary>
/// <remarks>Thread safety: a plain mutable settings bag; do not share one while another thread writes it.</remarks>
public sealed class ApiClientOptions
{
    /// <summary>Default <see cref="Timeout"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Default <see cref="CacheTtl"/>: 600 seconds.</summary>
    public static readonly TimeSpan DefaultCacheTtl = TimeSpan.FromSeconds(600);

    /// <summary>Default <see cref="MinimumCacheLifetime"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultMinimumCacheLifetime = TimeSpan.FromSeconds(30);

    /// <summary>Default <see cref="CacheMaxEntries"/>: 100.</summary>
    public const int DefaultCacheMaxEntries = 100;

    /// <summary>Default <see cref="UnknownKidRefreshCooldown"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultUnknownKidRefreshCooldown = TimeSpan.FromSeconds(30);

    /// <summary>Default <see cref="MaxStaleness"/>: 12 hours.</summary>
    public static readonly TimeSpan DefaultMaxStaleness = TimeSpan.FromHours(12);

    /// <summary>Default <see cref="FailureBackoff"/>: 5 seconds.</summary>
    public static readonly TimeSpan DefaultFailureBackoff = TimeSpan.FromSeconds(5);

    /// <summary>Default <see cref="DPoPIatLeeway"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultDPoPIatLeeway = TimeSpan.FromSeconds(30);

    /// <summary>Default <see cref="DPoPIatOffset"/>: 300 seconds.</summary>
    public static readonly TimeSpan DefaultDPoPIatOffset = TimeSpan.FromSeconds(300);

    /// <summary>
    /// Default <see cref="DPoPReplayCapacity"/>: 2,000,000 records, which hold every proof of 6,000 proofs/s at the
    /// default iat window (each is held at most 332 s); 112 MiB when full (docs/dpop.md).
    /// </summary>
    public const int DefaultDPoPReplayCapacity = 2_000_000;

    /// <summary>Default <see cref="DPoPReplayMaxKeyShare"/>: one eighth of the store.</summary>
    public const double DefaultDPoPReplayMaxKeyShare = 0.125;

    /// <summary>Default <see cref="MaxDPoPProofLength"/>: 8 KiB.</summary>
    public const int DefaultMaxDPoPProofLength = 8 * 1024;

    /// <summary>Default <see cref="MaxTokenLength"/>: 16 KiB.</summary>
    public const int DefaultMaxTokenLength = 16 * 1024;

    /// <summary>Default <see cref="VerifiedTokenCacheCapacity"/>: 1,024 tokens.</summary>
    public const int DefaultVerifiedTokenCacheCapacity = 1024;

    /// <summary>Default <see cref="VerifiedTokenCacheMaxTokenLength"/>: 4 KiB (Auth0 access tokens are about 1 KiB).</summary>
    public const int DefaultVerifiedTokenCacheMaxTokenLength = 4 * 1024;

    /// <summary>
    /// The Auth0 domain, e.g. <c>tenant.us.auth0.com</c> or a custom domain. Tokens must be issued by it (single-domain
    /// mode), and token exchange uses it. A scheme or a trailing slash is accepted (<c>https://tenant.auth0.com/</c>);
    /// a path, a query, credentials or <c>http://</c> are not.
    /// </summary>
    public string? Domain { get; set; }

    /// <summary>The API identifier that access tokens must carry in <c>aud</c>. Required.</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// The issuers that tokens may come from (Multiple Custom Domains). When set, verification accepts tokens from these
    /// domains only and <see cref="Domain"/> is used only for token exchange. Each entry is normalised like
    /// <see cref="Domain"/>.
    /// </summary>
    public IReadOnlyList<string>? Domains { get; set; }

    /// <summary>
    /// Decides per verification which domains a token may come from (Multiple Custom Domains), from the token's
    /// unverified, normalised issuer and the request's URL and headers; called before any network call, on every
    /// verification, and not cached. Set this or <see cref="Domains"/>, not both; <see cref="Domain"/> is then used only
    /// for token exchange. See <see cref="UseDomainsResolver(Func{DomainsResolverContext, IReadOnlyList{string}})"/> for
    /// a synchronous resolver.
    /// </summary>
    public DomainsResolver? DomainsResolver { get; set; }

    /// <summary>Sets <see cref="DomainsResolver"/> to a synchronous function (a lookup in memory, say).</summary>
    /// <param name="resolver">Returns the allowed domains for a context.</param>
    /// <exception cref="ArgumentNullException"><paramref name="resolver"/> is <see langword="null"/>.</exception>
    public void UseDomainsResolver(Func<DomainsResolverContext, IReadOnlyList<string>> resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        DomainsResolver = (context, _) => new ValueTask<IReadOnlyList<string>>(resolver(context));
    }

    /// <summary>The algorithms access tokens may be signed with. Default: <see cref="SigningAlgorithms.RS256"/>.</summary>
    /// <remarks>RS384, RS512, PS256, PS384, PS512, ES256 and ES384 may be added. HS* and <c>none</c> are always refused.</remarks>
    public SigningAlgorithms AccessTokenAlgorithms { get; set; } = SigningAlgorithms.RS256;

    /// <summary>How DPoP requests are treated: <see cref="Aot.DPoPMode.Allowed"/> (default), <see cref="Aot.DPoPMode.Required"/> or <see cref="Aot.DPoPMode.Disabled"/>.</summary>
    public DPoPMode DPoPMode { get; set; } = DPoPMode.Allowed;

    /// <summary>
    /// Whether a token bound to a client certificate (a <c>cnf</c> whose only member is <c>x5t#S256</c>, RFC 8705) is
    /// accepted with the Bearer scheme. The library cannot see the TLS client certificate, so turn this on only where a
    /// proxy in front of the API terminates mutual TLS and checks the certificate against the token's thumbprint.
    /// Default: <see langword="false"/>, so every token with a confirmation the library cannot verify (a certificate,
    /// a DPoP key presented without a proof, an unknown or malformed <c>cnf</c>) is refused as a Bearer token
    /// (<see cref="VerificationFailure.BoundTokenAsBearer"/>).
    /// </summary>
    public bool AcceptCertificateBoundTokens { get; set; }

    /// <summary>
    /// The algorithms DPoP proofs may be signed with. Default: <see cref="SigningAlgorithms.ES256"/>; ES384, ES512, RS256 and
    /// PS256 may be added (RSA keys of at least 2048 bits), and EdDSA and Ed25519 with an <see cref="Ed25519Provider"/>.
    /// </summary>
    public SigningAlgorithms DPoPAlgorithms { get; set; } = SigningAlgorithms.ES256;

    /// <summary>
    /// Verifies Ed25519 DPoP proofs when <see cref="DPoPAlgorithms"/> includes <see cref="SigningAlgorithms.EdDSA"/> or
    /// <see cref="SigningAlgorithms.Ed25519"/>; required then, unused otherwise. The <c>Auth0.Api.Aot.Sodium</c> package
    /// provides <c>SodiumEd25519.Instance</c>.
    /// </summary>
    public IEd25519Provider? Ed25519Provider { get; set; }

    /// <summary>How far in the future a DPoP proof's <c>iat</c> may be (clock differences). Default: 30 s.</summary>
    public TimeSpan DPoPIatLeeway { get; set; } = DefaultDPoPIatLeeway;

    /// <summary>The maximum age of a DPoP proof, from its <c>iat</c>. Default: 300 s.</summary>
    public TimeSpan DPoPIatOffset { get; set; } = DefaultDPoPIatOffset;

    /// <summary>
    /// Replay protection (RFC 9449 section 11.1, beyond the Python SDK): a proof whose key and <c>jti</c> were already
    /// accepted is refused for as long as it could be accepted. Default: on.
    /// </summary>
    public bool DPoPReplayProtection { get; set; } = true;

    /// <summary>
    /// Where accepted proofs are remembered. Default: a bounded in-memory store per client (see
    /// <see cref="DPoPReplayCapacity"/> and <see cref="DPoPReplayMaxKeyShare"/>, which apply to it only).
    /// </summary>
    public IDPoPReplayStore? DPoPReplayStore { get; set; }

    /// <summary>
    /// The most records the default in-memory replay store holds, from 1 to 100,000,000. A record is held from the
    /// proof's acceptance until at most <see cref="DPoPIatOffset"/> + <see cref="DPoPIatLeeway"/> + 2 s later, so the
    /// store sustains <c>DPoPReplayCapacity / (DPoPIatOffset + DPoPIatLeeway + 2 s)</c> proofs per second; when it is
    /// full, new proofs are refused with 503 <see cref="VerificationFailure.ProofReplayStoreUnavailable"/> (fail
    /// closed: no live record is evicted). Memory follows the records held, 56 to 112 bytes each (docs/dpop.md).
    /// Default: <see cref="DefaultDPoPReplayCapacity"/>.
    /// </summary>
    public int DPoPReplayCapacity { get; set; } = DefaultDPoPReplayCapacity;

    /// <summary>
    /// The largest share of <see cref="DPoPReplayCapacity"/> that the records of one proof key (one client key
    /// thumbprint) may hold, greater than 0 and at most 1; a proof of a key that holds it is refused with 429
    /// <see cref="VerificationFailure.ProofKeyQuotaExceeded"/>, so one client cannot lock the others out. Default:
    /// <see cref="DefaultDPoPReplayMaxKeyShare"/> (250,000 records, 750 proofs/s of one key at the default window).
    /// </summary>
    public double DPoPReplayMaxKeyShare { get; set; } = DefaultDPoPReplayMaxKeyShare;

    /// <summary>
    /// Server nonces (RFC 9449 section 9): when set, a DPoP proof must carry a nonce this API issued, or the request gets
    /// 401 <c>use_dpop_nonce</c> with a fresh nonce in <c>DPoP-Nonce</c>. Nonces are stateless (HMAC-SHA256 over a time
    /// step under this key, at least 32 bytes); instances that share the key accept each other's nonces. Default: none.
    /// </summary>
    public byte[]? DPoPNonceKey { get; set; }

    /// <summary>The time step of server nonces; a nonce is accepted in its step and the next. Default: 5 minutes.</summary>
    public TimeSpan DPoPNonceLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest DPoP proof, in characters, that is looked at. Default: 8 KiB.</summary>
    public int MaxDPoPProofLength { get; set; } = DefaultMaxDPoPProofLength;

    /// <summary>Tolerance for clock differences when checking <c>exp</c> and <c>nbf</c>. Default: zero, as in Auth0's SDKs.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.Zero;

    /// <summary>The longest access token, in characters, that is looked at. Longer ones are refused before any parsing.</summary>
    public int MaxTokenLength { get; set; } = DefaultMaxTokenLength;

    /// <summary>
    /// Whether a token that verified is remembered, so that the same token presented again skips the parse and the
    /// signature check (docs/caching.md). Every hit still runs the <see cref="DomainsResolver"/>, checks that the key set
    /// and discovery document the token verified with are still the issuer's current ones (else the token is verified
    /// again in full), checks <c>exp</c> and <c>nbf</c> with <see cref="ClockSkew"/> and the call's required claims; a
    /// DPoP proof is always verified in full. Failures are never remembered. Default: on.
    /// </summary>
    public bool VerifiedTokenCache { get; set; } = true;

    /// <summary>
    /// The most tokens <see cref="VerifiedTokenCache"/> holds, from 1 to 1,000,000; when its slots for a token are full,
    /// an expired entry or else the oldest is replaced. Each entry keeps the token's string alive (two bytes a character)
    /// and about 150 bytes more. Default: <see cref="DefaultVerifiedTokenCacheCapacity"/>.
    /// </summary>
    public int VerifiedTokenCacheCapacity { get; set; } = DefaultVerifiedTokenCacheCapacity;

    /// <summary>
    /// The longest token, in characters, that <see cref="VerifiedTokenCache"/> holds, from 64 to 1,048,576; longer tokens
    /// are verified in full every time. With <see cref="VerifiedTokenCacheCapacity"/> it bounds the cache's memory: at
    /// most <c>capacity x (2 x (this + 16) + 200)</c> bytes, 8.2 MiB at the defaults. Default:
    /// <see cref="DefaultVerifiedTokenCacheMaxTokenLength"/>.
    /// </summary>
    public int VerifiedTokenCacheMaxTokenLength { get; set; } = DefaultVerifiedTokenCacheMaxTokenLength;

    /// <summary>Timeout of each HTTP request the client makes (discovery, JWKS, token endpoint). Default: 10 s.</summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>
    /// Upper bound on how long discovery documents and JWKS are cached; the effective TTL is the smaller of this and
    /// the response's <c>Cache-Control: max-age</c>. Zero means always refetch. Default: 600 s.
    /// </summary>
    public TimeSpan CacheTtl { get; set; } = DefaultCacheTtl;

    /// <summary>
    /// Floor of a discovery document's or JWKS's cache lifetime when the response asks for less: <c>max-age=0</c> or
    /// a small <c>max-age</c>, <c>no-store</c>, <c>no-cache</c>, an <c>Expires</c> in the past. Such a document is then
    /// fetched at most once per this interval, however many requests need it, instead of once per request. It never
    /// raises a lifetime above <see cref="CacheTtl"/>, which stays the upper bound. Between zero (the response decides)
    /// and one hour. Default: 30 s.
    /// </summary>
    public TimeSpan MinimumCacheLifetime { get; set; } = DefaultMinimumCacheLifetime;

    /// <summary>Maximum number of entries in each in-memory cache (discovery and JWKS); least recently used entries go first. At least 2.</summary>
    public int CacheMaxEntries { get; set; } = DefaultCacheMaxEntries;

    /// <summary>
    /// Key rotation: a token whose <c>kid</c> is not in the cached JWKS makes the client refetch that issuer's JWKS and
    /// verify again in the same request, at most once per this interval per issuer; within it, an unknown <c>kid</c>
    /// fails fast without a fetch. Default: 30 s.
    /// </summary>
    public TimeSpan UnknownKidRefreshCooldown { get; set; } = DefaultUnknownKidRefreshCooldown;

    /// <summary>
    /// Outages: how long past its cache lifetime a discovery document or JWKS keeps serving while refreshes fail.
    /// Default: 12 h. Zero serves nothing past the lifetime.
    /// </summary>
    public TimeSpan MaxStaleness { get; set; } = DefaultMaxStaleness;

    /// <summary>After a failed discovery or JWKS fetch, no new fetch to that URL for this long. Default: 5 s.</summary>
    public TimeSpan FailureBackoff { get; set; } = DefaultFailureBackoff;

    /// <summary>
    /// A store shared across instances for discovery documents and JWKS (see <see cref="ICacheAdapter"/>). Default: none;
    /// each instance keeps its own in-memory cache.
    /// </summary>
    public ICacheAdapter? Cache { get; set; }

    /// <summary>
    /// A key of at least 32 bytes, the same on every instance of a fleet, under which the documents kept in
    /// <see cref="Cache"/> are authenticated (HMAC-SHA256): an entry written without it or under another key reads as
    /// a miss, and the document is fetched from the issuer. Without it an entry carries a checksum only, so whoever can
    /// write the shared store can make every instance trust a key set of their choosing. Keep it in a secret store; a
    /// fleet moving to a key (or to a new one) refetches while instances disagree, it does not fail. Default: none
    /// (docs/caching.md, "A cache shared between instances").
    /// </summary>
    public byte[]? CacheSigningKey { get; set; }

    /// <summary>
    /// Cold start and offline use: the JWKS of an issuer given up front, keyed by domain (normalised like
    /// <see cref="Domain"/>), as JSON text. Such an issuer's keys are pinned: no discovery or JWKS request is ever made
    /// for it, and its issuer is <c>https://{domain}/</c>. An application that seeds every key can leave the HTTP stack
    /// out of its binary with the <c>Auth0ApiAotHttpFetch</c> build property set to <c>false</c> (docs/caching.md).
    /// </summary>
    public IReadOnlyDictionary<string, string>? StaticJwks { get; set; }

    /// <summary>
    /// Cold start: a snapshot of the key cache taken with <see cref="ApiClient.ExportKeySnapshot"/> (kept in an
    /// environment variable or a file, say). Its documents are validated like fetched ones and serve from the first
    /// request with zero round trips; they are refreshed like any cached document, from the time they were fetched
    /// (pinned instead in a build with <c>Auth0ApiAotHttpFetch</c> set to <c>false</c>, which cannot refresh them).
    /// </summary>
    public string? KeySnapshot { get; set; }

    /// <summary>
    /// The <see cref="System.Net.Http.HttpClient"/> used for every request. When <see langword="null"/>, the client
    /// creates one that never follows redirects, at its first request (a client whose keys are seeded and never
    /// fetched makes none), and disposes it with itself. A given client is not disposed; if it
    /// follows redirects, a redirected response is refused, but only after the redirect was followed: for token exchange,
    /// where a 307/308 would re-send the form, give a client with <c>AllowAutoRedirect = false</c>. Not used in a build
    /// with <c>Auth0ApiAotHttpFetch</c> set to <c>false</c>, which makes no request.
    /// </summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>The clock for token lifetimes and cache expiry. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Client ID for the token-exchange flows. Requires <see cref="Domain"/>.</summary>
    public string? ClientId { get; set; }

    /// <summary>Client secret for the token-exchange flows. Never logged and never part of an error message.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// Checks these options as <see cref="ApiClient(ApiClientOptions)"/> does, without building a client (for startup
    /// validation in a host). <see cref="StaticJwks"/> and <see cref="KeySnapshot"/> contents are checked when a client
    /// is built.
    /// </summary>
    /// <exception cref="MissingRequiredArgumentException"><see cref="Audience"/> is missing.</exception>
    /// <exception cref="ConfigurationException">Any other option is invalid; the message says which and why.</exception>
    public void Validate() => _ = new Internal.ValidatedOptions(this);
}
