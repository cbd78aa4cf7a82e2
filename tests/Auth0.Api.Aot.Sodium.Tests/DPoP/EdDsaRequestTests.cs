using System;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using NSec.Cryptography;

namespace Auth0.Api.Aot.Sodium.Tests.DPoP;

/// <summary>A DPoP-bound access token from a loopback issuer, presented with Ed25519 proofs through <c>VerifyRequestAsync</c>.</summary>
public sealed class EdDsaRequestTests : IAsyncLifetime
{
    private const string Audience = "my-audience";
    private const string Url = "https://api.example.com/orders/42";
    private static readonly SigningKey s_issuerKey = SigningKey.CreateRsa("TEST_KEY");
    private static readonly Key s_proofKey = Ed25519Proofs.NewKey();
    private LocalIssuer _issuer = null!;
    private System.Net.Http.HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _issuer = await LocalIssuer.StartAsync(s_issuerKey);
        _http = _issuer.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _issuer.DisposeAsync();
    }

    private ApiClient Client(DPoPMode mode = DPoPMode.Allowed) => new(new ApiClientOptions
    {
        Domain = _issuer.Domain,
        Audience = Audience,
        HttpClient = _http,
        DPoPMode = mode,
        DPoPAlgorithms = SigningAlgorithms.ES256 | SigningAlgorithms.EdDSA,
        Ed25519Provider = SodiumEd25519.Instance,
    });

    private string Bound(Key key) => _issuer.CreateToken(Audience, (_, p) => p.Set("cnf", new ClaimSet().Set("jkt", Ed25519Proofs.Thumbprint(key))));

    [Theory]
    [InlineData(DPoPMode.Allowed)]
    [InlineData(DPoPMode.Required)]
    public async Task Bound_token_with_an_Ed25519_proof_verifies(DPoPMode mode)
    {
        using ApiClient client = Client(mode);
        string token = Bound(s_proofKey);
        AccessTokenClaims claims = await client.VerifyRequestAsync("DPoP " + token, Ed25519Proofs.Create(s_proofKey, token, "POST", Url, DateTimeOffset.UtcNow), "POST", Url);
        Assert.Equal("user_123", claims.Subject);
        Assert.Equal(Ed25519Proofs.Thumbprint(s_proofKey), claims.ConfirmationThumbprint);
    }

    [Fact]
    public async Task Token_bound_to_another_Ed25519_key_is_refused()
    {
        using ApiClient client = Client();
        using Key other = Ed25519Proofs.NewKey();
        string token = Bound(other);
        RequestVerificationResult result = await client.TryVerifyRequestAsync("DPoP " + token, Ed25519Proofs.Create(s_proofKey, token, "GET", Url, DateTimeOffset.UtcNow), "GET", Url);
        Assert.Equal(401, result.Error!.StatusCode);
        Assert.Equal("invalid_token", result.Error.ErrorCode);
        Assert.Equal("Bearer realm=\"api\", DPoP error=\"invalid_token\", error_description=\"JWT Access Token confirmation mismatch\", algs=\"ES256 EdDSA\"", result.Error.Headers["WWW-Authenticate"]);
    }

    [Fact]
    public async Task Challenge_advertises_the_configured_EdDSA()
    {
        using ApiClient client = Client(DPoPMode.Required);
        RequestVerificationResult result = await client.TryVerifyRequestAsync(null, null, null, null);
        Assert.Equal("DPoP algs=\"ES256 EdDSA\"", result.Error!.Headers["WWW-Authenticate"]);
    }
}
