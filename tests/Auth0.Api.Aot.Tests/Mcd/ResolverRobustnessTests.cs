using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Mcd;

/// <summary>
/// A resolver that throws, returns garbage, cancels on its own or hangs: the verification fails with
/// <see cref="DomainsResolverException"/> (500, no challenge) or, when the caller cancels, with
/// <see cref="OperationCanceledException"/>; no raw exception escapes, and other verifications are unaffected.
/// </summary>
public sealed class ResolverRobustnessTests : IssuerTests
{
    private ApiClient Client(DomainsResolver resolver, DPoPMode mode = DPoPMode.Allowed) =>
        new(new ApiClientOptions { Audience = Harness.Audience, HttpClient = H.Http, DomainsResolver = resolver, DPoPMode = mode });

    public static TheoryData<string> Failures => ["sync-throw", "async-throw", "null", "empty", "blank", "http", "self-cancelled"];

    private static DomainsResolver Failing(string kind) => kind switch
    {
        "sync-throw" => (_, _) => throw new InvalidOperationException("boom"),
        "async-throw" => async (_, ct) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("boom later");
        },
        "null" => (_, _) => new ValueTask<IReadOnlyList<string>>((IReadOnlyList<string>)null!),
        "empty" => (_, _) => new ValueTask<IReadOnlyList<string>>(Array.Empty<string>()),
        "blank" => (_, _) => new ValueTask<IReadOnlyList<string>>(new[] { " " }),
        "http" => (_, _) => new ValueTask<IReadOnlyList<string>>(new[] { "http://tenant.example.com" }),
        _ => async (_, _) =>
        {
            // Cancelled by the resolver's own token, not the caller's: the wait on it ends at once (no time passes).
            using CancellationTokenSource own = new();
            await own.CancelAsync();
            await Task.Delay(Timeout.Infinite, own.Token);
            return [];
        },
    };

    [Theory, MemberData(nameof(Failures))]
    public async Task A_failing_resolver_is_a_500_without_a_challenge(string kind)
    {
        using ApiClient client = Client(Failing(kind));
        string token = H.Token();

        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(token);
        Assert.Equal(VerificationFailure.DomainsResolverFailed, result.Failure);
        Assert.StartsWith("Domains resolver", result.ErrorDescription, StringComparison.Ordinal);

        DomainsResolverException thrown = await Assert.ThrowsAsync<DomainsResolverException>(async () => await client.VerifyAccessTokenAsync(token));
        Assert.Equal(500, thrown.StatusCode);
        Assert.Equal("domains_resolver_error", thrown.ErrorCode);
        Assert.Empty(thrown.Headers);
        Assert.Equal(kind.EndsWith("throw", StringComparison.Ordinal) || kind == "self-cancelled", thrown.InnerException is not null);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Theory]
    [InlineData(DPoPMode.Allowed, "Bearer")]
    [InlineData(DPoPMode.Required, "DPoP")]
    [InlineData(DPoPMode.Allowed, "DPoP")]
    public async Task Row18_a_resolver_failure_in_a_request_has_status_500_and_no_challenge(DPoPMode mode, string scheme)
    {
        using ApiClient client = Client(Failing("sync-throw"), mode);
        SigningKey proofKey = SigningKey.CreateEc("proof");
        string token = H.Token((_, p) => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(proofKey))));
        string? proof = scheme == "DPoP" ? DPoPProofs.Create(proofKey, token, "GET", "https://api.example.com/r", DateTimeOffset.UtcNow) : null;
        RequestVerificationResult result = await client.TryVerifyRequestAsync(scheme + " " + token, proof, "GET", "https://api.example.com/r");
        DomainsResolverException error = Assert.IsType<DomainsResolverException>(result.Error);
        Assert.Equal(500, error.StatusCode);
        Assert.False(error.Headers.ContainsKey("WWW-Authenticate"));
        await Assert.ThrowsAsync<DomainsResolverException>(async () => await client.VerifyRequestAsync(scheme + " " + token, proof, "GET", "https://api.example.com/r"));
    }

    [Fact]
    public async Task A_resolver_that_ignores_cancellation_does_not_hold_a_cancelled_verification()
    {
        // The caller cancels once the verification is inside the resolver (not on a timer that may fire before it gets
        // there, which would prove only that an already cancelled call throws); the resolver never completes, so only
        // the library's own handling of the cancellation can end the call, and the hang guard turns a hang into a failure.
        TaskCompletionSource<IReadOnlyList<string>> never = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource called = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using ApiClient client = Client((_, _) =>
        {
            called.TrySetResult();
            return new ValueTask<IReadOnlyList<string>>(never.Task);
        });
        using CancellationTokenSource cancel = new();
        Task<AccessTokenClaims> pending = client.VerifyAccessTokenAsync(H.Token(), null, cancel.Token).AsTask();
        await called.Task.WaitAsync(IssuerGate.HangGuard);
        Assert.False(pending.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(IssuerGate.HangGuard));
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Fact]
    public async Task A_hanging_or_failing_resolver_call_does_not_affect_other_verifications()
    {
        TaskCompletionSource<IReadOnlyList<string>> stuck = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using ApiClient client = Client((context, _) => context.RequestHeaders?["x-tenant"] switch
        {
            "stuck" => new ValueTask<IReadOnlyList<string>>(stuck.Task),
            "broken" => throw new InvalidOperationException("tenant table unavailable"),
            _ => new ValueTask<IReadOnlyList<string>>(new[] { H.Issuer.Domain }),
        });
        string token = H.Token();
        using CancellationTokenSource cancel = new();
        Task<AccessTokenClaims> hanging = client.VerifyAccessTokenAsync(token, null, new Dictionary<string, string> { ["x-tenant"] = "stuck" }, null, cancel.Token).AsTask();

        for (int i = 0; i < 10; i++)
        {
            AccessTokenResult broken = await client.TryVerifyAccessTokenAsync(token, null, new Dictionary<string, string> { ["x-tenant"] = "broken" });
            Assert.Equal(VerificationFailure.DomainsResolverFailed, broken.Failure);
            AccessTokenClaims claims = await client.VerifyAccessTokenAsync(token, null, new Dictionary<string, string> { ["x-tenant"] = "fine" });
            Assert.Equal("user_123", claims.Subject);
        }

        Assert.False(hanging.IsCompleted);
        await cancel.CancelAsync();

        // The exception Task.WaitAsync gave before the library waited without it: a TaskCanceledException with the token.
        TaskCanceledException cancelled = await Assert.ThrowsAsync<TaskCanceledException>(() => hanging);
        Assert.Equal(cancel.Token, cancelled.CancellationToken);
        Assert.Equal(1, H.Issuer.DiscoveryRequests);
        Assert.Equal(1, H.Issuer.JwksRequests);
    }

    [Fact]
    public async Task StaticJwks_pins_keys_for_a_domain_that_the_resolver_still_gates()
    {
        bool allow = true;
        using ApiClient client = new(new ApiClientOptions
        {
            Audience = Harness.Audience,
            HttpClient = H.Http,
            StaticJwks = new Dictionary<string, string> { [H.Issuer.Domain] = H.Issuer.JwksJson() },
            DomainsResolver = (_, _) => new ValueTask<IReadOnlyList<string>>(allow ? new[] { H.Issuer.Domain } : new[] { "other.example.com" }),
        });
        string token = H.Token();
        Assert.Equal(H.Issuer.Issuer, (await client.VerifyAccessTokenAsync(token)).Issuer);
        allow = false;
        await client.RejectsAsync(token, VerificationFailure.IssuerNotAllowed);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }
}
