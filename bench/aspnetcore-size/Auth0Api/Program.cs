// (d) The same API with Auth0.Api.Aot.AspNetCore: Bearer and DPoP (the default DPoPMode.Allowed).

using System.Collections.Generic;
using Auth0.Api.Aot.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddAuthentication(Auth0ApiDefaults.AuthenticationScheme).AddAuth0Api(options =>
{
    options.Client.Domain = builder.Configuration["OfflineDomain"] ?? "your-tenant.us.auth0.com";
    options.Client.Audience = "https://api.example.com";
    if (builder.Configuration["OfflineJwks"] is { Length: > 0 } jwks)
    {
        // rps.sh: the issuer's keys given up front, no discovery or JWKS request.
        options.Client.StaticJwks = new Dictionary<string, string> { [options.Client.Domain] = jwks };
    }

    // rps.sh's "Auth0ApiNoCache" row: every request a full verification, as JwtBearer does (issue 13's goal is set
    // with the verified-token cache off).
    if (builder.Configuration["VerifiedTokenCache"] == "false")
    {
        options.Client.VerifiedTokenCache = false;
    }
});
builder.Services.AddAuthorization();
WebApplication app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapGet("/orders", () => "orders").RequireAuthorization();
app.Run();
