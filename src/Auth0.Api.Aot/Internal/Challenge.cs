// WWW-Authenticate challenge values (RFC 6750 section 3, RFC 9449 section 7.1). Parameter values are
// written as RFC 9110 quoted-strings: '"' and '\' are escaped, and control characters (CR, LF, ...) are
// replaced by a space, so nothing taken from a token can split or forge a header.

using System.Text;

namespace Auth0.Api.Aot.Internal;

internal static class Challenge
{
    /// <summary><c>Bearer error="...", error_description="..."</c> (the description is left out when empty).</summary>
    public static string BearerError(string errorCode, string description)
    {
        StringBuilder builder = new(32 + description.Length);
        builder.Append("Bearer error=");
        AppendQuoted(builder, errorCode);
        if (description.Length > 0)
        {
            builder.Append(", error_description=");
            AppendQuoted(builder, description);
        }

        return builder.ToString();
    }

    public static void AppendQuoted(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (char c in value)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (char.IsControl(c))
            {
                builder.Append(' ');
            }
            else
            {
                builder.Append(c);
            }
        }

        builder.Append('"');
    }
}
