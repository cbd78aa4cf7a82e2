namespace Auth0.Api.Aot.AspNetCore;

/// <summary>Default names of the Auth0 API authentication scheme.</summary>
public static class Auth0ApiDefaults
{
    /// <summary>The default authentication scheme name: <c>Auth0Api</c>.</summary>
    public const string AuthenticationScheme = "Auth0Api";

    /// <summary>The default configuration section: <c>Auth0Api</c>.</summary>
    public const string ConfigurationSection = "Auth0Api";

    /// <summary>The name of the <see cref="System.Net.Http.IHttpClientFactory"/> client for discovery, JWKS and token requests.</summary>
    public const string HttpClientName = "Auth0.Api.Aot";

    /// <summary>The RFC 9728 well-known path of the protected resource metadata.</summary>
    public const string ProtectedResourceMetadataPath = "/.well-known/oauth-protected-resource";
}
