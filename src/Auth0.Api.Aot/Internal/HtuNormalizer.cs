// DPoP htu comparison (RFC 9449 section 4.3, check 9): the proof's htu and the request URL are compared as the WHATWG
// URL Standard's origin + pathname, with the hex digits of percent-escapes upper-cased (reference section 5.3).
// System.Uri is not WHATWG (dot segments, escapes, IDN and backslashes differ), so this is a parser written for this
// comparison, following the URL Standard's basic URL parser for special schemes:
//   - leading/trailing C0 controls and spaces trimmed, tabs and newlines removed anywhere;
//   - scheme lower-cased; special schemes (http, https, ws, wss, ftp) skip any run of '/' or '\' before the authority;
//   - userinfo dropped; host percent-decoded, IDNA-mapped to ASCII and lower-cased, forbidden host code points refused,
//     IPv6 literals serialised compressed; a default port dropped, others written without leading zeros;
//   - '\' is a path separator; "." and ".." segments (also as %2e) resolved; the path percent-encode set applied;
//   - query and fragment dropped; an empty path is "/".
// A non-special scheme has an opaque origin, serialised "null". Anything the parser refuses is a mismatch.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Auth0.Api.Aot.Internal;

internal static class HtuNormalizer
{
    /// <summary>
    /// Whether a proof's <c>htu</c> and the request URL have the same WHATWG origin + path. When both are, up to any query
    /// or fragment, the same string already in normal form (the usual case: a client copies the URL it requests), the
    /// answer is found without parsing or allocating; otherwise both are normalised by <see cref="TryNormalize"/>.
    /// </summary>
    public static bool Matches(string? htu, string? requestUrl)
    {
        if (htu is null || requestUrl is null)
        {
            return false;
        }

        ReadOnlySpan<char> left = htu.AsSpan(0, EndOfPath(htu));
        ReadOnlySpan<char> right = requestUrl.AsSpan(0, EndOfPath(requestUrl));
        if (left.SequenceEqual(right) && IsInNormalForm(left))
        {
            return true;
        }

        return TryNormalize(htu, out string? proofUrl) && TryNormalize(requestUrl, out string? normalized)
            && string.Equals(proofUrl, normalized, StringComparison.Ordinal);
    }

    private static int EndOfPath(string url)
    {
        int end = url.AsSpan().IndexOfAny('?', '#');
        return end < 0 ? url.Length : end;
    }

    /// <summary>
    /// A conservative test that <paramref name="url"/> (without query and fragment) is its own normal form: http or https,
    /// a lower-case DNS name of plain labels (no IDNA, no number that could be an IPv4 address, no trailing dot), no
    /// userinfo, no port, and a non-empty path of characters that need no escaping, with no dot segments. Anything else
    /// answers <see langword="false"/> and takes the full parser; a false negative costs time, never correctness.
    /// </summary>
    internal static bool IsInNormalForm(ReadOnlySpan<char> url)
    {
        ReadOnlySpan<char> rest = url.StartsWith("https://", StringComparison.Ordinal) ? url[8..]
            : url.StartsWith("http://", StringComparison.Ordinal) ? url[7..]
            : default;
        int slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        ReadOnlySpan<char> host = rest[..slash];
        ReadOnlySpan<char> path = rest[slash..];
        if (host.ContainsAnyExcept(s_hostChars) || host.Contains("xn--", StringComparison.Ordinal) || host.Contains("..", StringComparison.Ordinal)
            || host[0] is '.' or '-' || host[^1] is '.' or '-' || host.Contains(".-", StringComparison.Ordinal) || host.Contains("-.", StringComparison.Ordinal))
        {
            return false;
        }

        int lastLabel = host.LastIndexOf('.') + 1;
        if (char.IsAsciiDigit(host[lastLabel]) || host.Length > MaxDnsNameLength)
        {
            return false;
        }

        // A label over 63 characters is refused by IDNA (the full parser): it must not match here either.
        for (ReadOnlySpan<char> labels = host; !labels.IsEmpty;)
        {
            int dot = labels.IndexOf('.');
            if ((dot < 0 ? labels.Length : dot) > MaxDnsLabelLength)
            {
                return false;
            }

            labels = dot < 0 ? default : labels[(dot + 1)..];
        }

        return !path.ContainsAnyExcept(s_pathChars)
            && !path.Contains("/./", StringComparison.Ordinal) && !path.Contains("/../", StringComparison.Ordinal)
            && !path.EndsWith("/.", StringComparison.Ordinal) && !path.EndsWith("/..", StringComparison.Ordinal);
    }

    private const int MaxDnsNameLength = 253;
    private const int MaxDnsLabelLength = 63;

    private static readonly System.Buffers.SearchValues<char> s_hostChars = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789.-");

    // Unreserved and sub-delims of RFC 3986 plus ':', '@' and '/': none is in the URL Standard's path percent-encode set.
    private static readonly System.Buffers.SearchValues<char> s_pathChars = System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&()*+,;=:@/");

    public static bool TryNormalize(string? url, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (url is null)
        {
            return false;
        }

        string input = Clean(url);
        int colon = input.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !IsScheme(input.AsSpan(0, colon)))
        {
            return false;
        }

        string scheme = input[..colon].ToLowerInvariant();
        int? defaultPort = scheme switch
        {
            "http" or "ws" => 80,
            "https" or "wss" => 443,
            "ftp" => 21,
            _ => null,
        };
        bool special = defaultPort is not null;
        string rest = input[(colon + 1)..];

        if (!special)
        {
            // Opaque origin. Only the hierarchical form (scheme://authority/path) has a pathname worth comparing.
            if (!rest.StartsWith("//", StringComparison.Ordinal))
            {
                return false;
            }

            int pathStart = rest.IndexOfAny(['/', '?', '#'], 2);
            string path = pathStart < 0 || rest[pathStart] != '/' ? string.Empty : rest[pathStart..];
            normalized = UpperCaseEscapes("null" + NormalizePath(path, special: false));
            return true;
        }

        int start = 0;
        while (start < rest.Length && rest[start] is '/' or '\\')
        {
            start++;
        }

        int end = start;
        while (end < rest.Length && rest[end] is not ('/' or '\\' or '?' or '#'))
        {
            end++;
        }

        string authority = rest[start..end];
        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }

        if (!TrySplitHostPort(authority, out string? host, out int? port) || port is > 65535)
        {
            return false;
        }

        if (!TryNormalizeHost(host, out string? asciiHost))
        {
            return false;
        }

        int pathEnd = end;
        while (pathEnd < rest.Length && rest[pathEnd] is not ('?' or '#'))
        {
            pathEnd++;
        }

        StringBuilder result = new(scheme.Length + 3 + asciiHost.Length + (pathEnd - end) + 8);
        result.Append(scheme).Append("://").Append(asciiHost);
        if (port is int p && p != defaultPort)
        {
            result.Append(':').Append(p.ToString(CultureInfo.InvariantCulture));
        }

        result.Append(NormalizePath(rest[end..pathEnd], special: true));
        normalized = UpperCaseEscapes(result.ToString());
        return true;
    }

    private static string Clean(string url)
    {
        ReadOnlySpan<char> span = url.AsSpan().Trim("\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F ");
        if (span.IndexOfAny('\t', '\n', '\r') < 0)
        {
            return span.ToString();
        }

        StringBuilder builder = new(span.Length);
        foreach (char c in span)
        {
            if (c is not ('\t' or '\n' or '\r'))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool IsScheme(ReadOnlySpan<char> scheme)
    {
        if (!char.IsAsciiLetter(scheme[0]))
        {
            return false;
        }

        foreach (char c in scheme)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TrySplitHostPort(string authority, out string host, out int? port)
    {
        port = null;
        host = authority;
        int portColon = authority.StartsWith('[') ? authority.IndexOf("]:", StringComparison.Ordinal) + 1 : authority.LastIndexOf(':');
        if (portColon > 0 && (!authority.StartsWith('[') || authority[portColon] == ':'))
        {
            string digits = authority[(portColon + 1)..];
            host = authority[..portColon];
            if (digits.Length > 0)
            {
                foreach (char c in digits)
                {
                    if (!char.IsAsciiDigit(c))
                    {
                        return false;
                    }
                }

                string trimmed = digits.TrimStart('0');
                port = trimmed.Length == 0 ? 0 : trimmed.Length > 5 ? 65536 : int.Parse(trimmed, CultureInfo.InvariantCulture);
            }
        }

        return host.Length > 0;
    }

    private static bool TryNormalizeHost(string host, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? ascii)
    {
        ascii = null;
        if (host.StartsWith('['))
        {
            if (!host.EndsWith(']') || !IPAddress.TryParse(host.AsSpan(1, host.Length - 2), out IPAddress? address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            ascii = "[" + address.ToString().ToLowerInvariant() + "]";
            return true;
        }

        string decoded = Uri.UnescapeDataString(host);
        try
        {
            ascii = new IdnMapping().GetAscii(decoded).ToLowerInvariant();
        }
        catch (Exception exception) when (exception is ArgumentException or PlatformNotSupportedException)
        {
            // An invalid domain, or IDNA unavailable (invariant globalization with a non-ASCII host): no match possible.
            return false;
        }

        foreach (char c in ascii)
        {
            if (c <= ' ' || c is '#' or '%' or '/' or ':' or '<' or '>' or '?' or '@' or '[' or '\\' or ']' or '^' or '|' or (char)0x7F)
            {
                return false;
            }
        }

        return ascii.Length > 0;
    }

    private static string NormalizePath(string path, bool special)
    {
        if (special)
        {
            path = path.Replace('\\', '/');
        }

        if (path.Length == 0)
        {
            return "/";
        }

        List<string> segments = [];
        string[] parts = path.Split('/');
        for (int i = 1; i < parts.Length; i++)
        {
            string segment = parts[i];
            bool last = i == parts.Length - 1;
            if (IsDoubleDot(segment))
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                if (last)
                {
                    segments.Add(string.Empty);
                }
            }
            else if (IsSingleDot(segment))
            {
                if (last)
                {
                    segments.Add(string.Empty);
                }
            }
            else
            {
                segments.Add(Encode(segment));
            }
        }

        StringBuilder builder = new(path.Length + 8);
        foreach (string segment in segments)
        {
            builder.Append('/').Append(segment);
        }

        return builder.Length == 0 ? "/" : builder.ToString();
    }

    private static bool IsSingleDot(string segment) => segment == "." || segment.Equals("%2e", StringComparison.OrdinalIgnoreCase);

    private static bool IsDoubleDot(string segment) =>
        segment == ".." || segment.Equals(".%2e", StringComparison.OrdinalIgnoreCase)
        || segment.Equals("%2e.", StringComparison.OrdinalIgnoreCase) || segment.Equals("%2e%2e", StringComparison.OrdinalIgnoreCase);

    // The URL Standard's path percent-encode set: C0 controls, space, ", #, <, >, ?, `, {, }, DEL and non-ASCII.
    private static string Encode(string segment)
    {
        StringBuilder? builder = null;
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < segment.Length; i++)
        {
            char c = segment[i];
            bool encode = c <= ' ' || c >= (char)0x7F || c is '"' or '#' or '<' or '>' or '?' or '`' or '{' or '}';
            if (!encode)
            {
                builder?.Append(c);
                continue;
            }

            builder ??= new StringBuilder(segment, 0, i, segment.Length + 16);
            int length;
            if (char.IsHighSurrogate(c) && i + 1 < segment.Length && char.IsLowSurrogate(segment[i + 1]))
            {
                length = Encoding.UTF8.GetBytes(segment.AsSpan(i, 2), utf8);
                i++;
            }
            else
            {
                length = Encoding.UTF8.GetBytes(char.IsSurrogate(c) ? "\uFFFD" : c.ToString(), utf8);
            }

            for (int b = 0; b < length; b++)
            {
                builder.Append('%').Append(utf8[b].ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder?.ToString() ?? segment;
    }

    private static string UpperCaseEscapes(string value)
    {
        int percent = value.IndexOf('%', StringComparison.Ordinal);
        if (percent < 0)
        {
            return value;
        }

        char[] chars = value.ToCharArray();
        for (int i = percent; i + 2 < chars.Length; i++)
        {
            if (chars[i] == '%' && char.IsAsciiHexDigit(chars[i + 1]) && char.IsAsciiHexDigit(chars[i + 2]))
            {
                chars[i + 1] = char.ToUpperInvariant(chars[i + 1]);
                chars[i + 2] = char.ToUpperInvariant(chars[i + 2]);
                i += 2;
            }
        }

        return new string(chars);
    }
}
