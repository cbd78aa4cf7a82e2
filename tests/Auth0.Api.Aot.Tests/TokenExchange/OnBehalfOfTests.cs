using System;
using System.Threading.Tasks;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.TokenExchange;

/// <summary>On-Behalf-Of (reference sections 8.3 and 11.8) against a recording token endpoint on loopback.</summary>
public sealed class OnBehalfOfTests : TokenEndpointTestBase
{
    private const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

    [Fact]
    public async Task Success_sends_access_token_types_and_never_exposes_id_or_refresh_tokens()
    {
        AnswerJson("{\"access_token\":\"downstream\",\"expires_in\":3600,\"scope\":\"read:orders\",\"token_type\":\"Bearer\",\"issued_token_type\":\"" + AccessTokenType + "\",\"id_token\":\"i\",\"refresh_token\":\"r\"}");
        using ApiClient client = Confidential();
        OnBehalfOfTokenResult result = await client.GetTokenOnBehalfOfAsync("incoming-access-token", "https://orders.example.com", "read:orders");
        Assert.Equal(("downstream", "read:orders", "Bearer", AccessTokenType), (result.AccessToken, result.Scope, result.TokenType, result.IssuedTokenType));
        Assert.Equal(Time.GetUtcNow().ToUnixTimeSeconds() + 3600, result.ExpiresAt.ToUnixTimeSeconds());
        Assert.Null(typeof(OnBehalfOfTokenResult).GetProperty("IdToken"));
        Assert.Null(typeof(OnBehalfOfTokenResult).GetProperty("RefreshToken"));

        Auth0.Api.Aot.Testing.TokenRequest request = SingleRequest();
        AssertForm(request,
            ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            ("subject_token", "incoming-access-token"),
            ("subject_token_type", AccessTokenType),
            ("audience", "https://orders.example.com"),
            ("scope", "read:orders"),
            ("requested_token_type", AccessTokenType));
        AssertClientAuthentication(request);
    }

    [Fact]
    public async Task Without_scope_no_scope_field_is_sent()
    {
        using ApiClient client = Confidential(o => o.TimeProvider = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1735689600)));
        OnBehalfOfTokenResult result = await client.GetTokenOnBehalfOfAsync("incoming-access-token", "https://orders.example.com");
        Assert.Equal(1735693200, result.ExpiresAt.ToUnixTimeSeconds());
        Assert.Empty(SingleRequest().Values("scope"));
    }

    [Fact]
    public async Task The_audience_is_checked_first()
    {
        using ApiClient client = Client();
        MissingRequiredArgumentException e = await Assert.ThrowsAsync<MissingRequiredArgumentException>(async () => await client.GetTokenOnBehalfOfAsync(string.Empty, string.Empty));
        Assert.Equal("audience", e.Argument);
    }

    [Fact]
    public async Task An_empty_access_token_is_a_missing_subject_token()
    {
        using ApiClient client = Confidential();
        MissingRequiredArgumentException e = await Assert.ThrowsAsync<MissingRequiredArgumentException>(async () => await client.GetTokenOnBehalfOfAsync(string.Empty, "https://orders.example.com"));
        Assert.Equal("subject_token", e.Argument);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("cid", null)]
    public async Task Missing_client_credentials(string? id, string? secret)
    {
        using ApiClient client = Client(o => (o.ClientId, o.ClientSecret) = (id, secret));
        GetTokenByExchangeProfileException e = await Assert.ThrowsAsync<GetTokenByExchangeProfileException>(async () => await client.GetTokenOnBehalfOfAsync("t", "https://orders.example.com"));
        Assert.StartsWith("Client credentials are required", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bearer_prefixed_token_is_refused()
    {
        using ApiClient client = Confidential();
        await Assert.ThrowsAsync<GetTokenByExchangeProfileException>(async () => await client.GetTokenOnBehalfOfAsync("Bearer t", "https://orders.example.com"));
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Fact]
    public async Task Api_error_keeps_the_endpoints_code_and_status()
    {
        Answer(400, "application/json", "{\"error\":\"invalid_target\",\"error_description\":\"Unknown audience\"}");
        using ApiClient client = Confidential();
        AssertApiError(await Assert.ThrowsAsync<ApiException>(async () => await client.GetTokenOnBehalfOfAsync("t", "https://nowhere.example.com")), "invalid_target", 400, "Unknown audience");
    }

    /// <summary>
    /// The injected client's own (wall-clock) timeout can only cut the token POST: the discovery document comes from a
    /// snapshot of a client that fetched it without a timeout, and the endpoint never answers the POST, so the outcome
    /// does not depend on how long anything takes. The library's own Timeout runs on the fake clock and never fires.
    /// </summary>
    [Fact]
    public async Task An_injected_HttpClients_own_timeout_is_504_too()
    {
        string snapshot;
        using (ApiClient warm = Confidential())
        {
            await warm.VerifyAccessTokenAsync(H.Token());
            snapshot = warm.ExportKeySnapshot();
        }

        H.Issuer.TokenHandler = (context, _) => Auth0.Api.Aot.Testing.LocalIssuer.Hang(context);
        using System.Net.Http.HttpClient impatient = new(H.Issuer.CreateHandler()) { Timeout = TimeSpan.FromMilliseconds(300) };
        using ApiClient client = Confidential(o => (o.HttpClient, o.KeySnapshot) = (impatient, snapshot));
        ApiException e = await Assert.ThrowsAsync<ApiException>(async () => await client.GetTokenOnBehalfOfAsync("t", "https://orders.example.com"));
        AssertApiError(e, "timeout_error", 504, "Request to token endpoint timed out (the HttpClient's own Timeout)");
        Assert.Equal(1, H.Issuer.DiscoveryRequests);
    }

    [Fact]
    public async Task The_callers_cancellation_stays_a_cancellation()
    {
        H.Issuer.TokenHandler = (context, _) => Auth0.Api.Aot.Testing.LocalIssuer.Hang(context);
        using ApiClient client = Confidential();
        using System.Threading.CancellationTokenSource cancel = new();
        Task<OnBehalfOfTokenResult> pending = client.GetTokenOnBehalfOfAsync("t", "https://orders.example.com", cancellationToken: cancel.Token).AsTask();
        await Eventually.TrueAsync(() => !H.Issuer.TokenRequests.IsEmpty);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task A_token_endpoint_that_hangs_past_Timeout_is_504() =>
        await TimesOutAsync(async () => { using ApiClient client = Confidential(); await client.GetTokenOnBehalfOfAsync("t", "https://orders.example.com"); });

    [Fact]
    public async Task A_lone_surrogate_in_the_subject_token_is_refused_before_any_request()
    {
        // FormUrlEncodedContent would send U+FFFD in its place: another token than the caller's.
        using ApiClient client = Confidential();
        BaseAuthException e = await Assert.ThrowsAnyAsync<BaseAuthException>(async () => await client.GetTokenOnBehalfOfAsync("incoming" + (char)0xDC00, "https://orders.example.com"));
        Assert.Equal("Parameter 'subject_token' holds a lone surrogate and cannot be sent", e.Message);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }
}
