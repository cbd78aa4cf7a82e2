using System;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Auth0.Api.Aot.Internal;

/// <summary>Reading JSON strings that may not decode: an escape for a lone surrogate makes a string unusable, not an exception.</summary>
internal static class JsonStrings
{
    /// <summary>The value as a string, when it is a JSON string whose escapes decode to valid UTF-16.</summary>
    public static bool TryGetString(JsonElement value, [NotNullWhen(true)] out string? text)
    {
        text = null;
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

#if NET9_0_OR_GREATER
        // The escapes are checked on the raw text first, so a string that cannot decode costs no exception.
        if (!JsonEscapes.AreValid(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value)))
        {
            return false;
        }
#endif

        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
