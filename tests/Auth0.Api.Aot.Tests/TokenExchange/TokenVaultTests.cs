using System;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Tests.TokenExchange;

/// <summary>Token Vault (reference sections 8.1 and 11.6) against a recording token endpoint on loopback.</summary>
public sealed class TokenVaultTests : TokenEndpointTestBase
{
    private static ConnectionTokenRequest Request(string? loginHint = null) => new() { Connection = "google-oauth2", AccessToken = "user-access-token", LoginHint = loginHint };

    [Fact]
    public async Task Success_with_the_form_in_order_and_basic_authentication_only()
    {
        AnswerJson("{\"access_token\":\"abc123\",\"expires_in\":3600,\"scope\":\"openid\"}");
        using ApiClient client = Confidential();
        ConnectionTokenResult result = await client.GetAccessTokenForConnectionAsync(Request());
        Assert.Equal("abc123", result.AccessToken);
        Assert.Equal("openid", result.Scope);
        Assert.Equal(TimeSpan.FromHours(1), result.ExpiresIn);
        Assert.Equal(Time.GetUtcNow().ToUnixTimeSeconds() + 3600, result.ExpiresAt.ToUnixTimeSeconds());
        Assert.Equal(nameof(ConnectionTokenResult), result.ToString());

        TokenRequestAssertions(SingleRequest());
    }

    private static void TokenRequestAssertions(Auth0.Api.Aot.Testing.TokenRequest request)
    {
        AssertForm(request,
            ("connection", "google-oauth2"),
            ("requested_token_type", "http://auth0.com/oauth/token-type/federated-connection-access-token"),
            ("grant_type", "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"),
            ("subject_token", "user-access-token"),
            ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"));
        AssertClientAuthentication(request);
    }

    [Fact]
    public async Task Login_hint_is_sent_and_scope_defaults_to_empty()
    {
        using ApiClient client = Confidential();
        ConnectionTokenResult result = await client.GetAccessTokenForConnectionAsync(Request("user@example.com"));
        Assert.Equal(["user@example.com"], SingleRequest().Values("login_hint"));
        Assert.Equal(string.Empty, result.Scope);
    }

    [Theory]
    [InlineData("", "token", "connection")]
    [InlineData("google-oauth2", "", "access_token")]
    public async Task Missing_arguments_make_no_request(string connection, string token, string argument)
    {
        using ApiClient client = Confidential();
        MissingRequiredArgumentException e = await Assert.ThrowsAsync<MissingRequiredArgumentException>(async () =>
            await client.GetAccessTokenForConnectionAsync(new ConnectionTokenRequest { Connection = connection, AccessToken = token }));
        Assert.Equal(argument, e.Argument);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    private const string Blank = "access_token cannot be blank or whitespace";
    private const string Padded = "access_token must not include leading or trailing whitespace";
    private const string Prefixed = "access_token must not include the 'Bearer ' prefix (case-insensitive check)";

    /// <summary>Whitespace as Python's <c>str.strip()</c> sees it, including U+001C..U+001F, as the other two flows check it.</summary>
    [Theory]
    [InlineData("Bearer user-access-token", Prefixed)]
    [InlineData("bearer user-access-token", Prefixed)]
    [InlineData("BEARER user-access-token", Prefixed)]
    [InlineData(" ", Blank)]
    [InlineData("\t\r\n", Blank)]
    [InlineData("\u001F\u00A0", Blank)]
    [InlineData(" user-access-token", Padded)]
    [InlineData("user-access-token\n", Padded)]
    [InlineData("user-access-token\u2003", Padded)]
    [InlineData("\u001Cuser-access-token", Padded)]
    [InlineData(" Bearer user-access-token", Padded)]
    public async Task A_blank_padded_or_Bearer_prefixed_access_token_is_refused_before_any_request(string token, string message)
    {
        using ApiClient client = Confidential();
        GetAccessTokenForConnectionException e = await Assert.ThrowsAsync<GetAccessTokenForConnectionException>(async () =>
            await client.GetAccessTokenForConnectionAsync(new ConnectionTokenRequest { Connection = "google-oauth2", AccessToken = token }));
        Assert.Equal(message, e.Message);
        Assert.Equal("get_access_token_for_connection_error", e.ErrorCode);
        Assert.Equal(400, e.StatusCode);
        Assert.Empty(H.Issuer.TokenRequests);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Fact]
    public async Task The_access_token_is_checked_before_the_client_credentials()
    {
        using ApiClient client = Client();
        GetAccessTokenForConnectionException e = await Assert.ThrowsAsync<GetAccessTokenForConnectionException>(async () =>
            await client.GetAccessTokenForConnectionAsync(new ConnectionTokenRequest { Connection = "google-oauth2", AccessToken = "Bearer t" }));
        Assert.Equal(Prefixed, e.Message);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Theory]
    [InlineData("Bearerless-token")]
    [InlineData("user access-token")]
    [InlineData("x Bearer y")]
    public async Task A_token_that_only_looks_prefixed_or_has_inner_whitespace_is_sent(string token)
    {
        using ApiClient client = Confidential();
        await client.GetAccessTokenForConnectionAsync(new ConnectionTokenRequest { Connection = "google-oauth2", AccessToken = token });
        Assert.Equal([token], SingleRequest().Values("subject_token"));
    }

    [Fact]
    public async Task Without_client_credentials_no_request_is_made()
    {
        using ApiClient client = Client();
        GetAccessTokenForConnectionException e = await Assert.ThrowsAsync<GetAccessTokenForConnectionException>(async () => await client.GetAccessTokenForConnectionAsync(Request()));
        Assert.Contains("client_id and client_secret", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Theory]
    [InlineData(400, "application/json", "{\"error\":\"invalid_request\",\"error_description\":\"Bad request\"}", "invalid_request", "Bad request")]
    [InlineData(400, "text/json", "{\"error\":\"invalid_request\",\"error_description\":\"Bad request\"}", "invalid_request", "Bad request")]
    [InlineData(403, "application/json; charset=utf-8", "{\"error\":\"access_denied\"}", "access_denied", "Failed to get token for connection: 403")]
    [InlineData(400, "text/plain", "Bad request", "connection_token_error", "Failed to get token for connection: 400")]
    [InlineData(400, "application/json", "not json {", "connection_token_error", "Failed to get token for connection: 400")]
    [InlineData(400, "application/json", "[\"invalid_request\"]", "connection_token_error", "Failed to get token for connection: 400")]
    [InlineData(400, "application/json", "{\"error\":\"\",\"error_description\":5}", "connection_token_error", "Failed to get token for connection: 400")]
    [InlineData(201, "application/json", "{\"access_token\":\"abc\"}", "connection_token_error", "Failed to get token for connection: 201")]
    [InlineData(302, null, "", "connection_token_error", "Failed to get token for connection: 302")]
    public async Task Error_bodies_of_each_shape(int status, string? contentType, string body, string code, string message)
    {
        Answer(status, contentType, body);
        using ApiClient client = Confidential();
        AssertApiError(await Assert.ThrowsAsync<ApiException>(async () => await client.GetAccessTokenForConnectionAsync(Request())), code, status, message);
    }

    [Theory]
    [InlineData("not a json", "invalid_json", "Token endpoint returned invalid JSON.")]
    [InlineData("[1]", "invalid_response", "Token endpoint response is not a JSON object.")]
    [InlineData("{\"access_token\":12345}", "invalid_response", "Missing or invalid access_token in response.")]
    [InlineData("{\"access_token\":\"\"}", "invalid_response", "Missing or invalid access_token in response.")]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":\"not-an-int\"}", "invalid_response", "expires_in is not an integer.")]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":\"\\ud800\"}", "invalid_response", "expires_in is not an integer.")]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":-1}", "invalid_response", "expires_in cannot be negative.")]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":-0.9}", "invalid_response", "expires_in cannot be negative.")]
    [InlineData("{\"access_token\":\"a\",\"scope\":7}", "invalid_response", "Invalid 'scope' in response.")]
    public async Task Unusable_success_answers_are_502(string body, string code, string message)
    {
        AnswerJson(body);
        using ApiClient client = Confidential();
        AssertApiError(await Assert.ThrowsAsync<ApiException>(async () => await client.GetAccessTokenForConnectionAsync(Request())), code, 502, message);
    }

    [Fact]
    public async Task A_token_endpoint_that_hangs_past_Timeout_is_504() =>
        await TimesOutAsync(async () => { using ApiClient client = Confidential(); await client.GetAccessTokenForConnectionAsync(Request()); });

    [Fact]
    public async Task A_refused_connection_is_502_network_error()
    {
        using ApiClient client = Confidential();
        await RefuseConnectionsAsync(client);
        ApiException e = await Assert.ThrowsAsync<ApiException>(async () => await client.GetAccessTokenForConnectionAsync(Request()));
        AssertApiError(e, "network_error", 502);
        Assert.StartsWith("Network error occurred: ", e.Message, StringComparison.Ordinal);
        Assert.IsType<System.Net.Http.HttpRequestException>(e.InnerException);
    }

    [Fact]
    public async Task A_discovery_failure_is_an_ApiException_not_a_raw_one()
    {
        H.Issuer.Intercept = async context =>
        {
            context.Response.StatusCode = 500;
            await Task.CompletedTask;
            return true;
        };
        using ApiClient client = Confidential();
        ApiException e = await Assert.ThrowsAsync<ApiException>(async () => await client.GetAccessTokenForConnectionAsync(Request()));
        AssertApiError(e, "discovery_error", 502, "Failed to fetch OIDC discovery metadata: HTTP 500");
    }

    [Theory]
    [InlineData(null, "Token endpoint missing in OIDC metadata.")]
    [InlineData("http://127.0.0.1/oauth/token", "Token endpoint in OIDC metadata is not an absolute https URL")]
    [InlineData("https://attacker.example.com/oauth/token", "Token endpoint in OIDC metadata is not on the configured domain")]
    [InlineData("https://127.0.0.1:1/oauth/token", "Token endpoint in OIDC metadata is not on the configured domain")]
    public async Task An_unusable_token_endpoint_is_the_flow_error(string? endpoint, string message)
    {
        H.Issuer.TokenEndpoint = endpoint;
        using ApiClient client = Confidential();
        GetAccessTokenForConnectionException e = await Assert.ThrowsAsync<GetAccessTokenForConnectionException>(async () => await client.GetAccessTokenForConnectionAsync(Request()));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.Empty(H.Issuer.TokenRequests);
    }

    [Fact]
    public async Task Discovery_is_shared_with_verification()
    {
        using ApiClient client = Confidential();
        await client.VerifyAccessTokenAsync(H.Token());
        await client.GetAccessTokenForConnectionAsync(Request());
        await client.GetAccessTokenForConnectionAsync(Request());
        Assert.Equal(1, H.Issuer.DiscoveryRequests);
        Assert.Equal(2, H.Issuer.TokenRequests.Count);
    }

    [Fact]
    public async Task A_domain_pinned_by_StaticJwks_uses_the_fixed_token_endpoint_without_discovery()
    {
        using ApiClient client = Confidential(o => o.StaticJwks = new System.Collections.Generic.Dictionary<string, string> { [H.Issuer.Domain] = H.Issuer.JwksJson() });
        Assert.Equal("t", (await client.GetAccessTokenForConnectionAsync(Request())).AccessToken);
        Assert.Equal(0, H.Issuer.DiscoveryRequests);
        Assert.Single(H.Issuer.TokenRequests);
    }

    [Fact]
    public void Requests_and_results_never_print_tokens() =>
        Assert.Equal(nameof(ConnectionTokenRequest), Request().ToString());

    [Fact]
    public async Task A_lone_surrogate_in_the_subject_token_is_refused_before_any_request()
    {
        // FormUrlEncodedContent would send U+FFFD in its place: another token than the caller's.
        using ApiClient client = Confidential();
        BaseAuthException e = await Assert.ThrowsAnyAsync<BaseAuthException>(async () => await client.GetAccessTokenForConnectionAsync(new ConnectionTokenRequest { Connection = "google-oauth2", AccessToken = "user" + (char)0xD800 }));
        Assert.Equal("Parameter 'subject_token' holds a lone surrogate and cannot be sent", e.Message);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }
}
