using System;
using System.Globalization;
using System.Net.Http;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Mcd;

/// <summary>
/// A token whose issuer is not allowed costs no request at all, with a static list and with a resolver: not to the
/// allowed issuer, not to the claimed one (reference section 6.3). Every request the client makes is recorded, including
/// requests to hosts that are no issuer. The claimed issuers differ from the allowed one only by port, an explicit
/// default port, a trailing dot, another name for the same host, case, http, userinfo, a path, a query or a fragment.
/// </summary>
public sealed class NoFetchForDisallowedIssuerTests : IAsyncLifetime
{
    private LocalIssuer _issuer = null!;
    private RoutingHandler _routing = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _issuer = await LocalIssuer.StartAsync(TestKeys.Primary);
        _routing = new RoutingHandler(_issuer);
        _http = _routing.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _routing.Dispose();
        await _issuer.DisposeAsync();
    }

    private int Port => int.Parse(_issuer.Domain[(_issuer.Domain.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);

    private ApiClient Client(string mode)
    {
        ApiClientOptions options = new() { Audience = Harness.Audience, HttpClient = _http };
        if (mode == "list")
        {
            options.Domains = [_issuer.Domain];
        }
        else
        {
            options.UseDomainsResolver(_ => [_issuer.Domain]);
        }

        return new ApiClient(options);
    }

    [Theory]
    [InlineData("list", "https://127.0.0.1:OTHERPORT/", VerificationFailure.IssuerNotAllowed)]
    [InlineData("resolver", "https://127.0.0.1:OTHERPORT/", VerificationFailure.IssuerNotAllowed)]
    [InlineData("list", "https://127.0.0.1:443/", VerificationFailure.IssuerNotAllowed)]
    [InlineData("resolver", "https://127.0.0.1/", VerificationFailure.IssuerNotAllowed)]
    [InlineData("list", "https://127.0.0.1.:PORT/", VerificationFailure.IssuerNotAllowed)]
    [InlineData("resolver", "https://127.0.0.1.:PORT/", VerificationFailure.IssuerNotAllowed)]
    [InlineData("list", "https://localhost:PORT/", VerificationFailure.IssuerNotAllowed)]
    [InlineData("resolver", "https://LOCALHOST:PORT/", VerificationFailure.IssuerNotAllowed)]
    [InlineData("list", "http://127.0.0.1:PORT/", VerificationFailure.ClaimInvalid)]
    [InlineData("resolver", "http://127.0.0.1:PORT/", VerificationFailure.ClaimInvalid)]
    [InlineData("list", "https://user@127.0.0.1:PORT/", VerificationFailure.ClaimInvalid)]
    [InlineData("resolver", "https://user:pw@127.0.0.1:PORT/", VerificationFailure.ClaimInvalid)]
    [InlineData("list", "https://127.0.0.1:PORT/tenant", VerificationFailure.ClaimInvalid)]
    [InlineData("resolver", "https://127.0.0.1:PORT/.well-known", VerificationFailure.ClaimInvalid)]
    [InlineData("list", "https://127.0.0.1:PORT/?x=1", VerificationFailure.ClaimInvalid)]
    [InlineData("resolver", "https://127.0.0.1:PORT/#f", VerificationFailure.ClaimInvalid)]
    [InlineData("list", "https://evil.example.com/", VerificationFailure.IssuerNotAllowed)]
    [InlineData("resolver", "https://evil.example.com/", VerificationFailure.IssuerNotAllowed)]
    public async Task No_request_for_an_issuer_that_is_not_allowed(string mode, string issuer, VerificationFailure failure)
    {
        using ApiClient client = Client(mode);
        string iss = issuer
            .Replace("OTHERPORT", (Port == 65535 ? Port - 1 : Port + 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("PORT", Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        await client.RejectsAsync(_issuer.CreateToken(Harness.Audience, (_, p) => p.Set("iss", iss)), failure);
        Assert.Empty(_routing.Requests);
        Assert.Equal(0, _issuer.TotalRequests);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("resolver")]
    public async Task An_empty_or_absent_issuer_is_missing_and_costs_no_request(string mode)
    {
        using ApiClient client = Client(mode);
        VerifyAccessTokenException empty = await client.RejectsAsync(_issuer.CreateToken(Harness.Audience, (_, p) => p.Set("iss", string.Empty)), VerificationFailure.ClaimMissing);
        Assert.Equal("Token missing 'iss' claim", empty.Message);
        await client.RejectsAsync(_issuer.CreateToken(Harness.Audience, (_, p) => p.Remove("iss")), VerificationFailure.ClaimMissing);
        Assert.Empty(_routing.Requests);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("resolver")]
    public async Task The_allowed_issuer_itself_verifies_through_the_same_client(string mode)
    {
        using ApiClient client = Client(mode);
        Assert.Equal(_issuer.Issuer, (await client.VerifyAccessTokenAsync(_issuer.CreateToken(Harness.Audience))).Issuer);
        Assert.Equal(2, _routing.Requests.Count);
    }

    [Fact]
    public async Task A_failing_resolver_costs_no_request()
    {
        using ApiClient client = new(new ApiClientOptions
        {
            Audience = Harness.Audience,
            HttpClient = _http,
            DomainsResolver = (_, _) => throw new InvalidOperationException("tenant table unavailable"),
        });
        AccessTokenResult result = await client.TryVerifyAccessTokenAsync(_issuer.CreateToken(Harness.Audience));
        Assert.Equal(VerificationFailure.DomainsResolverFailed, result.Failure);
        Assert.Empty(_routing.Requests);
    }
}
