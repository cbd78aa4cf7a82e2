using System;
using System.Collections.Generic;

namespace Auth0.Api.Aot.AspNetCore;

/// <summary>
/// The configuration-section shape of an Auth0 API scheme (<c>"Auth0Api": { "Domain": ..., "Audience": ... }</c>),
/// bound by the configuration-binding source generator, so that binding needs no reflection under trimming and
/// NativeAOT. Every member is optional; a member that is present overrides the default. Delegates, stores and
/// providers cannot come from configuration: set them in the <c>configure</c> callback.
/// </summary>
public sealed class Auth0ApiConfiguration
{
    /// <summary><see cref="ApiClientOptions.Domain"/>.</summary>
    public string? Domain { get; set; }

    /// <summary><see cref="ApiClientOptions.Domains"/>.</summary>
    public string[]? Domains { get; set; }

    /// <summary><see cref="ApiClientOptions.Audience"/>.</summary>
    public string? Audience { get; set; }

    /// <summary><see cref="ApiClientOptions.DPoPMode"/>: <c>Allowed</c>, <c>Required</c> or <c>Disabled</c>.</summary>
    public DPoPMode? DPoPMode { get; set; }

    /// <summary><see cref="ApiClientOptions.DPoPNonceKey"/>, base64 (at least 32 bytes); keep it in a secret store.</summary>
    public string? DPoPNonceKey { get; set; }

    /// <summary><see cref="ApiClientOptions.CacheSigningKey"/>, base64 (at least 32 bytes); keep it in a secret store.</summary>
    public string? CacheSigningKey { get; set; }

    /// <summary><see cref="ApiClientOptions.DPoPNonceLifetime"/>.</summary>
    public TimeSpan? DPoPNonceLifetime { get; set; }

    /// <summary><see cref="ApiClientOptions.DPoPIatLeeway"/>.</summary>
    public TimeSpan? DPoPIatLeeway { get; set; }

    /// <summary><see cref="ApiClientOptions.DPoPIatOffset"/>.</summary>
    public TimeSpan? DPoPIatOffset { get; set; }

    /// <summary><see cref="ApiClientOptions.DPoPReplayProtection"/>.</summary>
    public bool? DPoPReplayProtection { get; set; }

    /// <summary><see cref="ApiClientOptions.AcceptCertificateBoundTokens"/>.</summary>
    public bool? AcceptCertificateBoundTokens { get; set; }

    /// <summary><see cref="ApiClientOptions.ClockSkew"/>.</summary>
    public TimeSpan? ClockSkew { get; set; }

    /// <summary><see cref="ApiClientOptions.Timeout"/>.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary><see cref="ApiClientOptions.CacheTtl"/>.</summary>
    public TimeSpan? CacheTtl { get; set; }

    /// <summary><see cref="ApiClientOptions.MinimumCacheLifetime"/>.</summary>
    public TimeSpan? MinimumCacheLifetime { get; set; }

    /// <summary><see cref="ApiClientOptions.MaxStaleness"/>.</summary>
    public TimeSpan? MaxStaleness { get; set; }

    /// <summary><see cref="ApiClientOptions.KeySnapshot"/>: a snapshot exported by <see cref="ApiClient.ExportKeySnapshot"/>.</summary>
    public string? KeySnapshot { get; set; }

    /// <summary><see cref="ApiClientOptions.ClientId"/> (token exchange).</summary>
    public string? ClientId { get; set; }

    /// <summary><see cref="ApiClientOptions.ClientSecret"/> (token exchange); keep it in a secret store.</summary>
    public string? ClientSecret { get; set; }

    /// <summary><see cref="Auth0ApiOptions.PublicOrigin"/>, e.g. <c>https://api.example.com</c>.</summary>
    public string? PublicOrigin { get; set; }

    /// <summary><see cref="Auth0ApiOptions.AdvertiseResourceMetadata"/>.</summary>
    public bool? AdvertiseResourceMetadata { get; set; }

    /// <summary><see cref="Auth0ApiOptions.WarmUpKeys"/>.</summary>
    public bool? WarmUpKeys { get; set; }

    /// <summary><see cref="Auth0ApiOptions.Resource"/>.</summary>
    public string? Resource { get; set; }

    /// <summary><see cref="Auth0ApiOptions.ScopesSupported"/>.</summary>
    public string[]? ScopesSupported { get; set; }

    /// <summary>Copies the members that are set onto <paramref name="options"/>.</summary>
    /// <exception cref="InvalidOperationException">A value cannot be used (the message names it).</exception>
    internal void ApplyTo(Auth0ApiOptions options)
    {
        ApiClientOptions client = options.Client;
        client.Domain = Domain ?? client.Domain;
        client.Domains = Domains ?? client.Domains;
        client.Audience = Audience ?? client.Audience;
        client.DPoPMode = DPoPMode ?? client.DPoPMode;
        if (DPoPNonceKey is { } nonceKey)
        {
            client.DPoPNonceKey = Base64(nonceKey, nameof(DPoPNonceKey));
        }

        if (CacheSigningKey is { } cacheKey)
        {
            client.CacheSigningKey = Base64(cacheKey, nameof(CacheSigningKey));
        }

        client.DPoPNonceLifetime = DPoPNonceLifetime ?? client.DPoPNonceLifetime;
        client.DPoPIatLeeway = DPoPIatLeeway ?? client.DPoPIatLeeway;
        client.DPoPIatOffset = DPoPIatOffset ?? client.DPoPIatOffset;
        client.DPoPReplayProtection = DPoPReplayProtection ?? client.DPoPReplayProtection;
        client.AcceptCertificateBoundTokens = AcceptCertificateBoundTokens ?? client.AcceptCertificateBoundTokens;
        client.ClockSkew = ClockSkew ?? client.ClockSkew;
        client.Timeout = Timeout ?? client.Timeout;
        client.CacheTtl = CacheTtl ?? client.CacheTtl;
        client.MinimumCacheLifetime = MinimumCacheLifetime ?? client.MinimumCacheLifetime;
        client.MaxStaleness = MaxStaleness ?? client.MaxStaleness;
        client.KeySnapshot = KeySnapshot ?? client.KeySnapshot;
        client.ClientId = ClientId ?? client.ClientId;
        client.ClientSecret = ClientSecret ?? client.ClientSecret;
        if (PublicOrigin is { } origin)
        {
            options.PublicOrigin = Uri.TryCreate(origin, UriKind.Absolute, out Uri? uri)
                ? uri
                : throw new InvalidOperationException("Auth0Api:PublicOrigin must be an absolute URL");
        }

        options.AdvertiseResourceMetadata = AdvertiseResourceMetadata ?? options.AdvertiseResourceMetadata;
        options.Resource = Resource ?? options.Resource;
        options.WarmUpKeys = WarmUpKeys ?? options.WarmUpKeys;
        if (ScopesSupported is { } scopes)
        {
            options.ScopesSupported.Clear();
            foreach (string scope in scopes)
            {
                options.ScopesSupported.Add(scope);
            }
        }
    }

    private static byte[] Base64(string value, string name)
    {
        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException("Auth0Api:" + name + " must be base64");
        }
    }
}
