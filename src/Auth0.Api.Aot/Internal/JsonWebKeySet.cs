// Verification keys imported from a JWKS (RFC 7517). Each key is checked when its JWKS is loaded and imported once,
// into an RSA or ECDsa object built from parameters (never by algorithm name), when a token first names its kid (each
// import costs about 0.1 ms of a cold start); the keys before and including the first one that imports are imported at
// load time, so that a JWKS with no usable key is still refused exactly as a whole. The imported object is reused by
// every verification until the JWKS leaves the cache. Keys that cannot be used are kept with the reason, so that a
// token naming one gets a precise error instead of a silent miss.
//
// Rules (RFC 7518 sections 3.3, 3.4 and 6; RFC 7517 section 4):
//   RSA: n and e present and strict base64url; modulus at least 2048 bits; 1 < e, e odd.
//   EC:  crv P-256 / P-384 / P-521 with x and y of exactly the field size; the point must be on the curve.
//   OKP: crv Ed25519 with x of exactly 32 bytes (RFC 8037), imported by an IEd25519Provider (DPoP proofs only).
//   any: no private members (d, p, q, k); 'use', if present, is "sig"; 'key_ops', if present, has "verify".

using System;
using System.Security.Cryptography;
using System.Text;

namespace Auth0.Api.Aot.Internal;

internal sealed class JsonWebKeySet
{
    public JsonWebKeySet(VerificationKey[] keys, byte[] body)
    {
        Keys = keys;
        Body = body;
    }

    public VerificationKey[] Keys { get; }

    /// <summary>Unique to this object in the process (the verified-token cache names the set by it, so as not to keep it alive).</summary>
    public long Id { get; } = DocumentIds.Next();

    /// <summary>The JWKS as received (for snapshots and the shared cache).</summary>
    public byte[] Body { get; }

    public static JsonWebKeySet Parse(byte[] body) => FromDto(JwksReader.Read(body), body);

    public static JsonWebKeySet FromDto(JsonWebKeySetDto dto, byte[] body)
    {
        if (dto.Keys is null)
        {
            throw new KeySourceException("JWKS has no 'keys' array");
        }

        VerificationKey[] keys = new VerificationKey[dto.Keys.Length];
        string? firstProblem = null;
        bool anyUsable = false;
        for (int i = 0; i < keys.Length; i++)
        {
            // Until one key imports, each is imported now (reading Unusable imports it): a set is usable only with a
            // key that really imports. The keys after it wait for their kid.
            keys[i] = VerificationKey.Prepare(dto.Keys[i]);
            if (!anyUsable)
            {
                anyUsable = keys[i].Unusable is null;
                firstProblem ??= keys[i].Unusable;
            }
        }

        // A JWKS with no usable key is a failed fetch: it must not replace good keys (a half-published rotation, a
        // misconfigured proxy), and the last good set keeps serving within MaxStaleness.
        if (!anyUsable)
        {
            throw new KeySourceException(firstProblem is null ? "JWKS has no keys" : "JWKS has no usable key (" + firstProblem + ")");
        }

        return new JsonWebKeySet(keys, body);
    }

    /// <summary>Finds the key for a token's <c>kid</c> and algorithm.</summary>
    /// <returns>The key, or <see langword="null"/> with a reason when none fits.</returns>
    public VerificationKey? Find(ReadOnlySpan<byte> kid, JwsAlgorithm algorithm, out string? reason)
    {
        reason = null;
        foreach (VerificationKey key in Keys)
        {
            if (key.KidUtf8 is null || !kid.SequenceEqual(key.KidUtf8))
            {
                continue;
            }

            string? problem = key.Unusable ?? key.Misfit(algorithm);
            if (problem is null)
            {
                return key;
            }

            reason ??= problem;
        }

        return null;
    }
}

/// <summary>A JWK checked for use, imported on first use.</summary>
/// <remarks>Thread safety: safe for concurrent use; the import runs once, under a lock, and is published by a volatile flag.</remarks>
internal sealed class VerificationKey
{
    private readonly object _gate = new();
    private volatile bool _imported;
    private string? _unusable;
    private RSA? _rsa;
    private ECDsa? _ecDsa;
    private RSAParameters _rsaParameters;
    private ECParameters _ecParameters;

    private VerificationKey(string? kid, string? alg)
    {
        Kid = kid;
        KidUtf8 = kid is null ? null : Encoding.UTF8.GetBytes(kid);
        Alg = alg;
    }

    public string? Kid { get; }

    public byte[]? KidUtf8 { get; }

    public string? Alg { get; }

    public KeyFamily Family { get; private set; }

    public string? Curve { get; private set; }

    /// <summary>Why the key cannot be used at all; <see langword="null"/> when it can. Reading it imports the key.</summary>
    public string? Unusable
    {
        get
        {
            EnsureImported();
            return _unusable;
        }
    }

    public RSA? Rsa
    {
        get
        {
            EnsureImported();
            return _rsa;
        }
    }

    public int RsaSignatureLength { get; private set; }

    /// <summary>Whether the import has run (tests: keys after the first usable one wait for their kid).</summary>
    internal bool IsImported => _imported;

    public ECDsa? EcDsa
    {
        get
        {
            EnsureImported();
            return _ecDsa;
        }
    }

    public IEd25519PublicKey? Ed25519 { get; private set; }

    /// <summary>Imports a JWK now. OKP keys are imported only with an <paramref name="ed25519"/> provider (DPoP proofs).</summary>
    public static VerificationKey Import(JsonWebKeyDto? jwk, IEd25519Provider? ed25519 = null)
    {
        VerificationKey key = Prepare(jwk, ed25519);
        key.EnsureImported();
        return key;
    }

    /// <summary>Checks a JWK and keeps its parameters; the RSA or EC import waits for the first use of the key.</summary>
    public static VerificationKey Prepare(JsonWebKeyDto? jwk, IEd25519Provider? ed25519 = null)
    {
        if (jwk is null)
        {
            return new VerificationKey(null, null) { _unusable = "the key is not a JSON object", _imported = true };
        }

        VerificationKey key = new(jwk.Kid, jwk.Alg);
        key._unusable = key.CheckCore(jwk, ed25519);
        key._imported = key._unusable is not null || key.Family == KeyFamily.OctetKeyPair;
        return key;
    }

    private void EnsureImported()
    {
        if (_imported)
        {
            return;
        }

        lock (_gate)
        {
            if (_imported)
            {
                return;
            }

            try
            {
                if (Family == KeyFamily.Rsa)
                {
                    _rsa = RSA.Create(_rsaParameters);
                }
                else
                {
                    _ecDsa = ECDsa.Create(_ecParameters);
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // CryptographicException for a malformed key; PlatformNotSupportedException for a curve this platform
                // lacks. Either way the key is unusable, once: the next token naming it is refused without a retry.
                _unusable = Family == KeyFamily.Rsa ? "the RSA key is malformed" : "the EC key is malformed";
            }

            _rsaParameters = default;
            _ecParameters = default;
            _imported = true;
        }
    }

    /// <summary>Whether this usable key fits <paramref name="algorithm"/>: its reason if not.</summary>
    public string? Misfit(JwsAlgorithm algorithm)
    {
        if (Family != algorithm.Family || (algorithm.Curve is not null && !string.Equals(Curve, algorithm.Curve, StringComparison.Ordinal)))
        {
            return "the key with this 'kid' does not match the token's algorithm";
        }

        if (Alg is not null && !string.Equals(Alg, algorithm.Name, StringComparison.Ordinal))
        {
            return "the key's 'alg' does not match the token's algorithm";
        }

        return null;
    }

    public bool Verify(JwsAlgorithm algorithm, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        try
        {
            if (algorithm.Family == KeyFamily.Rsa)
            {
                return signature.Length == RsaSignatureLength
                    && Rsa!.VerifyData(signingInput, signature, algorithm.Hash, algorithm.Padding!);
            }

            if (algorithm.Family == KeyFamily.OctetKeyPair)
            {
                return signature.Length == algorithm.FixedSignatureLength && VerifyEd25519(signingInput, signature);
            }

            return signature.Length == algorithm.FixedSignatureLength
                && EcDsa!.VerifyData(signingInput, signature, algorithm.Hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private string? CheckCore(JsonWebKeyDto jwk, IEd25519Provider? ed25519)
    {
        if (jwk.D is not null || jwk.P is not null || jwk.Q is not null || jwk.K is not null)
        {
            return "the key contains private or symmetric key material";
        }

        if (jwk.Use is not null && !string.Equals(jwk.Use, "sig", StringComparison.Ordinal))
        {
            return "the key's 'use' is not 'sig'";
        }

        if (jwk.KeyOps is not null && Array.IndexOf(jwk.KeyOps, "verify") < 0)
        {
            return "the key's 'key_ops' does not include 'verify'";
        }

        switch (jwk.Kty)
        {
            case "RSA":
                Family = KeyFamily.Rsa;
                return CheckRsa(jwk);
            case "EC":
                Family = KeyFamily.EllipticCurve;
                return CheckEc(jwk);
            case "OKP" when ed25519 is not null:
                Family = KeyFamily.OctetKeyPair;
                return ImportOkp(jwk, ed25519);
            default:
                return "the key type is not supported";
        }
    }

    private string? CheckRsa(JsonWebKeyDto jwk)
    {
        byte[]? n = Base64UrlStrict.DecodeToArray(jwk.N);
        byte[]? e = Base64UrlStrict.DecodeToArray(jwk.E);
        if (n is null || e is null || n.Length == 0 || e.Length == 0 || e.Length > 8)
        {
            return "the RSA key is malformed";
        }

        n = WithoutLeadingZeros(n);
        int bits = (n.Length * 8) - System.Numerics.BitOperations.LeadingZeroCount((uint)n[0]) + 24;
        if (bits < JwsAlgorithm.MinimumRsaKeySizeInBits)
        {
            return "the RSA key is smaller than 2048 bits";
        }

        // e is read as an integer whatever leading zero octets it carries, as n is: 00 01 is 1, which the parity and
        // size checks must see as 1, not as a two-octet exponent (RsaExponentTests). With e = 1 any padded hash would
        // be its own signature; the platform's import refuses it too, but this check does not rely on that.
        e = WithoutLeadingZeros(e);
        if ((e[^1] & 1) == 0 || (e.Length == 1 && e[0] < 3))
        {
            return "the RSA key is malformed";
        }

        _rsaParameters = new RSAParameters { Modulus = n, Exponent = e };
        RsaSignatureLength = n.Length;
        return null;
    }

    // An unsigned big-endian integer without its leading zero octets (at least one octet is kept): the same array when
    // it has none.
    private static byte[] WithoutLeadingZeros(byte[] value)
    {
        int zeros = 0;
        while (zeros < value.Length - 1 && value[zeros] == 0)
        {
            zeros++;
        }

        return zeros == 0 ? value : value.AsSpan(zeros).ToArray();
    }

    private string? CheckEc(JsonWebKeyDto jwk)
    {
        (ECCurve curve, int size) = jwk.Crv switch
        {
            "P-256" => (ECCurve.NamedCurves.nistP256, 32),
            "P-384" => (ECCurve.NamedCurves.nistP384, 48),
            "P-521" => (ECCurve.NamedCurves.nistP521, 66),
            _ => (default(ECCurve), 0),
        };

        if (size == 0)
        {
            return "the EC curve is not supported";
        }

        Curve = jwk.Crv;
        byte[]? x = Base64UrlStrict.DecodeToArray(jwk.X);
        byte[]? y = Base64UrlStrict.DecodeToArray(jwk.Y);
        if (x is null || y is null || x.Length != size || y.Length != size)
        {
            return "the EC key is malformed";
        }

        _ecParameters = new ECParameters { Curve = curve, Q = new ECPoint { X = x, Y = y } };
        return null;
    }

    private string? ImportOkp(JsonWebKeyDto jwk, IEd25519Provider ed25519)
    {
        if (!string.Equals(jwk.Crv, "Ed25519", StringComparison.Ordinal))
        {
            return "the OKP curve is not supported";
        }

        Curve = jwk.Crv;
        byte[]? x = Base64UrlStrict.DecodeToArray(jwk.X);
        if (x is null || x.Length != JwsAlgorithm.Ed25519PublicKeyLength)
        {
            return "the OKP key is malformed";
        }

        // The provider is user code: a throw, or success without a key, counts as a key it could not import.
        try
        {
            Ed25519 = ed25519.TryImportPublicKey(x, out IEd25519PublicKey? key) ? key : null;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Ed25519 = null;
        }

        return Ed25519 is null ? "the OKP key is malformed" : null;
    }

    // The provider is user code: a throw counts as a signature that does not verify.
    private bool VerifyEd25519(ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        try
        {
            return Ed25519!.Verify(signingInput, signature);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return false;
        }
    }
}
