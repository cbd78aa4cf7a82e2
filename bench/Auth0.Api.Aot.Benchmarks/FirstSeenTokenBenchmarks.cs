using System;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// Verifying one valid, Auth0-shaped RS256 access token (2048-bit key) that the verifier has not seen before.
/// The client's verified-token cache is off (BenchmarkIssuer), so every call parses the token, finds the key, checks the
/// RSA signature and the claims: a first-seen token's cost, apart from the cache's lookup and store, which
/// <see cref="SameTokenAgainBenchmarks"/> measures. The discovery document and JWKS are fetched once in <see cref="SetupAsync"/> and then
/// served from the client's cache, so the measured calls make no HTTP request and complete synchronously.
/// </summary>
/// <remarks>
/// The baseline is the RSA PKCS#1 v1.5 SHA-256 verification alone, on precomputed bytes: the floor any verifier pays.
/// IdentityModel's handler is used as configured by default: it keeps no cache of validated tokens, but its
/// <see cref="CryptoProviderFactory"/> caches the signature provider (and so the imported RSA key) per key and
/// algorithm, as Auth0.Api.Aot caches imported JWKS keys.
/// </remarks>
[MemoryDiagnoser]
[ExceptionDiagnoser]
[Config(typeof(NoisyMachineConfig))]
public class FirstSeenTokenBenchmarks
{
    private BenchmarkIssuer? _issuer;
    private ApiClient _client = null!;
    private string _token = string.Empty;
    private RSA _publicRsa = null!;
    private byte[] _signingInput = [];
    private byte[] _signature = [];
    private JsonWebTokenHandler _handler = null!;
    private TokenValidationParameters _parameters = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _issuer = await BenchmarkIssuer.StartAsync().ConfigureAwait(false);
        _client = _issuer.Client;
        DateTimeOffset now = DateTimeOffset.UtcNow;
        _token = _issuer.CreateAccessToken(now, now.AddHours(1));

        int lastDot = _token.LastIndexOf('.');
        _signingInput = Encoding.ASCII.GetBytes(_token[..lastDot]);
        _signature = Base64Url.DecodeFromChars(_token.AsSpan(lastDot + 1));
        _publicRsa = RSA.Create(_issuer.PublicParameters);
        if (!BareRsaVerifyData())
        {
            throw new InvalidOperationException("Setup: the bare RSA verification failed.");
        }

        // The first call fetches discovery and JWKS over HTTPS and caches them; every later call is synchronous.
        AccessTokenResult warm = _issuer.Verify(_token);
        if (!warm.IsValid)
        {
            throw new InvalidOperationException($"Setup: Auth0.Api.Aot rejected the token: {warm.Failure} {warm.ErrorDescription}");
        }

        if (!_client.TryVerifyAccessTokenAsync(_token).IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("Setup: a verification with warm caches did not complete synchronously.");
        }

        _handler = new JsonWebTokenHandler();
        _parameters = _issuer.CreateValidationParameters();
        TokenValidationResult result = await _handler.ValidateTokenAsync(_token, _parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            throw new InvalidOperationException("Setup: IdentityModel rejected the token: " + result.Exception);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _publicRsa?.Dispose();
        if (_issuer is not null)
        {
            await _issuer.DisposeAsync().ConfigureAwait(false);
            _issuer = null;
        }
    }

    /// <summary>RSA PKCS#1 v1.5 SHA-256 verification of the token's signature, nothing else.</summary>
    [Benchmark(Baseline = true)]
    public bool BareRsaVerifyData() => _publicRsa.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    /// <summary><see cref="ApiClient.TryVerifyAccessTokenAsync"/> with warm discovery and JWKS caches.</summary>
    [Benchmark]
    public bool Auth0ApiAot()
    {
        ValueTask<AccessTokenResult> pending = _client.TryVerifyAccessTokenAsync(_token);
        AccessTokenResult result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return result.IsValid;
    }

    /// <summary>The verifier behind <see cref="Auth0ApiAot"/>, called directly: no argument checks, no telemetry check (the paired telemetry suite).</summary>
    public bool Auth0ApiAot_VerifierDirect()
    {
        ValueTask<AccessTokenResult> pending = _client.Verifier.VerifyAsync(_token, null, null, null, default);
        AccessTokenResult result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return result.IsValid;
    }

    /// <summary><see cref="JsonWebTokenHandler.ValidateTokenAsync(string, TokenValidationParameters)"/> with equivalent checks.</summary>
    [Benchmark]
    public bool IdentityModelJsonWebTokenHandler() => _handler.ValidateTokenAsync(_token, _parameters).GetAwaiter().GetResult().IsValid;
}
