// DPoP proof verification (RFC 9449 section 4.3), in the order and with the messages of auth0-api-python's
// verify_dpop_proof (reference section 5.1), reporting every failure as a result (Error), never by throwing:
//   ReadHeader (before the access token is looked at): three segments (JoseCompact), a strict base64url header that is
//     a JSON object (JoseHeader); a header this verifier accepted before is known by its exact text and not read again;
//     then, reported after the token checks, the proof rules: no crit, typ == "dpop+jwt", alg from the proof
//     allow-list, jwk present, an object, public only, fitting alg (the algorithm table's key type and curve), and its
//     RFC 7638 thumbprint;
//   Check: length limit -> signature with that jwk -> payload a JSON object, no checked claim twice -> iat, ath, htm,
//     htu, jti present -> jti a non-empty string -> iat window -> htm (case-insensitive) -> htu (WHATWG origin + path)
//     -> ath (fixed-time) -> the replay digest and the nonce state, applied by the caller after the token binding.
// Proof keys are imported once per thumbprint (bounded cache), not once per request. Only the key material, which the
// thumbprint covers, is cached: the jwk's alg, use and key_ops are checked on every new header, so a forged proof cannot
// change how a genuine client's key is treated. A proof is recorded in the replay store only after every other check,
// the binding included, passed.

using System;
using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Internal;

/// <summary>The proof header as the request stage first sees it.</summary>
internal enum ProofShape : byte
{
    /// <summary>Not three segments with a base64url JSON-object header: refused before the access token is checked.</summary>
    NotJws,

    /// <summary>A JSON-object header that breaks a proof rule: refused after the access token checks.</summary>
    Refused,

    /// <summary>A header that passed every rule (or that a verified proof used before).</summary>
    Accepted,
}

internal enum NonceState : byte
{
    NotRequired,
    Valid,
    Missing,
    Invalid,
}

/// <summary>The header stage's outcome, carried to <see cref="DPoPProofVerifier.Check"/>.</summary>
internal readonly struct ProofHeaderRead
{
    public ProofHeaderRead(ProofShape shape, ProofHeader? header, AuthError error, int firstDot, int secondDot)
    {
        Shape = shape;
        Header = header;
        Error = error;
        FirstDot = firstDot;
        SecondDot = secondDot;
    }

    public ProofHeaderRead(JwsAlgorithm algorithm, JsonWebKeyDto jwk, int firstDot, int secondDot)
        : this(ProofShape.Accepted, null, default, firstDot, secondDot)
    {
        Algorithm = algorithm;
        Jwk = jwk;
    }

    /// <summary>For a new header that passed the rules: its algorithm and jwk, whose key is imported only after the token checks.</summary>
    public JwsAlgorithm? Algorithm { get; }

    public JsonWebKeyDto? Jwk { get; }

    public ProofShape Shape { get; }

    /// <summary>A header a verified proof used before (then it is not read or remembered again); <see langword="null"/> for a new one.</summary>
    public ProofHeader? Header { get; }

    public AuthError Error { get; }

    public int FirstDot { get; }

    public int SecondDot { get; }

}

/// <summary>What a proof that passed <see cref="DPoPProofVerifier.Check"/> contributes to the rest of the request.</summary>
internal struct ProofFacts
{
    public ProofHeader Header;
    public double Iat;
    public NonceState Nonce;

    /// <summary>SHA-256(thumbprint "\n" jti): the replay-store key, before encoding (only with replay protection on).</summary>
    public Bytes32 ReplayDigest;

    /// <summary>The proof's claims, when the caller asked for them (the public proof API).</summary>
    public DPoPProofClaims? Claims;
}

/// <summary>An accepted proof header: remembered by its exact text once a signature verified with it.</summary>
internal sealed class ProofHeader(string segment, JwsAlgorithm algorithm, VerificationKey key, string thumbprint, byte[] thumbprintBytes)
{
    public string Segment { get; } = segment;

    public JwsAlgorithm Algorithm { get; } = algorithm;

    public VerificationKey Key { get; } = key;

    /// <summary>The RFC 7638 thumbprint, base64url.</summary>
    public string Thumbprint { get; } = thumbprint;

    /// <summary>The thumbprint's 32 bytes, compared with a token's decoded <c>cnf.jkt</c>.</summary>
    public byte[] ThumbprintBytes { get; } = thumbprintBytes;

    /// <summary>The thumbprint as ASCII, hashed with each proof's jti into its replay digest.</summary>
    public byte[] ThumbprintAscii { get; } = Encoding.ASCII.GetBytes(thumbprint);
}

internal sealed class DPoPProofVerifier
{
    private const int HeaderSlots = 8;

    // Segments decoded up to this many bytes use the stack; longer ones are rented (and cleared on return).
    private const int StackBytes = 1024;

    private readonly SigningAlgorithms _algorithms;
    private readonly IEd25519Provider? _ed25519;
    private readonly long _iatLeewaySeconds;
    private readonly long _iatOffsetSeconds;
    private readonly int _maxProofLength;
    private readonly AuthError _proofTooLarge;
    private readonly TimeProvider _time;
    private readonly BoundedCache<VerificationKey> _keys;
    private readonly IDPoPReplayStore? _replays;
    private readonly MemoryReplayStore? _memoryReplays;
    private readonly bool _replayProtection;
    private readonly DPoPNonces? _nonces;

    // The headers of the most recent client keys (exact segment text), written only after a signature verified.
    private readonly RecentSlots<ProofHeader> _headers = new(HeaderSlots);

    // replays: a custom replay store; memoryReplays: the in-memory one (replay protection on, no custom store); at most one is set.
    public DPoPProofVerifier(SigningAlgorithms algorithms, IEd25519Provider? ed25519, TimeSpan iatLeeway, TimeSpan iatOffset, int maxProofLength, int maxKeys, TimeProvider time, IDPoPReplayStore? replays, MemoryReplayStore? memoryReplays, DPoPNonces? nonces = null)
    {
        _replays = replays;
        _memoryReplays = memoryReplays;
        _replayProtection = replays is not null || memoryReplays is not null;
        _nonces = nonces;
        _algorithms = algorithms;
        _ed25519 = ed25519;
        _iatLeewaySeconds = (long)iatLeeway.TotalSeconds;
        _iatOffsetSeconds = (long)iatOffset.TotalSeconds;
        _maxProofLength = maxProofLength;
        _proofTooLarge = Error.ProofTooLarge(maxProofLength);
        _time = time;
        _keys = new BoundedCache<VerificationKey>(maxKeys, time);
    }

    internal int CachedKeys => _keys.Count;

    /// <summary>
    /// The public proof API (the throwing edge of the checks below, which report failures as values): every check, the
    /// nonce, then the replay record. Completes synchronously unless the replay store does not.
    /// </summary>
    /// <exception cref="MissingRequiredArgumentException">An argument is missing.</exception>
    /// <exception cref="InvalidDPoPProofException">The proof is invalid or was already used.</exception>
    /// <exception cref="UseDPoPNonceException">Server nonces are on and the proof's nonce is missing or stale.</exception>
    /// <exception cref="ServiceUnavailableException">The replay store is unavailable or full.</exception>
    /// <exception cref="TooManyRequestsException">The proof's key holds its share of the in-memory replay store.</exception>
    public ValueTask<DPoPProofClaims> VerifyAsync(string? accessToken, string? proof, string? httpMethod, string? httpUrl, bool bound, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(proof))
        {
            return Fail(Error.ProofArgumentMissing("dpop_proof"));
        }

        if (bound && string.IsNullOrEmpty(accessToken))
        {
            return Fail(Error.ProofArgumentMissing("access_token"));
        }

        if (string.IsNullOrEmpty(httpMethod) || string.IsNullOrEmpty(httpUrl))
        {
            return Fail(Error.ProofArgumentMissing("http_method/http_url"));
        }

        if (proof.Length > _maxProofLength)
        {
            return Fail(_proofTooLarge);
        }

        ProofHeaderRead header = ReadHeader(proof);
        if (!Check(in header, proof, accessToken.AsSpan(), httpMethod, httpUrl, bound, wantClaims: true, out ProofFacts facts, out AuthError error))
        {
            return Fail(error);
        }

        if (NonceError(facts.Nonce) is AuthError nonce)
        {
            return Fail(nonce);
        }

        DPoPProofClaims claims = facts.Claims!;
        ValueTask<AuthError?> recording = RecordAsync(facts, cancellationToken);
        if (recording.IsCompletedSuccessfully)
        {
            return recording.Result is AuthError replayed ? Fail(replayed) : new(claims);
        }

        return AwaitRecordAsync(recording, claims);

        static async ValueTask<DPoPProofClaims> AwaitRecordAsync(ValueTask<AuthError?> recording, DPoPProofClaims claims) =>
            await recording.ConfigureAwait(false) is AuthError replayed ? throw Error.ToException(replayed) : claims;

        static ValueTask<DPoPProofClaims> Fail(in AuthError error) => ValueTask.FromException<DPoPProofClaims>(Error.ToException(error));
    }

    /// <summary>The <c>use_dpop_nonce</c> failure for a nonce state, with a fresh nonce; <see langword="null"/> when the nonce is fine.</summary>
    public AuthError? NonceError(NonceState state)
    {
        if (state is not (NonceState.Missing or NonceState.Invalid))
        {
            return null;
        }

        Telemetry.RecordNonceChallenge(state == NonceState.Missing);
        return Error.ProofNonce(state == NonceState.Missing, _nonces!.Create());
    }

    /// <summary>
    /// Records the proof (its key and jti) until it can no longer be accepted, the last step of a verification. The
    /// failure is a replay (400), the store unavailable or full (503), or the key over its share (429); an exception of
    /// a custom store is the store unavailable, but the caller's own cancellation, which faults the result.
    /// </summary>
    public ValueTask<AuthError?> RecordAsync(in ProofFacts facts, CancellationToken cancellationToken)
    {
        // Valid until the iat window closes: floor(iat) + offset + 1 s is the first second at which iat is too old.
        long expiresAt = (long)Math.Floor(facts.Iat) + _iatOffsetSeconds + 1;
        if (_memoryReplays is { } memory)
        {
            ReplayRecord record = memory.TryAdd(facts.ReplayDigest, facts.Header.ThumbprintBytes, expiresAt);
            return new(record switch
            {
                ReplayRecord.Recorded => null,
                ReplayRecord.Replayed => Error.ProofReplayed,
                ReplayRecord.KeyOverShare => Error.ProofKeyQuotaExceeded,
                _ => Error.ReplayStoreFull(memory.FullRetryAfter),
            });
        }

        if (_replays is null)
        {
            return new((AuthError?)null);
        }

        ValueTask<DPoPReplayResult> pending;
        try
        {
            pending = _replays.TryAddAsync(Base64UrlStrict.Encode(facts.ReplayDigest), DateTimeOffset.FromUnixTimeSeconds(expiresAt), cancellationToken);
        }
        catch (Exception exception) when (IsStoreFault(exception, cancellationToken))
        {
            return new(Error.ReplayStoreFailed(exception));
        }
        catch (OperationCanceledException exception)
        {
            return ValueTask.FromException<AuthError?>(exception);
        }

        return pending.IsCompletedSuccessfully ? new(Outcome(pending.Result)) : AwaitAsync(pending, cancellationToken);

        static async ValueTask<AuthError?> AwaitAsync(ValueTask<DPoPReplayResult> pending, CancellationToken cancellationToken)
        {
            try
            {
                return Outcome(await pending.ConfigureAwait(false));
            }
            catch (Exception exception) when (IsStoreFault(exception, cancellationToken))
            {
                return Error.ReplayStoreFailed(exception);
            }
        }

        // Anything but first use or a replay, an undefined value included, refuses the proof as the store unavailable.
        static AuthError? Outcome(DPoPReplayResult result) => result switch
        {
            DPoPReplayResult.FirstUse => null,
            DPoPReplayResult.Replayed => Error.ProofReplayed,
            _ => Error.ReplayStoreUnavailable,
        };

        // The store's own failure; the caller's cancellation (and running out of memory) is not the store's to report.
        static bool IsStoreFault(Exception exception, CancellationToken cancellationToken) =>
            exception is not OutOfMemoryException && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);
    }

    /// <summary>SHA-256(thumbprint "\n" jti): fixed length whatever the jti, and no proof content is stored.</summary>
    private static void ReplayDigest(ReadOnlySpan<byte> thumbprint, ReadOnlySpan<byte> jti, Span<byte> digest)
    {
        int length = thumbprint.Length + 1 + jti.Length;
        byte[]? rented = length > 320 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            Span<byte> input = rented ?? stackalloc byte[320];
            thumbprint.CopyTo(input);
            input[thumbprint.Length] = (byte)'\n';
            jti.CopyTo(input[(thumbprint.Length + 1)..]);
            SHA256.HashData(input[..length], digest);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    /// <summary>Whether a header segment is one this verifier has already accepted (then it is a JSON object).</summary>
    public bool IsKnownHeader(ReadOnlySpan<char> headerSegment) => FindHeader(headerSegment) is not null;

    private ProofHeader? FindHeader(ReadOnlySpan<char> segment)
    {
        for (int i = 0; i < _headers.Length; i++)
        {
            ProofHeader? header = _headers[i];
            if (header is not null && segment.SequenceEqual(header.Segment))
            {
                return header;
            }
        }

        return null;
    }

    /// <summary>The header stage: the proof's shape and, for a new header, the proof rules (decoded once).</summary>
    public ProofHeaderRead ReadHeader(string proof)
    {
        if (!JoseCompact.TrySplit(proof, out int first, out int second, out _) || first == 0)
        {
            return new(ProofShape.NotJws, null, Error.ProofMalformed, first, second);
        }

        ReadOnlySpan<char> segment = proof.AsSpan(0, first);
        if (FindHeader(segment) is ProofHeader known)
        {
            return new(ProofShape.Accepted, known, default, first, second);
        }

        if (proof.Length > _maxProofLength)
        {
            // Not decoded at all: the length is refused with the other proof failures, after the token checks.
            return new(ProofShape.Refused, null, _proofTooLarge, first, second);
        }

        int length = Base64UrlStrict.GetDecodedLength(segment.Length);
        if (length < 0)
        {
            return new(ProofShape.NotJws, null, Error.ProofMalformed, first, second);
        }

        byte[]? rented = length > StackBytes ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            Span<byte> buffer = rented ?? stackalloc byte[StackBytes];
            if (!Base64UrlStrict.TryDecode(segment, buffer, out int written) || !System.Text.Unicode.Utf8.IsValid(buffer[..written]))
            {
                return new(ProofShape.NotJws, null, Error.ProofMalformed, first, second);
            }

            ReadOnlySpan<byte> json = buffer[..written];
            Span<byte> scratch = stackalloc byte[JoseHeader.ScratchSize];
            if (!JoseHeader.TryRead(json, scratch, out JoseHeader header, out string? problem))
            {
                // Not JSON, or not an object, is not a JWS; a JSON object that breaks the header rules is a refused proof.
                bool notJws = problem is "the header is not valid JSON" or "the header is not a JSON object";
                return new(notJws ? ProofShape.NotJws : ProofShape.Refused, null, Error.ProofMalformed, first, second);
            }

            return ApplyHeaderRules(json, in header, out JwsAlgorithm? algorithm, out JsonWebKeyDto? jwk, out AuthError error)
                ? new(algorithm!, jwk!, first, second)
                : new(ProofShape.Refused, null, error, first, second);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    // The header rules, in the reference order (with crit first, RFC 7515 section 4.1.11): typ, alg, jwk present and
    // public, jwk fitting alg, jwk metadata. Nothing is imported or cached here: that waits for a valid token
    // (AcceptHeader), so unauthenticated requests cannot churn the proof-key cache.
    private bool ApplyHeaderRules(ReadOnlySpan<byte> json, in JoseHeader header, out JwsAlgorithm? algorithm, out JsonWebKeyDto? jwk, out AuthError error)
    {
        jwk = null;
        algorithm = null;
        if (header.Has(JoseHeader.Crit))
        {
            error = Error.ProofCriticalHeader;
            return false;
        }

        if (!header.TypValue.StringEquals(json, "dpop+jwt"u8))
        {
            error = Error.ProofTypeInvalid;
            return false;
        }

        algorithm = header.AlgValue.IsString ? MatchAlgorithm(json, header.AlgValue) : null;
        if (algorithm is null || (algorithm.Flag & _algorithms) == 0)
        {
            error = Error.ProofAlgorithmNotAllowed;
            return false;
        }

        if (header.JwkValue.Type == JsonTokenType.StartObject && !JwkReader.TryRead(json.Slice(header.JwkValue.Start, header.JwkValue.Length), out jwk))
        {
            error = Error.ProofMalformed;
            return false;
        }

        if (jwk is null || jwk.Kty is null && jwk.Crv is null && jwk.X is null && jwk.N is null)
        {
            error = Error.ProofKeyInvalid;
            return false;
        }

        if (jwk.D is not null || jwk.P is not null || jwk.Q is not null || jwk.K is not null)
        {
            error = Error.ProofKeyPrivate;
            return false;
        }

        if (!string.Equals(jwk.Kty, algorithm.KeyType, StringComparison.Ordinal))
        {
            error = algorithm.Family == KeyFamily.EllipticCurve ? Error.ProofKeyNotEc : Error.ProofKeyTypeMismatch;
            return false;
        }

        if (algorithm.Curve is not null && !string.Equals(jwk.Crv, algorithm.Curve, StringComparison.Ordinal))
        {
            error = algorithm.Curve == "P-256" ? Error.ProofKeyNotP256 : Error.ProofKeyCurveMismatch;
            return false;
        }

        // The jwk's own metadata, checked here for every new header: it is not part of the thumbprint, so it must not
        // travel with the cached key.
        if ((jwk.Alg is not null && !string.Equals(jwk.Alg, algorithm.Name, StringComparison.Ordinal))
            || (jwk.Use is not null && !string.Equals(jwk.Use, "sig", StringComparison.Ordinal))
            || (jwk.KeyOps is not null && Array.IndexOf(jwk.KeyOps, "verify") < 0))
        {
            error = Error.ProofKeyInvalid;
            return false;
        }

        error = default;
        return true;
    }

    // A new header's thumbprint and key (imported once per thumbprint, bounded cache).
    private bool AcceptHeader(in ProofHeaderRead read, string proof, out ProofHeader? accepted)
    {
        accepted = null;
        JsonWebKeyDto jwk = read.Jwk!;
        JwsAlgorithm algorithm = read.Algorithm!;
        if (!JwkThumbprint.TryCompute(jwk, out string? thumbprint, out _))
        {
            return false;
        }

        VerificationKey key = ImportKey(thumbprint, new JsonWebKeyDto { Kty = jwk.Kty, Crv = jwk.Crv, X = jwk.X, Y = jwk.Y, N = jwk.N, E = jwk.E });
        if (key.Unusable is not null || key.Misfit(algorithm) is not null)
        {
            return false;
        }

        accepted = new ProofHeader(proof[..read.FirstDot], algorithm, key, thumbprint, Base64UrlStrict.DecodeToArray(thumbprint)!);
        return true;
    }

    private static JwsAlgorithm? MatchAlgorithm(ReadOnlySpan<byte> json, JoseValue alg)
    {
        foreach (JwsAlgorithm candidate in JwsAlgorithm.All)
        {
            if (alg.StringEquals(json, candidate.NameUtf8))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// The checks after the header stage: the header's deferred failure, the signature, then the claims. On success
    /// <paramref name="facts"/> holds the header, the nonce state and the replay digest, for the caller to apply after
    /// the token binding.
    /// </summary>
    public bool Check(in ProofHeaderRead read, string proof, ReadOnlySpan<char> accessToken, string httpMethod, string httpUrl, bool bound, bool wantClaims, out ProofFacts facts, out AuthError error)
    {
        facts = default;
        if (proof.Length > _maxProofLength)
        {
            error = _proofTooLarge;
            return false;
        }

        if (read.Shape == ProofShape.NotJws)
        {
            error = read.Error;
            return false;
        }

        ReadOnlySpan<char> payloadSegment = proof.AsSpan(read.FirstDot + 1, read.SecondDot - read.FirstDot - 1);
        ReadOnlySpan<char> signatureSegment = proof.AsSpan(read.SecondDot + 1);
        int payloadLength = Base64UrlStrict.GetDecodedLength(payloadSegment.Length);
        int signatureLength = Base64UrlStrict.GetDecodedLength(signatureSegment.Length);
        if (payloadLength < 0 || signatureLength < 0)
        {
            error = Error.ProofMalformed;
            return false;
        }

        int needed = payloadLength + signatureLength;
        byte[]? rented = needed > StackBytes ? ArrayPool<byte>.Shared.Rent(needed) : null;
        try
        {
            Span<byte> buffer = rented ?? stackalloc byte[StackBytes];
            if (!Base64UrlStrict.TryDecode(payloadSegment, buffer, out int payloadWritten)
                || !System.Text.Unicode.Utf8.IsValid(buffer[..payloadWritten])
                || !Base64UrlStrict.TryDecode(signatureSegment, buffer[payloadWritten..], out int signatureWritten))
            {
                error = Error.ProofMalformed;
                return false;
            }

            // The header's own failure comes after the payload's shape, as in the reference order.
            if (read.Shape != ProofShape.Accepted)
            {
                error = read.Error;
                return false;
            }

            ProofHeader? header = read.Header;
            if (header is null && !AcceptHeader(in read, proof, out header))
            {
                error = Error.ProofKeyInvalid;
                return false;
            }

            if (!VerifySignature(header!, proof.AsSpan(0, read.SecondDot), buffer.Slice(payloadWritten, signatureWritten)))
            {
                error = Error.ProofSignatureInvalid;
                return false;
            }

            if (read.Header is null)
            {
                _headers.Add(header!);
            }

            facts.Header = header!;
            return CheckClaims(buffer[..payloadWritten], header!, accessToken, httpMethod, httpUrl, bound, wantClaims, ref facts, out error);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    private static bool VerifySignature(ProofHeader header, ReadOnlySpan<char> signingInput, ReadOnlySpan<byte> signature)
    {
        // The signing input is base64url and one dot (checked by the decoding before): one byte per character.
        byte[]? rented = signingInput.Length > StackBytes ? ArrayPool<byte>.Shared.Rent(signingInput.Length) : null;
        try
        {
            Span<byte> ascii = rented ?? stackalloc byte[StackBytes];
            int length = Encoding.ASCII.GetBytes(signingInput, ascii);
            return header.Key.Verify(header.Algorithm, ascii[..length], signature);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // The claims a proof check reads; a duplicate of one of them is refused. Other members may repeat: unlike an access
    // token's, a proof's other members are read by nothing here (PayloadJson is the raw text), and its signer is the client.
    private const int PIat = 1 << 0, PJti = 1 << 1, PAth = 1 << 2, PHtm = 1 << 3, PHtu = 1 << 4, PNonce = 1 << 5;

    private const int MaxDepth = 16;

    private bool CheckClaims(ReadOnlySpan<byte> json, ProofHeader header, ReadOnlySpan<char> accessToken, string httpMethod, string httpUrl, bool bound, bool wantClaims, ref ProofFacts facts, out AuthError error)
    {
        // The payload is valid UTF-8 (Check saw to it before the signature); every escape in it must decode.
        if (!JsonEscapes.AreValid(json))
        {
            error = Error.ProofMalformed;
            return false;
        }

        if (!ReadClaims(json, out ProofPayload payload, out error))
        {
            return false;
        }

        // A non-string ath, htm or htu was refused while reading: a seen one is a string.
        bool hasIat = payload.Iat.IsPresent && payload.Iat.Type != JsonTokenType.Null;
        bool hasJti = payload.Jti.IsPresent && payload.Jti.Type != JsonTokenType.Null;
        bool hasAth = payload.Ath.IsPresent, hasHtm = payload.Htm.IsPresent, hasHtu = payload.Htu.IsPresent;
        if (!hasIat || (bound && !hasAth) || !hasHtm || !hasHtu || !hasJti)
        {
            error = Error.ProofClaimsMissing(hasIat, !bound || hasAth, hasHtm, hasHtu, hasJti);
            return false;
        }

        if (!payload.Jti.IsString)
        {
            error = Error.ProofJtiNotString;
            return false;
        }

        // The jti, unescaped, is hashed into the replay digest; whitespace is judged on its characters.
        byte[]? rentedJti = null;
        try
        {
            int jtiMax = payload.Jti.Length;
            Span<byte> jtiBytes = jtiMax <= 256 ? stackalloc byte[256] : (rentedJti = ArrayPool<byte>.Shared.Rent(jtiMax));
            int jtiLength = CopyString(json, payload.Jti, jtiBytes);
            if (IsBlank(jtiBytes[..jtiLength]))
            {
                error = Error.ProofJtiEmpty;
                return false;
            }

            if (!TryGetIat(json, payload.Iat, out double issuedAt))
            {
                error = Error.ProofIatInvalid;
                return false;
            }

            long now = _time.GetUtcNow().ToUnixTimeSeconds();
            if (issuedAt < now - _iatOffsetSeconds)
            {
                error = Error.ProofIatTooOld;
                return false;
            }

            if (issuedAt > now + _iatLeewaySeconds)
            {
                error = Error.ProofIatInFuture;
                return false;
            }

            if (!MethodMatches(json, payload.Htm, httpMethod))
            {
                error = Error.ProofMethodMismatch;
                return false;
            }

            string htuValue = GetString(json, payload.Htu);
            if (!HtuNormalizer.Matches(htuValue, httpUrl))
            {
                error = Error.ProofUrlMismatch;
                return false;
            }

            if (bound && !AthMatches(json, payload.Ath, accessToken))
            {
                error = Error.ProofTokenHashMismatch;
                return false;
            }

            facts.Iat = issuedAt;
            if (_replayProtection)
            {
                ReplayDigest(header.ThumbprintAscii, jtiBytes[..jtiLength], facts.ReplayDigest);
            }

            string? nonceValue = null;
            if ((_nonces is not null || wantClaims) && payload.Nonce.IsString)
            {
                nonceValue = GetString(json, payload.Nonce);
            }

            facts.Nonce = _nonces is null ? NonceState.NotRequired
                : nonceValue is null ? NonceState.Missing
                : _nonces.IsValid(nonceValue) ? NonceState.Valid
                : NonceState.Invalid;
            if (wantClaims)
            {
                facts.Claims = new DPoPProofClaims(
                    json.ToArray(),
                    Encoding.UTF8.GetString(jtiBytes[..jtiLength]),
                    GetString(json, payload.Htm),
                    htuValue,
                    DateTimeOffset.FromUnixTimeSeconds((long)Math.Floor(issuedAt)),
                    hasAth ? GetString(json, payload.Ath) : null,
                    nonceValue,
                    header.Thumbprint);
            }

            error = default;
            return true;
        }
        finally
        {
            if (rentedJti is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedJti, clearArray: true);
            }
        }
    }

    // Where the checked claims are in the payload (a value of another member is passed over, checked for syntax only).
    private struct ProofPayload
    {
        public JoseValue Iat, Jti, Ath, Htm, Htu, Nonce;
    }

    // The payload in one forward pass that checks its syntax as it goes (JsonCursor, the rules of JsonSyntax): a JSON
    // object, no checked claim twice, ath, htm and htu strings. What is wrong with a claim is reported only once the
    // whole payload has proved to be JSON, as a syntax check followed by the reads would: a payload that is not JSON
    // is malformed whatever its claims.
    private static bool ReadClaims(ReadOnlySpan<byte> json, out ProofPayload payload, out AuthError error)
    {
        payload = default;
        error = Error.ProofMalformed;
        JsonCursor cursor = new(json);
        if (!cursor.TryConsume((byte)'{'))
        {
            return false;
        }

        int seen = 0;
        bool first = true;
        AuthError pending = default;
        while (!cursor.TryConsume((byte)'}'))
        {
            if ((!first && !cursor.TryConsume((byte)',')) || !cursor.TryReadString(out int nameStart, out int nameLength, out bool nameEscaped) || !cursor.TryConsume((byte)':'))
            {
                return false;
            }

            first = false;
            int bit = ClaimBit(json, nameStart, nameLength, nameEscaped);
            if ((seen & bit) != 0 && pending.Kind == VerificationFailure.None)
            {
                // A claim twice: malformed, unless a claim before it was already wrong.
                pending = Error.ProofMalformed;
            }

            seen |= bit;
            byte c = cursor.Peek();
            JoseValue value = new() { Type = c switch
            {
                (byte)'"' => JsonTokenType.String,
                (byte)'n' => JsonTokenType.Null,
                (byte)'-' or (>= (byte)'0' and <= (byte)'9') => JsonTokenType.Number,
                (byte)'{' => JsonTokenType.StartObject,
                (byte)'[' => JsonTokenType.StartArray,
                (byte)'t' => JsonTokenType.True,
                _ => JsonTokenType.False, // or not JSON at all, which the skip below finds
            } };
            bool read = value.Type switch
            {
                JsonTokenType.String => cursor.TryReadString(out value.Start, out value.Length, out value.Escaped),
                JsonTokenType.Number => cursor.TryReadNumber(out value.Start, out value.Length) && cursor.AtDelimiter(),
                _ => cursor.TrySkipValue(1, MaxDepth),
            };
            if (!read)
            {
                return false;
            }

            if (bit is PAth or PHtm or PHtu && !value.IsString && pending.Kind == VerificationFailure.None)
            {
                pending = bit == PAth ? Error.ProofTokenHashMismatch : bit == PHtm ? Error.ProofMethodMismatch : Error.ProofUrlMismatch;
            }

            switch (bit)
            {
                case PIat:
                    payload.Iat = value;
                    break;
                case PJti:
                    payload.Jti = value;
                    break;
                case PAth:
                    payload.Ath = value;
                    break;
                case PHtm:
                    payload.Htm = value;
                    break;
                case PHtu:
                    payload.Htu = value;
                    break;
                case PNonce:
                    payload.Nonce = value;
                    break;
            }
        }

        if (!cursor.AtEnd())
        {
            return false;
        }

        error = pending;
        return pending.Kind == VerificationFailure.None;
    }

    private static int ClaimBit(ReadOnlySpan<byte> json, int start, int length, bool escaped)
    {
        if (!escaped)
        {
            ReadOnlySpan<byte> name = json.Slice(start, length);
            return name.Length == 3
                ? name.SequenceEqual("iat"u8) ? PIat
                    : name.SequenceEqual("jti"u8) ? PJti
                    : name.SequenceEqual("ath"u8) ? PAth
                    : name.SequenceEqual("htm"u8) ? PHtm
                    : name.SequenceEqual("htu"u8) ? PHtu
                    : 0
                : name.SequenceEqual("nonce"u8) ? PNonce : 0;
        }

        Utf8JsonReader reader = JsonSyntax.StringReader(json, start, length);
        return reader.ValueTextEquals("iat"u8) ? PIat
            : reader.ValueTextEquals("jti"u8) ? PJti
            : reader.ValueTextEquals("ath"u8) ? PAth
            : reader.ValueTextEquals("htm"u8) ? PHtm
            : reader.ValueTextEquals("htu"u8) ? PHtu
            : reader.ValueTextEquals("nonce"u8) ? PNonce
            : 0;
    }

    // iat as Utf8JsonReader.TryGetDouble reads a number: the whole text parsed; one beyond double's range is an
    // infinity (too old or from the future), as Python's json reads it.
    private static bool TryGetIat(ReadOnlySpan<byte> json, JoseValue iat, out double value)
    {
        if (iat.Type == JsonTokenType.Number
            && System.Buffers.Text.Utf8Parser.TryParse(json.Slice(iat.Start, iat.Length), out value, out int consumed)
            && consumed == iat.Length)
        {
            return true;
        }

        value = 0;
        return false;
    }

    // A string value's text, unescaped (the escapes were checked: decoding cannot fail).
    private static string GetString(ReadOnlySpan<byte> json, JoseValue value) =>
        value.Escaped ? value.StringReader(json).GetString()! : Encoding.UTF8.GetString(json.Slice(value.Start, value.Length));

    // A string value's UTF-8 bytes, unescaped, into destination (at least as long as the text as written).
    private static int CopyString(ReadOnlySpan<byte> json, JoseValue value, Span<byte> destination)
    {
        if (value.Escaped)
        {
            return value.StringReader(json).CopyString(destination);
        }

        json.Slice(value.Start, value.Length).CopyTo(destination);
        return value.Length;
    }

    // string.IsNullOrWhiteSpace over UTF-8 (the jti is short; a long one is decoded to judge it).
    private static bool IsBlank(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return true;
        }

        if (utf8.Length <= 256)
        {
            Span<char> chars = stackalloc char[256];
            int count = Encoding.UTF8.GetChars(utf8, chars);
            return chars[..count].IsWhiteSpace();
        }

        return string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(utf8));
    }

    // htm equals the method, case-insensitively (ordinal); unescaped ASCII is compared in place.
    private static bool MethodMatches(ReadOnlySpan<byte> json, JoseValue htm, string httpMethod)
    {
        ReadOnlySpan<byte> raw = json.Slice(htm.Start, htm.Length);
        if (!htm.Escaped && Ascii.IsValid(raw))
        {
            return Ascii.EqualsIgnoreCase(raw, httpMethod);
        }

        return string.Equals(GetString(json, htm), httpMethod, StringComparison.OrdinalIgnoreCase);
    }

    // The longest token whose UTF-8 AthMatches puts on the stack (Auth0 access tokens are about 1 KB).
    private const int MaxStackToken = 4096;

    // base64url(SHA-256(UTF-8(token))) == ath, compared as the 32 decoded bytes in fixed time.
    private static bool AthMatches(ReadOnlySpan<byte> json, JoseValue ath, ReadOnlySpan<char> accessToken)
    {
        const int EncodedLength = 43;
        Span<byte> raw = stackalloc byte[6 * EncodedLength];
        if (ath.Length > raw.Length)
        {
            return false;
        }

        int rawLength = CopyString(json, ath, raw);
        Span<char> chars = stackalloc char[EncodedLength];
        Span<byte> claimed = stackalloc byte[SHA256.HashSizeInBytes];
        if (rawLength != EncodedLength
            || Ascii.ToUtf16(raw[..rawLength], chars, out int charCount) != OperationStatus.Done
            || !Base64UrlStrict.TryDecode(chars[..charCount], claimed, out int written)
            || written != SHA256.HashSizeInBytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        if (accessToken.Length <= MaxStackToken && Ascii.IsValid(accessToken))
        {
            // A token as issued (base64url and dots) is ASCII: its UTF-8 is one byte per character, on the stack. The
            // copy is a bearer credential: it is cleared before the frame is left (the rented buffer below is cleared
            // on return), so a later stack read (a crash dump, a stackalloc that is not zeroed) finds no token.
            Span<byte> ascii = stackalloc byte[accessToken.Length];
            Ascii.FromUtf16(accessToken, ascii, out int asciiLength);
            SHA256.HashData(ascii[..asciiLength], expected);
            CryptographicOperations.ZeroMemory(ascii);
        }
        else
        {
            byte[] rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(accessToken.Length));
            try
            {
                int length = Encoding.UTF8.GetBytes(accessToken, rented);
                SHA256.HashData(rented.AsSpan(0, length), expected);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }

        return CryptographicOperations.FixedTimeEquals(expected, claimed);
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
}

/// <summary>
/// Reads an embedded <c>jwk</c> (already syntax-checked) without the serializer, so a member of the wrong type is a
/// result, not an exception: string members (kty, kid, use, alg, n, e, crv, x, y, d, p, q, k) are strings or null,
/// <c>key_ops</c> an array of strings or null, none of them twice; other members are ignored.
/// </summary>
internal static class JwkReader
{
    public static bool TryRead(ReadOnlySpan<byte> json, out JsonWebKeyDto? jwk)
    {
        jwk = null;
        JsonWebKeyDto key = new();
        int seen = 0;
        Utf8JsonReader reader = new(json, new JsonReaderOptions { MaxDepth = 16 });
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int bit = MemberBit(ref reader);
            if ((seen & bit) != 0)
            {
                return false;
            }

            seen |= bit;
            reader.Read();
            if (bit == 0)
            {
                reader.Skip();
                continue;
            }

            if (bit == KeyOps)
            {
                if (!TryReadStrings(ref reader, out string[]? ops))
                {
                    return false;
                }

                key.KeyOps = ops;
                continue;
            }

            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
            {
                return false;
            }

            Set(key, bit, reader.TokenType == JsonTokenType.Null ? null : reader.GetString());
        }

        jwk = key;
        return true;
    }

    /// <summary>The bit of <c>key_ops</c> (the one member that is not a string).</summary>
    internal const int KeyOps = 1 << 13;

    private const int Kty = 1 << 0, Kid = 1 << 1, Use = 1 << 2, Alg = 1 << 3, N = 1 << 4, E = 1 << 5, Crv = 1 << 6,
        X = 1 << 7, Y = 1 << 8, D = 1 << 9, P = 1 << 10, Q = 1 << 11, K = 1 << 12;

    /// <summary>Sets the string member of <paramref name="key"/> that <paramref name="bit"/> names (any bit of <see cref="MemberBit"/> but 0 and <see cref="KeyOps"/>).</summary>
    internal static void Set(JsonWebKeyDto key, int bit, string? value)
    {
        switch (bit)
        {
            case Kty: key.Kty = value; break;
            case Kid: key.Kid = value; break;
            case Use: key.Use = value; break;
            case Alg: key.Alg = value; break;
            case N: key.N = value; break;
            case E: key.E = value; break;
            case Crv: key.Crv = value; break;
            case X: key.X = value; break;
            case Y: key.Y = value; break;
            case D: key.D = value; break;
            case P: key.P = value; break;
            case Q: key.Q = value; break;
            default: key.K = value; break;
        }
    }

    /// <summary>The bit of the member whose name the reader is on (after unescaping; exact case), or 0 for a member not read.</summary>
    internal static int MemberBit(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("kty"u8) ? Kty
        : reader.ValueTextEquals("kid"u8) ? Kid
        : reader.ValueTextEquals("use"u8) ? Use
        : reader.ValueTextEquals("alg"u8) ? Alg
        : reader.ValueTextEquals("n"u8) ? N
        : reader.ValueTextEquals("e"u8) ? E
        : reader.ValueTextEquals("crv"u8) ? Crv
        : reader.ValueTextEquals("x"u8) ? X
        : reader.ValueTextEquals("y"u8) ? Y
        : reader.ValueTextEquals("d"u8) ? D
        : reader.ValueTextEquals("p"u8) ? P
        : reader.ValueTextEquals("q"u8) ? Q
        : reader.ValueTextEquals("k"u8) ? K
        : reader.ValueTextEquals("key_ops"u8) ? KeyOps
        : 0;

    private static bool TryReadStrings(ref Utf8JsonReader reader, out string[]? values)
    {
        values = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        System.Collections.Generic.List<string> list = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                return false;
            }

            list.Add(reader.GetString()!);
        }

        values = [.. list];
        return true;
    }
}
