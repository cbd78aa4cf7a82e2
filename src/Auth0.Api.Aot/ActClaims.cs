// Delegation helpers for the actor claim (RFC 8693 section 4.1), ported from auth0-api-python act.py:
//   GetCurrentActor     -> the outermost act.sub: the party acting now, the only one to authorize against
//   GetDelegationChain  -> every act.sub from the outermost (newest) to the innermost (oldest), for audit
// A missing or null act means no delegation (null, or an empty chain); a nested "act": null ends the chain.
// Every malformed shape -> VerifyAccessTokenException: 401 invalid_token, ClaimInvalid, "Invalid act claim", claim "act",
// with a Bearer challenge (auth0-api-python attaches no headers; this library always does for invalid_token).
// "Blank" is Python's str.strip() notion of whitespace: char.IsWhiteSpace plus U+001C..U+001F.

using System;
using System.Collections.Generic;
using System.Text.Json;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot;

/// <summary>
/// Reads the RFC 8693 <c>act</c> (actor) claim of a token obtained by delegation: who is acting now, and through whom.
/// </summary>
/// <remarks>
/// <para>Only the current actor (the outermost <c>act.sub</c>) should be used for authorization decisions; nested
/// actors are prior parties, useful for audit and attribution.</para>
/// <para>Thread safety: stateless. Purity: pure; each call reads the claims afresh.</para>
/// </remarks>
public static class ActClaims
{
    private const string InvalidActMessage = "Invalid act claim";
    private const string ActClaimName = "act";

    /// <summary>Returns the current actor: the outermost <c>act.sub</c> of verified claims.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <returns>The current actor's subject, exactly as sent; <see langword="null"/> when <c>act</c> is absent or JSON null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="claims"/> is <see langword="null"/>.</exception>
    /// <exception cref="VerifyAccessTokenException"><c>act</c> is not an object, or its <c>sub</c> is not a non-blank string
    /// (401 <c>invalid_token</c>, <see cref="VerificationFailure.ClaimInvalid"/>, <c>Invalid act claim</c>, with its challenge).</exception>
    public static string? GetCurrentActor(this AccessTokenClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        return claims.Actor is JsonElement act ? CurrentActorCore(act) : null;
    }

    /// <summary>Returns the current actor, the outermost <c>act.sub</c>, of a claims object.</summary>
    /// <param name="claims">The whole claims object (a token payload), not the <c>act</c> value.</param>
    /// <returns>The current actor's subject, exactly as sent; <see langword="null"/> when <c>act</c> is absent or JSON null.</returns>
    /// <exception cref="VerifyAccessTokenException"><paramref name="claims"/> is not a JSON object, <c>act</c> is not an
    /// object, or its <c>sub</c> is not a non-blank string (401 <c>invalid_token</c>, <see cref="VerificationFailure.ClaimInvalid"/>,
    /// <c>Invalid act claim</c>, with its challenge).</exception>
    public static string? GetCurrentActor(JsonElement claims)
    {
        if (claims.ValueKind != JsonValueKind.Object)
        {
            throw InvalidAct();
        }

        return claims.TryGetProperty("act"u8, out JsonElement act) ? CurrentActorCore(act) : null;
    }

    /// <summary>Returns the delegation chain of verified claims: every actor's <c>sub</c>, newest first.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <returns>The outermost <c>act.sub</c>, then each nested one; empty when <c>act</c> is absent or JSON null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="claims"/> is <see langword="null"/>.</exception>
    /// <exception cref="VerifyAccessTokenException">A level of the chain is not an object, or its <c>sub</c> is not a
    /// non-blank string (401 <c>invalid_token</c>, <see cref="VerificationFailure.ClaimInvalid"/>, <c>Invalid act claim</c>,
    /// with its challenge).</exception>
    public static IReadOnlyList<string> GetDelegationChain(this AccessTokenClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        return claims.Actor is JsonElement act ? DelegationChainCore(act) : [];
    }

    /// <summary>Returns the delegation chain of a claims object: every actor's <c>sub</c>, newest first.</summary>
    /// <param name="claims">The whole claims object (a token payload), not the <c>act</c> value.</param>
    /// <returns>The outermost <c>act.sub</c>, then each nested one; empty when <c>act</c> is absent or JSON null.</returns>
    /// <example><c>{"act":{"sub":"A","act":{"sub":"B","act":{"sub":"C"}}}}</c> gives <c>["A", "B", "C"]</c>.</example>
    /// <exception cref="VerifyAccessTokenException"><paramref name="claims"/> is not a JSON object, or a level of the chain
    /// is not an object or its <c>sub</c> is not a non-blank string (401 <c>invalid_token</c>,
    /// <see cref="VerificationFailure.ClaimInvalid"/>, <c>Invalid act claim</c>, with its challenge).</exception>
    public static IReadOnlyList<string> GetDelegationChain(JsonElement claims)
    {
        if (claims.ValueKind != JsonValueKind.Object)
        {
            throw InvalidAct();
        }

        return claims.TryGetProperty("act"u8, out JsonElement act) ? DelegationChainCore(act) : [];
    }

    private static string? CurrentActorCore(JsonElement act) =>
        act.ValueKind == JsonValueKind.Null ? null : ActorSubject(act);

    private static IReadOnlyList<string> DelegationChainCore(JsonElement act)
    {
        if (act.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        // Bounded by the JSON reader's maximum depth (64), so the walk cannot run away.
        List<string> chain = [];
        JsonElement current = act;
        while (true)
        {
            chain.Add(ActorSubject(current));
            if (!current.TryGetProperty("act"u8, out current) || current.ValueKind == JsonValueKind.Null)
            {
                return chain.AsReadOnly();
            }
        }
    }

    // One level of the chain: an object whose "sub" is a string that decodes and is not blank.
    private static string ActorSubject(JsonElement level)
    {
        // Escapes that do not decode to valid UTF-16 (a lone surrogate) are not a usable subject.
        if (level.ValueKind != JsonValueKind.Object
            || !level.TryGetProperty("sub"u8, out JsonElement sub)
            || !JsonStrings.TryGetString(sub, out string? value)
            || IsBlank(value))
        {
            throw InvalidAct();
        }

        return value;
    }

    // Python's `not s.strip()`.
    private static bool IsBlank(string value) => PythonWhitespace.IsBlank(value);

    private static VerifyAccessTokenException InvalidAct() =>
        VerifyAccessTokenException.WithBearerChallenge(VerificationFailure.ClaimInvalid, InvalidActMessage, ActClaimName);
}
