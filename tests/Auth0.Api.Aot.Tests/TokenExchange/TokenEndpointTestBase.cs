using System;
using System.Linq;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.TokenExchange;

/// <summary>A confidential client (cid / csecret) of a loopback issuer whose token endpoint records every request.</summary>
public abstract class TokenEndpointTestBase : FakeClockIssuerTests
{
    private protected const string ClientId = "cid";
    private protected const string ClientSecret = "csecret-0123456789";

    private protected ApiClient Confidential(Action<ApiClientOptions>? configure = null) => Client(o =>
    {
        o.ClientId = ClientId;
        o.ClientSecret = ClientSecret;
        configure?.Invoke(o);
    });

    private protected void Answer(int status, string? contentType, string body) =>
        H.Issuer.TokenHandler = (context, _) => LocalIssuer.Respond(context, status, contentType, body);

    private protected void AnswerJson(string body) => Answer(200, "application/json", body);

    private protected TokenRequest SingleRequest() => Assert.Single(H.Issuer.TokenRequests);

    private protected static void AssertForm(TokenRequest request, params (string Name, string Value)[] expected) =>
        Assert.Equal(expected.Select(e => e.Name + "=" + e.Value), request.Form.Select(f => f.Key + "=" + f.Value));

    /// <summary>Basic authentication only: the credentials in the header, never in the body.</summary>
    private protected static void AssertClientAuthentication(TokenRequest request)
    {
        Assert.Equal(ClientId + ":" + ClientSecret, request.BasicCredentials);
        Assert.DoesNotContain("client_id", request.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("client_secret", request.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(ClientSecret, request.Body, StringComparison.Ordinal);
        Assert.StartsWith("application/x-www-form-urlencoded", request.ContentType, StringComparison.Ordinal);
    }

    private protected static void AssertApiError(ApiException e, string code, int status, string? message = null)
    {
        Assert.Equal(code, e.ErrorCode);
        Assert.Equal(status, e.StatusCode);
        if (message is not null)
        {
            Assert.Equal(message, e.Message);
        }

        Assert.DoesNotContain(ClientSecret, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ClientId + ":" + ClientSecret)), e.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The token endpoint hangs; the client's clock passes its Timeout.</summary>
    private protected async Task<ApiException> TimesOutAsync(Func<Task> exchange)
    {
        H.Issuer.TokenHandler = (context, _) => LocalIssuer.Hang(context);
        Task<ApiException> pending = Assert.ThrowsAsync<ApiException>(exchange);
        await Eventually.TrueAsync(() => !H.Issuer.TokenRequests.IsEmpty);
        Time.Advance(TimeSpan.FromSeconds(11));
        ApiException e = await pending;
        AssertApiError(e, "timeout_error", 504);
        Assert.Contains("timed out", e.Message, StringComparison.Ordinal);
        return e;
    }

    /// <summary>Caches the discovery document through a verification, then stops the issuer: the token endpoint refuses connections.</summary>
    private protected async Task RefuseConnectionsAsync(ApiClient client)
    {
        await client.VerifyAccessTokenAsync(H.Token());
        await H.Issuer.StopAsync();
    }
}
