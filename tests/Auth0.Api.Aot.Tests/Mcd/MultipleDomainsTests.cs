using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Mcd;

/// <summary>
/// Two issuers on loopback with different keys, reached through one HttpClient that records every request: tokens from
/// each verify, keys never cross issuers, discovery and JWKS are per issuer (reference section 11.5, end-to-end cases),
/// and the resolver decides on every verification.
/// </summary>
public sealed class MultipleDomainsTests : IAsyncLifetime
{
    private LocalIssuer _one = null!;
    private LocalIssuer _two = null!;
    private RoutingHandler _routing = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _one = await LocalIssuer.StartAsync(TestKeys.Primary);
        _two = await LocalIssuer.StartAsync(TestKeys.Other);
        _routing = new RoutingHandler(_one, _two);
        _http = _routing.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _routing.Dispose();
        await _one.DisposeAsync();
        await _two.DisposeAsync();
    }

    public static TheoryData<string> Modes => ["list", "resolver"];

    private ApiClient Client(string mode, Action<ApiClientOptions>? configure = null)
    {
        ApiClientOptions options = new() { Audience = Harness.Audience, HttpClient = _http };
        if (mode == "list")
        {
            options.Domains = [_one.Domain, _two.Domain];
        }
        else
        {
            options.UseDomainsResolver(_ => [_one.Domain, _two.Domain]);
        }

        configure?.Invoke(options);
        return new ApiClient(options);
    }

    private string[] Requested() => _routing.Requests.Select(u => u.ToString()).ToArray();

    [Theory, MemberData(nameof(Modes))]
    public async Task Tokens_from_each_issuer_verify_with_discovery_and_jwks_per_issuer(string mode)
    {
        using ApiClient client = Client(mode);
        Assert.Equal(_one.Issuer, (await client.VerifyAccessTokenAsync(_one.CreateToken(Harness.Audience))).Issuer);
        Assert.Equal(_two.Issuer, (await client.VerifyAccessTokenAsync(_two.CreateToken(Harness.Audience))).Issuer);
        Assert.Equal(_one.Issuer, (await client.VerifyAccessTokenAsync(_one.CreateToken(Harness.Audience, (_, p) => p.Set("sub", "again")))).Issuer);

        // discovery_uses_token_issuer, jwks_fetched_from_issuer_jwks_uri, discovery_cached_per_issuer, *_cache_hit.
        Assert.Equal(
            [
                _one.Issuer + ".well-known/openid-configuration", _one.Issuer + ".well-known/jwks.json",
                _two.Issuer + ".well-known/openid-configuration", _two.Issuer + ".well-known/jwks.json",
            ],
            Requested());
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task A_token_signed_by_one_issuers_key_claiming_the_other_issuer_is_refused(string mode)
    {
        using ApiClient client = Client(mode);
        await client.VerifyAccessTokenAsync(_one.CreateToken(Harness.Audience));
        await client.VerifyAccessTokenAsync(_two.CreateToken(Harness.Audience));

        // Issuer one's key with its own kid, claiming issuer two: issuer two's JWKS has no such kid.
        string foreignKid = _one.CreateToken(Harness.Audience, (_, p) => p.Set("iss", _two.Issuer));
        await client.RejectsAsync(foreignKid, VerificationFailure.KeyNotFound);

        // Issuer one's key relabelled with issuer two's kid: the signature does not verify with issuer two's key.
        string relabelled = _one.CreateToken(Harness.Audience, (h, p) =>
        {
            h.Set("kid", TestKeys.Other.Kid);
            p.Set("iss", _two.Issuer);
        });
        await client.RejectsAsync(relabelled, VerificationFailure.SignatureInvalid);
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task A_token_from_neither_issuer_costs_no_request(string mode)
    {
        using ApiClient client = Client(mode);
        VerifyAccessTokenException e = await client.RejectsAsync(_one.CreateToken(Harness.Audience, (_, p) => p.Set("iss", "https://disallowed-tenant.auth0.com/")), VerificationFailure.IssuerNotAllowed);
        Assert.Equal("Token issuer is not in the list of allowed domains", e.Message);
        Assert.Empty(Requested());
    }

    [Fact]
    public async Task The_resolver_is_asked_on_every_verification_even_when_keys_are_cached()
    {
        int calls = 0;
        using ApiClient client = Client("resolver", o => o.UseDomainsResolver(c =>
        {
            Interlocked.Increment(ref calls);
            return c.RequestHeaders?["x-tenant"] == "one" ? [_one.Domain] : [_two.Domain];
        }));
        string token = _one.CreateToken(Harness.Audience);
        Dictionary<string, string> forOne = new() { ["X-Tenant"] = "one" };
        Dictionary<string, string> forTwo = new() { ["X-Tenant"] = "two" };

        Assert.NotNull(await client.VerifyAccessTokenAsync(token, "https://api.example.com/", forOne));
        Assert.NotNull(await client.VerifyAccessTokenAsync(token, "https://api.example.com/", forOne));
        AccessTokenResult refused = await client.TryVerifyAccessTokenAsync(token, "https://api.example.com/", forTwo);
        Assert.Equal(VerificationFailure.IssuerNotAllowed, refused.Failure);
        Assert.Equal(3, calls);
        Assert.Equal(2, _routing.Requests.Count);
    }

    [Fact]
    public async Task Hybrid_mode_verifies_against_the_list_only()
    {
        using ApiClient client = Client("list", o =>
        {
            o.Domain = _one.Domain;
            o.Domains = [_two.Domain];
        });
        await client.RejectsAsync(_one.CreateToken(Harness.Audience), VerificationFailure.IssuerNotAllowed);
        Assert.Empty(Requested());
        Assert.NotNull(await client.VerifyAccessTokenAsync(_two.CreateToken(Harness.Audience)));
        Assert.Equal(_one.Domain, client.Domain);
    }

    [Theory, MemberData(nameof(Modes))]
    public async Task Mcd_first_and_second_issuer_validation(string mode)
    {
        // Discovery names another issuer than the token: refused before the JWKS.
        _one.DiscoveryIssuer = "https://somewhere-else.example.com/";
        using ApiClient client = Client(mode);
        VerifyAccessTokenException first = await client.RejectsAsync(_one.CreateToken(Harness.Audience), VerificationFailure.ClaimMismatch);
        Assert.Equal("Token issuer does not match the discovery issuer", first.Message);
        Assert.Equal(0, _one.JwksRequests);

        // The token's iss normalises to the allowed issuer but is not the discovery issuer byte for byte: refused after the signature.
        _two.DiscoveryIssuer = null;
        string shouting = _two.CreateToken(Harness.Audience, (_, p) => p.Set("iss", "HTTPS://" + _two.Domain));
        VerifyAccessTokenException second = await client.RejectsAsync(shouting, VerificationFailure.ClaimMismatch);
        Assert.Equal("Verified Token issuer does not match the discovery issuer", second.Message);
    }

    [Fact]
    public async Task Resolver_context_reaches_the_resolver_from_VerifyRequestAsync()
    {
        List<DomainsResolverContext> seen = [];
        using ApiClient client = Client("resolver", o => o.UseDomainsResolver(c =>
        {
            seen.Add(c);
            return [_one.Domain];
        }));
        string token = _one.CreateToken(Harness.Audience);
        await client.VerifyRequestAsync(new Dictionary<string, string> { ["authorization"] = "Bearer " + token, ["x-custom-header"] = "test-value" }, "GET", "https://api.example.com/users");
        DomainsResolverContext context = Assert.Single(seen);
        Assert.Equal("https://api.example.com/users", context.RequestUrl);
        Assert.Equal("Bearer " + token, context.RequestHeaders!["Authorization"]);
        Assert.Equal("test-value", context.RequestHeaders["X-Custom-Header"]);
        Assert.Equal(_one.Issuer, context.UnverifiedIssuer);

        // The string overload passes the URL and no headers.
        await client.VerifyRequestAsync("Bearer " + token, null, "GET", "https://api.example.com/orders");
        Assert.Equal("https://api.example.com/orders", seen[1].RequestUrl);
        Assert.Null(seen[1].RequestHeaders);
    }
}
