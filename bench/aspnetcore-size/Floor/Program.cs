// (b) The floor: the empty app plus what any token handler needs from ASP.NET Core (AddAuthentication,
// AddAuthorization, a protected endpoint, a custom AuthenticationHandler) and an IHttpClientFactory client that the
// handler can send an HTTPS request with (as a real handler fetches its keys). The handler itself checks nothing.

using System.Net.Http;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddHttpClient(TrivialHandler.HttpClientName);
builder.Services.AddAuthentication(TrivialHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TrivialHandler>(TrivialHandler.SchemeName, null);
builder.Services.AddAuthorization();
WebApplication app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapGet("/orders", () => "orders").RequireAuthorization();
app.Run();

/// <summary>Accepts any Bearer token unchecked; <c>Bearer fetch</c> sends an HTTPS request first, so the client stack is kept.</summary>
internal sealed class TrivialHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IHttpClientFactory httpClients)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Trivial";
    public const string HttpClientName = "keys";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? authorization = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(authorization))
        {
            return AuthenticateResult.NoResult();
        }

        if (authorization == "Bearer fetch")
        {
            using HttpClient client = httpClients.CreateClient(HttpClientName);
            _ = await client.GetStringAsync(new System.Uri("https://keys.example/.well-known/jwks.json"), Context.RequestAborted).ConfigureAwait(false);
        }

        if (!authorization.StartsWith("Bearer ", System.StringComparison.Ordinal))
        {
            return AuthenticateResult.Fail("not a Bearer token");
        }

        ClaimsPrincipal principal = new(new ClaimsIdentity([new Claim("sub", "user")], SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
