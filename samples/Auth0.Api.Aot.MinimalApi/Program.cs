// A NativeAOT minimal API protected by Auth0 access tokens with Auth0.Api.Aot.AspNetCore:
//
//   GET /orders                               needs the scope read:orders (403 insufficient_scope otherwise); typed claims
//   GET /me                                   needs any valid access token
//   GET /.well-known/oauth-protected-resource RFC 9728 metadata, anonymous (how MCP clients find the tenant)
//
// One scheme accepts both Bearer tokens and DPoP-bound tokens with their proofs (RFC 9449, DPoPMode Allowed). When a
// nonce key is configured, DPoP clients must also echo a server nonce: the first request gets 401 use_dpop_nonce with a
// DPoP-Nonce header, the retry succeeds. Settings come from appsettings.json's "Auth0Api" section, overridden by
// environment variables (Auth0Api__Domain, Auth0Api__Audience, Auth0Api__DPoPNonceKey: 32 random bytes in base64,
// from a secret store, the same on every instance).
//
// Run it against the embedded loopback issuer, no tenant needed: dotnet run --project samples/Auth0.Api.Aot.MinimalApi.Client -c Release

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;
using Auth0.Api.Aot;
using Auth0.Api.Aot.AspNetCore;
using Auth0.Api.Aot.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);

// Refusals (400, 401, 403, 503) get an application/problem+json body with the OAuth error code, never the token.
builder.Services.AddProblemDetails();

// NativeAOT has no reflection-based JSON: the endpoints' types are serialised by a source-generated context.
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default));

builder.Services.AddAuthentication(Auth0ApiDefaults.AuthenticationScheme)
    .AddAuth0Api(Auth0ApiDefaults.AuthenticationScheme, builder.Configuration.GetSection("Auth0Api"), options =>
    {
        // What configuration cannot hold is set here, after the section is bound: events, stores, providers.
        //
        // OfflineJwks: the issuer's JWKS (JSON) given up front, for runs without a tenant (the sample's client sets it).
        // The issuer's keys are then pinned: no discovery or JWKS request is ever made. A real deployment leaves it
        // unset, and the keys are fetched from the tenant over HTTPS and cached.
        if (builder.Configuration["OfflineJwks"] is { Length: > 0 } jwks && options.Client.Domain is { } domain)
        {
            options.Client.StaticJwks = new Dictionary<string, string> { [domain] = jwks };
        }
    });
builder.Services.AddAuthorization();

// The library's metrics and traces (meter and activity source "Auth0.Api.Aot": verifications by result and scheme,
// key fetches, stale serves, replay-store fill, nonces; docs/observability.md) through OpenTelemetry. Behind a flag
// (Telemetry__Console=true) and printed to the console here; a deployment adds its exporter instead (OTLP, Prometheus).
if (string.Equals(builder.Configuration["Telemetry:Console"], "true", StringComparison.OrdinalIgnoreCase))
{
    builder.Services.AddOpenTelemetry()
        .WithMetrics(metrics => metrics
            .AddMeter("Auth0.Api.Aot")
            .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 2000))
        // The request spans are the parents of the library's: without them, a parent-based sampler (the default) drops the
        // library's spans, whose parent would be ASP.NET Core's unsampled request activity.
        .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddSource("Auth0.Api.Aot").AddConsoleExporter());
}

WebApplication app = builder.Build();

// Explicit, so that anything that must run before authentication (UseForwardedHeaders behind a proxy) can go first.
app.UseAuthentication();
app.UseAuthorization();

// AccessToken<OrderClaims>: the verified token's claims, read by generated code (no reflection) once per request. The
// parameter itself requires a token whose claims fit OrderClaims (else 401 invalid_token naming the missing claim).
app.MapGet("/orders", (AccessToken<OrderClaims> token) => new Order[] { new(1, token.Claims.Subject, "2 books") })
    .RequireScope("read:orders");

app.MapGet("/me", (HttpContext context) =>
    {
        AccessTokenClaims claims = context.GetAccessTokenClaims()!;
        string scheme = context.Features.Get<IAuth0ApiFeature>()!.Result.Scheme ?? string.Empty;   // "bearer" or "dpop"
        return new Me(claims.Subject ?? string.Empty, scheme, [.. claims.Scopes]);
    })
    .RequireAuthorization();

app.MapProtectedResourceMetadata();

app.Run();

/// <summary>The claims <c>GET /orders</c> needs, read by the source-generated reader.</summary>
[AccessTokenClaims]
internal sealed partial class OrderClaims
{
    [Claim("sub")]
    public required string Subject { get; init; }

    [Claim("scope", SpaceDelimited = true)]
    public required string[] Scopes { get; init; }
}

/// <summary>An order, as <c>GET /orders</c> returns it.</summary>
internal sealed record Order(int Id, string Customer, string Items);

/// <summary>Who called <c>GET /me</c>, and how.</summary>
internal sealed record Me(string Subject, string Scheme, string[] Scopes);

/// <summary>The source-generated JSON of the endpoints' results.</summary>
[JsonSerializable(typeof(Order[]))]
[JsonSerializable(typeof(Me))]
internal sealed partial class AppJsonContext : JsonSerializerContext;
