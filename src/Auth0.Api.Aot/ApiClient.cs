using System;
using System.Collections.Generic;
using System.Globalization;
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
public sealed class ApiClient : IDisposable
{
    private const int MaxMaxTokenLength = 1024 * 1024;
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    private readonly TokenVerifier _verifier;
    private readonly TimeProvider _timeProvider;
    private readonly DPoPProofVerifier _dpop;
    private readonly DomainsResolver? _resolver;
    private readonly TokenEndpointClient _tokenEndpoint;
    private readonly RequestVerifier _requests;
    private readonly DPoPNonces? _nonces;

    /// <summary>Validates <paramref name="options"/> and creates the client.</summary>
    /// <param name="options">The configuration; copied, not kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="MissingRequiredArgumentException"><see cref="ApiClientOptions.Audience"/> is missing.</exception>
    /// <exception cref="ConfigurationException">Any other option is invalid; the message says which and why.</exception>
    public ApiClient(ApiClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Order and messages of auth0-api-python's ApiClient.__init__ (reference section 2.3).
        if (string.IsNullOrEmpty(options.Audience))
        {
            throw new MissingRequiredArgumentException("audience");
        }

        string[]? allowedIssuers = null;
        if (options.Domains is not null)
        {
            if (options.Domains.Count == 0)
            {
                throw new ConfigurationException("domains list cannot be empty");
            }

            allowedIssuers = new string[options.Domains.Count];
            for (int i = 0; i < allowedIssuers.Length; i++)
            {
                string? entry = options.Domains[i];
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
        }

        if (options.Domains is not null && options.DomainsResolver is not null)
        {
            throw new ConfigurationException("Set either 'Domains' (a static list) or 'DomainsResolver', not both");
        }

        if (string.IsNullOrEmpty(options.Domain) && allowedIssuers is null && options.DomainsResolver is null)
        {
            throw new ConfigurationException("Must provide either 'domain' or 'domains' parameter. Use 'domain' for single-domain mode, 'domains' for multi-domain support.");
        }

        if (!string.IsNullOrEmpty(options.ClientId) && string.IsNullOrEmpty(options.Domain))
        {
            throw new ConfigurationException("The 'domain' parameter is required when 'client_id' is configured.");
        }

        if (options.CacheTtl < TimeSpan.Zero)
        {
            throw new ConfigurationException("CacheTtl must be a non-negative duration");
        }

        if (options.MinimumCacheLifetime < TimeSpan.Zero || options.MinimumCacheLifetime > TimeSpan.FromHours(1))
        {
            throw new ConfigurationException("MinimumCacheLifetime must be between zero and one hour");
        }

        if (options.CacheMaxEntries < 2)
        {
            throw new ConfigurationException("CacheMaxEntries must be an integer greater than 1");
        }

        string? domainIssuer = null;
        if (!string.IsNullOrEmpty(options.Domain))
        {
            if (!DomainNormalizer.TryNormalize(options.Domain, out domainIssuer, out string? error))
            {
                throw new ConfigurationException("Invalid 'domain': " + error);
            }
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > MaxTimeout)
        {
            throw new ConfigurationException("Timeout must be a positive duration of at most 10 minutes");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromDays(1))
        {
            throw new ConfigurationException("ClockSkew must be between zero and one day");
        }

        if (options.MaxTokenLength is < 64 or > MaxMaxTokenLength)
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

        if (options.UnknownKidRefreshCooldown < TimeSpan.Zero || options.MaxStaleness < TimeSpan.Zero || options.FailureBackoff < TimeSpan.Zero)
        {
            throw new ConfigurationException("UnknownKidRefreshCooldown, MaxStaleness and FailureBackoff must be non-negative durations");
        }

        if (options.DPoPAlgorithms == SigningAlgorithms.None || (options.DPoPAlgorithms & ~JwsAlgorithm.ProofCapable) != 0)
        {
            throw new ConfigurationException("DPoPAlgorithms must name one or more of ES256, ES384, ES512, RS256, PS256, EdDSA and Ed25519");
        }

        if ((options.DPoPAlgorithms & JwsAlgorithm.NeedEd25519) != 0 && options.Ed25519Provider is null)
        {
            throw new ConfigurationException("DPoPAlgorithms includes EdDSA or Ed25519, which need an Ed25519Provider: reference the Auth0.Api.Aot.Sodium package and set Ed25519Provider = SodiumEd25519.Instance");
        }

        if (options.DPoPIatLeeway < TimeSpan.Zero || options.DPoPIatOffset < TimeSpan.Zero)
        {
            throw new ConfigurationException("DPoPIatLeeway and DPoPIatOffset must be non-negative durations");
        }

        if (options.DPoPNonceKey is { Length: < 32 })
        {
            throw new ConfigurationException("DPoPNonceKey must be at least 32 bytes");
        }

        if (options.DPoPNonceLifetime < TimeSpan.FromSeconds(1))
        {
            throw new ConfigurationException("DPoPNonceLifetime must be at least one second");
        }

        if (options.DPoPReplayCapacity < 1)
        {
            throw new ConfigurationException("DPoPReplayCapacity must be at least 1");
        }

        if (options.MaxDPoPProofLength is < 64 or > MaxMaxTokenLength)
        {
            throw new ConfigurationException("MaxDPoPProofLength must be between 64 and 1048576 characters");
        }

        if (!Enum.IsDefined(options.DPoPMode))
        {
            throw new ConfigurationException("DPoPMode must be Allowed, Required or Disabled");
        }

        TimeProvider timeProvider = options.TimeProvider ?? TimeProvider.System;
        Domain = domainIssuer is null ? null : options.Domain;
        Audience = options.Audience;
        AllowedIssuers = allowedIssuers;
        DomainIssuer = domainIssuer;
        CacheTtl = options.CacheTtl;
        ClientId = options.ClientId;
        ClientSecret = options.ClientSecret;
        Timeout = options.Timeout;

        RefreshPolicy policy = new(options.CacheTtl, options.MinimumCacheLifetime, options.MaxStaleness, options.FailureBackoff, options.UnknownKidRefreshCooldown, options.CacheMaxEntries, timeProvider);
        KeySource keySource = new(options.HttpClient, options.Timeout, policy, options.Cache);
        try
        {
            SeedKeys(options, keySource, domainIssuer, allowedIssuers, options.DomainsResolver is not null, timeProvider);
        }
        catch
        {
            keySource.Dispose();
            throw;
        }

        _timeProvider = timeProvider;
        IDPoPReplayStore? replays = options.DPoPReplayProtection ? options.DPoPReplayStore ?? new MemoryReplayStore(options.DPoPReplayCapacity, timeProvider) : null;
        _nonces = options.DPoPNonceKey is { } nonceKey ? new DPoPNonces(nonceKey, options.DPoPNonceLifetime, timeProvider) : null;
        _dpop = new DPoPProofVerifier(options.DPoPAlgorithms, options.Ed25519Provider, options.DPoPIatLeeway, options.DPoPIatOffset, options.MaxDPoPProofLength, options.CacheMaxEntries, timeProvider, replays, _nonces);
        IsDPoPRequired = options.DPoPMode == DPoPMode.Required;
        _resolver = options.DomainsResolver;
        _verifier = new TokenVerifier(options.Audience, domainIssuer, allowedIssuers, options.DomainsResolver, algorithms, options.ClockSkew, options.MaxTokenLength, timeProvider, keySource);
        _requests = new RequestVerifier(_verifier, _dpop, options.DPoPMode, options.DPoPAlgorithms);
        _tokenEndpoint = new TokenEndpointClient(keySource, options.Timeout, timeProvider, domainIssuer, options.ClientId, options.ClientSecret);
    }

    internal string? Domain { get; }

    internal string Audience { get; }

    /// <summary>The normalised <see cref="ApiClientOptions.Domain"/>, e.g. <c>https://tenant.auth0.com/</c>.</summary>
    internal string? DomainIssuer { get; }

    /// <summary>The normalised allow-list (Multiple Custom Domains), or <see langword="null"/> in single-domain mode.</summary>
    internal IReadOnlyList<string>? AllowedIssuers { get; }

    internal TimeSpan CacheTtl { get; }

    internal TimeSpan Timeout { get; }

    internal string? ClientId { get; }

    internal string? ClientSecret { get; }

    internal KeySource Keys => _verifier.Keys;

    internal TokenVerifier Verifier => _verifier;

    /// <summary>
    /// Verifies an access token: signature with the issuer's published key, issuer, audience, lifetime and the
    /// <paramref name="requiredClaims"/>.
    /// </summary>
    /// <param name="accessToken">The compact JWS, without the <c>Bearer</c> prefix.</param>
    /// <param name="requiredClaims">Claim names that must be present (with any value), checked in order.</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The verified claims.</returns>
    /// <exception cref="MissingRequiredArgumentException"><paramref name="accessToken"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="VerifyAccessTokenException">The token is invalid; <see cref="VerifyAccessTokenException.Failure"/> says why.</exception>
    /// <exception cref="ArgumentException"><paramref name="requiredClaims"/> contains a null or empty name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<AccessTokenClaims> VerifyAccessTokenAsync(string accessToken, IReadOnlyList<string>? requiredClaims = null, CancellationToken cancellationToken = default)
    {
        ValueTask<AccessTokenResult> pending = TryVerifyAccessTokenAsync(accessToken, requiredClaims, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            AccessTokenResult result = pending.Result;
            return result.IsValid ? new ValueTask<AccessTokenClaims>(result.Claims) : ValueTask.FromException<AccessTokenClaims>(result.ToException()!);
        }

        return AwaitClaims(pending);

        static async ValueTask<AccessTokenClaims> AwaitClaims(ValueTask<AccessTokenResult> pending)
        {
            AccessTokenResult result = await pending.ConfigureAwait(false);
            return result.IsValid ? result.Claims : throw result.ToException()!;
        }
    }

    /// <summary>
    /// Verifies an access token and reads its claims into <typeparamref name="TClaims"/>, a type generated from
    /// <see cref="AccessTokenClaimsAttribute"/>: the typed view's non-nullable claims are the required claims.
    /// </summary>
    /// <typeparam name="TClaims">The generated claims type.</typeparam>
    /// <param name="accessToken">The compact JWS, without the <c>Bearer</c> prefix.</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The typed claims.</returns>
    /// <exception cref="MissingRequiredArgumentException"><paramref name="accessToken"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="VerifyAccessTokenException">The token is invalid, or a claim is missing or of the wrong type.</exception>
    /// <exception cref="DomainsResolverException">The domains resolver failed or returned an unusable answer.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<TClaims> VerifyAccessTokenAsync<TClaims>(string accessToken, CancellationToken cancellationToken = default)
        where TClaims : class, IAccessTokenClaims<TClaims> =>
        VerifyAccessTokenAsync<TClaims>(accessToken, null, null, cancellationToken);

    /// <summary>
    /// Like <see cref="VerifyAccessTokenAsync{TClaims}(string, CancellationToken)"/>, telling the
    /// <see cref="ApiClientOptions.DomainsResolver"/> about the request.
    /// </summary>
    /// <typeparam name="TClaims">The generated claims type.</typeparam>
    /// <param name="accessToken">The compact JWS, without the <c>Bearer</c> prefix.</param>
    /// <param name="requestUrl">The request's absolute URL, for the resolver.</param>
    /// <param name="requestHeaders">The request's headers, for the resolver (names compared case-insensitively).</param>
    /// <param name="cancellationToken">Cancels the resolver and discovery and JWKS requests.</param>
    /// <returns>The typed claims.</returns>
    /// <exception cref="MissingRequiredArgumentException"><paramref name="accessToken"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="VerifyAccessTokenException">The token is invalid, or a claim is missing or of the wrong type.</exception>
    /// <exception cref="DomainsResolverException">The domains resolver failed or returned an unusable answer.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<TClaims> VerifyAccessTokenAsync<TClaims>(string accessToken, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, CancellationToken cancellationToken = default)
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        AccessTokenClaims claims = await VerifyAccessTokenAsync(accessToken, requestUrl, requestHeaders, null, cancellationToken).ConfigureAwait(false);
        return claims.Read<TClaims>();
    }

    /// <summary>
    /// Like <see cref="VerifyRequestAsync(string?, string?, string?, string?, CancellationToken)"/>, reading the claims into
    /// <typeparamref name="TClaims"/> (see <see cref="VerifyAccessTokenAsync{TClaims}(string, CancellationToken)"/>).
    /// </summary>
    /// <typeparam name="TClaims">The generated claims type.</typeparam>
    /// <param name="authorization">The <c>Authorization</c> header value.</param>
    /// <param name="dpop">The <c>DPoP</c> header value, or <see langword="null"/>.</param>
    /// <param name="httpMethod">The request's method (required for DPoP).</param>
    /// <param name="httpUrl">The request's absolute URL (required for DPoP).</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The typed claims.</returns>
    /// <exception cref="BaseAuthException">The request is not authenticated, or a claim is missing or of the wrong type.</exception>
    public async ValueTask<TClaims> VerifyRequestAsync<TClaims>(string? authorization, string? dpop, string? httpMethod, string? httpUrl, CancellationToken cancellationToken = default)
        where TClaims : class, IAccessTokenClaims<TClaims> =>
        ReadTyped<TClaims>(await _requests.VerifyAsync(authorization, dpop, httpMethod, httpUrl, null, cancellationToken).ConfigureAwait(false));

    // A typed-claims failure after the request verified gets the challenge of the request's scheme and mode.
    private TClaims ReadTyped<TClaims>(RequestVerificationResult result)
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        if (!result.IsValid)
        {
            throw result.Error;
        }

        if (result.Claims.TryRead(out TClaims? claims, out ClaimError error))
        {
            return claims;
        }

        throw _requests.WithChallenge(new VerifyAccessTokenException(error.Failure, error.Message, error.Claim), result.Scheme);
    }

    /// <summary>
    /// Like <see cref="VerifyRequestAsync(IReadOnlyDictionary{string, string}, string?, string?, CancellationToken)"/>,
    /// reading the claims into <typeparamref name="TClaims"/>.
    /// </summary>
    /// <typeparam name="TClaims">The generated claims type.</typeparam>
    /// <param name="headers">The request headers (keys compared case-insensitively).</param>
    /// <param name="httpMethod">The request's method (required for DPoP).</param>
    /// <param name="httpUrl">The request's absolute URL (required for DPoP).</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The typed claims.</returns>
    /// <exception cref="BaseAuthException">The request is not authenticated, or a claim is missing or of the wrong type.</exception>
    public async ValueTask<TClaims> VerifyRequestAsync<TClaims>(IReadOnlyDictionary<string, string> headers, string? httpMethod = null, string? httpUrl = null, CancellationToken cancellationToken = default)
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        ArgumentNullException.ThrowIfNull(headers);
        return ReadTyped<TClaims>(await _requests.VerifyAsync(Header(headers, "authorization"), Header(headers, "dpop"), httpMethod, httpUrl, ResolverHeaders(headers), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Verifies an access token like <see cref="VerifyAccessTokenAsync(string, IReadOnlyList{string}?, CancellationToken)"/>, but reports a rejected token as a result
    /// value instead of an exception.
    /// </summary>
    /// <param name="accessToken">The compact JWS, without the <c>Bearer</c> prefix.</param>
    /// <param name="requiredClaims">Claim names that must be present, checked in order.</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The claims, or the failure kind and description.</returns>
    /// <exception cref="ArgumentException"><paramref name="requiredClaims"/> contains a null or empty name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<AccessTokenResult> TryVerifyAccessTokenAsync(string? accessToken, IReadOnlyList<string>? requiredClaims = null, CancellationToken cancellationToken = default) =>
        TryVerifyAccessTokenAsync(accessToken, null, null, requiredClaims, cancellationToken);

    /// <summary>
    /// Like <see cref="VerifyAccessTokenAsync(string, IReadOnlyList{string}?, CancellationToken)"/>, telling the
    /// <see cref="ApiClientOptions.DomainsResolver"/> about the request (the Python SDK's <c>request_url</c> and
    /// <c>request_headers</c>).
    /// </summary>
    /// <param name="accessToken">The compact JWS, without the <c>Bearer</c> prefix.</param>
    /// <param name="requestUrl">The request's absolute URL, for the resolver.</param>
    /// <param name="requestHeaders">The request's headers, for the resolver (names compared case-insensitively).</param>
    /// <param name="requiredClaims">Claim names that must be present (with any value), checked in order.</param>
    /// <param name="cancellationToken">Cancels the resolver and discovery and JWKS requests.</param>
    /// <returns>The verified claims.</returns>
    /// <exception cref="MissingRequiredArgumentException"><paramref name="accessToken"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="VerifyAccessTokenException">The token is invalid; <see cref="VerifyAccessTokenException.Failure"/> says why.</exception>
    /// <exception cref="DomainsResolverException">The domains resolver failed or returned an unusable answer.</exception>
    /// <exception cref="ArgumentException"><paramref name="requiredClaims"/> contains a null or empty name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<AccessTokenClaims> VerifyAccessTokenAsync(string accessToken, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, IReadOnlyList<string>? requiredClaims = null, CancellationToken cancellationToken = default)
    {
        AccessTokenResult result = await TryVerifyAccessTokenAsync(accessToken, requestUrl, requestHeaders, requiredClaims, cancellationToken).ConfigureAwait(false);
        return result.IsValid ? result.Claims : throw result.ToException()!;
    }

    /// <summary>
    /// Like <see cref="TryVerifyAccessTokenAsync(string?, IReadOnlyList{string}?, CancellationToken)"/>, telling the
    /// <see cref="ApiClientOptions.DomainsResolver"/> about the request.
    /// </summary>
    /// <param name="accessToken">The compact JWS, without the <c>Bearer</c> prefix.</param>
    /// <param name="requestUrl">The request's absolute URL, for the resolver.</param>
    /// <param name="requestHeaders">The request's headers, for the resolver (names compared case-insensitively).</param>
    /// <param name="requiredClaims">Claim names that must be present, checked in order.</param>
    /// <param name="cancellationToken">Cancels the resolver and discovery and JWKS requests.</param>
    /// <returns>The claims, or the failure kind and description.</returns>
    /// <exception cref="ArgumentException"><paramref name="requiredClaims"/> contains a null or empty name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<AccessTokenResult> TryVerifyAccessTokenAsync(string? accessToken, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, IReadOnlyList<string>? requiredClaims = null, CancellationToken cancellationToken = default)
    {
        if (requiredClaims is not null)
        {
            for (int i = 0; i < requiredClaims.Count; i++)
            {
                if (string.IsNullOrEmpty(requiredClaims[i]))
                {
                    throw new ArgumentException("Required claim names must be non-empty.", nameof(requiredClaims));
                }
            }
        }

        return _verifier.VerifyAsync(accessToken, requiredClaims, requestUrl, ResolverHeaders(requestHeaders), cancellationToken);
    }

    /// <summary>
    /// The headers as the resolver sees them: a copy (the context is immutable), names compared case-insensitively (of
    /// names that differ only in case, the last wins); none without a resolver.
    /// </summary>
    private IReadOnlyDictionary<string, string>? ResolverHeaders(IReadOnlyDictionary<string, string>? headers)
    {
        if (_resolver is null || headers is null)
        {
            return null;
        }

        Dictionary<string, string> copy = new(headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string> header in headers)
        {
            copy[header.Key] = header.Value;
        }

        return new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(copy);
    }

    /// <summary>
    /// The allowed, normalised domains for a normalised issuer (the Python SDK's <c>_resolve_allowed_domains</c>, for the
    /// ported tests): <see langword="null"/> in single-domain mode; the static list; or the resolver's validated answer.
    /// </summary>
    /// <exception cref="VerifyAccessTokenException">The issuer is not allowed.</exception>
    /// <exception cref="DomainsResolverException">The resolver failed or returned an unusable answer.</exception>
    internal async ValueTask<IReadOnlyList<string>?> ResolveAllowedIssuersAsync(string normalizedIssuer, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string>? allowed = AllowedIssuers;
        if (_resolver is not null)
        {
            (string[]? resolved, TokenError? error) = await DomainsResolution.ResolveAsync(_resolver, normalizedIssuer, requestUrl, ResolverHeaders(requestHeaders), cancellationToken).ConfigureAwait(false);
            if (error is TokenError failure)
            {
                throw new AccessTokenResult(failure).ToException()!;
            }

            allowed = resolved;
        }

        bool listed = allowed is null;
        for (int i = 0; !listed && i < allowed!.Count; i++)
        {
            listed = string.Equals(allowed[i], normalizedIssuer, StringComparison.Ordinal);
        }

        if (!listed)
        {
            throw new VerifyAccessTokenException(VerificationFailure.IssuerNotAllowed, DomainsResolution.NotAllowed, "iss");
        }

        return allowed;
    }

    internal DomainsResolver? Resolver => _resolver;

    internal DPoPProofVerifier DPoP => _dpop;

    /// <summary>
    /// A fresh server nonce, for the <c>DPoP-Nonce</c> header of a response (RFC 9449 section 9), or
    /// <see langword="null"/> when <see cref="ApiClientOptions.DPoPNonceKey"/> is not set.
    /// </summary>
    /// <returns>The nonce, or <see langword="null"/>.</returns>
    public string? CreateDPoPNonce() => _nonces?.Create();

    /// <summary>Whether only DPoP requests are accepted (<see cref="ApiClientOptions.DPoPMode"/> is Required).</summary>
    public bool IsDPoPRequired { get; }

    /// <summary>
    /// Authenticates a request from its <c>Authorization</c> and <c>DPoP</c> headers: the scheme (Bearer or DPoP, as
    /// <see cref="ApiClientOptions.DPoPMode"/> allows), the access token, and for DPoP the proof and its binding to the
    /// token (<c>cnf.jkt</c>). A Bearer request with a DPoP-bound token or with a DPoP header is refused.
    /// </summary>
    /// <param name="authorization">The <c>Authorization</c> header value, e.g. <c>Bearer eyJ...</c>.</param>
    /// <param name="dpop">The <c>DPoP</c> header value, or <see langword="null"/>. Several header lines must be joined with ", ".</param>
    /// <param name="httpMethod">The request's method (required for DPoP).</param>
    /// <param name="httpUrl">The request's absolute URL (required for DPoP).</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The verified access-token claims, or the error with its status and <c>WWW-Authenticate</c> challenge.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<RequestVerificationResult> TryVerifyRequestAsync(string? authorization, string? dpop, string? httpMethod, string? httpUrl, CancellationToken cancellationToken = default) =>
        _requests.VerifyAsync(authorization, dpop, httpMethod, httpUrl, null, cancellationToken);

    /// <summary>
    /// Like <see cref="TryVerifyRequestAsync(string?, string?, string?, string?, CancellationToken)"/>, with the headers in
    /// a dictionary (keys compared case-insensitively), which the <see cref="ApiClientOptions.DomainsResolver"/> also sees.
    /// </summary>
    /// <param name="headers">The request headers.</param>
    /// <param name="httpMethod">The request's method (required for DPoP).</param>
    /// <param name="httpUrl">The request's absolute URL (required for DPoP).</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The verified access-token claims, or the error with its status and <c>WWW-Authenticate</c> challenge.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="headers"/> is <see langword="null"/>.</exception>
    public ValueTask<RequestVerificationResult> TryVerifyRequestAsync(IReadOnlyDictionary<string, string> headers, string? httpMethod, string? httpUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return _requests.VerifyAsync(Header(headers, "authorization"), Header(headers, "dpop"), httpMethod, httpUrl, ResolverHeaders(headers), cancellationToken);
    }

    /// <summary>Like <see cref="TryVerifyRequestAsync(string?, string?, string?, string?, CancellationToken)"/>, throwing the error.</summary>
    /// <param name="authorization">The <c>Authorization</c> header value.</param>
    /// <param name="dpop">The <c>DPoP</c> header value, or <see langword="null"/>.</param>
    /// <param name="httpMethod">The request's method (required for DPoP).</param>
    /// <param name="httpUrl">The request's absolute URL (required for DPoP).</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The verified access-token claims.</returns>
    /// <exception cref="BaseAuthException">The request is not authenticated; the exception carries the status and challenge.</exception>
    public async ValueTask<AccessTokenClaims> VerifyRequestAsync(string? authorization, string? dpop, string? httpMethod, string? httpUrl, CancellationToken cancellationToken = default)
    {
        RequestVerificationResult result = await _requests.VerifyAsync(authorization, dpop, httpMethod, httpUrl, null, cancellationToken).ConfigureAwait(false);
        return result.IsValid ? result.Claims : throw result.Error;
    }

    /// <summary>Like <see cref="VerifyRequestAsync(string?, string?, string?, string?, CancellationToken)"/>, with the headers in a dictionary.</summary>
    /// <param name="headers">The request headers (keys compared case-insensitively).</param>
    /// <param name="httpMethod">The request's method (required for DPoP).</param>
    /// <param name="httpUrl">The request's absolute URL (required for DPoP).</param>
    /// <param name="cancellationToken">Cancels discovery and JWKS requests.</param>
    /// <returns>The verified access-token claims.</returns>
    /// <exception cref="BaseAuthException">The request is not authenticated.</exception>
    public ValueTask<AccessTokenClaims> VerifyRequestAsync(IReadOnlyDictionary<string, string> headers, string? httpMethod = null, string? httpUrl = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return AwaitRequest(_requests.VerifyAsync(Header(headers, "authorization"), Header(headers, "dpop"), httpMethod, httpUrl, ResolverHeaders(headers), cancellationToken));

        static async ValueTask<AccessTokenClaims> AwaitRequest(ValueTask<RequestVerificationResult> pending)
        {
            RequestVerificationResult result = await pending.ConfigureAwait(false);
            return result.IsValid ? result.Claims : throw result.Error;
        }
    }

    private static string? Header(IReadOnlyDictionary<string, string> headers, string name)
    {
        string? found = null;
        foreach (KeyValuePair<string, string> header in headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                found = header.Value;
            }
        }

        return found;
    }

    /// <summary>
    /// Verifies a DPoP proof (RFC 9449 section 4.3) for a request: its shape, <c>typ</c>, algorithm, embedded public key
    /// and signature, then <c>iat</c> within <see cref="ApiClientOptions.DPoPIatOffset"/> and
    /// <see cref="ApiClientOptions.DPoPIatLeeway"/>, <c>htm</c>, <c>htu</c> (WHATWG origin and path) and <c>ath</c>
    /// (the hash of <paramref name="accessToken"/>, compared in fixed time).
    /// </summary>
    /// <param name="accessToken">The access token the proof must be bound to through <c>ath</c>.</param>
    /// <param name="proof">The value of the request's <c>DPoP</c> header.</param>
    /// <param name="httpMethod">The request's method.</param>
    /// <param name="httpUrl">The request's absolute URL.</param>
    /// <param name="cancellationToken">Cancels the replay store's operation.</param>
    /// <returns>The proof's claims and its key's thumbprint (compare with the token's <c>cnf.jkt</c>).</returns>
    /// <exception cref="MissingRequiredArgumentException">An argument is missing.</exception>
    /// <exception cref="InvalidDPoPProofException">The proof is invalid or was already used; the message says why.</exception>
    public ValueTask<DPoPProofClaims> VerifyDPoPProofAsync(string accessToken, string proof, string httpMethod, string httpUrl, CancellationToken cancellationToken = default)
    {
        return _dpop.VerifyAsync(accessToken, proof, httpMethod, httpUrl, bound: true, cancellationToken);
    }

    /// <summary>
    /// Verifies a DPoP proof sent without an access token, as to a token endpoint (RFC 9449 section 5): every check of
    /// <see cref="VerifyDPoPProofAsync"/> except <c>ath</c>, which is neither required nor compared. A resource server,
    /// which always has the token, uses <see cref="VerifyDPoPProofAsync"/> or <see cref="VerifyRequestAsync(string?, string?, string?, string?, CancellationToken)"/>.
    /// </summary>
    /// <param name="proof">The value of the request's <c>DPoP</c> header.</param>
    /// <param name="httpMethod">The request's method.</param>
    /// <param name="httpUrl">The request's absolute URL.</param>
    /// <param name="cancellationToken">Cancels the replay store's operation.</param>
    /// <returns>The proof's claims and its key's thumbprint (the <c>jkt</c> to bind an issued token to).</returns>
    /// <exception cref="MissingRequiredArgumentException">An argument is missing.</exception>
    /// <exception cref="InvalidDPoPProofException">The proof is invalid or was already used; the message says why.</exception>
    public ValueTask<DPoPProofClaims> VerifyDPoPProofWithoutAccessTokenAsync(string proof, string httpMethod, string httpUrl, CancellationToken cancellationToken = default)
    {
        return _dpop.VerifyAsync(null, proof, httpMethod, httpUrl, bound: false, cancellationToken);
    }

    /// <summary>
    /// Token Vault: exchanges the caller's access token for the access token of an upstream connection that Auth0 holds
    /// for the same user. Needs <see cref="ApiClientOptions.ClientId"/> and <see cref="ApiClientOptions.ClientSecret"/>
    /// (sent with HTTP Basic authentication only); the token endpoint comes from <see cref="ApiClientOptions.Domain"/>'s
    /// discovery document.
    /// </summary>
    /// <param name="request">The connection and the caller's access token.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The connection's access token, its lifetime and scopes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="MissingRequiredArgumentException">The connection or the access token is missing.</exception>
    /// <exception cref="GetAccessTokenForConnectionException">No client credentials are configured, or the discovery document has no usable token endpoint.</exception>
    /// <exception cref="ApiException">Discovery failed (<c>discovery_error</c>), the endpoint refused (its <c>error</c> and status), timed out (504 <c>timeout_error</c>), could not be reached (502 <c>network_error</c>), or answered unusably (502 <c>invalid_json</c>, <c>invalid_response</c>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<ConnectionTokenResult> GetAccessTokenForConnectionAsync(ConnectionTokenRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        string connection = request.Connection;
        string accessToken = request.AccessToken;
        string? loginHint = request.LoginHint;
        if (string.IsNullOrEmpty(connection))
        {
            throw new MissingRequiredArgumentException("connection");
        }

        if (string.IsNullOrEmpty(accessToken))
        {
            throw new MissingRequiredArgumentException("access_token");
        }

        if (!_tokenEndpoint.HasCredentials)
        {
            throw new GetAccessTokenForConnectionException("You must configure the SDK with a client_id and client_secret to use get_access_token_for_connection.");
        }

        List<KeyValuePair<string, string>> form =
        [
            new("connection", connection),
            new("requested_token_type", "http://auth0.com/oauth/token-type/federated-connection-access-token"),
            new("grant_type", "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"),
            new("subject_token", accessToken),
            new("subject_token_type", TokenEndpointClient.AccessTokenType),
        ];
        if (!string.IsNullOrEmpty(loginHint))
        {
            form.Add(new("login_hint", loginHint));
        }

        TokenEndpointResponse answer = await _tokenEndpoint.PostAsync(
            form,
            static message => new GetAccessTokenForConnectionException(message),
            "connection_token_error",
            static status => "Failed to get token for connection: " + status.ToString(CultureInfo.InvariantCulture),
            cancellationToken).ConfigureAwait(false);
        return new ConnectionTokenResult(answer.AccessToken, answer.ExpiresIn, answer.ExpiresAt, answer.Scope ?? string.Empty);
    }

    /// <summary>
    /// Custom Token Exchange (RFC 8693): exchanges a subject token that a Custom Token Exchange profile of the tenant
    /// accepts for Auth0 tokens. Needs client credentials (HTTP Basic); the subject token is checked before any request
    /// (not blank, no surrounding whitespace, no <c>Bearer </c> prefix), and so are the <see cref="TokenExchangeRequest.Extra"/> parameters.
    /// </summary>
    /// <param name="request">The subject token, its type and the optional audience, scope, requested type and extras.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The tokens issued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="MissingRequiredArgumentException">The subject token or its type is missing.</exception>
    /// <exception cref="GetTokenByExchangeProfileException">The subject token or an extra parameter is refused, no client credentials are configured, or the discovery document has no usable token endpoint.</exception>
    /// <exception cref="ApiException">Discovery failed, the endpoint refused, timed out (504), could not be reached (502), or answered unusably (502).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<TokenExchangeResult> GetTokenByExchangeProfileAsync(TokenExchangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        TokenEndpointResponse answer = await ExchangeAsync(request.SubjectToken, request.SubjectTokenType, request.Audience, request.Scope, request.RequestedTokenType, request.Extra, cancellationToken).ConfigureAwait(false);
        return new TokenExchangeResult(answer.AccessToken, answer.ExpiresIn, answer.ExpiresAt, answer.Scope, answer.IdToken, answer.RefreshToken, answer.TokenType, answer.IssuedTokenType);
    }

    /// <summary>
    /// On-Behalf-Of: exchanges the caller's access token for an access token to another API (<paramref name="audience"/>),
    /// through Custom Token Exchange with access-token subject and requested types. ID and refresh tokens are never exposed.
    /// </summary>
    /// <param name="accessToken">The caller's access token, without the scheme.</param>
    /// <param name="audience">The downstream API's identifier.</param>
    /// <param name="scope">Space-separated scopes to request; optional.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The downstream access token.</returns>
    /// <exception cref="MissingRequiredArgumentException"><paramref name="audience"/> (checked first) or <paramref name="accessToken"/> is missing.</exception>
    /// <exception cref="GetTokenByExchangeProfileException">The access token is refused (whitespace, a <c>Bearer </c> prefix), no client credentials are configured, or there is no usable token endpoint.</exception>
    /// <exception cref="ApiException">Discovery failed, the endpoint refused, timed out (504), could not be reached (502), or answered unusably (502).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<OnBehalfOfTokenResult> GetTokenOnBehalfOfAsync(string accessToken, string audience, string? scope = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(audience))
        {
            throw new MissingRequiredArgumentException("audience");
        }

        TokenEndpointResponse answer = await ExchangeAsync(accessToken, TokenEndpointClient.AccessTokenType, audience, scope, TokenEndpointClient.AccessTokenType, null, cancellationToken).ConfigureAwait(false);
        return new OnBehalfOfTokenResult(answer.AccessToken, answer.ExpiresIn, answer.ExpiresAt, answer.Scope, answer.TokenType, answer.IssuedTokenType);
    }

    private async Task<TokenEndpointResponse> ExchangeAsync(string? subjectToken, string? subjectTokenType, string? audience, string? scope, string? requestedTokenType, TokenExchangeParameters? extra, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(subjectToken))
        {
            throw new MissingRequiredArgumentException("subject_token");
        }

        if (string.IsNullOrEmpty(subjectTokenType))
        {
            throw new MissingRequiredArgumentException("subject_token_type");
        }

        if (PythonWhitespace.IsBlank(subjectToken))
        {
            throw new GetTokenByExchangeProfileException("subject_token cannot be blank or whitespace");
        }

        if (PythonWhitespace.HasSurroundingSpace(subjectToken))
        {
            throw new GetTokenByExchangeProfileException("subject_token must not include leading or trailing whitespace");
        }

        if (subjectToken.StartsWith("bearer ", StringComparison.OrdinalIgnoreCase))
        {
            throw new GetTokenByExchangeProfileException("subject_token must not include the 'Bearer ' prefix (case-insensitive check)");
        }

        if (!_tokenEndpoint.HasCredentials)
        {
            throw new GetTokenByExchangeProfileException("Client credentials are required to use get_token_by_exchange_profile. Configure client_id and client_secret in ApiClientOptions to use this feature");
        }

        // Unlike the Python SDK (after discovery), extras are checked before any request: a refused parameter costs none.
        if (extra?.Validate() is string refused)
        {
            throw new GetTokenByExchangeProfileException(refused);
        }

        List<KeyValuePair<string, string>> form =
        [
            new("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            new("subject_token", subjectToken),
            new("subject_token_type", subjectTokenType),
        ];
        AddIfPresent(form, "audience", audience);
        AddIfPresent(form, "scope", scope);
        AddIfPresent(form, "requested_token_type", requestedTokenType);
        if (extra is not null)
        {
            form.AddRange(extra.ToFormFields());
        }

        string failure = "Failed to exchange token of type '" + subjectTokenType + "'" + (string.IsNullOrEmpty(audience) ? string.Empty : " for audience '" + audience + "'");
        return await _tokenEndpoint.PostAsync(form, static message => new GetTokenByExchangeProfileException(message), "token_exchange_error", _ => failure, cancellationToken).ConfigureAwait(false);
    }

    private static void AddIfPresent(List<KeyValuePair<string, string>> form, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            form.Add(new(name, value));
        }
    }

    /// <summary>
    /// Exports the cached discovery documents and JWKS as a string, for <see cref="ApiClientOptions.KeySnapshot"/> of a
    /// later instance (a Lambda's next cold start, say). It holds public documents only: no token, no secret.
    /// </summary>
    /// <returns>The snapshot (JSON).</returns>
    public string ExportKeySnapshot() => KeySnapshot.Export(_verifier.Keys, _timeProvider);

    private static void SeedKeys(ApiClientOptions options, KeySource keys, string? domainIssuer, string[]? allowedIssuers, bool resolved, TimeProvider time)
    {
        if (options.KeySnapshot is { } snapshot)
        {
            KeySnapshot.Import(snapshot, keys, time);
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
                bool configured = resolved || (allowedIssuers is null ? issuer == domainIssuer : Array.IndexOf(allowedIssuers, issuer) >= 0);
                if (!configured)
                {
                    throw new ConfigurationException("StaticJwks has an entry for '" + issuer + "', which is not a configured domain");
                }

                KeySnapshot.PinStaticJwks(issuer, entry.Value ?? string.Empty, keys);
            }
        }
    }

    /// <summary>Releases the HTTP client the library created (a client given in the options is left alone).</summary>
    public void Dispose() => _verifier.Dispose();
}
