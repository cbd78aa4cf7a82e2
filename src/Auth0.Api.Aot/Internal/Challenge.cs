// WWW-Authenticate challenge values (RFC 6750 section 3, RFC 9449 section 7.1). Parameter values are quoted-strings
// of the characters RFC 6750 section 3 allows in error and error_description (%x20-21 / %x23-5B / %x5D-7E): messages
// are built that way (Error.Untrusted), and AppendQuoted replaces anything else by '?' as a last line of defence, so a
// challenge is always printable ASCII (Kestrel refuses other header values) and nothing can split or forge a header.
// A result that has an error code carries it in its challenge (RFC 6750 section 3: only a request without any
// credentials gets a challenge without error information).

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

    /// <summary><c>Bearer error="insufficient_scope", error_description="...", scope="a b"</c> (RFC 6750 section 3).</summary>
    public static string InsufficientScope(string description, System.Collections.Generic.IReadOnlyList<string>? scopes)
    {
        StringBuilder builder = new(BearerError("insufficient_scope", description));
        if (scopes is { Count: > 0 })
        {
            builder.Append(", scope=");
            AppendQuoted(builder, string.Join(' ', scopes));
        }

        return builder.ToString();
    }

    /// <summary>
    /// The <c>WWW-Authenticate</c> value for a request error, by the algorithm of reference section 3.3: the DPoP mode
    /// decides which challenges are offered (Bearer, DPoP, or both), and the scheme the request used (<c>bearer</c>,
    /// <c>dpop</c> or none) which of them carries the error. Only an error without a code (no credentials at all)
    /// carries no error information (RFC 6750 section 3.1); the Python SDK also drops it for <c>invalid_request</c> with
    /// an empty description, which left the code out of the challenge. <paramref name="scope"/> is the
    /// <c>insufficient_scope</c> challenge's list, and <paramref name="resourceMetadata"/> the RFC 9728 section 5.1 URL,
    /// given in each challenge.
    /// </summary>
    public static string ForRequest(DPoPMode mode, string algs, string code, string description, string? scheme, string? scope = null, string? resourceMetadata = null)
    {
        bool bearer = mode != DPoPMode.Required;
        bool dpop = mode != DPoPMode.Disabled;
        bool errorInDPoP = code.Length > 0 && (mode == DPoPMode.Required || (dpop && scheme == Scheme.DPoP));
        bool errorInBearer = code.Length > 0 && !errorInDPoP;
        StringBuilder builder = new(64 + description.Length);
        if (bearer)
        {
            builder.Append("Bearer ");
            if (errorInBearer)
            {
                AppendError(builder, code, description, scope);
            }
            else
            {
                builder.Append("realm=\"api\"");
            }

            AppendResourceMetadata(builder, resourceMetadata);
        }

        if (dpop)
        {
            builder.Append(bearer ? ", DPoP " : "DPoP ");
            if (errorInDPoP)
            {
                AppendError(builder, code, description, scope);
                builder.Append(", ");
            }

            builder.Append("algs=");
            AppendQuoted(builder, algs);
            AppendResourceMetadata(builder, resourceMetadata);
        }

        return builder.ToString();
    }

    private static void AppendError(StringBuilder builder, string code, string description, string? scope)
    {
        builder.Append("error=");
        AppendQuoted(builder, code);
        if (description.Length > 0)
        {
            builder.Append(", error_description=");
            AppendQuoted(builder, description);
        }

        if (!string.IsNullOrEmpty(scope))
        {
            builder.Append(", scope=");
            AppendQuoted(builder, scope);
        }
    }

    private static void AppendResourceMetadata(StringBuilder builder, string? resourceMetadata)
    {
        if (!string.IsNullOrEmpty(resourceMetadata))
        {
            builder.Append(", resource_metadata=");
            AppendQuoted(builder, resourceMetadata);
        }
    }

    public static void AppendQuoted(StringBuilder builder, string value)
    {
        builder.Append('"');
        if (Error.IsDescriptionSafe(value))
        {
            builder.Append(value);
        }
        else
        {
            foreach (char c in value)
            {
                builder.Append(Error.IsDescriptionChar(c) ? c : '?');
            }
        }

        builder.Append('"');
    }
}
