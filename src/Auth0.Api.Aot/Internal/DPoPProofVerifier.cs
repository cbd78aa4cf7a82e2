// DPoP proof verification (RFC 9449 section 4.3), in the order and with the messages of auth0-api-python's
// verify_dpop_proof (reference section 5.1), with typed errors where the Python SDK lets raw exceptions escape:
//   arguments -> length limit -> shape (3 segments, strict base64url, JSON objects, no duplicate members)
//   -> typ == "dpop+jwt" -> alg from the proof allow-list -> jwk present, an object, public only, fitting alg
//   -> signature with that jwk -> iat, ath, htm, htu, jti present -> jti a non-empty string -> iat window
//   -> htm (case-insensitive) -> htu (WHATWG origin + path) -> ath (fixed-time).
// Proof keys are imported once per thumbprint (bounded cache), not once per request.

using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Internal;

internal sealed class DPoPProofVerifier
{
    private readonly SigningAlgorithms _algorithms;
    private readonly IEd25519Provider? _ed25519;
    private readonly long _iatLeewaySeconds;
    private readonly long _iatOffsetSeconds;
    private readonly int _maxProofLength;
    private readonly TimeProvider _time;
    private readonly BoundedCache<VerificationKey> _keys;
    private readonly IDPoPReplayStore? _replays;
    private readonly DPoPNonces? _nonces;

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
    public async ValueTask<DPoPProofClaims> VerifyAsync(string? accessToken, string? proof, string? httpMethod, string? httpUrl, CancellationToken cancellationToken)
    {
        DPoPProofClaims claims = Verify(accessToken, proof, httpMethod, httpUrl);
        if (_nonces is not null && !_nonces.IsValid(claims.Nonce))
        {
            throw new UseDPoPNonceException(_nonces.Create());
        }

        if (_replays is not null)
        {
            // The key is a digest: fixed length whatever the jti, and no proof content is stored.
            string key = Base64UrlStrict.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(claims.JwkThumbprint + "\n" + claims.Jti)));
            DateTimeOffset expiresAt = claims.IssuedAt.AddSeconds(_iatOffsetSeconds + 1);
            if (!await _replays.TryAddAsync(key, expiresAt, cancellationToken).ConfigureAwait(false))
            {
                throw Invalid("DPoP proof has already been used");
            }
        }

        return claims;
    }

    /// <exception cref="MissingRequiredArgumentException">An argument is missing.</exception>
    /// <exception cref="InvalidDPoPProofException">The proof is invalid.</exception>
    public DPoPProofClaims Verify(string? accessToken, string? proof, string? httpMethod, string? httpUrl)
    {
        if (string.IsNullOrEmpty(proof))
        {
            throw new MissingRequiredArgumentException("dpop_proof");
        }

        if (string.IsNullOrEmpty(accessToken))
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

        string[] segments = proof.Split('.');
        byte[]? header = segments.Length == 3 ? Base64UrlStrict.DecodeToArray(segments[0]) : null;
        byte[]? payload = segments.Length == 3 ? Base64UrlStrict.DecodeToArray(segments[1]) : null;
        byte[]? signature = segments.Length == 3 ? Base64UrlStrict.DecodeToArray(segments[2]) : null;
        if (header is null || payload is null || signature is null
            || !System.Text.Unicode.Utf8.IsValid(header) || !System.Text.Unicode.Utf8.IsValid(payload)
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

        VerificationKey key = ImportKey(thumbprint, jwk);
        if (key.Unusable is not null || key.Misfit(algorithm) is not null)
        {
            throw Invalid("Missing or invalid jwk in header");
        }

        byte[] signingInput = Encoding.ASCII.GetBytes(proof, 0, segments[0].Length + 1 + segments[1].Length);
        if (!key.Verify(algorithm, signingInput, signature))
        {
            throw Invalid("JWT signature verification failed: bad_signature");
        }

        ProofPayload claims = ReadPayload(payload);
        List<string> missing = [];
        AddIfMissing(missing, claims.HasIat, "iat");
        AddIfMissing(missing, claims.Ath is not null, "ath");
        AddIfMissing(missing, claims.Htm is not null, "htm");
        AddIfMissing(missing, claims.Htu is not null, "htu");
        AddIfMissing(missing, claims.HasJti, "jti");
        if (missing.Count > 0)
        {
            throw Invalid(missing.Count == 1 ? "Missing required claim: " + missing[0] : "Missing required claims: " + string.Join(", ", missing));
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

        if (!HtuNormalizer.TryNormalize(claims.Htu, out string? proofUrl) || !HtuNormalizer.TryNormalize(httpUrl, out string? requestUrl)
            || !string.Equals(proofUrl, requestUrl, StringComparison.Ordinal))
        {
            throw Invalid("DPoP Proof htu mismatch");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(JwkThumbprint.AccessTokenHash(accessToken)), Encoding.UTF8.GetBytes(claims.Ath!)))
        {
            throw Invalid("DPoP Proof ath mismatch");
        }

        return new DPoPProofClaims(payload, claims.Jti, claims.Htm!, claims.Htu!, DateTimeOffset.FromUnixTimeSeconds((long)Math.Floor(iat)), claims.Ath!, claims.Nonce, thumbprint);
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

    private static ProofPayload ReadPayload(byte[] json)
    {
        ProofPayload claims = default;
        HashSet<string> seen = new(StringComparer.Ordinal);
        try
        {
            Utf8JsonReader reader = new(json, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Invalid("Failed to verify DPoP proof");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                if (!seen.Add(name))
                {
                    throw Invalid("Failed to verify DPoP proof");
                }

                reader.Read();
                switch (name)
                {
                    case "iat":
                        claims.HasIat = reader.TokenType != JsonTokenType.Null;
                        claims.Iat = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out double iat) ? iat : null;
                        break;
                    case "jti":
                        claims.HasJti = reader.TokenType != JsonTokenType.Null;
                        claims.Jti = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    case "ath":
                        claims.Ath = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw Invalid("DPoP Proof ath mismatch");
                        break;
                    case "htm":
                        claims.Htm = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw Invalid("DPoP Proof htm mismatch");
                        break;
                    case "htu":
                        claims.Htu = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw Invalid("DPoP Proof htu mismatch");
                        break;
                    case "nonce":
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
