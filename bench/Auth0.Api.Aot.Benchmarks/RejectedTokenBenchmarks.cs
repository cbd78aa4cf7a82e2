using System;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// Rejecting tokens. <see cref="ApiClient.TryVerifyAccessTokenAsync"/> reports a rejection as a result value, so no
/// exception is thrown or caught (the Exceptions column shows it). IdentityModel's handler returns a result too, but
/// throws and catches inside: the result carries a <see cref="SecurityTokenExpiredException"/>.
/// </summary>
/// <remarks>
/// The expired token has a valid signature and Auth0.Api.Aot checks the signature before the lifetime, so
/// <see cref="Auth0ApiAot_Expired"/> includes one RSA verification. The <c>alg: none</c> token is refused while the
/// header is parsed, before any key lookup or cryptography.
/// </remarks>
[MemoryDiagnoser]
[ExceptionDiagnoser]
[Config(typeof(NoisyMachineConfig))]
public class RejectedTokenBenchmarks
{
    private BenchmarkIssuer? _issuer;
    private ApiClient _client = null!;
    private string _expired = string.Empty;
    private string _algNone = string.Empty;
    private JsonWebTokenHandler _handler = null!;
    private TokenValidationParameters _parameters = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _issuer = await BenchmarkIssuer.StartAsync().ConfigureAwait(false);
        _client = _issuer.Client;
        DateTimeOffset now = DateTimeOffset.UtcNow;

        // Warm the discovery and JWKS caches with a valid token.
        AccessTokenResult warm = _issuer.Verify(_issuer.CreateAccessToken(now, now.AddHours(1)));
        if (!warm.IsValid)
        {
            throw new InvalidOperationException($"Setup: Auth0.Api.Aot rejected the valid token: {warm.Failure} {warm.ErrorDescription}");
        }

        _expired = _issuer.CreateAccessToken(now.AddHours(-2), now.AddHours(-1));
        _algNone = BenchmarkIssuer.ToAlgNone(_expired);
        Expect(_expired, VerificationFailure.Expired);
        Expect(_algNone, VerificationFailure.AlgorithmNotAllowed);

        _handler = new JsonWebTokenHandler();
        _parameters = _issuer.CreateValidationParameters();
        TokenValidationResult result = await _handler.ValidateTokenAsync(_expired, _parameters).ConfigureAwait(false);
        if (result.IsValid || result.Exception is not SecurityTokenExpiredException)
        {
            throw new InvalidOperationException("Setup: IdentityModel did not reject the expired token as expired: " + result.Exception);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_issuer is not null)
        {
            await _issuer.DisposeAsync().ConfigureAwait(false);
            _issuer = null;
        }
    }

    /// <summary>A correctly signed token whose <c>exp</c> is an hour in the past.</summary>
    [Benchmark(Baseline = true)]
    public VerificationFailure Auth0ApiAot_Expired() => Verify(_expired);

    /// <summary>The same payload with the header <c>{"alg":"none","typ":"JWT"}</c> and no signature.</summary>
    [Benchmark]
    public VerificationFailure Auth0ApiAot_AlgNone() => Verify(_algNone);

    /// <summary>The expired token through IdentityModel's handler.</summary>
    [Benchmark]
    public bool IdentityModel_Expired() => _handler.ValidateTokenAsync(_expired, _parameters).GetAwaiter().GetResult().IsValid;

    private VerificationFailure Verify(string token)
    {
        ValueTask<AccessTokenResult> pending = _client.TryVerifyAccessTokenAsync(token);
        AccessTokenResult result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return result.Failure;
    }

    private void Expect(string token, VerificationFailure expected)
    {
        AccessTokenResult result = _issuer!.Verify(token);
        if (result.Failure != expected)
        {
            throw new InvalidOperationException($"Setup: expected {expected}, got {result.Failure} ({result.ErrorDescription}).");
        }

        if (!_client.TryVerifyAccessTokenAsync(token).IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("Setup: a rejection with warm caches did not complete synchronously.");
        }
    }
}
