namespace Auth0.Api.Aot.Internal;

/// <summary>
/// Whitespace as Python's <c>str.isspace()</c>/<c>str.strip()</c> see it, for checks ported from the Python SDK: the
/// characters <see cref="char.IsWhiteSpace(char)"/> accepts plus the information separators U+001C..U+001F.
/// </summary>
internal static class PythonWhitespace
{
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    /// <summary>Python's <c>not s.strip()</c>: empty, or whitespace only.</summary>
    public static bool IsBlank(string value)
    {
        foreach (char c in value)
        {
            if (!IsSpace(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Python's <c>s != s.strip()</c>: whitespace at either end.</summary>
    public static bool HasSurroundingSpace(string value) => value.Length > 0 && (IsSpace(value[0]) || IsSpace(value[^1]));
}
