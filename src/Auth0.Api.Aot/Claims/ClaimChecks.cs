// Authorization checks on verified claims, as express-oauth2-jwt-bearer has them (requiredScopes, scopeIncludesAny,
// claimEquals, claimIncludes), for untyped claims (extension methods on AccessTokenClaims) and typed ones (the static
// methods over a granted list):
//   scopes or permissions missing  -> InsufficientScopeException: 403 insufficient_scope, scope="..." for scopes
//   a claim with an unexpected value -> VerifyAccessTokenException: 401 invalid_token, "Unexpected '{claim}' value"
// Comparisons are ordinal (case-sensitive): scope and permission strings are identifiers, not text.

using System;
using System.Collections.Generic;
using System.Text.Json;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot;

/// <summary>Scope, permission and claim-value checks on verified access-token claims.</summary>
/// <remarks>Thread safety: stateless.</remarks>
public static class ClaimChecks
{
    /// <summary>Whether the token's <c>scope</c> grants every one of <paramref name="scopes"/>.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="scopes">The scopes required; at least one.</param>
    /// <returns>Whether all are granted.</returns>
    /// <exception cref="ArgumentException"><paramref name="scopes"/> is empty or has a null or empty entry.</exception>
    public static bool HasAllScopes(this AccessTokenClaims claims, params string[] scopes) => ContainsAll(Checked(claims).Scopes, scopes);

    /// <summary>Whether the token's <c>scope</c> grants at least one of <paramref name="scopes"/>.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="scopes">The acceptable scopes; at least one.</param>
    /// <returns>Whether one is granted.</returns>
    /// <exception cref="ArgumentException"><paramref name="scopes"/> is empty or has a null or empty entry.</exception>
    public static bool HasAnyScope(this AccessTokenClaims claims, params string[] scopes) => ContainsAny(Checked(claims).Scopes, scopes);

    /// <summary>Whether the token's <c>permissions</c> include every one of <paramref name="permissions"/>.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="permissions">The permissions required; at least one.</param>
    /// <returns>Whether all are granted.</returns>
    /// <exception cref="ArgumentException"><paramref name="permissions"/> is empty or has a null or empty entry.</exception>
    public static bool HasAllPermissions(this AccessTokenClaims claims, params string[] permissions) => ContainsAll(Checked(claims).Permissions, permissions);

    /// <summary>Whether the token's <c>permissions</c> include at least one of <paramref name="permissions"/>.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="permissions">The acceptable permissions; at least one.</param>
    /// <returns>Whether one is granted.</returns>
    /// <exception cref="ArgumentException"><paramref name="permissions"/> is empty or has a null or empty entry.</exception>
    public static bool HasAnyPermission(this AccessTokenClaims claims, params string[] permissions) => ContainsAny(Checked(claims).Permissions, permissions);

    /// <summary>Requires every one of <paramref name="scopes"/> in the token's <c>scope</c>.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="scopes">The scopes required; at least one.</param>
    /// <exception cref="InsufficientScopeException">A scope is not granted (403, the challenge lists <paramref name="scopes"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="scopes"/> is empty or has a null or empty entry.</exception>
    public static void RequireAllScopes(this AccessTokenClaims claims, params string[] scopes) => RequireAllScopes(Checked(claims).Scopes, scopes);

    /// <summary>Requires at least one of <paramref name="scopes"/> in the token's <c>scope</c>.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="scopes">The acceptable scopes; at least one.</param>
    /// <exception cref="InsufficientScopeException">No scope is granted (403, the challenge lists <paramref name="scopes"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="scopes"/> is empty or has a null or empty entry.</exception>
    public static void RequireAnyScope(this AccessTokenClaims claims, params string[] scopes) => RequireAnyScope(Checked(claims).Scopes, scopes);

    /// <summary>Requires every one of <paramref name="permissions"/> in the token's <c>permissions</c>.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="permissions">The permissions required; at least one.</param>
    /// <exception cref="InsufficientScopeException">A permission is not granted (403).</exception>
    /// <exception cref="ArgumentException"><paramref name="permissions"/> is empty or has a null or empty entry.</exception>
    public static void RequireAllPermissions(this AccessTokenClaims claims, params string[] permissions) => RequireAllPermissions(Checked(claims).Permissions, permissions);

    /// <summary>Requires at least one of <paramref name="permissions"/> in the token's <c>permissions</c>.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="permissions">The acceptable permissions; at least one.</param>
    /// <exception cref="InsufficientScopeException">No permission is granted (403).</exception>
    /// <exception cref="ArgumentException"><paramref name="permissions"/> is empty or has a null or empty entry.</exception>
    public static void RequireAnyPermission(this AccessTokenClaims claims, params string[] permissions) => RequireAnyPermission(Checked(claims).Permissions, permissions);

    /// <summary>Requires every one of <paramref name="scopes"/> among <paramref name="grantedScopes"/> (a typed claims property, say).</summary>
    /// <param name="grantedScopes">The scopes the token grants; <see langword="null"/> grants none.</param>
    /// <param name="scopes">The scopes required; at least one.</param>
    /// <exception cref="InsufficientScopeException">A scope is not granted (403, the challenge lists <paramref name="scopes"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="scopes"/> is empty or has a null or empty entry.</exception>
    public static void RequireAllScopes(IReadOnlyList<string>? grantedScopes, params string[] scopes)
    {
        if (!ContainsAll(grantedScopes, scopes))
        {
            throw new InsufficientScopeException(scopes);
        }
    }

    /// <summary>Requires at least one of <paramref name="scopes"/> among <paramref name="grantedScopes"/>.</summary>
    /// <param name="grantedScopes">The scopes the token grants; <see langword="null"/> grants none.</param>
    /// <param name="scopes">The acceptable scopes; at least one.</param>
    /// <exception cref="InsufficientScopeException">No scope is granted (403, the challenge lists <paramref name="scopes"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="scopes"/> is empty or has a null or empty entry.</exception>
    public static void RequireAnyScope(IReadOnlyList<string>? grantedScopes, params string[] scopes)
    {
        if (!ContainsAny(grantedScopes, scopes))
        {
            throw new InsufficientScopeException(scopes);
        }
    }

    /// <summary>Requires every one of <paramref name="permissions"/> among <paramref name="grantedPermissions"/>.</summary>
    /// <param name="grantedPermissions">The permissions the token grants; <see langword="null"/> grants none.</param>
    /// <param name="permissions">The permissions required; at least one.</param>
    /// <exception cref="InsufficientScopeException">A permission is not granted (403).</exception>
    /// <exception cref="ArgumentException"><paramref name="permissions"/> is empty or has a null or empty entry.</exception>
    public static void RequireAllPermissions(IReadOnlyList<string>? grantedPermissions, params string[] permissions)
    {
        if (!ContainsAll(grantedPermissions, permissions))
        {
            throw new InsufficientScopeException();
        }
    }

    /// <summary>Requires at least one of <paramref name="permissions"/> among <paramref name="grantedPermissions"/>.</summary>
    /// <param name="grantedPermissions">The permissions the token grants; <see langword="null"/> grants none.</param>
    /// <param name="permissions">The acceptable permissions; at least one.</param>
    /// <exception cref="InsufficientScopeException">No permission is granted (403).</exception>
    /// <exception cref="ArgumentException"><paramref name="permissions"/> is empty or has a null or empty entry.</exception>
    public static void RequireAnyPermission(IReadOnlyList<string>? grantedPermissions, params string[] permissions)
    {
        if (!ContainsAny(grantedPermissions, permissions))
        {
            throw new InsufficientScopeException();
        }
    }

    /// <summary>Whether every one of <paramref name="required"/> is in <paramref name="granted"/> (ordinal).</summary>
    /// <param name="granted">The granted values; <see langword="null"/> grants none.</param>
    /// <param name="required">The required values; at least one.</param>
    /// <returns>Whether all are present.</returns>
    /// <exception cref="ArgumentException"><paramref name="required"/> is empty or has a null or empty entry.</exception>
    public static bool ContainsAll(IReadOnlyList<string>? granted, params string[] required)
    {
        Validate(required);
        foreach (string value in required)
        {
            if (!Contains(granted, value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether at least one of <paramref name="acceptable"/> is in <paramref name="granted"/> (ordinal).</summary>
    /// <param name="granted">The granted values; <see langword="null"/> grants none.</param>
    /// <param name="acceptable">The acceptable values; at least one.</param>
    /// <returns>Whether one is present.</returns>
    /// <exception cref="ArgumentException"><paramref name="acceptable"/> is empty or has a null or empty entry.</exception>
    public static bool ContainsAny(IReadOnlyList<string>? granted, params string[] acceptable)
    {
        Validate(acceptable);
        foreach (string value in acceptable)
        {
            if (Contains(granted, value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the claim <paramref name="claim"/> is the string <paramref name="expected"/>.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="claim">The claim's name.</param>
    /// <param name="expected">The value it must have.</param>
    /// <returns>Whether it is a string equal to <paramref name="expected"/> (ordinal).</returns>
    /// <exception cref="ArgumentException"><paramref name="claim"/> is null or empty.</exception>
    public static bool ClaimEquals(this AccessTokenClaims claims, string claim, string expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        return Checked(claims).TryGetString(CheckedName(claim), out string? value) && string.Equals(value, expected, StringComparison.Ordinal);
    }

    /// <summary>Whether the claim <paramref name="claim"/> is the boolean <paramref name="expected"/>.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="claim">The claim's name.</param>
    /// <param name="expected">The value it must have.</param>
    /// <returns>Whether it is <c>true</c> or <c>false</c> as expected.</returns>
    /// <exception cref="ArgumentException"><paramref name="claim"/> is null or empty.</exception>
    public static bool ClaimEquals(this AccessTokenClaims claims, string claim, bool expected) =>
        Checked(claims).TryGetClaim(CheckedName(claim), out JsonElement value) && value.ValueKind == (expected ? JsonValueKind.True : JsonValueKind.False);

    /// <summary>Whether the claim <paramref name="claim"/> is the integer <paramref name="expected"/>.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="claim">The claim's name.</param>
    /// <param name="expected">The value it must have.</param>
    /// <returns>Whether it is an integer equal to <paramref name="expected"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="claim"/> is null or empty.</exception>
    public static bool ClaimEquals(this AccessTokenClaims claims, string claim, long expected) =>
        Checked(claims).TryGetClaim(CheckedName(claim), out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number) && number == expected;

    /// <summary>
    /// Whether the claim <paramref name="claim"/> includes every one of <paramref name="expected"/>: an array of strings,
    /// or a string of space-separated values (as <c>scope</c>).
    /// </summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="claim">The claim's name.</param>
    /// <param name="expected">The values it must include; at least one.</param>
    /// <returns>Whether all are included.</returns>
    /// <exception cref="ArgumentException"><paramref name="claim"/> is null or empty, or <paramref name="expected"/> is empty or has a null or empty entry.</exception>
    public static bool ClaimIncludes(this AccessTokenClaims claims, string claim, params string[] expected)
    {
        Validate(expected);
        if (!Checked(claims).TryGetClaim(CheckedName(claim), out JsonElement value))
        {
            return false;
        }

        // Custom claims are not decoded during verification: a string that does not decode (a lone surrogate) is skipped.
        List<string> values = [];
        if (JsonStrings.TryGetString(value, out string? text))
        {
            values.AddRange(text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in value.EnumerateArray())
            {
                if (JsonStrings.TryGetString(item, out string? element))
                {
                    values.Add(element);
                }
            }
        }

        return ContainsAll(values, expected);
    }

    /// <summary>Requires the claim <paramref name="claim"/> to be the string <paramref name="expected"/>.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="claim">The claim's name.</param>
    /// <param name="expected">The value it must have.</param>
    /// <exception cref="VerifyAccessTokenException">It is not (401 <c>invalid_token</c>, <c>Unexpected '{claim}' value</c>).</exception>
    /// <exception cref="ArgumentException"><paramref name="claim"/> is null or empty.</exception>
    public static void RequireClaimEquals(this AccessTokenClaims claims, string claim, string expected)
    {
        if (!claims.ClaimEquals(claim, expected))
        {
            throw Unexpected(claim);
        }
    }

    /// <summary>Requires the claim <paramref name="claim"/> to include every one of <paramref name="expected"/>.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="claim">The claim's name.</param>
    /// <param name="expected">The values it must include; at least one.</param>
    /// <exception cref="VerifyAccessTokenException">It does not (401 <c>invalid_token</c>, <c>Unexpected '{claim}' value</c>).</exception>
    /// <exception cref="ArgumentException"><paramref name="claim"/> is null or empty, or <paramref name="expected"/> is empty or has a null or empty entry.</exception>
    public static void RequireClaimIncludes(this AccessTokenClaims claims, string claim, params string[] expected)
    {
        if (!claims.ClaimIncludes(claim, expected))
        {
            throw Unexpected(claim);
        }
    }

    private static VerifyAccessTokenException Unexpected(string claim) =>
        VerifyAccessTokenException.WithBearerChallenge(VerificationFailure.ClaimMismatch, "Unexpected '" + claim + "' value", claim);

    private static bool Contains(IReadOnlyList<string>? granted, string value)
    {
        if (granted is null)
        {
            return false;
        }

        for (int i = 0; i < granted.Count; i++)
        {
            if (string.Equals(granted[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static AccessTokenClaims Checked(AccessTokenClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        return claims;
    }

    private static string CheckedName(string claim)
    {
        ArgumentException.ThrowIfNullOrEmpty(claim);
        return claim;
    }

    private static void Validate(string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0)
        {
            throw new ArgumentException("At least one value is required.", nameof(values));
        }

        foreach (string value in values)
        {
            if (string.IsNullOrEmpty(value))
            {
                throw new ArgumentException("Values must be non-empty.", nameof(values));
            }
        }
    }
}
