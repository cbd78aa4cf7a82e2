using System;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// The verified-token cache (docs/caching.md): one valid RS256 token presented again, against the same token verified in
/// full, in one process.
/// <list type="bullet">
/// <item><c>FirstSeen</c>: a client with the cache off; every call is a full verification (the RSA signature included).</item>
/// <item><c>FirstSeen_CacheOn</c>: a client with the cache on but a single slot, given two tokens in turn: every call
/// misses, is verified in full and is stored, evicting the other (the cost the cache adds to a first-seen token).</item>
/// <item><c>SameTokenAgain</c>: a client with the cache on (the default), the token stored: no parse and no signature
/// check, only the lookup, the key-set, exp and nbf checks and the claims object.</item>
/// <item><c>SameTokenAgain_BearerRequest</c>: the same through <see cref="ApiClient.TryVerifyRequestAsync(string?, string?, string?, string?, System.Threading.CancellationToken)"/>.</item>
/// </list>
/// Discovery and JWKS are served from the clients' caches; every measured call completes synchronously.
/// </summary>
[MemoryDiagnoser]
[ExceptionDiagnoser]
[Config(typeof(NoisyMachineConfig))]
public class SameTokenAgainBenchmarks
{
    private const string Url = "https://api.example.com/orders";

    private BenchmarkIssuer? _issuer;
    private ApiClient _uncached = null!;
    private ApiClient _oneSlot = null!;
    private ApiClient _cached = null!;
    private string _token = string.Empty;
    private string _other = string.Empty;
    private string _authorization = string.Empty;
    private bool _flip;
    private RSA _publicRsa = null!;
    private byte[] _signingInput = [];
    private byte[] _signature = [];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _issuer = await BenchmarkIssuer.StartAsync(cacheVerifiedTokens: false).ConfigureAwait(false);
        _uncached = _issuer.Client;
        _cached = new ApiClient(new ApiClientOptions
        {
            Domain = _issuer.Issuer.Domain,
            Audience = BenchmarkIssuer.Audience,
            HttpClient = _issuer.Http,
            CacheTtl = TimeSpan.FromDays(1),
        });
        _oneSlot = new ApiClient(new ApiClientOptions
        {
            Domain = _issuer.Issuer.Domain,
            Audience = BenchmarkIssuer.Audience,
            HttpClient = _issuer.Http,
            CacheTtl = TimeSpan.FromDays(1),
            VerifiedTokenCacheCapacity = 1,
        });

        DateTimeOffset now = DateTimeOffset.UtcNow;
        _token = _issuer.CreateAccessToken(now, now.AddHours(1));
        _other = _issuer.CreateAccessToken(now.AddSeconds(-1), now.AddHours(1));
        _authorization = "Bearer " + _token;

        int lastDot = _token.LastIndexOf('.');
        _signingInput = Encoding.ASCII.GetBytes(_token[..lastDot]);
        _signature = Base64Url.DecodeFromChars(_token.AsSpan(lastDot + 1));
        _publicRsa = RSA.Create(_issuer.PublicParameters);
        if (!BareRsaVerifyData())
        {
            throw new InvalidOperationException("Setup: the bare RSA verification failed.");
        }

        foreach (ApiClient client in new[] { _uncached, _cached, _oneSlot })
        {
            foreach (string token in new[] { _token, _other })
            {
                AccessTokenResult warm = await client.TryVerifyAccessTokenAsync(token).ConfigureAwait(false);
                if (!warm.IsValid)
                {
                    throw new InvalidOperationException($"Setup: Auth0.Api.Aot rejected the token: {warm.Failure} {warm.ErrorDescription}");
                }
            }
        }

        if (!Auth0ApiAot_FirstSeen() || !Auth0ApiAot_FirstSeen_CacheOn() || !Auth0ApiAot_SameTokenAgain() || !Auth0ApiAot_SameTokenAgain_BearerRequest())
        {
            throw new InvalidOperationException("Setup: a measured call failed.");
        }

        if (!_cached.TryVerifyAccessTokenAsync(_token).IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("Setup: a cached verification did not complete synchronously.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _publicRsa?.Dispose();
        _cached?.Dispose();
        _oneSlot?.Dispose();
        if (_issuer is not null)
        {
            await _issuer.DisposeAsync().ConfigureAwait(false);
            _issuer = null;
        }
    }

    /// <summary>RSA PKCS#1 v1.5 SHA-256 verification of the token's signature, nothing else.</summary>
    [Benchmark(Baseline = true)]
    public bool BareRsaVerifyData() => _publicRsa.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    /// <summary>The token verified in full: the cache off.</summary>
    [Benchmark]
    public bool Auth0ApiAot_FirstSeen() => Valid(_uncached.TryVerifyAccessTokenAsync(_token));

    /// <summary>A miss, a full verification and a store, every call (one slot, two tokens in turn).</summary>
    [Benchmark]
    public bool Auth0ApiAot_FirstSeen_CacheOn()
    {
        _flip = !_flip;
        return Valid(_oneSlot.TryVerifyAccessTokenAsync(_flip ? _token : _other));
    }

    /// <summary>The same token again: a hit.</summary>
    [Benchmark]
    public bool Auth0ApiAot_SameTokenAgain() => Valid(_cached.TryVerifyAccessTokenAsync(_token));

    /// <summary>The same token again, as a Bearer request.</summary>
    [Benchmark]
    public bool Auth0ApiAot_SameTokenAgain_BearerRequest()
    {
        ValueTask<RequestVerificationResult> pending = _cached.TryVerifyRequestAsync(_authorization, null, "GET", Url);
        return (pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult()).IsValid;
    }

    private static bool Valid(ValueTask<AccessTokenResult> pending) =>
        (pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult()).IsValid;
}
