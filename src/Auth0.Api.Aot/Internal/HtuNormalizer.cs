// DPoP htu comparison (RFC 9449 section 4.3, check 9): the proof's htu and the request URL are compared by scheme, host,
// port and path (never query or fragment), after the URL Standard's parsing and RFC 3986 section 6.2.2/6.2.3
// normalisation.
//
// TryNormalize gives the WHATWG origin + pathname with the hex digits of percent-escapes upper-cased (reference section
// 5.3; the expectations of tests/Fixtures/Htu come from Node.js's URL). System.Uri is not WHATWG (dot segments,
// escapes, IDN, IPv4 forms and backslashes differ), so this is a parser written for this comparison, following the URL
// Standard's basic URL parser:
//   - leading/trailing C0 controls and spaces trimmed, tabs and newlines removed anywhere;
//   - scheme lower-cased; special schemes (http, https, ws, wss, ftp) skip any run of '/' or '\' before the authority;
//   - userinfo dropped (an empty host after it refused); the port is everything after the first ':' outside brackets,
//     digits only, at most 65535; a default port dropped, others written without leading zeros;
//   - host: an IPv6 literal parsed and serialised by the Standard's IPv6 parser and serialiser (compressed, lower case,
//     embedded IPv4 written in hex); otherwise percent-decoded, mapped to ASCII (plain ASCII lower-cased, anything else
//     through IDNA), forbidden domain code points refused, and a host that ends in a number parsed by the Standard's
//     IPv4 parser (1 to 4 parts, decimal, octal "0..." or hex "0x...", the last part filling the remaining bytes:
//     127.1, 0x7f.1, 2130706433 and 0177.0.0.1 are 127.0.0.1) and refused if that fails (a.1, 1.2.3.4.5, 256.0.0.1);
//   - '\' is a path separator; "." and ".." segments (also as %2e) resolved; the path percent-encode set applied;
//   - query and fragment dropped; an empty path is "/".
// A non-special scheme has an opaque origin, serialised "null"; only its hierarchical form (scheme://host/path) is
// accepted. Anything the parser refuses is a mismatch.
//
// TryNormalizeForComparison, which Matches compares, adds RFC 3986 section 6.2.2.2 to the path, read as a sequence of
// escapes ('%' and two hex digits) and characters: a percent-escape of an unreserved character (ALPHA / DIGIT / "-" /
// "." / "_" / "~") is that character, so %7E and ~ match; other escapes, reserved characters and %2F are never decoded.
// A raw '^' is written %5E, as the current URL Standard's path percent-encode set does (older parsers, including
// Node.js 20's, leave it raw), so clients of either agree.
//
// A '%' that starts no escape (a stray '%', which the URL Standard leaves in the path as it is) is a character of its
// own: neither part of an escape nor %25. RFC 3986 makes escapes of unreserved characters equivalent and nothing else,
// and a stray '%' is no escape at all; the URL Standard serialises "/a%" and "/a%25" differently. So those two do not
// match, and "/a%2%46" (the characters a, %, 2, F) does not match "/a%2F" (a, an escaped '/'). In the form a stray '%'
// is written '%'; were the next two characters of the form hex digits, the first is written as its escape instead
// ("/a%2%46" compares as "/a%%32F"), so the '%' still starts no escape when the form is read again. Hence the form is
// its own form, and two paths have the same form exactly when they are the same sequence; every match is of paths that
// percent-decode to the same bytes.
//
// Attacker input: nothing here throws, numbers saturate instead of overflowing, and URLs longer than MaxUrlLength are
// refused. The output is built in a stack buffer (pooled beyond it): one string per normalised URL.

using System;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Auth0.Api.Aot.Internal;

internal static class HtuNormalizer
{
    /// <summary>
    /// Whether a proof's <c>htu</c> and the request URL have the same WHATWG origin + path, escapes of unreserved
    /// characters taken as the characters (RFC 3986 section 6.2.2.2). When both are, up to any query
    /// or fragment, the same string already in normal form (the usual case: a client copies the URL it requests), the
    /// answer is found without parsing or allocating; otherwise both are normalised by <see cref="TryNormalizeForComparison"/>.
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

        return TryNormalizeForComparison(htu, out string? proofUrl) && TryNormalizeForComparison(requestUrl, out string? normalized)
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

        // Conservative: a label over 63 characters or a name over 253 takes the full parser (which only IDNA-maps a
        // non-ASCII or "xn--" host, and so accepts long ASCII labels as the URL Standard does).
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

    private static readonly SearchValues<char> s_hostChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789.-");

    // Unreserved and sub-delims of RFC 3986 plus ':', '@' and '/': none is in the URL Standard's path percent-encode set.
    private static readonly SearchValues<char> s_pathChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&()*+,;=:@/");

    /// <summary>Refused outright: far beyond any request line a server accepts (Kestrel's default is 8 KiB).</summary>
    internal const int MaxUrlLength = 1 << 20;

    private const int StackBufferLength = 256;
    private const string C0ControlOrSpace = "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F ";

    // The URL Standard's forbidden host code points (opaque hosts), and forbidden domain code points: those, C0 controls,
    // '%' and DEL.
    private static readonly SearchValues<char> s_forbiddenHost = SearchValues.Create("\u0000\t\n\r #/:<>?@[\\]^|");
    private static readonly SearchValues<char> s_specialAuthorityEnd = SearchValues.Create("/\\?#");
    private static readonly SearchValues<char> s_authorityEnd = SearchValues.Create("/?#");
    private static readonly SearchValues<char> s_forbiddenDomain = SearchValues.Create(C0ControlOrSpace + "#%/:<>?@[\\]^|\u007F");

    /// <summary>
    /// The WHATWG origin + pathname of <paramref name="url"/>, with the hex digits of percent-escapes upper-cased
    /// (reference section 5.3), or <see langword="false"/> where a WHATWG parser refuses the URL. Never throws.
    /// </summary>
    public static bool TryNormalize(string? url, [NotNullWhen(true)] out string? normalized) => TryNormalize(url, forComparison: false, out normalized);

    /// <summary>
    /// <see cref="TryNormalize(string?, out string?)"/>, then RFC 3986 section 6.2.2.2 on the path: escapes of unreserved
    /// characters decoded (and a raw '^' escaped), a '%' that starts no escape kept as a character of its own (a hex digit
    /// that would complete it written as its escape). Two URLs are the same htu when these are equal; the result is its
    /// own comparison form. Never throws.
    /// </summary>
    internal static bool TryNormalizeForComparison(string? url, [NotNullWhen(true)] out string? normalized) => TryNormalize(url, forComparison: true, out normalized);

    private static bool TryNormalize(string? url, bool forComparison, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (url is null || url.Length > MaxUrlLength)
        {
            return false;
        }

        ReadOnlySpan<char> input = url.AsSpan().Trim(C0ControlOrSpace);
        if (input.ContainsAny('\t', '\n', '\r'))
        {
            input = RemoveTabsAndNewlines(input);
        }

        int colon = input.IndexOf(':');
        if (colon <= 0 || !IsScheme(input[..colon]))
        {
            return false;
        }

        string? scheme = SpecialScheme(input[..colon], out int defaultPort);
        bool special = scheme is not null;
        ReadOnlySpan<char> rest = input[(colon + 1)..];
        int start = 0;
        if (special)
        {
            while (start < rest.Length && rest[start] is '/' or '\\')
            {
                start++;
            }
        }
        else if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            start = 2;
        }
        else
        {
            // An opaque path (mailto:x, urn:y): no host or pathname worth comparing.
            return false;
        }

        rest = rest[start..];
        int authorityEnd = rest.IndexOfAny(special ? s_specialAuthorityEnd : s_authorityEnd);
        authorityEnd = authorityEnd < 0 ? rest.Length : authorityEnd;
        ReadOnlySpan<char> authority = rest[..authorityEnd];
        ReadOnlySpan<char> path = rest[authorityEnd..];
        int pathEnd = path.IndexOfAny('?', '#');
        path = pathEnd < 0 ? path : path[..pathEnd];

        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
            if (authority.IsEmpty)
            {
                return false;
            }
        }

        if (!TrySplitHostAndPort(authority, out ReadOnlySpan<char> host, out int port) || (special && host.IsEmpty))
        {
            return false;
        }

        Span<ushort> ipv6 = stackalloc ushort[8];
        Span<char> ipText = stackalloc char[41];
        scoped ReadOnlySpan<char> asciiHost = default;
        bool lowerCase = false;
        if (!host.IsEmpty && host[0] == '[')
        {
            if (host.Length < 2 || host[^1] != ']' || !TryParseIPv6(host[1..^1], ipv6))
            {
                return false;
            }

            asciiHost = ipText[..WriteIPv6(ipv6, ipText)];
        }
        else if (!special)
        {
            if (host.ContainsAny(s_forbiddenHost))
            {
                return false;
            }
        }
        else
        {
            if (!TryDomainToAscii(host, out string? mapped))
            {
                return false;
            }

            asciiHost = mapped ?? host;
            lowerCase = mapped is null;
            if (EndsInANumber(asciiHost))
            {
                if (!TryParseIPv4(asciiHost, out uint ipv4))
                {
                    return false;
                }

                asciiHost = ipText[..WriteIPv4(ipv4, ipText)];
                lowerCase = false;
            }
        }

        CharWriter writer = new(stackalloc char[StackBufferLength]);
        try
        {
            if (scheme is null)
            {
                writer.Append("null");
                if (!path.IsEmpty)
                {
                    AppendPath(ref writer, path, special: false, forComparison);
                }
            }
            else
            {
                writer.Append(scheme);
                writer.Append("://");
                if (lowerCase)
                {
                    writer.AppendLowerCase(asciiHost);
                }
                else
                {
                    writer.Append(asciiHost);
                }

                if (port >= 0 && port != defaultPort)
                {
                    writer.Append(':');
                    writer.AppendNumber((uint)port);
                }

                AppendPath(ref writer, path, special: true, forComparison);
            }

            normalized = writer.ToString();
            return true;
        }
        finally
        {
            writer.Dispose();
        }
    }

    private static string RemoveTabsAndNewlines(ReadOnlySpan<char> input)
    {
        StringBuilder builder = new(input.Length);
        foreach (char c in input)
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

    private static string? SpecialScheme(ReadOnlySpan<char> scheme, out int defaultPort)
    {
        (string? name, defaultPort) = scheme.Length switch
        {
            5 when scheme.Equals("https", StringComparison.OrdinalIgnoreCase) => ("https", 443),
            4 when scheme.Equals("http", StringComparison.OrdinalIgnoreCase) => ("http", 80),
            3 when scheme.Equals("wss", StringComparison.OrdinalIgnoreCase) => ("wss", 443),
            3 when scheme.Equals("ftp", StringComparison.OrdinalIgnoreCase) => ("ftp", 21),
            2 when scheme.Equals("ws", StringComparison.OrdinalIgnoreCase) => ("ws", 80),
            _ => ((string?)null, -1),
        };
        return name;
    }

    // The host state of the basic URL parser: the port starts at the first ':' outside brackets.
    private static bool TrySplitHostAndPort(ReadOnlySpan<char> authority, out ReadOnlySpan<char> host, out int port)
    {
        port = -1;
        host = authority;
        bool insideBrackets = false;
        for (int i = 0; i < authority.Length; i++)
        {
            char c = authority[i];
            if (c == '[')
            {
                insideBrackets = true;
            }
            else if (c == ']')
            {
                insideBrackets = false;
            }
            else if (c == ':' && !insideBrackets)
            {
                host = authority[..i];
                ReadOnlySpan<char> digits = authority[(i + 1)..];
                if (host.IsEmpty || !IsDigits(digits, allowEmpty: true))
                {
                    return false;
                }

                if (!digits.IsEmpty)
                {
                    int value = 0;
                    foreach (char d in digits)
                    {
                        value = (value * 10) + (d - '0');
                        if (value > 65535)
                        {
                            return false;
                        }
                    }

                    port = value;
                }

                return true;
            }
        }

        return true;
    }

    // The URL Standard's host parser for special schemes, up to the IPv4 check: percent-decode, domain to ASCII, refuse
    // forbidden domain code points. mapped is null when the ASCII host is the input itself (to be lower-cased).
    private static bool TryDomainToAscii(ReadOnlySpan<char> host, out string? mapped)
    {
        mapped = null;
        ReadOnlySpan<char> domain = host;
        if (host.Contains('%'))
        {
            // Invalid UTF-8 stays escaped here (the Standard makes it U+FFFD, which IDNA refuses): refused either way.
            mapped = Uri.UnescapeDataString(host.ToString());
            domain = mapped;
        }

        // Plain ASCII without a Punycode label is only lower-cased (UTS 46 with the Standard's options does no more);
        // anything else goes through IDNA, which also validates "xn--" labels.
        if (!Ascii.IsValid(domain) || domain.StartsWith("xn--", StringComparison.OrdinalIgnoreCase)
            || domain.Contains(".xn--", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                mapped = new IdnMapping().GetAscii(domain.ToString()).ToLowerInvariant();
            }
            catch (Exception exception) when (exception is ArgumentException or PlatformNotSupportedException)
            {
                // Invalid for IDNA, or IDNA unavailable (invariant globalization with a non-ASCII host): no match possible.
                mapped = null;
                return false;
            }

            domain = mapped;
        }
        else if (mapped is not null)
        {
            mapped = mapped.ToLowerInvariant();
            domain = mapped;
        }

        return !domain.IsEmpty && !domain.ContainsAny(s_forbiddenDomain);
    }

    // The URL Standard's "ends in a number" checker: the last label (ignoring one trailing dot) is all digits or 0x-hex.
    private static bool EndsInANumber(ReadOnlySpan<char> domain)
    {
        if (!domain.IsEmpty && domain[^1] == '.')
        {
            domain = domain[..^1];
        }

        ReadOnlySpan<char> last = domain[(domain.LastIndexOf('.') + 1)..];
        return IsDigits(last, allowEmpty: false) || TryParseIPv4Number(last, out _);
    }

    // (MemoryExtensions.ContainsAnyExceptInRange allocates on every call: a loop does not.)
    private static bool IsDigits(ReadOnlySpan<char> text, bool allowEmpty)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return allowEmpty || !text.IsEmpty;
    }

    // The URL Standard's IPv4 parser.
    private static bool TryParseIPv4(ReadOnlySpan<char> host, out uint address)
    {
        address = 0;
        if (!host.IsEmpty && host[^1] == '.')
        {
            host = host[..^1];
        }

        Span<ulong> numbers = stackalloc ulong[4];
        int count = 0;
        for (ReadOnlySpan<char> parts = host; ; count++)
        {
            int dot = parts.IndexOf('.');
            if (count == 4 || !TryParseIPv4Number(dot < 0 ? parts : parts[..dot], out numbers[count]))
            {
                return false;
            }

            if (dot < 0)
            {
                count++;
                break;
            }

            parts = parts[(dot + 1)..];
        }

        for (int i = 0; i < count - 1; i++)
        {
            if (numbers[i] > 255)
            {
                return false;
            }

            address |= (uint)numbers[i] << (8 * (3 - i));
        }

        ulong last = numbers[count - 1];
        if (last >= 1UL << (8 * (5 - count)))
        {
            return false;
        }

        address |= (uint)last;
        return true;
    }

    // The URL Standard's IPv4 number parser ("0x" hex, leading "0" octal, else decimal). A value past 2^32 saturates:
    // every caller refuses it.
    private static bool TryParseIPv4Number(ReadOnlySpan<char> part, out ulong value)
    {
        value = 0;
        if (part.IsEmpty)
        {
            return false;
        }

        uint radix = 10;
        if (part.Length >= 2 && part[0] == '0' && part[1] is 'x' or 'X')
        {
            part = part[2..];
            radix = 16;
        }
        else if (part.Length >= 2 && part[0] == '0')
        {
            part = part[1..];
            radix = 8;
        }

        foreach (char c in part)
        {
            uint digit = char.IsAsciiDigit(c) ? (uint)(c - '0') : char.IsAsciiHexDigit(c) ? (uint)((c | 0x20) - 'a' + 10) : uint.MaxValue;
            if (digit >= radix)
            {
                return false;
            }

            value = Math.Min((value * radix) + digit, 1UL << 33);
        }

        return true;
    }

    private static int WriteIPv4(uint address, Span<char> destination)
    {
        int written = 0;
        for (int shift = 24; shift >= 0; shift -= 8)
        {
            ((address >> shift) & 0xFF).TryFormat(destination[written..], out int digits, default, CultureInfo.InvariantCulture);
            written += digits;
            if (shift > 0)
            {
                destination[written++] = '.';
            }
        }

        return written;
    }

    // The URL Standard's IPv6 parser (the text between the brackets).
    private static bool TryParseIPv6(ReadOnlySpan<char> input, Span<ushort> address)
    {
        address.Clear();
        int pieceIndex = 0;
        int compress = -1;
        int pointer = 0;
        if (!input.IsEmpty && input[0] == ':')
        {
            if (input.Length < 2 || input[1] != ':')
            {
                return false;
            }

            pointer = 2;
            pieceIndex = 1;
            compress = 1;
        }

        while (pointer < input.Length)
        {
            if (pieceIndex == 8)
            {
                return false;
            }

            if (input[pointer] == ':')
            {
                if (compress >= 0)
                {
                    return false;
                }

                pointer++;
                pieceIndex++;
                compress = pieceIndex;
                continue;
            }

            int value = 0;
            int length = 0;
            while (length < 4 && pointer < input.Length && char.IsAsciiHexDigit(input[pointer]))
            {
                value = (value * 16) + HexValue(input[pointer]);
                pointer++;
                length++;
            }

            if (pointer < input.Length && input[pointer] == '.')
            {
                if (length == 0 || pieceIndex > 6)
                {
                    return false;
                }

                pointer -= length;
                int numbersSeen = 0;
                while (pointer < input.Length)
                {
                    if (numbersSeen > 0)
                    {
                        if (input[pointer] != '.' || numbersSeen == 4)
                        {
                            return false;
                        }

                        pointer++;
                    }

                    if (pointer == input.Length || !char.IsAsciiDigit(input[pointer]))
                    {
                        return false;
                    }

                    int ipv4Piece = -1;
                    while (pointer < input.Length && char.IsAsciiDigit(input[pointer]))
                    {
                        int number = input[pointer] - '0';
                        if (ipv4Piece == 0)
                        {
                            return false;
                        }

                        ipv4Piece = ipv4Piece < 0 ? number : (ipv4Piece * 10) + number;
                        if (ipv4Piece > 255)
                        {
                            return false;
                        }

                        pointer++;
                    }

                    address[pieceIndex] = (ushort)((address[pieceIndex] * 0x100) + ipv4Piece);
                    numbersSeen++;
                    if (numbersSeen is 2 or 4)
                    {
                        pieceIndex++;
                    }
                }

                if (numbersSeen != 4)
                {
                    return false;
                }

                break;
            }

            if (pointer < input.Length)
            {
                if (input[pointer] != ':')
                {
                    return false;
                }

                pointer++;
                if (pointer == input.Length)
                {
                    return false;
                }
            }

            address[pieceIndex] = (ushort)value;
            pieceIndex++;
        }

        if (compress >= 0)
        {
            int swaps = pieceIndex - compress;
            pieceIndex = 7;
            while (pieceIndex != 0 && swaps > 0)
            {
                (address[pieceIndex], address[compress + swaps - 1]) = (address[compress + swaps - 1], address[pieceIndex]);
                pieceIndex--;
                swaps--;
            }

            return true;
        }

        return pieceIndex == 8;
    }

    // The URL Standard's IPv6 serialiser, in brackets: the first longest run of two or more zero pieces compressed.
    private static int WriteIPv6(ReadOnlySpan<ushort> address, Span<char> destination)
    {
        int compress = -1;
        int longest = 1;
        for (int i = 0; i < address.Length;)
        {
            int run = i;
            while (run < address.Length && address[run] == 0)
            {
                run++;
            }

            if (run - i > longest)
            {
                longest = run - i;
                compress = i;
            }

            i = run == i ? i + 1 : run;
        }

        int written = 0;
        destination[written++] = '[';
        bool ignoreZero = false;
        for (int i = 0; i < address.Length; i++)
        {
            if (ignoreZero && address[i] == 0)
            {
                continue;
            }

            ignoreZero = false;
            if (i == compress)
            {
                destination[written++] = ':';
                if (i == 0)
                {
                    destination[written++] = ':';
                }

                ignoreZero = true;
                continue;
            }

            address[i].TryFormat(destination[written..], out int digits, "x", CultureInfo.InvariantCulture);
            written += digits;
            if (i != address.Length - 1)
            {
                destination[written++] = ':';
            }
        }

        destination[written++] = ']';
        return written;
    }

    // The path state of the basic URL parser, from the first '/' (or '\' for a special scheme) to the query or fragment.
    private static void AppendPath(ref CharWriter writer, ReadOnlySpan<char> path, bool special, bool forComparison)
    {
        if (path.IsEmpty)
        {
            writer.Append('/');
            return;
        }

        int pathStart = writer.Length;
        ReadOnlySpan<char> remaining = path[1..];
        while (true)
        {
            int separator = special ? remaining.IndexOfAny('/', '\\') : remaining.IndexOf('/');
            bool last = separator < 0;
            ReadOnlySpan<char> segment = last ? remaining : remaining[..separator];
            if (IsDoubleDot(segment))
            {
                // Remove the last segment written, if any.
                writer.Length = pathStart + Math.Max(0, writer.Written[pathStart..].LastIndexOf('/'));
                if (last)
                {
                    writer.Append('/');
                }
            }
            else if (IsSingleDot(segment))
            {
                if (last)
                {
                    writer.Append('/');
                }
            }
            else
            {
                writer.Append('/');
                AppendSegment(ref writer, segment, forComparison);
            }

            if (last)
            {
                return;
            }

            remaining = remaining[(separator + 1)..];
        }
    }

    private static bool IsSingleDot(ReadOnlySpan<char> segment) =>
        segment is "." || segment.Equals("%2e", StringComparison.OrdinalIgnoreCase);

    private static bool IsDoubleDot(ReadOnlySpan<char> segment) =>
        segment is ".." || segment.Equals(".%2e", StringComparison.OrdinalIgnoreCase)
        || segment.Equals("%2e.", StringComparison.OrdinalIgnoreCase) || segment.Equals("%2e%2e", StringComparison.OrdinalIgnoreCase);

    // One path segment: the path percent-encode set (C0 controls, space, ", #, <, >, ?, `, {, }, DEL and non-ASCII, as
    // UTF-8, a lone surrogate as U+FFFD) escaped, existing escapes upper-cased, and for comparison RFC 3986 6.2.2.2.
    private static void AppendSegment(ref CharWriter writer, ReadOnlySpan<char> segment, bool forComparison)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < segment.Length; i++)
        {
            char c = segment[i];
            if (IsEscapeAt(segment, i))
            {
                char decoded = DecodeEscapeAt(segment, i);
                if (forComparison && (char.IsAsciiLetterOrDigit(decoded) || decoded is '-' or '.' or '_' or '~'))
                {
                    writer.Append(decoded);
                }
                else
                {
                    writer.AppendEscape((byte)decoded);
                }

                i += 2;
            }
            else if (c == '%' && forComparison)
            {
                // A '%' that starts no escape stays a '%' of its own. Were the next two characters of the form hex digits,
                // it would start an escape when the form is read again: the first is then written as its escape.
                writer.Append('%');
                if (IsHexDigitAt(segment, i + 1, out char digit, out int next) && IsHexDigitAt(segment, next, out _, out _))
                {
                    writer.AppendEscape((byte)digit);
                    i = next - 1;
                }
            }
            else if (c >= 0x80)
            {
                _ = Rune.DecodeFromUtf16(segment[i..], out Rune rune, out int consumed);
                int length = rune.EncodeToUtf8(utf8);
                for (int b = 0; b < length; b++)
                {
                    writer.AppendEscape(utf8[b]);
                }

                i += consumed - 1;
            }
            else if (c <= ' ' || c == 0x7F || c is '"' or '#' or '<' or '>' or '?' or '`' or '{' or '}' || (forComparison && c == '^'))
            {
                writer.AppendEscape((byte)c);
            }
            else
            {
                writer.Append(c);
            }
        }
    }

    private static int HexValue(char c) => char.IsAsciiDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;

    // A percent-escape: '%' and two hex digits.
    private static bool IsEscapeAt(ReadOnlySpan<char> segment, int index) =>
        segment[index] == '%' && index + 2 < segment.Length && char.IsAsciiHexDigit(segment[index + 1]) && char.IsAsciiHexDigit(segment[index + 2]);

    private static char DecodeEscapeAt(ReadOnlySpan<char> segment, int index) =>
        (char)((HexValue(segment[index + 1]) * 16) + HexValue(segment[index + 2]));

    // Whether the character or escape at index is a hex digit (an escape decoded); next is the index after it.
    private static bool IsHexDigitAt(ReadOnlySpan<char> segment, int index, out char digit, out int next)
    {
        if (index >= segment.Length)
        {
            digit = default;
            next = index;
            return false;
        }

        bool escape = IsEscapeAt(segment, index);
        digit = escape ? DecodeEscapeAt(segment, index) : segment[index];
        next = index + (escape ? 3 : 1);
        return char.IsAsciiHexDigit(digit);
    }

    /// <summary>A string builder on a stack buffer that moves to pooled arrays when it outgrows it.</summary>
    private ref struct CharWriter
    {
        private char[]? _rented;
        private Span<char> _chars;
        private int _length;

        public CharWriter(Span<char> initial)
        {
            _rented = null;
            _chars = initial;
            _length = 0;
        }

        /// <summary>The characters written; set it lower to truncate.</summary>
        public int Length
        {
            readonly get => _length;
            set => _length = value;
        }

        public readonly ReadOnlySpan<char> Written => _chars[.._length];

        public void Append(char c)
        {
            if (_length == _chars.Length)
            {
                Grow(1);
            }

            _chars[_length++] = c;
        }

        public void Append(scoped ReadOnlySpan<char> text)
        {
            if (_length + text.Length > _chars.Length)
            {
                Grow(text.Length);
            }

            text.CopyTo(_chars[_length..]);
            _length += text.Length;
        }

        public void AppendLowerCase(scoped ReadOnlySpan<char> ascii)
        {
            if (_length + ascii.Length > _chars.Length)
            {
                Grow(ascii.Length);
            }

            _length += ascii.ToLowerInvariant(_chars[_length..]);
        }

        public void AppendNumber(uint value)
        {
            if (_length + 10 > _chars.Length)
            {
                Grow(10);
            }

            value.TryFormat(_chars[_length..], out int written, default, CultureInfo.InvariantCulture);
            _length += written;
        }

        public void AppendEscape(byte value)
        {
            if (_length + 3 > _chars.Length)
            {
                Grow(3);
            }

            _chars[_length] = '%';
            _chars[_length + 1] = "0123456789ABCDEF"[value >> 4];
            _chars[_length + 2] = "0123456789ABCDEF"[value & 0xF];
            _length += 3;
        }

        public override readonly string ToString() => new(_chars[.._length]);

        public void Dispose()
        {
            if (_rented is not null)
            {
                ArrayPool<char>.Shared.Return(_rented);
                _rented = null;
            }
        }

        private void Grow(int needed)
        {
            // Bounded: the input is at most MaxUrlLength characters and each becomes at most 9.
            char[] larger = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, _length + needed));
            _chars[.._length].CopyTo(larger);
            char[]? previous = _rented;
            _chars = _rented = larger;
            if (previous is not null)
            {
                ArrayPool<char>.Shared.Return(previous);
            }
        }
    }
}
