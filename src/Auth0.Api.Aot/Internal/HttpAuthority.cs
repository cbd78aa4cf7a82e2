// The host and port of the library's own absolute http(s) URLs (a discovery URL built from an allowed issuer, a
// jwks_uri), for the telemetry's server.address and server.port tags and KeySourceFailure. A strict parser of exactly
// what those URLs are, so that the telemetry needs no System.Uri (System.Private.Uri is about 50 KB of a NativeAOT
// binary that has no other use for it):
//   scheme "https://" or "http://" (either case) -> authority, up to the first '/', '?' or '#' -> host -> [":" port]
//   host: a name or IPv4 address of ASCII letters, digits, '-', '.' and '_' (lower-cased, as Uri.Host is), or an IPv6
//         literal in brackets of hex digits, ':' and '.' (lower-cased, kept as written: Uri would compress it)
//   port: 1 to 5 digits, at most 65535; absent, the scheme's default (443, 80)
// Anything else is refused (the caller reports "invalid" and 0): userinfo ('@', which the fetch refuses too), a
// backslash, percent-encoding, other characters, an empty host or port. HttpAuthorityTests compares it with Uri.

using System;

namespace Auth0.Api.Aot.Internal;

internal static class HttpAuthority
{
    /// <summary>Reads the host and port of an absolute http(s) URL.</summary>
    /// <param name="url">The URL.</param>
    /// <param name="host">The host, lower-cased (an IPv6 literal with its brackets).</param>
    /// <param name="port">The port: the explicit one, or the scheme's default.</param>
    /// <param name="defaultPort">Whether the port is the scheme's default (absent, or written out).</param>
    /// <returns><see langword="false"/> when <paramref name="url"/> is not an absolute http(s) URL of the accepted form.</returns>
    public static bool TryParse(string? url, out string host, out int port, out bool defaultPort)
    {
        host = string.Empty;
        port = 0;
        defaultPort = false;
        if (url is null)
        {
            return false;
        }

        ReadOnlySpan<char> rest = url;
        int schemeDefault;
        if (rest.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            schemeDefault = 443;
            rest = rest[8..];
        }
        else if (rest.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            schemeDefault = 80;
            rest = rest[7..];
        }
        else
        {
            return false;
        }

        int end = rest.IndexOfAny('/', '?', '#');
        ReadOnlySpan<char> authority = end < 0 ? rest : rest[..end];
        ReadOnlySpan<char> hostPart;
        ReadOnlySpan<char> portPart;
        if (!authority.IsEmpty && authority[0] == '[')
        {
            int close = authority.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            hostPart = authority[..(close + 1)];
            ReadOnlySpan<char> after = authority[(close + 1)..];
            if (!after.IsEmpty && after[0] != ':')
            {
                return false;
            }

            portPart = after.IsEmpty ? default : after[1..];
            if (!IsIPv6Literal(hostPart[1..^1]) || (!after.IsEmpty && portPart.IsEmpty))
            {
                return false;
            }
        }
        else
        {
            int colon = authority.IndexOf(':');
            hostPart = colon < 0 ? authority : authority[..colon];
            portPart = colon < 0 ? default : authority[(colon + 1)..];
            if (hostPart.IsEmpty || !IsName(hostPart) || (colon >= 0 && portPart.IsEmpty))
            {
                return false;
            }
        }

        if (portPart.IsEmpty)
        {
            port = schemeDefault;
        }
        else if (!TryParsePort(portPart, out port))
        {
            port = 0;
            return false;
        }

        host = Lower(hostPart);
        defaultPort = port == schemeDefault;
        return true;
    }

    private static bool IsName(ReadOnlySpan<char> name)
    {
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsIPv6Literal(ReadOnlySpan<char> address)
    {
        if (address.IndexOf(':') < 0)
        {
            return false;
        }

        foreach (char c in address)
        {
            if (!(char.IsAsciiHexDigit(c) || c is ':' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryParsePort(ReadOnlySpan<char> digits, out int port)
    {
        port = 0;
        if (digits.Length > 5)
        {
            return false;
        }

        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            port = (port * 10) + (c - '0');
        }

        return port <= 65535;
    }

    // The host as a string, lower-cased (ASCII only, as validated above: the invariant culture is exact here).
    private static string Lower(ReadOnlySpan<char> host) => host.ToString().ToLowerInvariant();
}
