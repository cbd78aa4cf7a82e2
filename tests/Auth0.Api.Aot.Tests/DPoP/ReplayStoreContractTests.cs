using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.DPoP;

/// <summary>
/// What a request asks of an <see cref="IDPoPReplayStore"/> and how its answers are reported, against a real issuer:
/// a proof is offered to the store only after every other check, the binding and the nonce included; a store that is
/// unavailable, answers an undefined value or throws is a 503 with Retry-After and no challenge, never "already used",
/// and its exception never escapes a Try* call; the caller's own cancellation stays a cancellation.
/// </summary>
public sealed class ReplayStoreContractTests : IssuerTests
{
    private const string Url = "https://api.example.com/resource";
    private static readonly SigningKey s_proofKey = SigningKey.CreateEc("contract-proof-key");
    private static readonly SigningKey s_otherKey = SigningKey.CreateEc("contract-other-key");

    private string Bound(SigningKey? key = null) => H.Token((_, p) => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(key ?? s_proofKey))));

    private static string Proof(string token) => DPoPProofs.Create(s_proofKey, token, "GET", Url, DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_proof_refused_for_its_binding_or_its_nonce_is_not_recorded()
    {
        RecordingStore store = new();
        using ApiClient client = H.Client(o => o.DPoPReplayStore = store);
        using ApiClient nonces = H.Client(o =>
        {
            o.DPoPReplayStore = store;
            o.DPoPNonceKey = new byte[32];
        });

        string otherToken = Bound(s_otherKey);
        RequestVerificationResult unbound = await client.TryVerifyRequestAsync("DPoP " + otherToken, Proof(otherToken), "GET", Url);
        Assert.Equal(VerificationFailure.BindingMismatch, unbound.Failure);

        string token = Bound();
        RequestVerificationResult noNonce = await nonces.TryVerifyRequestAsync("DPoP " + token, Proof(token), "GET", Url);
        Assert.Equal(VerificationFailure.ProofNonceMissing, noNonce.Failure);
        Assert.Empty(store.Added);

        Assert.True((await client.TryVerifyRequestAsync("DPoP " + token, Proof(token), "GET", Url)).IsValid);
        Assert.Single(store.Added);
    }

    public static TheoryData<string> Failures => ["unavailable", "undefined value", "throws", "faults later", "times out"];

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_failing_store_is_a_503_with_retry_after_never_already_used(string failure)
    {
        FailingStore store = new(failure);
        using ApiClient client = H.Client(o => o.DPoPReplayStore = store);
        string token = Bound();
        string proof = Proof(token);

        RequestVerificationResult result = await client.TryVerifyRequestAsync("DPoP " + token, proof, "GET", Url);
        Assert.Equal(VerificationFailure.ProofReplayStoreUnavailable, result.Failure);
        Assert.Equal((503, "temporarily_unavailable", "DPoP replay store is unavailable"), (result.StatusCode, result.ErrorCode, result.ErrorDescription));
        Assert.Null(result.Challenge);
        Assert.Equal(TimeSpan.FromSeconds(1), result.RetryAfter);
        ServiceUnavailableException error = Assert.IsType<ServiceUnavailableException>(result.Error);
        Assert.Same(store.Thrown, error.InnerException);
        Assert.Equal("1", error.Headers["Retry-After"]);
        Assert.False(error.Headers.ContainsKey("WWW-Authenticate"));

        ServiceUnavailableException thrown = await Assert.ThrowsAsync<ServiceUnavailableException>(async () => await client.VerifyRequestAsync("DPoP " + token, proof, "GET", Url));
        Assert.Equal(VerificationFailure.ProofReplayStoreUnavailable, thrown.Failure);
        Assert.Same(store.Thrown, thrown.InnerException);
        ServiceUnavailableException proofApi = await Assert.ThrowsAsync<ServiceUnavailableException>(async () => await client.VerifyDPoPProofAsync(token, proof, "GET", Url));
        Assert.Equal("DPoP replay store is unavailable", proofApi.Message);
    }

    [Fact]
    public async Task The_callers_cancellation_through_the_store_stays_a_cancellation()
    {
        using CancellationTokenSource cancelled = new();
        await cancelled.CancelAsync();
        using ApiClient client = H.Client(o => o.DPoPReplayStore = new FailingStore("cancelled"));
        string token = Bound();
        Assert.True((await client.TryVerifyRequestAsync("DPoP " + token, Proof(token), "GET", Url)).IsValid); // warm: no fetch left to cancel
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await client.TryVerifyRequestAsync("DPoP " + token, Proof(token), "GET", Url, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await client.VerifyDPoPProofAsync(token, Proof(token), "GET", Url, cancelled.Token));
    }

    private sealed class RecordingStore : IDPoPReplayStore
    {
        private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new();

        public ConcurrentQueue<string> Added { get; } = new();

        public ValueTask<DPoPReplayResult> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
        {
            bool added = _seen.TryAdd(key, expiresAt);
            if (added)
            {
                Added.Enqueue(key);
            }

            return new(added ? DPoPReplayResult.FirstUse : DPoPReplayResult.Replayed);
        }
    }

    private sealed class FailingStore(string failure) : IDPoPReplayStore
    {
        public Exception? Thrown { get; private set; }

        public ValueTask<DPoPReplayResult> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
        {
            switch (failure)
            {
                case "unavailable":
                    return new(DPoPReplayResult.Unavailable);
                case "undefined value":
                    return new((DPoPReplayResult)7);
                case "throws":
                    throw Thrown = new InvalidOperationException("connection refused");
                case "faults later":
                    return FaultLaterAsync();
                case "times out":
                    throw Thrown = new OperationCanceledException("the store's own timeout, not the caller's");
                default:
                    cancellationToken.ThrowIfCancellationRequested();
                    return new(DPoPReplayResult.FirstUse);
            }
        }

        private async ValueTask<DPoPReplayResult> FaultLaterAsync()
        {
            await Task.Yield();
            throw Thrown = new InvalidOperationException("connection reset");
        }
    }
}
