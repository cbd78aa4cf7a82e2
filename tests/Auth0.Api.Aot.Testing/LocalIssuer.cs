using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Auth0.Api.Aot.Testing;

/// <summary>
/// An OpenID provider on loopback for tests and the demo: Kestrel over HTTPS (a self-signed certificate that only
/// <see cref="CreateHttpClient"/> trusts), serving <c>/.well-known/openid-configuration</c> and
/// <c>/.well-known/jwks.json</c>, counting requests, and minting tokens signed with generated keys.
/// </summary>
public sealed class LocalIssuer : IAsyncDisposable
{
    public const string DiscoveryPath = "/.well-known/openid-configuration";
    public const string JwksPath = "/.well-known/jwks.json";
    public const string TokenPath = "/oauth/token";

    private readonly X509Certificate2 _certificate;
    private WebApplication? _app;
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);

    private LocalIssuer(X509Certificate2 certificate, SigningKey key)
    {
        _certificate = certificate;
        Key = key;
        JwksKeys.Add(key.PublicJwk());
    }

    /// <summary>The host and port, e.g. <c>127.0.0.1:54321</c>: what goes into <c>ApiClientOptions.Domain</c>.</summary>
    public string Domain { get; private set; } = string.Empty;

    /// <summary>The issuer, <c>https://127.0.0.1:port/</c>.</summary>
    public string Issuer => "https://" + Domain + "/";

    public string JwksUri => "https://" + Domain + JwksPath;

    /// <summary>The SHA-256 hash of the issuer's certificate (hex), for a separate process that must pin it.</summary>
    public string CertificateSha256 => _certificate.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>The key tokens are signed with by default.</summary>
    public SigningKey Key { get; set; }

    /// <summary>The public JWKs served in the JWKS, in order. Tests may add, remove or replace entries.</summary>
    public List<ClaimSet> JwksKeys { get; } = [];

    /// <summary>The discovery document's <c>issuer</c> (default: <see cref="Issuer"/>); null leaves it out.</summary>
    public string? DiscoveryIssuer { get; set; }

    /// <summary>When set, served verbatim instead of the generated discovery document.</summary>
    public string? DiscoveryBody { get; set; }

    /// <summary>When set, served verbatim instead of the generated JWKS.</summary>
    public string? JwksBody { get; set; }

    /// <summary>Leaves <c>jwks_uri</c> out of the discovery document.</summary>
    public bool OmitJwksUri { get; set; }

    /// <summary>A <c>Cache-Control</c> value sent with discovery and JWKS responses.</summary>
    public string? CacheControl { get; set; }

    /// <summary>The <c>token_endpoint</c> in discovery (default: this issuer's <see cref="TokenPath"/>); null leaves it out.</summary>
    public string? TokenEndpoint { get; set; } = "default";

    /// <summary>Every request to <see cref="TokenPath"/>, in arrival order, recorded before it is answered.</summary>
    public ConcurrentQueue<TokenRequest> TokenRequests { get; } = new();

    /// <summary>Answers token requests; the default answers 200 with <c>{"access_token":"t","expires_in":3600}</c>.</summary>
    public Func<HttpContext, TokenRequest, Task>? TokenHandler { get; set; }

    /// <summary>Called first for every request; return true when it wrote the response itself.</summary>
    public Func<HttpContext, Task<bool>>? Intercept { get; set; }

    /// <summary>The clock tokens are minted with.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public int DiscoveryRequests => _requests.GetValueOrDefault(DiscoveryPath);

    public int JwksRequests => _requests.GetValueOrDefault(JwksPath);

    public int TotalRequests => _requests.Values.Sum();

    public static async Task<LocalIssuer> StartAsync(SigningKey? key = null)
    {
        LocalIssuer issuer = new(CreateCertificate(), key ?? SigningKey.CreateRsa("local-key-1"));
        await issuer.ListenAsync(0).ConfigureAwait(false);
        return issuer;
    }

    /// <summary>Stops listening: connections to <see cref="Domain"/> are refused until <see cref="RestartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Listens again on the same port, with the same certificate, keys and settings.</summary>
    public Task RestartAsync() => ListenAsync(int.Parse(Domain[(Domain.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    private async Task ListenAsync(int port)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(_certificate)));
        WebApplication app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        Uri address = new(app.Urls.First());
        Domain = "127.0.0.1:" + address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _app = app;
    }

    /// <summary>An <see cref="HttpClient"/> that trusts this issuer's certificate only and follows no redirects.</summary>
    public HttpClient CreateHttpClient() => new(CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan };

    public SocketsHttpHandler CreateHandler()
    {
        string thumbprint = _certificate.GetCertHashString();
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == thumbprint,
            },
        };
    }

    public void ResetCounts() => _requests.Clear();

    /// <summary>A payload with the usual claims: iss, sub, aud, iat, exp (one hour).</summary>
    public ClaimSet StandardPayload(string audience, string subject = "user_123")
    {
        long now = Clock.GetUtcNow().ToUnixTimeSeconds();
        return new ClaimSet().Set("iss", Issuer).Set("sub", subject).Set("aud", audience).Set("iat", now).Set("exp", now + 3600);
    }

    /// <summary>The default header for <paramref name="key"/>: alg, typ JWT, kid.</summary>
    public static ClaimSet StandardHeader(SigningKey key) => new ClaimSet().Set("alg", key.Algorithm).Set("typ", "JWT").Set("kid", key.Kid);

    /// <summary>Mints a token; <paramref name="configure"/> may edit the header and payload first.</summary>
    public string CreateToken(string audience, Action<ClaimSet, ClaimSet>? configure = null, SigningKey? key = null)
    {
        key ??= Key;
        ClaimSet header = StandardHeader(key);
        ClaimSet payload = StandardPayload(audience);
        configure?.Invoke(header, payload);
        return key.SignCompact(header.ToJson(), payload.ToJson(), header["alg"] as string);
    }

    public string DiscoveryJson()
    {
        if (DiscoveryBody is not null)
        {
            return DiscoveryBody;
        }

        ClaimSet document = new();
        if (DiscoveryIssuer is not null || !OmitIssuer)
        {
            document.Set("issuer", DiscoveryIssuer ?? Issuer);
        }

        if (!OmitJwksUri)
        {
            document.Set("jwks_uri", JwksUri);
        }

        if (TokenEndpoint is not null)
        {
            document.Set("token_endpoint", TokenEndpoint == "default" ? "https://" + Domain + TokenPath : TokenEndpoint);
        }

        return document.ToJson();
    }

    /// <summary>Leaves <c>issuer</c> out of the discovery document.</summary>
    public bool OmitIssuer { get; set; }

    public string JwksJson()
    {
        if (JwksBody is not null)
        {
            return JwksBody;
        }

        StringBuilder builder = new("{\"keys\":[");
        for (int i = 0; i < JwksKeys.Count; i++)
        {
            builder.Append(i == 0 ? string.Empty : ",").Append(JwksKeys[i].ToJson());
        }

        return builder.Append("]}").ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _certificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? string.Empty;
        _requests.AddOrUpdate(path, 1, static (_, n) => n + 1);
        if (Intercept is { } intercept && await intercept(context).ConfigureAwait(false))
        {
            return;
        }

        if (path == TokenPath && HttpMethods.IsPost(context.Request.Method))
        {
            TokenRequest recorded = await TokenRequest.ReadAsync(context.Request).ConfigureAwait(false);
            TokenRequests.Enqueue(recorded);
            await (TokenHandler ?? DefaultTokenAnswer)(context, recorded).ConfigureAwait(false);
            return;
        }

        string? body = path switch
        {
            DiscoveryPath => DiscoveryJson(),
            JwksPath => JwksJson(),
            _ => null,
        };

        if (body is null)
        {
            context.Response.StatusCode = 404;
            return;
        }

        context.Response.ContentType = "application/json";
        if (CacheControl is not null)
        {
            context.Response.Headers.CacheControl = CacheControl;
        }

        await context.Response.WriteAsync(body).ConfigureAwait(false);
    }

    private static Task DefaultTokenAnswer(HttpContext context, TokenRequest request) => Respond(context, 200, "application/json", "{\"access_token\":\"t\",\"expires_in\":3600}");

    /// <summary>Writes a response with a status, content type and body.</summary>
    public static async Task Respond(HttpContext context, int status, string? contentType, string body)
    {
        context.Response.StatusCode = status;
        if (contentType is not null)
        {
            context.Response.ContentType = contentType;
        }

        await context.Response.WriteAsync(body).ConfigureAwait(false);
    }

    /// <summary>Never answers (until the client gives up or the issuer stops).</summary>
    public static async Task Hang(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
    }

    private static X509Certificate2 CreateCertificate()
    {
        using RSA key = RSA.Create(2048);
        CertificateRequest request = new("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        SubjectAlternativeNameBuilder names = new();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
