using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;
using static Auth0.Api.Aot.AspNetCore.Tests.Requests;

namespace Auth0.Api.Aot.AspNetCore.Tests;

/// <summary>
/// No log line, of this package or of ASP.NET Core at any level (Trace included), ever holds a token, a proof, a part
/// of either (a signature, a payload, a jti), the client secret or the nonce key, whatever the request: valid, refused
/// for each kind of reason, hostile, or during an issuer outage.
/// </summary>
public sealed class LogSafetyTests : IAsyncLifetime
{
    private const string ClientSecret = "client-secret-7f3a9c1e5b";
    private static readonly SigningKey s_primary = SigningKey.CreateRsa("TEST_KEY");
    private static readonly SigningKey s_other = SigningKey.CreateRsa("OTHER_KEY");
    private static readonly SigningKey s_proofKey = SigningKey.CreateEc("proof-key");
    private LocalIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await LocalIssuer.StartAsync(s_primary);

    public async Task DisposeAsync() => await _issuer.DisposeAsync();

    [Fact]
    public async Task No_log_line_holds_a_token_a_proof_or_a_secret()
    {
        byte[] nonceKey = new byte[32];
        nonceKey[3] = 7;
        byte[] cacheKey = new byte[32];
        cacheKey[5] = 9;
        await using TestApp app = await TestApp.StartAsync(_issuer, o =>
        {
            o.Client.ClientId = "client-id";
            o.Client.ClientSecret = ClientSecret;
            o.Client.DPoPNonceKey = nonceKey;
            o.Client.CacheSigningKey = cacheKey;
        });

        List<string> secrets = [ClientSecret, Convert.ToBase64String(nonceKey), Convert.ToBase64String(cacheKey), Convert.ToHexString(cacheKey)];
        List<HttpRequestMessage> requests = [];
        string Remember(string credential)
        {
            secrets.Add(credential);
            foreach (string segment in credential.Split('.').Where(s => s.Length >= 16))
            {
                secrets.Add(segment);
            }

            return credential;
        }

        string jkt = DPoPProofs.Thumbprint(s_proofKey);
        string valid = Remember(_issuer.CreateToken(TestApp.Audience, (_, p) => p.Set("scope", "read:orders")));
        string expired = Remember(_issuer.CreateToken(TestApp.Audience, (_, p) => p.Set("exp", DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds())));
        string otherAudience = Remember(_issuer.CreateToken("someone-else"));

        // An issuer that is not allowed: its text is the token's, never logged (refusals name allowed issuers only).
        string foreignIssuer = Remember(_issuer.CreateToken(TestApp.Audience, (_, p) => p.Set("iss", "https://attacker-issuer.example/")));
        secrets.Add("attacker-issuer");
        string forged = Remember(_issuer.CreateToken(TestApp.Audience, key: s_other));
        string bound = Remember(_issuer.CreateToken(TestApp.Audience, (_, p) => p.Set("scope", "read:orders").Set("cnf", new ClaimSet().Set("jkt", jkt))));
        string hostile = Remember(_issuer.CreateToken(TestApp.Audience, (h, _) => h.Set("alg", "none\u2028\r\nSet-Cookie: x")));
        requests.Add(Get("/me", "Bearer " + valid));
        requests.Add(Get("/orders", "Bearer " + valid));
        requests.Add(Get("/admin", "Bearer " + valid));
        requests.Add(Get("/typed", "Bearer " + valid));
        requests.Add(Get("/me", "Bearer " + expired));
        requests.Add(Get("/me", "Bearer " + otherAudience));
        requests.Add(Get("/me", "Bearer " + foreignIssuer));
        requests.Add(Get("/me", "Bearer " + forged));
        requests.Add(Get("/me", "Bearer " + bound));
        requests.Add(Get("/me", "Bearer " + hostile));
        requests.Add(Get("/me", "Bearer " + valid + ", Bearer " + valid));
        requests.Add(Get("/me", "Bearer " + Remember("not-a-jwt-but-a-long-opaque-string-0123456789")));
        requests.Add(Get("/me", "DPoP " + bound));
        requests.Add(Get("/me", "DPoP " + bound, Remember(DPoPProofs.Create(s_proofKey, bound, "GET", app.Url("/me"), DateTimeOffset.UtcNow))));
        requests.Add(Get("/me", "DPoP " + bound, Remember(DPoPProofs.Create(s_proofKey, bound, "GET", "https://elsewhere.example/me", DateTimeOffset.UtcNow))));
        requests.Add(Get("/me", "DPoP " + bound, Remember(DPoPProofs.Create(s_proofKey, bound, "GET", app.Url("/me"), DateTimeOffset.UtcNow, (_, p) => p.Set("nonce", "forged-nonce-value-123456")))));
        requests.Add(Get("/me", "Bearer " + valid, Remember(DPoPProofs.Create(s_proofKey, valid, "GET", app.Url("/me"), DateTimeOffset.UtcNow))));

        int answered = 0;
        foreach (HttpRequestMessage request in requests)
        {
            using (request)
            using (HttpResponseMessage response = await app.Client.SendAsync(request))
            {
                answered++;
                Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
            }
        }

        // And during an issuer outage, with a token whose key is not known yet.
        _issuer.Intercept = async context =>
        {
            await LocalIssuer.Respond(context, 500, "text/plain", "down");
            return true;
        };
        string unknownKid = Remember(_issuer.CreateToken(TestApp.Audience, key: SigningKey.CreateRsa("NEW_KEY")));
        using (HttpResponseMessage outage = await app.Client.SendAsync(Get("/me", "Bearer " + unknownKid)))
        {
            answered++;
            Assert.True(outage.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.Unauthorized, outage.StatusCode.ToString());
        }

        string[] lines = [.. app.Logs];
        Assert.Equal(requests.Count + 1, answered);
        Assert.True(lines.Length > requests.Count, "the app logged " + lines.Length + " lines");
        Assert.Contains(lines, line => line.Contains("refused a request: Expired (401, scheme bearer, issuer " + _issuer.Issuer + ")", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("refused a request: ClaimMismatch (401, scheme bearer, issuer none)", StringComparison.Ordinal));
        foreach (string line in lines)
        {
            foreach (string secret in secrets)
            {
                Assert.False(line.Contains(secret, StringComparison.Ordinal), "a log line holds a secret: " + line);
            }

            Assert.DoesNotContain('\u2028', line);
        }
    }

    [Fact]
    public async Task Stale_serving_during_an_outage_is_logged_at_Warning_with_the_host_port_and_kind_only()
    {
        Microsoft.Extensions.Time.Testing.FakeTimeProvider time = new(DateTimeOffset.UtcNow);
        _issuer.Clock = time;
        await using TestApp app = await TestApp.StartAsync(_issuer, o =>
        {
            o.Client.TimeProvider = time;
            o.Client.CacheTtl = TimeSpan.FromMinutes(10);
            o.Client.MaxStaleness = TimeSpan.FromHours(1);
        });
        string token = _issuer.CreateToken(TestApp.Audience);
        using (HttpResponseMessage first = await app.Client.SendAsync(Get("/me", "Bearer " + token)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        _issuer.Intercept = async context =>
        {
            await LocalIssuer.Respond(context, 500, "text/plain", "down");
            return true;
        };
        time.Advance(TimeSpan.FromMinutes(11));
        using (HttpResponseMessage stale = await app.Client.SendAsync(Get("/me", "Bearer " + token)))
        {
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        }

        string prefix = "Warning Auth0.Api.Aot.AspNetCore.Auth0ApiClients: Auth0 API scheme " + Auth0ApiDefaults.AuthenticationScheme + ": ";
        string port = _issuer.Domain[(_issuer.Domain.LastIndexOf(':') + 1)..];
        await Eventually.TrueAsync(() => app.Logs.Contains(prefix + "Discovery fetch from 127.0.0.1 port " + port + " failed (HttpError); serving the stale copy")
            && app.Logs.Contains(prefix + "Jwks fetch from 127.0.0.1 port " + port + " failed (HttpError); serving the stale copy"));
        Assert.DoesNotContain(app.Logs, line => line.Contains(token.Split('.')[2], StringComparison.Ordinal) || line.Contains("down", StringComparison.Ordinal));
    }
}
