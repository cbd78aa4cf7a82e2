// The verified payload as a ClaimsPrincipal, the way JwtBearer users expect it but without its inbound remapping: claim
// types are the JWT names (sub, scope, permissions, https://example.com/roles...), scope is one claim per scope, an array
// one claim per element, numbers and booleans typed, objects (cnf, act) as JSON. Every claim's issuer is the token's iss.

using System;
using System.Collections.Generic;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Threading;

namespace Auth0.Api.Aot.AspNetCore;

internal static class ClaimsMapping
{
    public const string JsonClaimValueType = "JSON";

    /// <summary>
    /// The principal of a verified token. Its identity makes its claims the first time they are read, so a request that
    /// only needs to be authenticated (RequireAuthorization, typed claims, the Auth0 feature) never builds them.
    /// </summary>
    public static ClaimsPrincipal CreatePrincipal(AccessTokenClaims claims, string authenticationType, string nameClaimType, string roleClaimType) =>
        new(new Auth0ApiIdentity(claims, authenticationType, nameClaimType, roleClaimType));

    /// <summary>Every claim of <paramref name="claims"/>, each with <paramref name="subject"/> as its subject (so not cloned when added).</summary>
    public static List<Claim> Create(AccessTokenClaims claims, ClaimsIdentity subject)
    {
        string issuer = claims.Issuer;
        List<Claim> list = new(16);
        Utf8JsonReader reader = new(claims.PayloadUtf8.Span);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    Add(list, name, ref reader, issuer, subject);
                }
            }
            else if (name == "scope" && reader.TokenType == JsonTokenType.String)
            {
                foreach (string scope in reader.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    list.Add(new Claim(name, scope, ClaimValueTypes.String, issuer, issuer, subject));
                }
            }
            else
            {
                Add(list, name, ref reader, issuer, subject);
            }
        }

        return list;
    }

    /// <summary>
    /// Whether the claims <see cref="Create"/> would make from <paramref name="claims"/> include one of type
    /// <paramref name="type"/> with value <paramref name="value"/> (both compared ordinally, as
    /// <see cref="Auth0ApiIdentity.HasClaim(string, string)"/> does), without making them. Answers only for string
    /// values (the words of <c>scope</c>, the elements of an array of strings); <see langword="false"/> (undecided)
    /// when a claim of that type holds another JSON value, so the caller makes the claims and asks them.
    /// </summary>
    public static bool TryFindClaim(AccessTokenClaims claims, string type, string value, out bool found)
    {
        found = false;
        Span<char> name = stackalloc char[128];
        Utf8JsonReader reader = new(claims.PayloadUtf8.Span);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueSpan.Length > name.Length)
            {
                // A name longer than the buffer (its unescaped form is never longer than its bytes): undecided.
                return false;
            }

            ReadOnlySpan<char> member = name[..reader.CopyString(name)];
            bool named = member.SequenceEqual(type);
            bool isScope = member.SequenceEqual("scope");
            reader.Read();
            if (!named)
            {
                reader.Skip();
                continue;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.String when isScope:
                    // As made: the words of the string.
                    foreach (string word in reader.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        found |= string.Equals(word, value, StringComparison.Ordinal);
                    }

                    break;
                case JsonTokenType.String:
                    found |= reader.ValueTextEquals(value);
                    break;
                case JsonTokenType.StartArray:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            return false;
                        }

                        found |= reader.ValueTextEquals(value);
                    }

                    break;
                case JsonTokenType.Null:
                    break;
                default:
                    return false;
            }

            if (found)
            {
                return true;
            }
        }

        return true;
    }

    private static void Add(List<Claim> list, string name, ref Utf8JsonReader reader, string issuer, ClaimsIdentity subject)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                list.Add(new Claim(name, reader.GetString()!, ClaimValueTypes.String, issuer, issuer, subject));
                break;
            case JsonTokenType.Number:
                string number = Encoding.UTF8.GetString(reader.ValueSpan);
                list.Add(new Claim(name, number, reader.TryGetInt64(out _) ? ClaimValueTypes.Integer64 : ClaimValueTypes.Double, issuer, issuer, subject));
                break;
            case JsonTokenType.True or JsonTokenType.False:
                list.Add(new Claim(name, reader.TokenType == JsonTokenType.True ? "true" : "false", ClaimValueTypes.Boolean, issuer, issuer, subject));
                break;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                using (JsonDocument value = JsonDocument.ParseValue(ref reader))
                {
                    list.Add(new Claim(name, value.RootElement.GetRawText(), JsonClaimValueType, issuer, issuer, subject));
                }

                break;
            default:
                // null: no claim.
                break;
        }
    }
}

/// <summary>
/// The identity an Auth0 API scheme makes from a verified access token; scope and permission requirements read only
/// these. Its claims are made from the token the first time any claim is read or changed, so an endpoint that only needs
/// the request to be authenticated pays for none.
/// </summary>
/// <remarks>Thread safety: like <see cref="ClaimsIdentity"/>, safe for concurrent reads; the first read makes the claims once.</remarks>
public sealed class Auth0ApiIdentity : ClaimsIdentity
{
    private AccessTokenClaims? _pending;

    /// <summary>Creates the identity.</summary>
    /// <param name="claims">The claims.</param>
    /// <param name="authenticationType">The scheme name.</param>
    /// <param name="nameType">The claim type of the name.</param>
    /// <param name="roleType">The claim type of roles.</param>
    public Auth0ApiIdentity(IEnumerable<Claim> claims, string authenticationType, string nameType, string roleType)
        : base(claims, authenticationType, nameType, roleType)
    {
    }

    internal Auth0ApiIdentity(AccessTokenClaims token, string authenticationType, string nameType, string roleType)
        : base(null, authenticationType, nameType, roleType)
    {
        _pending = token;
    }

    private Auth0ApiIdentity(Auth0ApiIdentity other)
        : base(other)
    {
    }

    /// <summary>
    /// The scheme's name. Reading it makes the claims: <c>new ClaimsIdentity(identity)</c> and
    /// <c>new ClaimsIdentity(identity, claims)</c> read it before they copy the base class's claim list, which holds
    /// nothing until the claims are made. A copy constructor given an authentication type of its own reads the list
    /// directly: read any claim first, or use <see cref="Clone"/>.
    /// </summary>
    public override string? AuthenticationType
    {
        get
        {
            Make();
            return base.AuthenticationType;
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<Claim> Claims
    {
        get
        {
            Make();
            return base.Claims;
        }
    }

    /// <inheritdoc/>
    public override void AddClaim(Claim claim)
    {
        Make();
        base.AddClaim(claim);
    }

    /// <inheritdoc/>
    public override void AddClaims(IEnumerable<Claim?> claims)
    {
        Make();
        base.AddClaims(claims);
    }

    /// <inheritdoc/>
    public override void RemoveClaim(Claim? claim)
    {
        Make();
        base.RemoveClaim(claim);
    }

    /// <inheritdoc/>
    public override bool TryRemoveClaim(Claim? claim)
    {
        Make();
        return base.TryRemoveClaim(claim);
    }

    /// <inheritdoc/>
    public override IEnumerable<Claim> FindAll(Predicate<Claim> match)
    {
        Make();
        return base.FindAll(match);
    }

    /// <summary>The claims of type <paramref name="type"/>, compared ordinally (see <see cref="HasClaim(string, string)"/>).</summary>
    /// <param name="type">The claim type.</param>
    /// <returns>The matching claims.</returns>
    public override IEnumerable<Claim> FindAll(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        Make();
        List<Claim> found = [];
        foreach (Claim claim in base.Claims)
        {
            if (string.Equals(claim.Type, type, StringComparison.Ordinal))
            {
                found.Add(claim);
            }
        }

        return found;
    }

    /// <inheritdoc/>
    public override Claim? FindFirst(Predicate<Claim> match)
    {
        Make();
        return base.FindFirst(match);
    }

    /// <summary>
    /// The first claim of type <paramref name="type"/>, compared ordinally (see <see cref="HasClaim(string, string)"/>):
    /// <see cref="ClaimsIdentity.Name"/> reads <c>sub</c> through it, never a custom <c>Sub</c>.
    /// </summary>
    /// <param name="type">The claim type.</param>
    /// <returns>The claim, or <see langword="null"/>.</returns>
    public override Claim? FindFirst(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        Make();
        foreach (Claim claim in base.Claims)
        {
            if (string.Equals(claim.Type, type, StringComparison.Ordinal))
            {
                return claim;
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public override bool HasClaim(Predicate<Claim> match)
    {
        Make();
        return base.HasClaim(match);
    }

    /// <summary>
    /// Whether a claim has type <paramref name="type"/> and value <paramref name="value"/>, both compared ordinally.
    /// <see cref="ClaimsIdentity"/> compares types ignoring case; JWT claim names are case-sensitive (RFC 7519 section
    /// 7.3), and a token may carry a custom <c>Scope</c> or <c>Permissions</c> claim beside the real ones, so this
    /// identity (and <see cref="ClaimsPrincipal.IsInRole(string)"/>, <see cref="FindFirst(string)"/> and
    /// <see cref="FindAll(string)"/> over it) tells them apart.
    /// </summary>
    /// <param name="type">The claim type.</param>
    /// <param name="value">The claim value.</param>
    /// <returns>Whether such a claim exists.</returns>
    public override bool HasClaim(string type, string value)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(value);
        Make();
        foreach (Claim claim in base.Claims)
        {
            if (string.Equals(claim.Type, type, StringComparison.Ordinal) && string.Equals(claim.Value, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public override void WriteTo(System.IO.BinaryWriter writer)
    {
        Make();
        base.WriteTo(writer);
    }

    /// <inheritdoc/>
    public override ClaimsIdentity Clone()
    {
        Make();
        return new Auth0ApiIdentity(this);
    }

    /// <summary>Whether the claims are made (read or changed once).</summary>
    internal bool ClaimsMade => Volatile.Read(ref _pending) is null;

    /// <summary>
    /// <see cref="HasClaim(string, string)"/>, answered from the token while the claims are not made yet (a scope or
    /// permission check then builds none): the same answer, since the claims would be made from the same payload.
    /// </summary>
    internal bool HasClaimFast(string type, string value)
    {
        if (Volatile.Read(ref _pending) is not { } token)
        {
            return HasClaim(type, value);
        }

        return ClaimsMapping.TryFindClaim(token, type, value, out bool found) ? found : HasClaim(type, value);
    }

    // Makes the pending claims, once: every member that reads or changes the claims calls this first. Concurrent first
    // readers wait for the one that makes them (on the token, a private object no caller locks), so none sees a part.
    private void Make()
    {
        if (Volatile.Read(ref _pending) is { } pending)
        {
            lock (pending)
            {
                if (_pending is { } token)
                {
                    base.AddClaims(ClaimsMapping.Create(token, this));
                    Volatile.Write(ref _pending, null);
                }
            }
        }
    }
}
