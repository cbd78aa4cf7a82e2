using System;
using System.Diagnostics.CodeAnalysis;

namespace Auth0.Api.Aot;

/// <summary>
/// A typed view of an access token's payload, implemented by the source generator for an
/// <see cref="AccessTokenClaimsAttribute"/> type. The static member lets <see cref="ApiClient"/> read typed claims
/// without reflection: <c>client.VerifyAccessTokenAsync&lt;OrderClaims&gt;(token)</c>.
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface IAccessTokenClaims<TSelf>
    where TSelf : class, IAccessTokenClaims<TSelf>
{
    /// <summary>Reads the claims from a verified payload (a UTF-8 JSON object) in one pass.</summary>
    /// <param name="payload">The payload.</param>
    /// <param name="claims">The claims, when every required claim is present with the right type.</param>
    /// <param name="error">Otherwise the first problem: a missing required claim, a claim of the wrong type, a repeated claim.</param>
    /// <returns>Whether the claims were read.</returns>
    public static abstract bool TryReadClaims(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out TSelf? claims, out ClaimError error);
}
