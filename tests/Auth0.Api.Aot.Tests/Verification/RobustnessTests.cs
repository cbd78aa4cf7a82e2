using System;
using System.Buffers.Text;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Verification;

/// <summary>No raw exception escapes the non-throwing path, whatever the token or the transport does.</summary>
public sealed class RobustnessTests
{
    private static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("{\"alg\":\"RS256\",\"kid\":\"\\ud800\"}", "{}")]
    [InlineData("{\"alg\":\"RS\\ud800\",\"kid\":\"k\"}", "{}")]
    [InlineData("{\"alg\":\"RS256\",\"kid\":\"k\",\"typ\":\"\\udc00\"}", "{}")]
    [InlineData("{\"alg\":\"RS256\",\"kid\":\"k\",\"\\ud800\":1}", "{}")]
    [InlineData("{\"alg\":\"RS256\",\"kid\":\"k\"}", "{\"iss\":\"\\ud800\"}")]
    [InlineData("{\"alg\":\"RS256\",\"kid\":\"k\"}", "{\"aud\":\"\\ud800\"}")]
    [InlineData("{\"alg\":\"RS256\",\"kid\":\"k\"}", "{\"aud\":[\"\\udc00x\"]}")]
    [InlineData("{\"alg\":\"RS256\",\"kid\":\"k\"}", "{\"\\ud800\":1}")]
    [InlineData("{\"alg\":\"RS256\",\"kid\":\"k\"}", "{\"sub\":\"\\ud800\"}")]
    [InlineData("{\"alg\":\"RS256\",\"kid\":\"k\"}", "{\"permissions\":[\"a\",\"\\ud800\"]}")]
    public async Task Invalid_string_escapes_are_malformed_tokens_not_exceptions(string header, string payload)
    {
        using ApiClient client = new(new ApiClientOptions { Domain = "tenant.example.com", Audience = "my-audience" });
        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(B64(header) + "." + B64(payload) + ".c2ln");
        Assert.Equal(VerificationFailure.MalformedToken, result.Failure);
        Assert.Contains("invalid string escape", result.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lone_surrogate_in_an_unregistered_claim_is_not_a_readable_string()
    {
        await using Harness h = await Harness.StartAsync();
        using ApiClient client = h.Client();
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(h.Token((_, p) => p.Set("x", new RawJson("\"\\ud800\""))));
        Assert.True(claims.HasClaim("x"));
        Assert.False(claims.TryGetString("x", out string? value));
        Assert.Null(value);
    }

    /// <summary>
    /// The issuer never answers and the library's own Timeout runs on a clock that never moves: the injected client's
    /// timeout is the only thing that can end the request, however long it takes to fire.
    /// </summary>
    [Fact]
    public async Task An_injected_HttpClient_timing_out_first_is_a_typed_error()
    {
        await using Harness h = await Harness.StartAsync();
        h.Issuer.Intercept = async context =>
        {
            await LocalIssuer.Hang(context);
            return true;
        };
        using HttpClient impatient = new(h.Issuer.CreateHandler()) { Timeout = TimeSpan.FromMilliseconds(200) };
        using ApiClient client = h.Client(o => (o.HttpClient, o.TimeProvider) = (impatient, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow)));
        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(h.Token());
        Assert.Equal(VerificationFailure.KeySourceFailed, result.Failure);
        Assert.Equal("Failed to fetch OIDC discovery metadata: request was cancelled by the HttpClient (its own Timeout?)", result.ErrorDescription);
    }

    [Fact]
    public async Task A_disposed_HttpClient_or_a_throwing_handler_is_a_typed_error()
    {
        await using Harness h = await Harness.StartAsync();
        HttpClient disposed = h.Issuer.CreateHttpClient();
        disposed.Dispose();
        using ApiClient client = h.Client(o => o.HttpClient = disposed);
        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(h.Token());
        Assert.Equal(VerificationFailure.KeySourceFailed, result.Failure);
        Assert.Equal("Failed to fetch OIDC discovery metadata: request failed: ObjectDisposedException", result.ErrorDescription);

        using HttpClient broken = new(new ThrowingHandler());
        using ApiClient second = h.Client(o => o.HttpClient = broken);
        AccessTokenResult failed = await second.TryVerifyAccessTokenAsync(h.Token());
        Assert.Equal("Failed to fetch OIDC discovery metadata: request failed: InvalidOperationException", failed.ErrorDescription);
    }

    [Fact]
    public void Timeout_and_token_length_have_upper_bounds()
    {
        Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d", Audience = "a", Timeout = TimeSpan.FromDays(60) }));
        Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d", Audience = "a", Timeout = System.Threading.Timeout.InfiniteTimeSpan }));
        Assert.Throws<ConfigurationException>(() => new ApiClient(new ApiClientOptions { Domain = "d", Audience = "a", MaxTokenLength = int.MaxValue }));
        using ApiClient client = new(new ApiClientOptions { Domain = "d", Audience = "a", Timeout = TimeSpan.FromMinutes(10), MaxTokenLength = 1024 * 1024 });
        Assert.Equal(TimeSpan.FromMinutes(10), client.Timeout);
    }

    private sealed class ThrowingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, System.Threading.CancellationToken cancellationToken) =>
            throw new InvalidOperationException("circuit open");
    }
}

/// <summary>Issue 12 item 2: a claim the library reads later never makes a Try* call or a claims property throw.</summary>
public sealed class ConfirmationRobustnessTests : IssuerTests
{
    [Fact]
    public async Task A_jkt_with_a_lone_surrogate_escape_neither_throws_nor_binds()
    {
        string token = H.Token((_, p) => p.Set("cnf", new RawJson("{\"jkt\":\"\\ud800abc\"}")));
        using ApiClient allowed = H.Client();
        RequestVerificationResult bearer = await allowed.TryVerifyRequestAsync("Bearer " + token, null, "GET", "https://api.example.com/x");
        Assert.Equal(VerificationFailure.BoundTokenAsBearer, bearer.Failure);

        // Disabled mode refuses it as Bearer too; the token API, which verifies the token alone, reads it without throwing.
        using ApiClient disabled = H.Client(o => o.DPoPMode = DPoPMode.Disabled);
        RequestVerificationResult refused = await disabled.TryVerifyRequestAsync("Bearer " + token, null, "GET", "https://api.example.com/x");
        Assert.Equal(VerificationFailure.BoundTokenAsBearer, refused.Failure);
        AccessTokenResult plain = await disabled.TryVerifyAccessTokenAsync(token);
        Assert.True(plain.IsValid);
        Assert.Null(plain.Claims.ConfirmationThumbprint);
        Assert.Equal(System.Text.Json.JsonValueKind.Object, plain.Claims.Confirmation!.Value.ValueKind);
    }

    [Fact]
    public async Task A_token_with_a_repeated_jkt_is_still_refused_as_bearer()
    {
        string jkt = DPoPProofs.Thumbprint(SigningKey.CreateEc("k"));
        string token = H.Token((_, p) => p.Set("cnf", new RawJson("{\"jkt\":\"" + jkt + "\",\"jkt\":\"" + jkt + "\"}")));
        using ApiClient client = H.Client();
        RequestVerificationResult result = await client.TryVerifyRequestAsync("Bearer " + token, null, "GET", "https://api.example.com/x");
        Assert.Equal(VerificationFailure.BoundTokenAsBearer, result.Failure);
    }

    [Fact]
    public async Task A_proof_key_is_not_imported_for_a_request_whose_token_is_refused()
    {
        SigningKey proofKey = SigningKey.CreateEc("proof");
        string forged = H.Token()[..^4] + "AAAA";
        using ApiClient client = H.Client();
        RequestVerificationResult result = await client.TryVerifyRequestAsync("DPoP " + forged, DPoPProofs.Create(proofKey, forged, "GET", "https://api.example.com/x", DateTimeOffset.UtcNow), "GET", "https://api.example.com/x");
        Assert.Equal(VerificationFailure.SignatureInvalid, result.Failure);
        Assert.Equal(0, client.DPoP.CachedKeys);
    }
}
