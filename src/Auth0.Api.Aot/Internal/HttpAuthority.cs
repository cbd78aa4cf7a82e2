// The host and port of the library's own absolute http(s) URLs (a discovery URL built from an allowed issuer, a
// jwks_uri), for the telemetry's server.address and server.port tags and KeySourceFailure. A strict parser of exactly
// what those URLs are, so that the telemetry needs no System.Uri (System.Private.Uri is about 50 KB of a NativeAOT
// binary that has no other use for it):
//   scheme "https://" or "http://" (either case) -> authority, up to the first '/', '?' or '#' -> host -> [":" port]
//   host: a name or IPv4 address of ASCII letters, digits, '-', '.' and '_' (lower-cased, as Uri.Host is), or an IPv6
//         literal in brackets, RFC 3986's IPv6address (lower-cased, kept as written: Uri would compress it)
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

    // RFC 3986's IPv6address: eight groups of 1 to 4 hex digits separated by ':', the last two of which may be an IPv4
    // address in dotted decimal; one "::" may stand for one or more groups of zeros (so at most seven are written
    // then). No zone identifier (it would need percent-encoding, refused above).
    private static bool IsIPv6Literal(ReadOnlySpan<char> address)
    {
        int elided = address.IndexOf("::".AsSpan());
        if (elided < 0)
        {
            return CountGroups(address, last: true) == 8;
        }

        ReadOnlySpan<char> head = address[..elided];
        ReadOnlySpan<char> tail = address[(elided + 2)..];
        if (tail.IndexOf("::".AsSpan()) >= 0)
        {
            return false;
        }

        int before = head.IsEmpty ? 0 : CountGroups(head, last: false);
        int after = tail.IsEmpty ? 0 : CountGroups(tail, last: true);
        return before >= 0 && after >= 0 && before + after <= 7;
    }

    // The number of 16-bit groups in a ':'-separated run of h16 (an IPv4 address as the final piece of the address
    // counts two), or -1 when a piece is neither.
    private static int CountGroups(ReadOnlySpan<char> run, bool last)
    {
        int groups = 0;
        while (true)
        {
            int colon = run.IndexOf(':');
            ReadOnlySpan<char> piece = colon < 0 ? run : run[..colon];
            if (colon < 0 && last && piece.IndexOf('.') >= 0)
            {
                return IsIPv4(piece) ? groups + 2 : -1;
            }

            if (piece.IsEmpty || piece.Length > 4 || !IsHex(piece))
            {
                return -1;
            }

            groups++;
            if (colon < 0)
            {
                return groups;
            }

            run = run[(colon + 1)..];
        }
    }

    private static bool IsHex(ReadOnlySpan<char> digits)
    {
        foreach (char c in digits)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    // Four dec-octets (0 to 255, no leading zero) separated by '.'.
    private static bool IsIPv4(ReadOnlySpan<char> address)
    {
        for (int octet = 0; octet < 4; octet++)
        {
            int dot = address.IndexOf('.');
            if ((dot < 0) != (octet == 3))
            {
                return false;
            }

            ReadOnlySpan<char> digits = dot < 0 ? address : address[..dot];
            if (digits.IsEmpty || digits.Length > 3 || (digits.Length > 1 && digits[0] == '0') || !TryParsePort(digits, out int value) || value > 255)
            {
                return false;
            }

            address = dot < 0 ? default : address[(dot + 1)..];
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
