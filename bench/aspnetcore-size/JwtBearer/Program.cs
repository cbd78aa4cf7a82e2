// (c) The same API with Microsoft.AspNetCore.Authentication.JwtBearer: Bearer tokens only (it has no DPoP).

using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
{
    options.Audience = "https://api.example.com";
    if (builder.Configuration["OfflineJwks"] is { Length: > 0 } jwks)
    {
        // rps.sh: the issuer's keys given up front, no metadata request (as the Auth0 app's StaticJwks).
        options.TokenValidationParameters.ValidIssuer = "https://" + builder.Configuration["OfflineDomain"] + "/";
        options.TokenValidationParameters.IssuerSigningKeys = new JsonWebKeySet(jwks).GetSigningKeys();
    }
    else
    {
        options.Authority = "https://your-tenant.us.auth0.com/";
    }
});
builder.Services.AddAuthorization();
WebApplication app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapGet("/orders", () => "orders").RequireAuthorization();
app.Run();
