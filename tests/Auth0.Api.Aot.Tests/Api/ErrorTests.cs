using System.Linq;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Tests.Api;

/// <summary>The error hierarchy of reference section 3.1 and challenge escaping (DESIGN.md difference 6).</summary>
public sealed class ErrorTests
{
    public static TheoryData<BaseAuthException, string, int> Errors => new()
    {
        { new MissingRequiredArgumentException("x"), "invalid_request", 400 },
        { new VerifyAccessTokenException(VerificationFailure.Expired, "m"), "invalid_token", 401 },
        { new InvalidAuthSchemeException(string.Empty), "invalid_request", 400 },
        { new InvalidDPoPProofException("m"), "invalid_dpop_proof", 400 },
        { new MissingAuthorizationException(), "", 401 },
        { new ConfigurationException("m"), "invalid_configuration", 500 },
        { new DomainsResolverException("m"), "domains_resolver_error", 500 },
        { new GetAccessTokenForConnectionException("m"), "get_access_token_for_connection_error", 400 },
        { new GetTokenByExchangeProfileException("m"), "get_token_by_exchange_profile_error", 400 },
        { new ApiException("code_x", "m"), "code_x", 500 },
        { new ApiException("timeout_error", "m", 504), "timeout_error", 504 },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Codes_and_statuses(BaseAuthException error, string code, int status)
    {
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(error.Message, error.ErrorDescription);
        Assert.Empty(error.Headers);
    }

    [Fact]
    public void Missing_authorization_has_an_empty_description()
    {
        Assert.Equal(string.Empty, new MissingAuthorizationException().ErrorDescription);
    }

    [Fact]
    public void Challenge_values_keep_only_RFC_6750_characters_and_never_split_a_header()
    {
        string challenge = Challenge.BearerError("invalid_token", "a \"quoted\" \\ value\r\nInjected: yes");
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"a ?quoted? ? value??Injected: yes\"", challenge);
        Assert.DoesNotContain('\r', challenge);
        Assert.DoesNotContain('\n', challenge);
        Assert.Equal("Bearer error=\"invalid_request\"", Challenge.BearerError("invalid_request", string.Empty));
    }

    [Fact]
    public void Failed_result_converts_to_an_exception_with_a_bearer_challenge()
    {
        AccessTokenResult result = new(new AuthError(VerificationFailure.Expired, "Token is expired", "exp"));
        VerifyAccessTokenException e = Assert.IsType<VerifyAccessTokenException>(result.ToException());
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"Token is expired\"", e.Headers["www-authenticate"]);
        Assert.Equal("exp", e.Claim);
        Assert.Single(e.Headers);
    }

    [Fact]
    public void Every_failure_kind_of_the_token_maps_to_invalid_token_with_a_challenge()
    {
        foreach (VerificationFailure kind in System.Enum.GetValues<VerificationFailure>().Where(k => k is not VerificationFailure.None and not VerificationFailure.MissingToken && !Error.HasNoChallenge(k)))
        {
            AccessTokenResult result = new(new AuthError(kind, "m"));
            Assert.Equal("invalid_token", result.ToException()!.ErrorCode);
            Assert.StartsWith("Bearer error=\"invalid_token\"", result.ToException()!.Headers["WWW-Authenticate"], System.StringComparison.Ordinal);
            Assert.Null(result.RetryAfter);
        }
    }

    [Theory]
    [InlineData(0.0, "1")]
    [InlineData(0.2, "1")]
    [InlineData(4.01, "5")]
    [InlineData(30.0, "30")]
    [InlineData(1e9, "86400")]
    public void A_key_source_failure_maps_to_a_503_with_retry_after_in_whole_seconds_and_no_challenge(double seconds, string header)
    {
        System.Net.Http.HttpRequestException cause = new("connection refused");
        AccessTokenResult result = new(new AuthError(VerificationFailure.KeySourceFailed, "Failed to fetch JWKS: request failed", null, cause) { RetryAfter = System.TimeSpan.FromSeconds(seconds) });
        ServiceUnavailableException e = Assert.IsType<ServiceUnavailableException>(result.ToException());
        Assert.Equal(503, e.StatusCode);
        Assert.Equal("temporarily_unavailable", e.ErrorCode);
        Assert.Equal(VerificationFailure.KeySourceFailed, e.Failure);
        Assert.Same(cause, e.InnerException);
        Assert.Equal(header, e.Headers["Retry-After"]);
        Assert.Single(e.Headers);
        Assert.Equal(System.TimeSpan.FromSeconds(int.Parse(header, System.Globalization.CultureInfo.InvariantCulture)), result.RetryAfter);
    }

    [Fact]
    public void A_resolver_failure_maps_to_a_500_without_a_challenge_keeping_its_cause()
    {
        System.InvalidOperationException cause = new("db down");
        AccessTokenResult result = new(new AuthError(VerificationFailure.DomainsResolverFailed, "Domains resolver function failed: db down", null, cause));
        DomainsResolverException e = Assert.IsType<DomainsResolverException>(result.ToException());
        Assert.Equal(500, e.StatusCode);
        Assert.Equal("domains_resolver_error", e.ErrorCode);
        Assert.Same(cause, e.InnerException);
        Assert.Empty(e.Headers);
    }
}
