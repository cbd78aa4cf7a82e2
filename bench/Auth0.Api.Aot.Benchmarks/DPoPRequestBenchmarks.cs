using System;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// A DPoP request from a returning client key: an RS256 access token bound by <c>cnf.jkt</c> to a P-256 key, and an ES256
/// proof for <c>POST https://api.example.com/orders/42</c> carrying <c>ath</c>. The client key has been seen before, so
/// its imported key is in the thumbprint cache, and discovery and JWKS are cached.
/// </summary>
/// <remarks>
/// Two groups, each with its own baseline:
/// <list type="bullet">
/// <item><c>Proof</c>: <see cref="ApiClient.VerifyDPoPProofAsync"/> (every RFC 9449 section 4.3 check: parse, typ, alg,
/// jwk, thumbprint, signature, claims, iat window, htm, htu, ath) against <see cref="ECDsa.VerifyData(byte[], byte[], HashAlgorithmName, DSASignatureFormat)"/>
/// of the same proof's signing input and signature.</item>
/// <item><c>Request</c>: <see cref="ApiClient.TryVerifyRequestAsync(string?, string?, string?, string?, System.Threading.CancellationToken)"/>
/// (scheme, token, proof, binding) against a bare RSA verify of the token plus a bare ECDSA verify of the proof.</item>
/// </list>
/// The same proof is verified again and again, so replay protection is off in the measured client (a replayed proof is
/// refused by design); its cost, one SHA-256 and one store insert, is outside both baselines.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(NoisyMachineConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class DPoPRequestBenchmarks
{
    public const string Url = "https://api.example.com/orders/42";

    private BenchmarkIssuer? _issuer;
    private ApiClient _client = null!;
    private ApiClient _cachedClient = null!;
    private string _token = string.Empty;
    private string _authorization = string.Empty;
    private string _proof = string.Empty;
    private ECDsa _proofKey = null!;
    private byte[] _proofSigningInput = [];
    private byte[] _proofSignature = [];
    private RSA _issuerKey = null!;
    private byte[] _tokenSigningInput = [];
    private byte[] _tokenSignature = [];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _issuer = await BenchmarkIssuer.StartAsync().ConfigureAwait(false);
        DateTimeOffset now = DateTimeOffset.UtcNow;

        // A proof is accepted for 300 s after its iat and a BenchmarkDotNet run lasts longer, so the measured client reads
        // a clock frozen at setup: the same proof stays valid for the whole run, and every call does the same work.
        _client = new ApiClient(new ApiClientOptions
        {
            TimeProvider = new FrozenClock(now),
            Domain = _issuer.Issuer.Domain,
            Audience = BenchmarkIssuer.Audience,
            HttpClient = _issuer.Http,
            CacheTtl = TimeSpan.FromDays(1),
            DPoPReplayProtection = false,

            // The token part verified in full each time (a first-seen token); Auth0ApiAot_Request_CachedToken has it on.
            VerifiedTokenCache = false,
        });
        _cachedClient = new ApiClient(new ApiClientOptions
        {
            TimeProvider = new FrozenClock(now),
            Domain = _issuer.Issuer.Domain,
            Audience = BenchmarkIssuer.Audience,
            HttpClient = _issuer.Http,
            CacheTtl = TimeSpan.FromDays(1),
            DPoPReplayProtection = false,
        });

        SigningKey clientKey = SigningKey.CreateEc("client");
        _token = _issuer.Issuer.CreateToken(BenchmarkIssuer.Audience, (_, payload) => payload
            .Set("sub", BenchmarkIssuer.Subject)
            .Set("iat", now.ToUnixTimeSeconds())
            .Set("exp", now.AddHours(1).ToUnixTimeSeconds())
            .Set("azp", BenchmarkIssuer.AuthorizedParty)
            .Set("scope", BenchmarkIssuer.Scope)
            .Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(clientKey))));
        _authorization = "DPoP " + _token;

        _proof = DPoPProofs.Create(clientKey, _token, "POST", Url, now);
        int lastDot = _proof.LastIndexOf('.');
        _proofSigningInput = Encoding.ASCII.GetBytes(_proof[..lastDot]);
        _proofSignature = Base64Url.DecodeFromChars(_proof.AsSpan(lastDot + 1));
        _proofKey = ECDsa.Create(clientKey.EcDsa!.ExportParameters(false));

        lastDot = _token.LastIndexOf('.');
        _tokenSigningInput = Encoding.ASCII.GetBytes(_token[..lastDot]);
        _tokenSignature = Base64Url.DecodeFromChars(_token.AsSpan(lastDot + 1));
        _issuerKey = RSA.Create(_issuer.PublicParameters);

        if (!BareEcdsaVerifyData() || !BareRsaAndEcdsaVerifyData())
        {
            throw new InvalidOperationException("Setup: a bare verification failed.");
        }

        // The first request fetches discovery and JWKS and imports the client key; later ones are synchronous.
        RequestVerificationResult warm = await _client.TryVerifyRequestAsync(_authorization, _proof, "POST", Url).ConfigureAwait(false);
        if (!warm.IsValid)
        {
            throw new InvalidOperationException("Setup: the DPoP request was refused: " + warm.Error!.Message);
        }

        RequestVerificationResult cachedWarm = await _cachedClient.TryVerifyRequestAsync(_authorization, _proof, "POST", Url).ConfigureAwait(false);
        if (!cachedWarm.IsValid || !_cachedClient.TryVerifyRequestAsync(_authorization, _proof, "POST", Url).IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("Setup: the DPoP request with the token cache on was refused or did not complete synchronously.");
        }

        if (!_client.TryVerifyRequestAsync(_authorization, _proof, "POST", Url).IsCompletedSuccessfully
            || !_client.VerifyDPoPProofAsync(_token, _proof, "POST", Url).IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("Setup: a verification with warm caches did not complete synchronously.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _proofKey?.Dispose();
        _issuerKey?.Dispose();
        _client?.Dispose();
        _cachedClient?.Dispose();
        if (_issuer is not null)
        {
            await _issuer.DisposeAsync().ConfigureAwait(false);
            _issuer = null;
        }
    }

    /// <summary>ECDSA P-256 SHA-256 verification of the proof's signature, nothing else.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Proof")]
    public bool BareEcdsaVerifyData() => _proofKey.VerifyData(_proofSigningInput, _proofSignature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary><see cref="ApiClient.VerifyDPoPProofAsync"/>: the whole proof check from a returning client key.</summary>
    [Benchmark]
    [BenchmarkCategory("Proof")]
    public bool Auth0ApiAot_Proof()
    {
        ValueTask<DPoPProofClaims> pending = _client.VerifyDPoPProofAsync(_token, _proof, "POST", Url);
        return (pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult()) is not null;
    }

    /// <summary>The token's RSA verification plus the proof's ECDSA verification, nothing else.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Request")]
    public bool BareRsaAndEcdsaVerifyData() =>
        _issuerKey.VerifyData(_tokenSigningInput, _tokenSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1) && BareEcdsaVerifyData();

    /// <summary><see cref="ApiClient.TryVerifyRequestAsync(string?, string?, string?, string?, System.Threading.CancellationToken)"/>: the whole DPoP request.</summary>
    [Benchmark]
    [BenchmarkCategory("Request")]
    public bool Auth0ApiAot_Request()
    {
        ValueTask<RequestVerificationResult> pending = _client.TryVerifyRequestAsync(_authorization, _proof, "POST", Url);
        return (pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult()).IsValid;
    }

    /// <summary>
    /// The whole DPoP request with the verified-token cache on and the token seen before: the token part is a cache hit,
    /// the proof is verified in full (its ECDSA signature, claims, <c>ath</c> and the <c>cnf.jkt</c> binding).
    /// </summary>
    [Benchmark]
    [BenchmarkCategory("Proof")]
    public bool Auth0ApiAot_Request_CachedToken()
    {
        ValueTask<RequestVerificationResult> pending = _cachedClient.TryVerifyRequestAsync(_authorization, _proof, "POST", Url);
        return (pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult()).IsValid;
    }
}

/// <summary>A clock that always reads the same UTC time (timestamps still advance, so elapsed-time measurements work).</summary>
internal sealed class FrozenClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
