// DPoP proof verification (RFC 9449 section 4.3), in the order and with the messages of auth0-api-python's
// verify_dpop_proof (reference section 5.1), with typed errors where the Python SDK lets raw exceptions escape:
//   arguments -> length limit -> shape (3 segments, strict base64url, JSON objects, no duplicate header members,
//   no duplicate of a checked payload claim)
//   -> typ == "dpop+jwt" -> alg from the proof allow-list -> jwk present, an object, public only, fitting alg
//   -> signature with that jwk -> iat, ath, htm, htu, jti present -> jti a non-empty string -> iat window
//   -> htm (case-insensitive) -> htu (WHATWG origin + path) -> ath (fixed-time).
// Proof keys are imported once per thumbprint (bounded cache), not once per request. Only the key material, which the
// thumbprint covers, is cached: the jwk's alg, use and key_ops are checked on every new header, so a forged proof cannot
// change how a genuine client's key is treated.

using System;
using System.Buffers;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Internal;

internal sealed class DPoPProofVerifier
{
    private const int HeaderSlots = 8;

    // Signatures up to this length are decoded on the stack (an RSA-8192 signature is 1024 bytes); longer ones are rented.
    private const int StackSignatureLength = 1024;

    private readonly SigningAlgorithms _algorithms;
    private readonly IEd25519Provider? _ed25519;
    private readonly long _iatLeewaySeconds;
    private readonly long _iatOffsetSeconds;
    private readonly int _maxProofLength;
    private readonly TimeProvider _time;
    private readonly BoundedCache<VerificationKey> _keys;
    private readonly IDPoPReplayStore? _replays;
    private readonly DPoPNonces? _nonces;

    // The headers of the most recent client keys (exact segment text), written only after a signature verified.
    private readonly ProofHeader?[] _headers = new ProofHeader?[HeaderSlots];
    private int _nextHeader;

    public DPoPProofVerifier(SigningAlgorithms algorithms, IEd25519Provider? ed25519, TimeSpan iatLeeway, TimeSpan iatOffset, int maxProofLength, int maxKeys, TimeProvider time, IDPoPReplayStore? replays, DPoPNonces? nonces = null)
    {
        _replays = replays;
        _nonces = nonces;
        _algorithms = algorithms;
        _ed25519 = ed25519;
        _iatLeewaySeconds = (long)iatLeeway.TotalSeconds;
        _iatOffsetSeconds = (long)iatOffset.TotalSeconds;
        _maxProofLength = maxProofLength;
        _time = time;
        _keys = new BoundedCache<VerificationKey>(maxKeys, time);
    }

    internal int CachedKeys => _keys.Count;

    /// <summary>Verifies the proof, then records it so that the same proof (key and jti) is refused until it expires.</summary>
    /// <exception cref="MissingRequiredArgumentException">An argument is missing.</exception>
    /// <exception cref="InvalidDPoPProofException">The proof is invalid or replayed.</exception>
    public async ValueTask<DPoPProofClaims> VerifyAsync(string? accessToken, string? proof, string? httpMethod, string? httpUrl, bool bound, CancellationToken cancellationToken)
    {
        DPoPProofClaims claims = Verify(accessToken, proof, httpMethod, httpUrl, bound);
        if (_nonces is not null && !_nonces.IsValid(claims.Nonce))
        {
            throw new UseDPoPNonceException(_nonces.Create());
        }

        if (_replays is not null)
        {
            DateTimeOffset expiresAt = claims.IssuedAt.AddSeconds(_iatOffsetSeconds + 1);
            if (!await _replays.TryAddAsync(ReplayKey(claims.JwkThumbprint, claims.Jti), expiresAt, cancellationToken).ConfigureAwait(false))
            {
                throw Invalid("DPoP proof has already been used");
            }
        }

        return claims;
    }

    /// <summary>base64url(SHA-256(thumbprint "\n" jti)): fixed length whatever the jti, and no proof content is stored.</summary>
    internal static string ReplayKey(string thumbprint, string jti)
    {
        int length = Encoding.UTF8.GetMaxByteCount(thumbprint.Length + 1 + jti.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            int written = Encoding.UTF8.GetBytes(thumbprint, rented);
            rented[written++] = (byte)'\n';
            written += Encoding.UTF8.GetBytes(jti, rented.AsSpan(written));
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(rented.AsSpan(0, written), hash);
            return Base64UrlStrict.Encode(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <exception cref="MissingRequiredArgumentException">An argument is missing.</exception>
    /// <exception cref="InvalidDPoPProofException">The proof is invalid.</exception>
    public DPoPProofClaims Verify(string? accessToken, string? proof, string? httpMethod, string? httpUrl) =>
        Verify(accessToken, proof, httpMethod, httpUrl, bound: true);

    /// <summary>
    /// Checks a proof. <paramref name="bound"/>: the proof accompanies <paramref name="accessToken"/>, so <c>ath</c> is
    /// required and compared (RFC 9449 section 4.3, check 12); otherwise there is no token and <c>ath</c> is not checked.
    /// </summary>
    /// <exception cref="MissingRequiredArgumentException">An argument is missing.</exception>
    /// <exception cref="InvalidDPoPProofException">The proof is invalid.</exception>
    public DPoPProofClaims Verify(string? accessToken, string? proof, string? httpMethod, string? httpUrl, bool bound)
    {
        if (string.IsNullOrEmpty(proof))
        {
            throw new MissingRequiredArgumentException("dpop_proof");
        }

        if (bound && string.IsNullOrEmpty(accessToken))
        {
            throw new MissingRequiredArgumentException("access_token");
        }

        if (string.IsNullOrEmpty(httpMethod) || string.IsNullOrEmpty(httpUrl))
        {
            throw new MissingRequiredArgumentException("http_method/http_url");
        }

        if (proof.Length > _maxProofLength)
        {
            throw Invalid(FormattableString.Invariant($"DPoP proof is longer than the maximum of {_maxProofLength} characters"));
        }

        // Shape: three segments, each strict base64url; the header and payload valid UTF-8.
        int first = proof.IndexOf('.', StringComparison.Ordinal);
        int second = first < 0 ? -1 : proof.IndexOf('.', first + 1);
        if (second < 0 || proof.IndexOf('.', second + 1) >= 0)
        {
            throw Invalid("Failed to verify DPoP proof");
        }

        byte[]? payload = Base64UrlStrict.DecodeToArray(proof.AsSpan(first + 1, second - first - 1));
        ReadOnlySpan<char> signatureSegment = proof.AsSpan(second + 1);
        int signatureLength = Base64UrlStrict.GetDecodedLength(signatureSegment.Length);
        if (payload is null || !System.Text.Unicode.Utf8.IsValid(payload) || signatureLength < 0)
        {
            throw Invalid("Failed to verify DPoP proof");
        }

        byte[]? rentedSignature = signatureLength > StackSignatureLength ? ArrayPool<byte>.Shared.Rent(signatureLength) : null;
        try
        {
            Span<byte> signature = rentedSignature ?? stackalloc byte[StackSignatureLength];
            if (!Base64UrlStrict.TryDecode(signatureSegment, signature, out int signatureWritten))
            {
                throw Invalid("Failed to verify DPoP proof");
            }

            return VerifyDecoded(accessToken, proof, httpMethod, httpUrl, bound, first, second, payload, signature[..signatureWritten]);
        }
        finally
        {
            if (rentedSignature is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedSignature);
            }
        }
    }

    private DPoPProofClaims VerifyDecoded(string? accessToken, string proof, string httpMethod, string httpUrl, bool bound, int first, int second, byte[] payload, ReadOnlySpan<byte> signature)
    {
        // The header of a returning client key is the same string every time: its checks, thumbprint and imported key
        // are remembered (after a signature verified with them), so only new headers are parsed.
        ReadOnlySpan<char> headerSegment = proof.AsSpan(0, first);
        ProofHeader? header = FindHeader(headerSegment);
        bool known = header is not null;
        header ??= ReadHeader(headerSegment);

        byte[] signingInput = ArrayPool<byte>.Shared.Rent(second);
        try
        {
            int length = Encoding.ASCII.GetBytes(proof.AsSpan(0, second), signingInput);
            if (!header.Key.Verify(header.Algorithm, signingInput.AsSpan(0, length), signature))
            {
                throw Invalid("JWT signature verification failed: bad_signature");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(signingInput);
        }

        if (!known)
        {
            RememberHeader(header);
        }

        ProofPayload claims = ReadPayload(payload);
        if (!claims.HasIat || (bound && claims.Ath is null) || claims.Htm is null || claims.Htu is null || !claims.HasJti)
        {
            throw Invalid(MissingClaimsMessage(claims, bound));
        }

        if (claims.Jti is null)
        {
            throw Invalid("jti claim must be a string");
        }

        if (string.IsNullOrWhiteSpace(claims.Jti))
        {
            throw Invalid("jti claim must not be empty");
        }

        if (claims.Iat is not double iat)
        {
            throw Invalid("Invalid iat claim (must be integer or float)");
        }

        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (iat < now - _iatOffsetSeconds)
        {
            throw Invalid("DPoP Proof iat is too old");
        }

        if (iat > now + _iatLeewaySeconds)
        {
            throw Invalid("DPoP Proof iat is from the future");
        }

        if (!string.Equals(claims.Htm, httpMethod, StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid("DPoP Proof htm mismatch");
        }

        if (!HtuNormalizer.Matches(claims.Htu, httpUrl))
        {
            throw Invalid("DPoP Proof htu mismatch");
        }

        if (bound && !AthMatches(accessToken!, claims.Ath!))
        {
            throw Invalid("DPoP Proof ath mismatch");
        }

        return new DPoPProofClaims(payload, claims.Jti, claims.Htm, claims.Htu, DateTimeOffset.FromUnixTimeSeconds((long)Math.Floor(iat)), claims.Ath, claims.Nonce, header.Thumbprint);
    }

    /// <summary>Whether a header segment is one this verifier has already accepted (then it is a JSON object).</summary>
    public bool IsKnownHeader(ReadOnlySpan<char> headerSegment) => FindHeader(headerSegment) is not null;

    private static string MissingClaimsMessage(ProofPayload claims, bool bound)
    {
        List<string> missing = [];
        AddIfMissing(missing, claims.HasIat, "iat");
        AddIfMissing(missing, !bound || claims.Ath is not null, "ath");
        AddIfMissing(missing, claims.Htm is not null, "htm");
        AddIfMissing(missing, claims.Htu is not null, "htu");
        AddIfMissing(missing, claims.HasJti, "jti");
        return missing.Count == 1 ? "Missing required claim: " + missing[0] : "Missing required claims: " + string.Join(", ", missing);
    }

    // base64url(SHA-256(UTF-8(token))) == ath, compared as the 32 decoded bytes in fixed time.
    private static bool AthMatches(string accessToken, string ath)
    {
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> claimed = stackalloc byte[SHA256.HashSizeInBytes + 3];
        byte[] rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(accessToken.Length));
        try
        {
            int length = Encoding.UTF8.GetBytes(accessToken, rented);
            SHA256.HashData(rented.AsSpan(0, length), expected);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return ath.Length == Base64UrlStrict.GetEncodedLength(SHA256.HashSizeInBytes)
            && Base64UrlStrict.TryDecode(ath, claimed, out int written)
            && CryptographicOperations.FixedTimeEquals(expected, claimed[..written]);
    }

    private ProofHeader? FindHeader(ReadOnlySpan<char> segment)
    {
        foreach (ProofHeader? header in _headers)
        {
            if (header is not null && segment.SequenceEqual(header.Segment))
            {
                return header;
            }
        }

        return null;
    }

    private void RememberHeader(ProofHeader header)
    {
        int slot = (int)((uint)Interlocked.Increment(ref _nextHeader) % (uint)_headers.Length);
        Volatile.Write(ref _headers[slot], header);
    }

    // The header checks, in the reference order: typ, alg, jwk present and public, jwk fitting alg, thumbprint, key.
    private ProofHeader ReadHeader(ReadOnlySpan<char> segment)
    {
        byte[]? header = Base64UrlStrict.DecodeToArray(segment);
        if (header is null || !System.Text.Unicode.Utf8.IsValid(header)
            || !TryReadHeader(header, out string? typ, out string? alg, out JsonWebKeyDto? jwk, out bool jwkPresent))
        {
            throw Invalid("Failed to verify DPoP proof");
        }

        if (!string.Equals(typ, "dpop+jwt", StringComparison.Ordinal))
        {
            throw Invalid("Unexpected JWT 'typ' header parameter value");
        }

        JwsAlgorithm? algorithm = alg is null ? null : JwsAlgorithm.FromName(alg);
        if (algorithm is null || (algorithm.Flag & _algorithms) == 0)
        {
            throw Invalid("Unsupported algorithm in DPoP proof");
        }

        if (!jwkPresent || jwk is null || jwk.Kty is null && jwk.Crv is null && jwk.X is null && jwk.N is null)
        {
            throw Invalid("Missing or invalid jwk in header");
        }

        if (jwk.D is not null || jwk.P is not null || jwk.Q is not null || jwk.K is not null)
        {
            throw Invalid("Private key material found in jwk header");
        }

        if (algorithm.Family == KeyFamily.EllipticCurve && !string.Equals(jwk.Kty, "EC", StringComparison.Ordinal))
        {
            throw Invalid("Only EC keys are supported for DPoP");
        }

        if (algorithm.Family == KeyFamily.Rsa && !string.Equals(jwk.Kty, "RSA", StringComparison.Ordinal))
        {
            throw Invalid("The jwk key type does not match the proof algorithm");
        }

        if (algorithm.Family == KeyFamily.OctetKeyPair && !string.Equals(jwk.Kty, "OKP", StringComparison.Ordinal))
        {
            throw Invalid("The jwk key type does not match the proof algorithm");
        }

        if (algorithm.Curve is not null && !string.Equals(jwk.Crv, algorithm.Curve, StringComparison.Ordinal))
        {
            throw Invalid(algorithm.Curve == "P-256" ? "Only P-256 curve is supported" : "The jwk curve does not match the proof algorithm");
        }

        if (!JwkThumbprint.TryCompute(jwk, out string? thumbprint, out _))
        {
            throw Invalid("Missing or invalid jwk in header");
        }

        // The jwk's own metadata, checked here for every new header: it is not part of the thumbprint, so it must not
        // travel with the cached key.
        if ((jwk.Alg is not null && !string.Equals(jwk.Alg, algorithm.Name, StringComparison.Ordinal))
            || (jwk.Use is not null && !string.Equals(jwk.Use, "sig", StringComparison.Ordinal))
            || (jwk.KeyOps is not null && Array.IndexOf(jwk.KeyOps, "verify") < 0))
        {
            throw Invalid("Missing or invalid jwk in header");
        }

        VerificationKey key = ImportKey(thumbprint, new JsonWebKeyDto { Kty = jwk.Kty, Crv = jwk.Crv, X = jwk.X, Y = jwk.Y, N = jwk.N, E = jwk.E });
        if (key.Unusable is not null || key.Misfit(algorithm) is not null)
        {
            throw Invalid("Missing or invalid jwk in header");
        }

        return new ProofHeader(segment.ToString(), algorithm, key, thumbprint);
    }

    private static InvalidDPoPProofException Invalid(string message) => new(message);

    private static void AddIfMissing(List<string> missing, bool present, string name)
    {
        if (!present)
        {
            missing.Add(name);
        }
    }

    private VerificationKey ImportKey(string thumbprint, JsonWebKeyDto jwk)
    {
        if (_keys.TryGet(thumbprint, out VerificationKey? cached))
        {
            return cached;
        }

        VerificationKey imported = VerificationKey.Import(jwk, _ed25519);
        if (imported.Unusable is null)
        {
            _keys.Set(thumbprint, imported, null);
        }

        return imported;
    }

    private static bool TryReadHeader(byte[] json, out string? typ, out string? alg, out JsonWebKeyDto? jwk, out bool jwkPresent)
    {
        typ = null;
        alg = null;
        jwk = null;
        jwkPresent = false;
        HashSet<string> seen = new(StringComparer.Ordinal);
        try
        {
            Utf8JsonReader reader = new(json, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                if (!seen.Add(name))
                {
                    return false;
                }

                reader.Read();
                switch (name)
                {
                    case "typ":
                        typ = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    case "alg":
                        alg = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    case "jwk":
                        jwkPresent = true;
                        if (reader.TokenType == JsonTokenType.StartObject)
                        {
                            int start = (int)reader.TokenStartIndex;
                            reader.Skip();
                            int end = (int)reader.TokenStartIndex + 1;
                            jwk = JsonSerializer.Deserialize(json.AsSpan(start, end - start), Auth0JsonContext.Default.JsonWebKeyDto);
                        }
                        else
                        {
                            reader.Skip();
                        }

                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    // The claims a proof check reads; a duplicate of one of them is refused (as for access tokens, other members may repeat).
    private const int PIat = 1 << 0, PJti = 1 << 1, PAth = 1 << 2, PHtm = 1 << 3, PHtu = 1 << 4, PNonce = 1 << 5;

    private static ProofPayload ReadPayload(byte[] json)
    {
        ProofPayload claims = default;
        int seen = 0;
        try
        {
            Utf8JsonReader reader = new(json, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Invalid("Failed to verify DPoP proof");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int bit = reader.ValueTextEquals("iat"u8) ? PIat
                    : reader.ValueTextEquals("jti"u8) ? PJti
                    : reader.ValueTextEquals("ath"u8) ? PAth
                    : reader.ValueTextEquals("htm"u8) ? PHtm
                    : reader.ValueTextEquals("htu"u8) ? PHtu
                    : reader.ValueTextEquals("nonce"u8) ? PNonce
                    : 0;
                if ((seen & bit) != 0)
                {
                    throw Invalid("Failed to verify DPoP proof");
                }

                seen |= bit;
                reader.Read();
                switch (bit)
                {
                    case PIat:
                        claims.HasIat = reader.TokenType != JsonTokenType.Null;
                        claims.Iat = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out double iat) ? iat : null;
                        break;
                    case PJti:
                        claims.HasJti = reader.TokenType != JsonTokenType.Null;
                        claims.Jti = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    case PAth:
                        claims.Ath = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw Invalid("DPoP Proof ath mismatch");
                        break;
                    case PHtm:
                        claims.Htm = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw Invalid("DPoP Proof htm mismatch");
                        break;
                    case PHtu:
                        claims.Htu = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw Invalid("DPoP Proof htu mismatch");
                        break;
                    case PNonce:
                        claims.Nonce = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw Invalid("Failed to verify DPoP proof");
            }
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            throw Invalid("Failed to verify DPoP proof");
        }

        return claims;
    }

    private sealed class ProofHeader(string segment, JwsAlgorithm algorithm, VerificationKey key, string thumbprint)
    {
        public string Segment { get; } = segment;

        public JwsAlgorithm Algorithm { get; } = algorithm;

        public VerificationKey Key { get; } = key;

        public string Thumbprint { get; } = thumbprint;
    }

    private struct ProofPayload
    {
        public bool HasIat;
        public double? Iat;
        public bool HasJti;
        public string? Jti;
        public string? Ath;
        public string? Htm;
        public string? Htu;
        public string? Nonce;
    }
}
