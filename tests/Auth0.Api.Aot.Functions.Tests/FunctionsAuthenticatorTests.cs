using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Functions.Tests;

/// <summary>
/// The Functions sample's middleware logic without the host: the loopback HTTPS issuer serves the keys, a fake clock
/// drives the issuer, the proofs and the client, and each answer is checked for status, challenge and claims.
/// </summary>
public sealed class FunctionsAuthenticatorTests : IAsyncLifetime
{
    private const string Audience = "https://api.example.com";
    private static readonly SigningKey s_primary = SigningKey.CreateRsa("functions-key");
    private static readonly SigningKey s_proofKey = SigningKey.CreateEc("proof-key");
    private static readonly Uri s_orders = new("https://functions.example/api/orders");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private LocalIssuer _issuer = null!;
    private ApiClient _client = null!;
    private FunctionsAuthenticator _authenticator = null!;

    public async Task InitializeAsync()
    {
        _issuer = await LocalIssuer.StartAsync(s_primary);
        _issuer.Clock = _clock;
        _client = new ApiClient(new ApiClientOptions
        {
            Domain = _issuer.Domain,
            Audience = Audience,
            HttpClient = _issuer.CreateHttpClient(),
            TimeProvider = _clock,
        });
        _authenticator = new FunctionsAuthenticator(_client, new Dictionary<string, string[]> { ["orders"] = ["read:orders"] });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _issuer.DisposeAsync();
    }

    private string Token(string scope = "read:orders") => _issuer.CreateToken(Audience, (_, p) => p.Set("scope", scope));

    private string Bound() => _issuer.CreateToken(Audience, (_, p) => p.Set("scope", "read:orders").Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(s_proofKey))));

    private ValueTask<FunctionsAuthentication> Authenticate(string function, string? authorization, string? dpop = null) =>
        _authenticator.AuthenticateAsync(function, authorization is null ? null : [authorization], dpop is null ? null : [dpop], "GET", s_orders);

    private static string? Header(FunctionsAuthentication outcome, string name) =>
        outcome.Headers.Where(h => string.Equals(h.Key, name, StringComparison.Ordinal)).Select(h => h.Value).SingleOrDefault();

    [Fact]
    public async Task Valid_bearer_token_is_accepted_and_its_claims_exposed()
    {
        FunctionsAuthentication outcome = await Authenticate("orders", "Bearer " + Token());

        Assert.True(outcome.IsAuthenticated);
        Assert.Equal(200, outcome.StatusCode);
        Assert.Equal("bearer", outcome.Scheme, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(_issuer.Issuer, outcome.Claims!.Issuer);
        Assert.False(string.IsNullOrEmpty(outcome.Claims.Subject));
        Assert.Equal(["read:orders"], outcome.Claims.Scopes);
        Assert.Empty(outcome.Headers);
    }

    [Fact]
    public async Task Missing_token_is_401_with_the_cores_challenge()
    {
        FunctionsAuthentication outcome = await Authenticate("orders", null);

        Assert.False(outcome.IsAuthenticated);
        Assert.Null(outcome.Claims);
        Assert.Equal(401, outcome.StatusCode);
        RequestVerificationResult expected = await _client.TryVerifyRequestAsync(null, null, "GET", s_orders.AbsoluteUri);
        Assert.Equal(expected.Challenge, Header(outcome, "WWW-Authenticate"));
        Assert.StartsWith("Bearer", Header(outcome, "WWW-Authenticate"), StringComparison.Ordinal);
        Assert.Contains("DPoP", Header(outcome, "WWW-Authenticate"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_token_is_401_invalid_token_and_the_answer_never_holds_the_token()
    {
        string token = Token();
        string forged = token[..^2] + (token[^2] == 'A' ? "BA" : "AA");

        FunctionsAuthentication outcome = await Authenticate("orders", "Bearer " + forged);

        Assert.Equal(401, outcome.StatusCode);
        Assert.Equal("invalid_token", outcome.ErrorCode);
        Assert.Contains("error=\"invalid_token\"", Header(outcome, "WWW-Authenticate"), StringComparison.Ordinal);
        Assert.All(outcome.Headers, h => Assert.DoesNotContain(forged.Split('.')[2], h.Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Valid_dpop_request_is_accepted_with_the_dpop_scheme()
    {
        string token = Bound();
        string proof = DPoPProofs.Create(s_proofKey, token, "GET", s_orders.AbsoluteUri, _clock.GetUtcNow());

        FunctionsAuthentication outcome = await Authenticate("orders", "DPoP " + token, proof);

        Assert.True(outcome.IsAuthenticated);
        Assert.Equal("dpop", outcome.Scheme, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(["read:orders"], outcome.Claims!.Scopes);
    }

    [Fact]
    public async Task Dpop_proof_for_another_url_is_400_invalid_dpop_proof()
    {
        string token = Bound();
        string proof = DPoPProofs.Create(s_proofKey, token, "GET", "https://functions.example/api/other", _clock.GetUtcNow());

        FunctionsAuthentication outcome = await Authenticate("orders", "DPoP " + token, proof);

        Assert.False(outcome.IsAuthenticated);
        Assert.Equal(400, outcome.StatusCode);
        Assert.Equal("invalid_dpop_proof", outcome.ErrorCode);
        Assert.Contains("DPoP", Header(outcome, "WWW-Authenticate"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_authorization_headers_are_400_before_any_verification()
    {
        string token = Token();
        FunctionsAuthentication outcome = await _authenticator.AuthenticateAsync("orders", ["Bearer " + token, "Bearer " + token], null, "GET", s_orders);

        Assert.Equal(400, outcome.StatusCode);
        Assert.Equal("invalid_request", outcome.ErrorCode);
        Assert.Equal(0, _issuer.JwksRequests);
    }

    [Fact]
    public async Task Missing_scope_is_403_insufficient_scope_with_the_scope_challenge()
    {
        FunctionsAuthentication outcome = await Authenticate("orders", "Bearer " + Token("write:orders"));

        Assert.False(outcome.IsAuthenticated);
        Assert.Equal(403, outcome.StatusCode);
        Assert.Equal("insufficient_scope", outcome.ErrorCode);
        Assert.Contains("error=\"insufficient_scope\"", Header(outcome, "WWW-Authenticate"), StringComparison.Ordinal);
        Assert.Contains("read:orders", Header(outcome, "WWW-Authenticate"), StringComparison.Ordinal);
        Assert.Equal(_client.CreateInsufficientScopeChallenge("bearer", ["read:orders"]), Header(outcome, "WWW-Authenticate"));
    }

    [Fact]
    public async Task Missing_scope_on_a_dpop_request_is_403_in_the_dpop_challenge()
    {
        string token = _issuer.CreateToken(Audience, (_, p) => p.Set("scope", "write:orders").Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(s_proofKey))));
        string proof = DPoPProofs.Create(s_proofKey, token, "GET", s_orders.AbsoluteUri, _clock.GetUtcNow());

        FunctionsAuthentication outcome = await Authenticate("orders", "DPoP " + token, proof);

        Assert.Equal(403, outcome.StatusCode);
        Assert.Equal("insufficient_scope", outcome.ErrorCode);
        // The challenge of the scheme the request used (RFC 9449 section 7.1), as the core writes it.
        Assert.Equal(_client.CreateInsufficientScopeChallenge("dpop", ["read:orders"]), Header(outcome, "WWW-Authenticate"));
        Assert.Contains("DPoP error=\"insufficient_scope\"", Header(outcome, "WWW-Authenticate"), StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer error=", Header(outcome, "WWW-Authenticate"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_dpop_headers_are_400_before_any_verification()
    {
        string token = Bound();
        string proof = DPoPProofs.Create(s_proofKey, token, "GET", s_orders.AbsoluteUri, _clock.GetUtcNow());

        FunctionsAuthentication outcome = await _authenticator.AuthenticateAsync("orders", ["DPoP " + token], [proof, proof], "GET", s_orders);

        Assert.Equal(400, outcome.StatusCode);
        Assert.Equal("invalid_request", outcome.ErrorCode);
        Assert.Equal(0, _issuer.JwksRequests);
    }

    [Fact]
    public async Task Authorization_values_the_host_joined_with_a_comma_are_refused()
    {
        // The Functions host hands the worker one value per header name: two Authorization headers arrive joined.
        string token = Token();
        FunctionsAuthentication outcome = await Authenticate("orders", "Bearer " + token + ", Bearer " + token);

        Assert.False(outcome.IsAuthenticated);
        Assert.InRange(outcome.StatusCode, 400, 401);
    }

    [Fact]
    public async Task With_a_public_origin_the_proof_is_checked_against_the_url_clients_call()
    {
        Uri seenByWorker = new("http://localhost:7071/api/orders?page=2");
        FunctionsAuthenticator behindProxy = new(_client, null, new Uri("https://functions.example"));
        string token = Bound();
        string proof = DPoPProofs.Create(s_proofKey, token, "GET", s_orders.AbsoluteUri, _clock.GetUtcNow());

        FunctionsAuthentication direct = await _authenticator.AuthenticateAsync("orders", ["DPoP " + token], [proof], "GET", seenByWorker);
        FunctionsAuthentication proxied = await behindProxy.AuthenticateAsync("orders", ["DPoP " + token], [proof], "GET", seenByWorker);

        Assert.Equal(400, direct.StatusCode);
        Assert.Equal("invalid_dpop_proof", direct.ErrorCode);
        Assert.True(proxied.IsAuthenticated);
    }

    [Fact]
    public async Task A_public_origin_keeps_a_double_slash_path_on_its_own_host()
    {
        // new Uri(origin, "//other.example/api/orders") would be https://other.example/api/orders.
        FunctionsAuthenticator behindProxy = new(_client, null, new Uri("https://functions.example"));
        string token = Bound();
        string proof = DPoPProofs.Create(s_proofKey, token, "GET", "https://other.example/api/orders", _clock.GetUtcNow());

        FunctionsAuthentication outcome = await behindProxy.AuthenticateAsync("orders", ["DPoP " + token], [proof], "GET", new Uri("http://localhost:7071//other.example/api/orders"));

        Assert.False(outcome.IsAuthenticated);
        Assert.Equal("invalid_dpop_proof", outcome.ErrorCode);
    }

    [Theory]
    [InlineData("https://functions.example/api")]
    [InlineData("https://functions.example/?a=1")]
    [InlineData("ftp://functions.example")]
    [InlineData("https://user@functions.example")]
    public void A_public_origin_with_more_than_an_origin_is_refused(string origin) =>
        Assert.Throws<ArgumentException>(() => new FunctionsAuthenticator(_client, null, new Uri(origin)));

    [Fact]
    public async Task A_function_without_required_scopes_accepts_any_valid_token()
    {
        FunctionsAuthentication outcome = await Authenticate("me", "Bearer " + Token("write:orders"));

        Assert.True(outcome.IsAuthenticated);
        Assert.Equal(["write:orders"], outcome.Claims!.Scopes);
    }

    [Fact]
    public async Task Keys_unavailable_is_503_with_retry_after_and_no_challenge()
    {
        _issuer.Intercept = context =>
        {
            context.Response.StatusCode = 500;
            return Task.FromResult(true);
        };

        FunctionsAuthentication outcome = await Authenticate("orders", "Bearer " + Token());

        Assert.False(outcome.IsAuthenticated);
        Assert.Equal(503, outcome.StatusCode);
        Assert.Null(Header(outcome, "WWW-Authenticate"));
        Assert.True(int.Parse(Header(outcome, "Retry-After")!, System.Globalization.CultureInfo.InvariantCulture) > 0);
    }
}
