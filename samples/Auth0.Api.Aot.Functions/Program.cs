// An Azure Functions app (isolated worker) whose HTTP functions are protected by Auth0 access tokens, Bearer and DPoP:
// Auth0FunctionsMiddleware verifies each HTTP-triggered request before the function runs. Settings: Auth0__Domain and
// Auth0__Audience (local.settings.json, or the app's settings in Azure). Run it with the Functions host: func start
// (README.md).
using System;
using System.Collections.Generic;
using Auth0.Api.Aot;
using Auth0.Api.Aot.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

FunctionsApplicationBuilder builder = FunctionsApplication.CreateBuilder(args);

// One ApiClient for the whole worker: it caches the tenant's discovery document and keys between invocations.
builder.Services.AddSingleton(_ => new ApiClient(new ApiClientOptions
{
    Domain = builder.Configuration["Auth0:Domain"] ?? throw new InvalidOperationException("Set Auth0__Domain (the tenant's domain)"),
    Audience = builder.Configuration["Auth0:Audience"] ?? throw new InvalidOperationException("Set Auth0__Audience (the API identifier)"),
}));
builder.Services.AddSingleton(provider => new FunctionsAuthenticator(
    provider.GetRequiredService<ApiClient>(),
    new Dictionary<string, string[]> { ["orders"] = ["read:orders"] },
    // Optional: the origin clients call, when the URL the worker sees differs from it (README.md, "The request URL").
    builder.Configuration["Auth0:PublicOrigin"] is { Length: > 0 } origin ? new Uri(origin, UriKind.Absolute) : null));
builder.UseMiddleware<Auth0FunctionsMiddleware>();

builder.Build().Run();
