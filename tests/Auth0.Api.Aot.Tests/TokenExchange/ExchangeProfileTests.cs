using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Tests.TokenExchange;

/// <summary>Custom Token Exchange (reference sections 8.2 and 11.7) against a recording token endpoint on loopback.</summary>
public sealed class ExchangeProfileTests : TokenEndpointTestBase
{
    private const string SubjectType = "urn:acme:legacy-token";

    private static TokenExchangeRequest Request(string subject = "legacy-token", string? audience = "https://api.example.com", string? scope = null, string? requestedType = null, TokenExchangeParameters? extra = null) =>
        new() { SubjectToken = subject, SubjectTokenType = SubjectType, Audience = audience, Scope = scope, RequestedTokenType = requestedType, Extra = extra };

    [Fact]
    public async Task Success_returns_every_field_and_sends_the_form_in_order()
    {
        AnswerJson("{\"access_token\":\"at\",\"expires_in\":3600,\"scope\":\"openid\",\"id_token\":\"it\",\"refresh_token\":\"rt\",\"token_type\":\"Bearer\",\"issued_token_type\":\"urn:ietf:params:oauth:token-type:access_token\"}");
        using ApiClient client = Confidential();
        TokenExchangeResult result = await client.GetTokenByExchangeProfileAsync(Request(scope: "openid profile", requestedType: "urn:ietf:params:oauth:token-type:access_token"));
        Assert.Equal(("at", "openid", "it", "rt", "Bearer"), (result.AccessToken, result.Scope, result.IdToken, result.RefreshToken, result.TokenType));
        Assert.Equal("urn:ietf:params:oauth:token-type:access_token", result.IssuedTokenType);
        Assert.Equal(TimeSpan.FromSeconds(3600), result.ExpiresIn);
        Assert.Equal(Time.GetUtcNow().ToUnixTimeSeconds() + 3600, result.ExpiresAt.ToUnixTimeSeconds());

        Auth0.Api.Aot.Testing.TokenRequest request = SingleRequest();
        AssertForm(request,
            ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            ("subject_token", "legacy-token"),
            ("subject_token_type", SubjectType),
            ("audience", "https://api.example.com"),
            ("scope", "openid profile"),
            ("requested_token_type", "urn:ietf:params:oauth:token-type:access_token"));
        AssertClientAuthentication(request);
    }

    [Fact]
    public async Task Optional_fields_are_left_out_and_falsy_answers_kept()
    {
        AnswerJson("{\"access_token\":\"at\",\"scope\":\"\",\"id_token\":\"\",\"refresh_token\":\"\"}");
        using ApiClient client = Confidential();
        TokenExchangeResult result = await client.GetTokenByExchangeProfileAsync(Request(audience: null));
        AssertForm(SingleRequest(), ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"), ("subject_token", "legacy-token"), ("subject_token_type", SubjectType));
        Assert.Equal((string.Empty, string.Empty, string.Empty), (result.Scope, result.IdToken, result.RefreshToken));
        Assert.Null(result.TokenType);
        Assert.Equal(TimeSpan.FromSeconds(3600), result.ExpiresIn);
    }

    [Fact]
    public async Task Sets_expires_at_from_the_clients_clock()
    {
        using ApiClient client = Confidential(o => o.TimeProvider = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(1735693200, (await client.GetTokenByExchangeProfileAsync(Request())).ExpiresAt.ToUnixTimeSeconds());
    }

    [Theory]
    [InlineData("", SubjectType, typeof(MissingRequiredArgumentException), "subject_token")]
    [InlineData("t", "", typeof(MissingRequiredArgumentException), "subject_token_type")]
    [InlineData("   ", SubjectType, typeof(GetTokenByExchangeProfileException), "cannot be blank or whitespace")]
    [InlineData(" token ", SubjectType, typeof(GetTokenByExchangeProfileException), "leading or trailing whitespace")]
    [InlineData("\u001Ctoken", SubjectType, typeof(GetTokenByExchangeProfileException), "leading or trailing whitespace")]
    [InlineData("\u001F", SubjectType, typeof(GetTokenByExchangeProfileException), "cannot be blank or whitespace")]
    [InlineData("Bearer abc", SubjectType, typeof(GetTokenByExchangeProfileException), "'Bearer ' prefix")]
    [InlineData("bearer abc", SubjectType, typeof(GetTokenByExchangeProfileException), "'Bearer ' prefix")]
    public async Task Input_validation_makes_no_request(string subject, string type, Type exceptionType, string contains)
    {
        using ApiClient client = Confidential();
        Exception e = await Assert.ThrowsAnyAsync<BaseAuthException>(async () => await client.GetTokenByExchangeProfileAsync(new TokenExchangeRequest { SubjectToken = subject, SubjectTokenType = type }));
        Assert.IsType(exceptionType, e);
        Assert.Contains(contains, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Theory]
    [InlineData(null, "s")]
    [InlineData("c", null)]
    [InlineData(null, null)]
    public async Task Missing_client_credentials_make_no_request(string? id, string? secret)
    {
        using ApiClient client = Client(o => (o.ClientId, o.ClientSecret) = (id, secret));
        GetTokenByExchangeProfileException e = await Assert.ThrowsAsync<GetTokenByExchangeProfileException>(async () => await client.GetTokenByExchangeProfileAsync(Request()));
        Assert.StartsWith("Client credentials are required", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    // A reserved name in any case; beyond the Python SDK's list, one with whitespace, control or format characters in it
    // or an array suffix, in case a server trims names or reads bracketed ones as arrays. A caller's name is shown only
    // with its control characters escaped.
    [Theory]
    [InlineData("scope", "scope")]
    [InlineData("RESOURCE", "RESOURCE")]
    [InlineData("Client_ID", "Client_ID")]
    [InlineData("grant_type", "grant_type")]
    [InlineData("grant_type ", "grant_type ")]
    [InlineData(" audience", " audience")]
    [InlineData("audience[]", "audience[]")]
    [InlineData("Scope []", "Scope []")]
    [InlineData("scope\r\n", "scopeU+000DU+000A")]
    [InlineData("audience[0]", "audience[0]")]
    [InlineData("audience[ ]", "audience[ ]")]
    [InlineData("[scope]", "[scope]")]
    [InlineData("[grant_type][x]", "[grant_type][x]")]
    [InlineData("aud\U000E0041ience", "aud\U000E0041ience")]
    [InlineData("audi\u200Bence", "audi\u200Bence")]
    public async Task A_reserved_extra_parameter_is_refused_before_any_request(string name, string shown)
    {
        using ApiClient client = Confidential();
        GetTokenByExchangeProfileException e = await Assert.ThrowsAsync<GetTokenByExchangeProfileException>(async () =>
            await client.GetTokenByExchangeProfileAsync(Request(extra: new TokenExchangeParameters { { name, "should_fail" } })));
        Assert.Equal("Parameter '" + shown + "' is reserved and cannot be overridden", e.Message);
        Assert.Equal(0, H.Issuer.TotalRequests);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_lone_surrogate_is_refused_before_any_request_rather_than_sent_as_another_character(int shape)
    {
        // Made here: a theory's serialised arguments would turn a lone surrogate into U+FFFD before the test saw it.
        (string subject, string? extraValue) = shape switch
        {
            0 => ("tok" + (char)0xD800 + "x", null),
            1 => ("tok" + (char)0xDC00, (string?)null),
            _ => ("legacy-token", "x" + (char)0xD83D),
        };
        // FormUrlEncodedContent would send U+FFFD in its place: a token or value other than the caller's.
        using ApiClient client = Confidential();
        TokenExchangeParameters? extra = extraValue is null ? null : new TokenExchangeParameters { { "custom", extraValue } };
        GetTokenByExchangeProfileException e = await Assert.ThrowsAsync<GetTokenByExchangeProfileException>(async () =>
            await client.GetTokenByExchangeProfileAsync(Request(subject: subject, extra: extra)));
        Assert.Equal("Parameter '" + (extraValue is null ? "subject_token" : "custom") + "' holds a lone surrogate and cannot be sent", e.Message);
        Assert.Equal(0, H.Issuer.TotalRequests);

        // A surrogate pair is text like any other, and is sent.
        AnswerJson("{\"access_token\":\"at\",\"expires_in\":60}");
        Assert.Equal("at", (await client.GetTokenByExchangeProfileAsync(Request(subject: "tok\uD83D\uDE00"))).AccessToken);
    }

    [Fact]
    public async Task Extra_parameters_follow_the_fields_with_repeated_names()
    {
        using ApiClient client = Confidential();
        string[] twenty = new string[20];
        for (int i = 0; i < twenty.Length; i++)
        {
            twenty[i] = "r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await client.GetTokenByExchangeProfileAsync(Request(extra: new TokenExchangeParameters { { "device_id", "dev123" }, { "roles", new[] { "admin", "user" } }, { "beta", true }, { "n", 42 }, { "ratio", 3.14 }, { "many", twenty } }));
        Auth0.Api.Aot.Testing.TokenRequest request = SingleRequest();
        Assert.Equal(["dev123"], request.Values("device_id"));
        Assert.Equal(["admin", "user"], request.Values("roles"));
        Assert.Equal(["true"], request.Values("beta"));
        Assert.Equal(["42"], request.Values("n"));
        Assert.Equal(["3.14"], request.Values("ratio"));
        Assert.Equal(20, request.Values("many").Count);
        Assert.Equal("audience", request.Form[3].Key);
        Assert.Equal("device_id", request.Form[4].Key);

        GetTokenByExchangeProfileException tooMany = await Assert.ThrowsAsync<GetTokenByExchangeProfileException>(async () =>
            await client.GetTokenByExchangeProfileAsync(Request(extra: new TokenExchangeParameters { { "many", [.. twenty, "r20"] } })));
        Assert.Equal("Parameter 'many' exceeds maximum array size of 20", tooMany.Message);
    }

    [Theory]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":\"3600\"}", 3600)]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":0}", 0)]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":999999999}", 999999999)]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":3600.9}", 3600)]
    public async Task Expires_in_forms_that_are_accepted(string body, long seconds)
    {
        AnswerJson(body);
        using ApiClient client = Confidential(o => o.TimeProvider = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1705320000)));
        TokenExchangeResult result = await client.GetTokenByExchangeProfileAsync(Request());
        Assert.Equal(1705320000 + seconds, result.ExpiresAt.ToUnixTimeSeconds());
        Assert.Equal(TimeSpan.FromSeconds(seconds), result.ExpiresIn);
    }

    [Theory]
    [InlineData("{\"expires_in\":3600}", "access_token")]
    [InlineData("{\"access_token\":null}", "access_token")]
    [InlineData("{\"access_token\":123}", "access_token")]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":\"x\"}", "expires_in")]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":\"3600.5\"}", "expires_in")]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":true}", "expires_in")]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":-100}", "negative")]
    [InlineData("{\"access_token\":\"a\",\"expires_in\":99999999999}", "out of range")]
    public async Task Answers_that_are_refused(string body, string contains)
    {
        AnswerJson(body);
        using ApiClient client = Confidential();
        ApiException e = await Assert.ThrowsAsync<ApiException>(async () => await client.GetTokenByExchangeProfileAsync(Request()));
        AssertApiError(e, "invalid_response", 502);
        Assert.Contains(contains, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, "application/json", "{\"error\":\"invalid_grant\",\"error_description\":\"Subject token is expired\"}", "invalid_grant", "Subject token is expired")]
    [InlineData(400, "text/plain", "nope", "token_exchange_error", "Failed to exchange token of type 'urn:acme:legacy-token' for audience 'https://api.example.com'")]
    [InlineData(200, "text/html", "<html>", "invalid_json", "Token endpoint returned invalid JSON.")]
    [InlineData(403, "application/json", "{\"error\":\"access_denied\\r\\n\",\"error_description\":\"Denied: \\u00e9\\r\\nX-Injected: 1 \\\"q\\\"\"}", "access_deniedU+000DU+000A", "Denied: U+00E9U+000DU+000AX-Injected: 1 U+0022qU+0022")]
    public async Task Endpoint_errors(int status, string contentType, string body, string code, string message)
    {
        Answer(status, contentType, body);
        using ApiClient client = Confidential();
        AssertApiError(await Assert.ThrowsAsync<ApiException>(async () => await client.GetTokenByExchangeProfileAsync(Request())), code, status == 200 ? 502 : status, message);
    }

    [Fact]
    public async Task A_token_endpoint_that_hangs_past_Timeout_is_504() =>
        await TimesOutAsync(async () => { using ApiClient client = Confidential(); await client.GetTokenByExchangeProfileAsync(Request()); });

    [Fact]
    public async Task A_refused_connection_is_502()
    {
        using ApiClient client = Confidential();
        await RefuseConnectionsAsync(client);
        AssertApiError(await Assert.ThrowsAsync<ApiException>(async () => await client.GetTokenByExchangeProfileAsync(Request())), "network_error", 502);
    }

    [Fact]
    public async Task The_subject_token_never_appears_in_an_error()
    {
        Answer(400, "application/json", "{\"error\":\"invalid_grant\"}");
        using ApiClient client = Confidential();
        ApiException e = await Assert.ThrowsAsync<ApiException>(async () => await client.GetTokenByExchangeProfileAsync(Request(subject: "secret-subject-token")));
        Assert.DoesNotContain("secret-subject-token", e.ToString(), StringComparison.Ordinal);
        Assert.Equal(nameof(TokenExchangeRequest), Request().ToString());
    }
}
