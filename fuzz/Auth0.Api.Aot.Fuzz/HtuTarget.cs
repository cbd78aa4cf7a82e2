using System;
using System.Text;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Fuzz;

/// <summary>
/// <c>htu</c>: the input, as UTF-8 text, is two URLs: a proof's <c>htu</c> up to the first newline, and a request URL
/// after it (which may hold more newlines: the parser removes them).
/// <list type="bullet">
///   <item>HtuNormalizer never throws, and TryNormalize and TryNormalizeForComparison accept the same URLs.</item>
///   <item>A normal form of a special scheme (http, https, ws, wss, ftp) is its own normal form (a non-special one is
///   the opaque origin "null" and does not parse again).</item>
///   <item>The fast path agrees with the parser: what IsInNormalForm accepts normalises to itself, and Matches(a, b) is
///   exactly "both normalise for comparison to the same string", in either order.</item>
///   <item>Matches agrees with a reference reading of RFC 3986 section 6.2.2.2 over the plain normal forms (Units).</item>
/// </list>
/// </summary>
internal static class HtuTarget
{
    /// <summary>Throws unless the harness is sound: two forms of one URL match.</summary>
    public static void SelfTest() =>
        InvariantViolationException.ThrowIf(!HtuNormalizer.Matches("https://API.example.com:443/a/%7e?q", "https://api.example.com/a/~"), "harness: equal URLs do not match");

    public static void Run(ReadOnlySpan<byte> data)
    {
        string text = Encoding.UTF8.GetString(data);
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        string htu = newline < 0 ? text : text[..newline];
        string? url = newline < 0 ? null : text[(newline + 1)..];

        string? left = Normalize(htu);
        string? right = url is null ? null : Normalize(url);
        bool expected = left is not null && right is not null && string.Equals(left, right, StringComparison.Ordinal);
        bool matches = HtuNormalizer.Matches(htu, url);
        InvariantViolationException.ThrowIf(matches != expected, "Matches(htu, url) disagrees with the normal forms");
        InvariantViolationException.ThrowIf(HtuNormalizer.Matches(url, htu) != expected, "Matches(url, htu) disagrees with the normal forms");

        // The same answer from an independent reading of the plain normal forms.
        HtuNormalizer.TryNormalize(htu, out string? leftPlain);
        string? rightPlain = null;
        if (url is not null)
        {
            HtuNormalizer.TryNormalize(url, out rightPlain);
        }

        string? leftUnits = Units(leftPlain);
        bool reference = leftUnits is not null && string.Equals(leftUnits, Units(rightPlain), StringComparison.Ordinal);
        InvariantViolationException.ThrowIf(matches != reference, "Matches(htu, url) is " + matches + ", the path units say " + reference + ": " + leftPlain + " | " + rightPlain);
    }

    // The reference comparison of RFC 3986 section 6.2.2.2 over a plain normal form: its origin, then its path as units,
    // compared one by one: an unreserved character, raw or escaped, is that character; any other escape is its byte,
    // whatever the case of its hex digits; a raw '^' is the escape %5E (the current URL Standard escapes it); every other
    // character, a '%' that starts no escape included, is itself.
    private static string? Units(string? normalized)
    {
        if (normalized is null)
        {
            return null;
        }

        int pathStart = normalized.StartsWith("null", StringComparison.Ordinal) ? 4 : normalized.IndexOf('/', normalized.IndexOf("://", StringComparison.Ordinal) + 3);
        pathStart = pathStart < 0 ? normalized.Length : pathStart;
        StringBuilder units = new StringBuilder(normalized.Length * 3).Append(normalized, 0, pathStart).Append('\n');
        for (int i = pathStart; i < normalized.Length; i++)
        {
            char c = normalized[i];
            if (c == '%' && i + 2 < normalized.Length && char.IsAsciiHexDigit(normalized[i + 1]) && char.IsAsciiHexDigit(normalized[i + 2]))
            {
                byte value = byte.Parse(normalized.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                i += 2;
                if (char.IsAsciiLetterOrDigit((char)value) || value is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
                {
                    units.Append('L').Append((char)value);
                }
                else
                {
                    units.Append('E').Append(value.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            else if (c == '^')
            {
                units.Append("E5E");
            }
            else
            {
                units.Append('L').Append(c);
            }
        }

        return units.ToString();
    }

    /// <summary>The comparison form of <paramref name="url"/>, after checking the invariants of one URL.</summary>
    private static string? Normalize(string url)
    {
        bool plain = HtuNormalizer.TryNormalize(url, out string? normalized);
        bool comparable = HtuNormalizer.TryNormalizeForComparison(url, out string? comparison);
        InvariantViolationException.ThrowIf(plain != comparable, "TryNormalize and TryNormalizeForComparison disagree on accepting the URL");

        ReadOnlySpan<char> beforeQuery = url.AsSpan(0, EndOfPath(url));
        if (HtuNormalizer.IsInNormalForm(beforeQuery))
        {
            InvariantViolationException.ThrowIf(
                !comparable || !beforeQuery.SequenceEqual(comparison),
                "IsInNormalForm accepted a URL that is not its own normal form: " + comparison);
        }

        if (plain && !normalized!.StartsWith("null", StringComparison.Ordinal))
        {
            InvariantViolationException.ThrowIf(
                !HtuNormalizer.TryNormalize(normalized, out string? again) || !string.Equals(again, normalized, StringComparison.Ordinal),
                "a normal form is not its own normal form: " + normalized + " -> " + again);
            InvariantViolationException.ThrowIf(
                !HtuNormalizer.TryNormalizeForComparison(comparison, out string? comparedAgain) || !string.Equals(comparedAgain, comparison, StringComparison.Ordinal),
                "a comparison form is not its own comparison form: " + comparison + " -> " + comparedAgain);
        }

        return comparison;
    }

    private static int EndOfPath(string url)
    {
        int end = url.AsSpan().IndexOfAny('?', '#');
        return end < 0 ? url.Length : end;
    }
}
