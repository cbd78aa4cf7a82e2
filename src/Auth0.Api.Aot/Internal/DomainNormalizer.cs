// Issuer/domain normalisation, ported from auth0-api-python normalize_domain (reference section 6.1):
//   strip, lower-case, reject http://, remove every "https://", host = text before the first '/', '?'
//   or '#', reject '@' (credentials), reject any path/query/fragment, return "https://{host}/".
// One addition: the host must be made of host characters only (letters, digits, '-', '.', ':' for a
// port, '[' ']' for an IPv6 literal), so that the discovery URL built from an issuer is always
// "https://{host}/.well-known/openid-configuration" and can never be steered elsewhere.

using System;
using System.Diagnostics.CodeAnalysis;

namespace Auth0.Api.Aot.Internal;

internal static class DomainNormalizer
{
    public const string NonEmptyMessage = "domain must be a non-empty string";
    public const string HttpsRequiredMessage = "invalid domain URL (https required)";
    public const string CredentialsMessage = "invalid domain URL (credentials are not allowed)";
    public const string PathMessage = "invalid domain URL (path/query/fragment are not allowed)";
    public const string HostMessage = "invalid domain URL (invalid host)";

    /// <summary>Normalises <paramref name="domain"/> to <c>https://{host}/</c>.</summary>
    /// <returns><see langword="false"/> with the reason in <paramref name="error"/> when it is not a bare https origin.</returns>
    public static bool TryNormalize(string? domain, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? error)
    {
        normalized = null;
        if (string.IsNullOrWhiteSpace(domain))
        {
            error = NonEmptyMessage;
            return false;
        }

        string value = domain.Trim().ToLowerInvariant();
        if (value.StartsWith("http://", StringComparison.Ordinal))
        {
            error = HttpsRequiredMessage;
            return false;
        }

        value = value.Replace("https://", string.Empty, StringComparison.Ordinal);

        string host = value;
        int cut = host.IndexOf('/', StringComparison.Ordinal);
        if (cut >= 0)
        {
            host = host[..cut];
        }

        cut = host.IndexOf('?', StringComparison.Ordinal);
        if (cut >= 0)
        {
            host = host[..cut];
        }

        cut = host.IndexOf('#', StringComparison.Ordinal);
        if (cut >= 0)
        {
            host = host[..cut];
        }

        if (host.Contains('@', StringComparison.Ordinal))
        {
            error = CredentialsMessage;
            return false;
        }

        if (!string.Equals(value.TrimEnd('/'), host, StringComparison.Ordinal))
        {
            error = PathMessage;
            return false;
        }

        if (!IsHost(host))
        {
            error = HostMessage;
            return false;
        }

        normalized = "https://" + host + "/";
        error = null;
        return true;
    }

    public static string Normalize(string? domain)
    {
        if (!TryNormalize(domain, out string? normalized, out string? error))
        {
            throw new FormatException(error);
        }

        return normalized;
    }

    /// <summary>The OIDC discovery URL of a normalised issuer (<c>https://host/</c>).</summary>
    public static string DiscoveryUrl(string normalizedIssuer) => normalizedIssuer + ".well-known/openid-configuration";

    private static bool IsHost(string host)
    {
        if (host.Length == 0)
        {
            return false;
        }

        foreach (char c in host)
        {
            bool ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or ':' or '[' or ']' or '_';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
