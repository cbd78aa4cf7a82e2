using System;
using System.Text;

namespace Auth0.Api.Aot;

/// <summary>The claims of a verified DPoP proof (RFC 9449 section 4.2), and the thumbprint of its key.</summary>
/// <remarks>Thread safety: immutable.</remarks>
public sealed class DPoPProofClaims
{
    private readonly byte[] _payload;

    internal DPoPProofClaims(byte[] payload, string jti, string htm, string htu, DateTimeOffset issuedAt, string? ath, string? nonce, string thumbprint)
    {
        _payload = payload;
        Jti = jti;
        Htm = htm;
        Htu = htu;
        IssuedAt = issuedAt;
        Ath = ath;
        Nonce = nonce;
        JwkThumbprint = thumbprint;
    }

    /// <summary>The proof's unique identifier (<c>jti</c>).</summary>
    public string Jti { get; }

    /// <summary>The HTTP method the proof was made for (<c>htm</c>).</summary>
    public string Htm { get; }

    /// <summary>The HTTP URI the proof was made for (<c>htu</c>), as sent.</summary>
    public string Htu { get; }

    /// <summary>When the proof was created (<c>iat</c>).</summary>
    public DateTimeOffset IssuedAt { get; }

    /// <summary>
    /// The access-token hash (<c>ath</c>). Always present, and equal to the token's hash, when the proof was verified with
    /// an access token; <see langword="null"/> if a proof verified without one has none.
    /// </summary>
    public string? Ath { get; }

    /// <summary>The server nonce (<c>nonce</c>), if the proof has one.</summary>
    public string? Nonce { get; }

    /// <summary>The RFC 7638 SHA-256 thumbprint of the proof's public key: what <c>cnf.jkt</c> must equal.</summary>
    public string JwkThumbprint { get; }

    /// <summary>The proof's payload as a JSON string.</summary>
    public string PayloadJson => Encoding.UTF8.GetString(_payload);

    /// <summary>Returns the type name only.</summary>
    /// <returns>The type name.</returns>
    public override string ToString() => nameof(DPoPProofClaims);
}
