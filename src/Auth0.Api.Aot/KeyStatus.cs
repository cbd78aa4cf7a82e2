using System;

namespace Auth0.Api.Aot;

/// <summary>The state of one issuer's keys in an <see cref="ApiClient"/>'s cache (for health checks and warm-up).</summary>
public enum KeyState
{
    /// <summary>Nothing fetched yet: the first token of this issuer will fetch its discovery document and keys.</summary>
    Missing = 0,

    /// <summary>The keys are within their lifetime, or given up front (<see cref="ApiClientOptions.StaticJwks"/>).</summary>
    Fresh,

    /// <summary>Past their lifetime, served while refreshes fail (up to <see cref="ApiClientOptions.MaxStaleness"/>).</summary>
    Stale,

    /// <summary>No usable keys, and the last fetch failed: tokens of this issuer are answered 503.</summary>
    Failing,
}

/// <summary>One configured issuer's keys: their state, age and the last fetch error.</summary>
/// <param name="Issuer">The normalised issuer, <c>https://tenant.auth0.com/</c>.</param>
/// <param name="State">The state of its keys.</param>
/// <param name="Age">How long ago the keys in use were fetched; <see langword="null"/> when there are none or they were given up front.</param>
/// <param name="Error">The last fetch error of its discovery document or JWKS, if the last fetch failed; never contains a secret.</param>
public sealed record KeyStatus(string Issuer, KeyState State, TimeSpan? Age, string? Error);
