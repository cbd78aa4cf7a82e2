using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Threading;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot;

/// <summary>
/// The claims of a verified access token. Registered claims have typed properties; any claim can be read by name.
/// Nothing is parsed up front beyond what verification needed: each property reads the payload on first use and
/// keeps the value.
/// </summary>
/// <remarks>
/// <para>Types of the registered claims were checked during verification (<c>sub</c> is a string, <c>aud</c> a string
/// or an array of strings, <c>exp</c> an integer, <c>permissions</c> an array of strings...), so these properties
/// never throw.</para>
/// <para>Thread safety: safe for concurrent reads. Purity: immutable; lazily computed values are idempotent.</para>
/// </remarks>
public sealed class AccessTokenClaims
{
    private readonly string _token;
    private readonly int _payloadOffset;
    private readonly int _payloadLength;
    private byte[]? _payload;
    private string? _issuer;
    private string? _subject;
    private IReadOnlyList<string>? _audience;
    private IReadOnlyList<string>? _permissions;
    private IReadOnlyList<string>? _scopes;
    private JsonElementBox? _root;

    /// <param name="token">The verified token; its payload segment is decoded on first use.</param>
    /// <param name="payloadOffset">Where the payload segment starts in <paramref name="token"/>.</param>
    /// <param name="payloadLength">The length of the payload segment, in characters.</param>
    /// <param name="expiresAt">The verified <c>exp</c>.</param>
    /// <param name="issuedAt">The verified <c>iat</c>.</param>
    /// <param name="notBefore">The verified <c>nbf</c>, if any.</param>
    internal AccessTokenClaims(string token, int payloadOffset, int payloadLength, long expiresAt, long issuedAt, long? notBefore)
    {
        _token = token;
        _payloadOffset = payloadOffset;
        _payloadLength = payloadLength;
        ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(expiresAt, -62135596800L, 253402300799L));
        IssuedAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(issuedAt, -62135596800L, 253402300799L));
        NotBefore = notBefore is long nbf ? DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(nbf, -62135596800L, 253402300799L)) : null;
    }

    /// <summary>The payload as UTF-8 JSON, exactly as it was signed.</summary>
    public ReadOnlyMemory<byte> PayloadUtf8 => Payload();

    /// <summary>The payload as a JSON string (a new string on each call).</summary>
    public string PayloadJson => Encoding.UTF8.GetString(Payload());

    /// <summary>The issuer (<c>iss</c>), equal to the discovery document's <c>issuer</c>.</summary>
    public string Issuer => _issuer ??= ReadString("iss"u8) ?? string.Empty;

    /// <summary>The subject (<c>sub</c>), or <see langword="null"/> when absent.</summary>
    public string? Subject => _subject ??= ReadString("sub"u8);

    /// <summary>The audiences (<c>aud</c>), one entry for a string-valued claim.</summary>
    public IReadOnlyList<string> Audience => _audience ??= ReadStrings("aud"u8, splitSpaces: false);

    /// <summary>When the token expires (<c>exp</c>).</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>When the token was issued (<c>iat</c>).</summary>
    public DateTimeOffset IssuedAt { get; }

    /// <summary>When the token becomes valid (<c>nbf</c>), or <see langword="null"/> when absent.</summary>
    public DateTimeOffset? NotBefore { get; }

    /// <summary>The space-delimited <c>scope</c> claim as sent, or <see langword="null"/>.</summary>
    public string? Scope => ReadString("scope"u8);

    /// <summary>The scopes: the <c>scope</c> claim split on spaces (empty when absent).</summary>
    public IReadOnlyList<string> Scopes => _scopes ??= ReadStrings("scope"u8, splitSpaces: true);

    /// <summary>The <c>permissions</c> claim of Auth0 RBAC (empty when absent).</summary>
    public IReadOnlyList<string> Permissions => _permissions ??= ReadStrings("permissions"u8, splitSpaces: false);

    /// <summary>The authorized party (<c>azp</c>), or <see langword="null"/>.</summary>
    public string? AuthorizedParty => ReadString("azp"u8);

    /// <summary>The JWT ID (<c>jti</c>), or <see langword="null"/>.</summary>
    public string? TokenId => ReadString("jti"u8);

    /// <summary>The confirmation claim (<c>cnf</c>, RFC 7800), or <see langword="null"/>.</summary>
    public JsonElement? Confirmation => TryGetClaim("cnf", out JsonElement value) ? value : null;

    /// <summary>The <c>jkt</c> member of <c>cnf</c> (RFC 9449 section 6.1), or <see langword="null"/>.</summary>
    /// <remarks>A <c>jkt</c> that is not a string, or whose escapes do not decode (a lone surrogate), is <see langword="null"/>: this property never throws.</remarks>
    public string? ConfirmationThumbprint =>
        Confirmation is { ValueKind: JsonValueKind.Object } cnf && cnf.TryGetProperty("jkt"u8, out JsonElement jkt) && JsonStrings.TryGetString(jkt, out string? thumbprint)
            ? thumbprint
            : null;

    /// <summary>The actor claim (<c>act</c>, RFC 8693 section 4.1), or <see langword="null"/>.</summary>
    public JsonElement? Actor => TryGetClaim("act", out JsonElement value) ? value : null;

    /// <summary>
    /// Reads the claims into a typed view generated from an <see cref="AccessTokenClaimsAttribute"/> type, in one pass over
    /// the payload, checking that required claims are present and every claim has the declared JSON type.
    /// </summary>
    /// <typeparam name="TClaims">The generated claims type.</typeparam>
    /// <param name="claims">The typed claims, when they could be read.</param>
    /// <param name="error">Otherwise the first missing, mistyped or repeated claim.</param>
    /// <returns>Whether the typed claims were read.</returns>
    public bool TryRead<TClaims>([NotNullWhen(true)] out TClaims? claims, out ClaimError error)
        where TClaims : class, IAccessTokenClaims<TClaims> =>
        TClaims.TryReadClaims(Payload(), out claims, out error);

    /// <summary>Like <see cref="TryRead{TClaims}"/>, throwing when the claims cannot be read.</summary>
    /// <typeparam name="TClaims">The generated claims type.</typeparam>
    /// <returns>The typed claims.</returns>
    /// <exception cref="VerifyAccessTokenException">A required claim is missing (<c>Missing required claim: {name}</c>) or a claim has the wrong type; with its challenge.</exception>
    public TClaims Read<TClaims>()
        where TClaims : class, IAccessTokenClaims<TClaims>
    {
        if (TClaims.TryReadClaims(Payload(), out TClaims? claims, out ClaimError error))
        {
            return claims;
        }

        throw VerifyAccessTokenException.WithBearerChallenge(error.Failure, error.Message, error.Claim);
    }

    /// <summary>Whether the payload has a top-level claim named <paramref name="name"/>.</summary>
    /// <param name="name">The claim name, e.g. <c>https://example.com/roles</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public bool HasClaim(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Contains(Payload(), name);
    }

    /// <summary>Reads any top-level claim by name.</summary>
    /// <param name="name">The claim name.</param>
    /// <param name="value">The claim's value, valid for the lifetime of this object.</param>
    /// <returns>Whether the claim is present.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public bool TryGetClaim(string name, out JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Root().TryGetProperty(name, out value);
    }

    /// <summary>Reads a top-level string claim by name.</summary>
    /// <param name="name">The claim name.</param>
    /// <param name="value">The string, when the claim is present and a JSON string.</param>
    /// <returns>Whether the claim is present and a string.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public bool TryGetString(string name, [NotNullWhen(true)] out string? value)
    {
        // A string whose escapes do not decode to valid UTF-16 (a lone surrogate) is not a usable string.
        value = null;
        return TryGetClaim(name, out JsonElement element) && JsonStrings.TryGetString(element, out value);
    }

    /// <summary>Returns the type name only: claims are never printed, as they may hold personal data.</summary>
    /// <returns>The type name.</returns>
    public override string ToString() => nameof(AccessTokenClaims);

    internal static bool Contains(ReadOnlySpan<byte> payload, string name)
    {
        Utf8JsonReader reader = new(payload);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name))
            {
                return true;
            }

            reader.Read();
            reader.Skip();
        }

        return false;
    }

    // The payload was decoded and checked during verification; it is decoded again, once, when a claim is first read,
    // so that a caller who only needs to know the token is valid pays for no copy.
    private byte[] Payload()
    {
        byte[]? payload = Volatile.Read(ref _payload);
        if (payload is null)
        {
            payload = Base64UrlStrict.DecodeToArray(_token.AsSpan(_payloadOffset, _payloadLength))!;
            Volatile.Write(ref _payload, payload);
        }

        return payload;
    }

    private JsonElement Root()
    {
        JsonElementBox? box = Volatile.Read(ref _root);
        if (box is null)
        {
            Utf8JsonReader reader = new(Payload());
            box = new JsonElementBox(JsonElement.ParseValue(ref reader));
            Interlocked.CompareExchange(ref _root, box, null);
        }

        return box.Value;
    }

    private bool TryFind(ReadOnlySpan<byte> name, out Utf8JsonReader reader)
    {
        reader = new Utf8JsonReader(Payload());
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool match = reader.ValueTextEquals(name);
            reader.Read();
            if (match)
            {
                return true;
            }

            reader.Skip();
        }

        return false;
    }

    private string? ReadString(ReadOnlySpan<byte> name) =>
        TryFind(name, out Utf8JsonReader reader) && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;

    private IReadOnlyList<string> ReadStrings(ReadOnlySpan<byte> name, bool splitSpaces)
    {
        if (!TryFind(name, out Utf8JsonReader reader))
        {
            return [];
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            string value = reader.GetString()!;
            return splitSpaces ? value.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [value];
        }

        List<string> values = [];
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                values.Add(reader.GetString()!);
            }
        }

        return values.AsReadOnly();
    }

    private sealed class JsonElementBox(JsonElement value)
    {
        public JsonElement Value { get; } = value;
    }
}
