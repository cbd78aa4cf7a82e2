using System;
using System.Net.Http;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;

namespace Auth0.Api.Aot.Tests.Support;

/// <summary>Keys generated once per test run (RSA key generation is slow).</summary>
internal static class TestKeys
{
    public static readonly SigningKey Primary = SigningKey.CreateRsa("TEST_KEY");
    public static readonly SigningKey Other = SigningKey.CreateRsa("OTHER_KEY");
    public static readonly SigningKey Small = SigningKey.CreateRsa("SMALL_KEY", 1024);
    public static readonly SigningKey Ec = SigningKey.CreateEc("EC_KEY");
}

/// <summary>A local issuer on loopback, an HttpClient that trusts it, and helpers to build clients and tokens.</summary>
internal sealed class Harness : IAsyncDisposable
{
    public const string Audience = "my-audience";

    private Harness(LocalIssuer issuer)
    {
        Issuer = issuer;
        Http = issuer.CreateHttpClient();
    }

    public LocalIssuer Issuer { get; }

    public HttpClient Http { get; }

    public static async Task<Harness> StartAsync(SigningKey? key = null) => new(await LocalIssuer.StartAsync(key ?? TestKeys.Primary));

    public ApiClient Client(Action<ApiClientOptions>? configure = null)
    {
        ApiClientOptions options = new() { Domain = Issuer.Domain, Audience = Audience, HttpClient = Http };
        configure?.Invoke(options);
        return new ApiClient(options);
    }

    public string Token(Action<ClaimSet, ClaimSet>? configure = null, SigningKey? key = null) => Issuer.CreateToken(Audience, configure, key);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Issuer.DisposeAsync();
    }
}

internal static class Assertions
{
    public static async Task<VerifyAccessTokenException> RejectsAsync(this ApiClient client, string token, VerificationFailure failure, string? messageContains = null)
    {
        VerifyAccessTokenException exception = await Assert.ThrowsAsync<VerifyAccessTokenException>(async () => await client.VerifyAccessTokenAsync(token));
        Assert.Equal(failure, exception.Failure);
        Assert.Equal("invalid_token", exception.ErrorCode);
        Assert.Equal(401, exception.StatusCode);
        if (messageContains is not null)
        {
            Assert.Contains(messageContains, exception.Message, StringComparison.OrdinalIgnoreCase);
        }

        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(token);
        Assert.False(result.IsValid);
        Assert.Equal(failure, result.Failure);
        Assert.Equal(exception.Message, result.ErrorDescription);
        return exception;
    }

    /// <summary>The issuer's keys cannot be had: 503 with Retry-After and no challenge, through both APIs.</summary>
    public static async Task<ServiceUnavailableException> UnavailableAsync(this ApiClient client, string token, string? messageContains = null)
    {
        ServiceUnavailableException exception = await Assert.ThrowsAsync<ServiceUnavailableException>(async () => await client.VerifyAccessTokenAsync(token));
        Assert.Equal(VerificationFailure.KeySourceFailed, exception.Failure);
        Assert.Equal("temporarily_unavailable", exception.ErrorCode);
        Assert.Equal(503, exception.StatusCode);
        Assert.False(exception.Headers.ContainsKey("WWW-Authenticate"));
        Assert.True(exception.RetryAfter >= TimeSpan.FromSeconds(1));
        Assert.Equal(((long)exception.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), exception.Headers["Retry-After"]);
        if (messageContains is not null)
        {
            Assert.Contains(messageContains, exception.Message, StringComparison.OrdinalIgnoreCase);
        }

        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(token);
        Assert.False(result.IsValid);
        Assert.Equal(VerificationFailure.KeySourceFailed, result.Failure);
        Assert.Equal(exception.Message, result.ErrorDescription);
        Assert.NotNull(result.RetryAfter);
        return exception;
    }
}
