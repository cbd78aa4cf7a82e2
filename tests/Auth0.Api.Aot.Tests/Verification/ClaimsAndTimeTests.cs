using System;
using System.Text.Json;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Tests.Verification;

/// <summary>Typed claim access, and exp/nbf/iat against a frozen clock with and without <c>ClockSkew</c>.</summary>
public sealed class ClaimsAndTimeTests : IAsyncLifetime
{
    private static readonly DateTimeOffset s_now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(s_now);
    private Harness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await Harness.StartAsync();
        _h.Issuer.Clock = _time;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private ApiClient Client(TimeSpan skew = default) => _h.Client(o => { o.TimeProvider = _time; o.ClockSkew = skew; });

    private static long Now => s_now.ToUnixTimeSeconds();

    [Fact]
    public async Task Typed_accessors_read_the_registered_and_auth0_claims()
    {
        using ApiClient client = Client();
        string token = _h.Token((_, p) => p
            .Set("sub", "auth0|123")
            .Set("aud", new[] { Harness.Audience, "https://tenant/userinfo" })
            .Set("nbf", Now - 10)
            .Set("scope", "openid  read:messages write:messages")
            .Set("permissions", new[] { "read:messages" })
            .Set("azp", "client-1")
            .Set("jti", "id-1")
            .Set("cnf", new ClaimSet().Set("jkt", "thumb"))
            .Set("https://example.com/roles", new[] { "admin", "ops" })
            .Set("name", "Zoë \"Z\""));
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(token);

        Assert.Equal(1735689600, Now);
        Assert.Equal(_h.Issuer.Issuer, claims.Issuer);
        Assert.Equal("auth0|123", claims.Subject);
        Assert.Equal([Harness.Audience, "https://tenant/userinfo"], claims.Audience);
        Assert.Equal(s_now, claims.IssuedAt);
        Assert.Equal(s_now.AddHours(1), claims.ExpiresAt);
        Assert.Equal(s_now.AddSeconds(-10), claims.NotBefore);
        Assert.Equal("openid  read:messages write:messages", claims.Scope);
        Assert.Equal(["openid", "read:messages", "write:messages"], claims.Scopes);
        Assert.Equal(["read:messages"], claims.Permissions);
        Assert.Equal("client-1", claims.AuthorizedParty);
        Assert.Equal("id-1", claims.TokenId);
        Assert.Equal("thumb", claims.ConfirmationThumbprint);
        Assert.Equal(JsonValueKind.Object, claims.Confirmation!.Value.ValueKind);
        Assert.Null(claims.Actor);
        Assert.True(claims.TryGetClaim("https://example.com/roles", out JsonElement roles));
        Assert.Equal(2, roles.GetArrayLength());
        Assert.True(claims.TryGetString("name", out string? name));
        Assert.Equal("Zoë \"Z\"", name);
        Assert.False(claims.TryGetString("https://example.com/roles", out _));
        Assert.False(claims.TryGetClaim("missing", out _));
        Assert.True(claims.HasClaim("https://example.com/roles"));
        Assert.Equal("AccessTokenClaims", claims.ToString());
        using JsonDocument payload = JsonDocument.Parse(claims.PayloadJson);
        Assert.Equal("auth0|123", payload.RootElement.GetProperty("sub").GetString());
        Assert.Equal(claims.PayloadJson, System.Text.Encoding.UTF8.GetString(claims.PayloadUtf8.Span));
    }

    [Fact]
    public async Task Absent_optional_claims_are_null_or_empty()
    {
        using ApiClient client = Client();
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(_h.Token((_, p) => p.Remove("sub")));
        Assert.Null(claims.Subject);
        Assert.Null(claims.Scope);
        Assert.Empty(claims.Scopes);
        Assert.Empty(claims.Permissions);
        Assert.Null(claims.NotBefore);
        Assert.Null(claims.ConfirmationThumbprint);
        Assert.Equal([Harness.Audience], claims.Audience);
    }

    [Fact]
    public async Task Exp_equal_to_now_is_expired_and_one_second_later_is_valid()
    {
        using ApiClient client = Client();
        await client.RejectsAsync(_h.Token((_, p) => p.Set("exp", Now)), VerificationFailure.Expired, "Token is expired");
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(_h.Token((_, p) => p.Set("exp", Now + 1)));
        Assert.Equal(s_now.AddSeconds(1), claims.ExpiresAt);
    }

    [Fact]
    public async Task ClockSkew_extends_exp()
    {
        using ApiClient strict = Client();
        using ApiClient lenient = Client(TimeSpan.FromSeconds(30));
        string token = _h.Token((_, p) => p.Set("exp", Now - 29));
        await strict.RejectsAsync(token, VerificationFailure.Expired);
        Assert.NotNull(await lenient.VerifyAccessTokenAsync(token));
        await lenient.RejectsAsync(_h.Token((_, p) => p.Set("exp", Now - 30)), VerificationFailure.Expired);
    }

    [Fact]
    public async Task Nbf_is_checked_with_ClockSkew()
    {
        using ApiClient strict = Client();
        using ApiClient lenient = Client(TimeSpan.FromSeconds(30));
        string future = _h.Token((_, p) => p.Set("nbf", Now + 30));
        VerifyAccessTokenException e = await strict.RejectsAsync(future, VerificationFailure.NotYetValid);
        Assert.Equal("Token is not yet valid", e.Message);
        Assert.Equal("nbf", e.Claim);
        Assert.NotNull(await lenient.VerifyAccessTokenAsync(future));
        await lenient.RejectsAsync(_h.Token((_, p) => p.Set("nbf", Now + 31)), VerificationFailure.NotYetValid);
        Assert.NotNull(await strict.VerifyAccessTokenAsync(_h.Token((_, p) => p.Set("nbf", Now))));
    }

    [Fact]
    public async Task Time_moves_with_the_injected_clock()
    {
        using ApiClient client = Client();
        string token = _h.Token();
        Assert.NotNull(await client.VerifyAccessTokenAsync(token));
        _time.Advance(TimeSpan.FromHours(1));
        await client.RejectsAsync(token, VerificationFailure.Expired);
    }

    [Fact]
    public async Task Exp_extremes_do_not_overflow()
    {
        using ApiClient client = Client();
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(_h.Token((_, p) => p.Set("exp", long.MaxValue)));
        Assert.Equal(DateTimeOffset.MaxValue.ToUnixTimeSeconds(), claims.ExpiresAt.ToUnixTimeSeconds());
        await client.RejectsAsync(_h.Token((_, p) => p.Set("exp", long.MinValue)), VerificationFailure.Expired);
    }
}
