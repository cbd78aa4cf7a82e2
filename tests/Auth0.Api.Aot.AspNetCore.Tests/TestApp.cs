using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Auth0.Api.Aot.AspNetCore.Authorization;
using Auth0.Api.Aot.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Auth0.Api.Aot.AspNetCore.Tests;

/// <summary>A minimal API protected by the Auth0 API scheme, on TestServer or on real Kestrel (loopback), with its logs.</summary>
internal sealed class TestApp : IAsyncDisposable
{
    public const string Audience = "my-audience";

    private TestApp(WebApplication app, HttpClient client, ConcurrentQueue<string> logs)
    {
        App = app;
        Client = client;
        Logs = logs;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    /// <summary>Every log line written, formatted, at every level.</summary>
    public ConcurrentQueue<string> Logs { get; }

    public static async Task<TestApp> StartAsync(
        LocalIssuer issuer,
        Action<Auth0ApiOptions>? configure = null,
        Action<WebApplicationBuilder>? build = null,
        Action<WebApplication>? pipeline = null,
        bool kestrel = false)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        ConcurrentQueue<string> logs = new();
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(new QueueLoggerProvider(logs));
        if (kestrel)
        {
            builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        builder.Services.AddAuthentication(Auth0ApiDefaults.AuthenticationScheme).AddAuth0Api(options =>
        {
            options.Client.Domain = issuer.Domain;
            options.Client.Audience = Audience;
            options.Client.HttpClient = issuer.CreateHttpClient();
            configure?.Invoke(options);
        });
        builder.Services.AddAuthorization();
        build?.Invoke(builder);

        WebApplication app = builder.Build();
        if (pipeline is not null)
        {
            pipeline(app);
        }
        else
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }

        app.MapGet("/public", () => "public");
        app.MapGet("/me", (HttpContext context) =>
            context.GetAccessTokenClaims()!.Subject + "|" + context.User.Identity!.Name + "|" + string.Join(',', context.User.FindAll("scope").Select(c => c.Value))
            + "|" + string.Join(',', context.User.FindAll("permissions").Select(c => c.Value)) + "|" + context.Features.Get<IAuth0ApiFeature>()!.Result.Scheme).RequireAuthorization();
        app.MapGet("/orders", () => "orders").RequireScope("read:orders");
        app.MapPost("/orders", () => "created").RequireScope("write:orders");
        app.MapGet("/any", () => "any").RequireAnyScope("read:orders", "read:all");
        app.MapGet("/admin", () => "admin").RequirePermission("admin");
        app.MapGet("/attribute", [RequireScope("write:orders")] () => "attribute");
        app.MapGet("/typed", (AccessToken<TenantClaims> token) => token.Claims.Subject + "|" + token.Claims.Tenant + "|" + token.Result.Scheme + "|" + token.Verified.Subject);
        app.MapGet("/typed/scoped", (AccessToken<TenantClaims> token) => token.Claims.Tenant).RequireScope("read:orders");
        app.MapGet("/typed/extension", (HttpContext context) => context.GetAccessTokenClaims<TenantClaims>().Tenant).RequireAccessTokenClaims<TenantClaims>();
        app.MapGet("/typed/optional", (AccessToken<TenantClaims>? token) => token is null ? "anonymous" : token.Claims.Tenant).AllowAnonymous();
        app.MapGet("/typed/anonymous", (AccessToken<TenantClaims> token) => token.Claims.Tenant).AllowAnonymous();
        app.MapGroup("/typed/group").RequireAccessTokenClaims<TenantClaims>().MapGet("/tenant", (HttpContext context) => context.GetAccessTokenClaims<TenantClaims>().Tenant);
        app.MapProtectedResourceMetadata();
        await app.StartAsync();

        HttpClient client;
        if (kestrel)
        {
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            client = new HttpClient { BaseAddress = new Uri(address) };
        }
        else
        {
            client = app.GetTestClient();
        }

        return new TestApp(app, client, logs);
    }

    /// <summary>The absolute URL of <paramref name="path"/> as the app sees it (the htu of a proof for it).</summary>
    public string Url(string path) => new Uri(Client.BaseAddress!, path).ToString();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(categoryName, logs);

        public void Dispose()
        {
        }
    }

    private sealed class QueueLogger(string category, ConcurrentQueue<string> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Enqueue(logLevel + " " + category + ": " + formatter(state, exception) + (exception is null ? string.Empty : " " + exception));
    }
}

/// <summary>Typed claims of the <c>/typed</c> endpoints: a required namespaced claim, as an API that serves tenants would declare it.</summary>
[AccessTokenClaims]
public sealed partial class TenantClaims
{
    [Claim("sub")]
    public required string Subject { get; init; }

    [Claim("https://example.com/tenant")]
    public required string Tenant { get; init; }

    [Claim("scope", SpaceDelimited = true)]
    public string[]? Scopes { get; init; }
}
