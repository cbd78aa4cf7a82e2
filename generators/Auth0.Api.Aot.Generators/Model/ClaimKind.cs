namespace Auth0.Api.Aot.Generators.Model;

/// <summary>How a claim's JSON value is read: one per supported property type, nullable or not.</summary>
internal enum ClaimKind
{
    /// <summary><c>string</c>: a JSON string (<c>ClaimReader.TryReadString</c>).</summary>
    String,

    /// <summary><c>bool</c>: <c>true</c> or <c>false</c> (<c>ClaimReader.TryReadBoolean</c>).</summary>
    Boolean,

    /// <summary><c>int</c>: an integer in 32-bit range (<c>ClaimReader.TryReadInt32</c>).</summary>
    Int32,

    /// <summary><c>long</c>: an integer in 64-bit range (<c>ClaimReader.TryReadInt64</c>).</summary>
    Int64,

    /// <summary><c>double</c>: a finite number (<c>ClaimReader.TryReadDouble</c>).</summary>
    Double,

    /// <summary><c>System.DateTimeOffset</c>: a NumericDate, whole seconds (<c>ClaimReader.TryReadNumericDate</c>).</summary>
    NumericDate,

    /// <summary><c>string[]</c>: an array of strings or a single string (<c>ClaimReader.TryReadStringArray</c>).</summary>
    StringArray,

    /// <summary><c>System.Text.Json.JsonElement</c>: any value, copied (<c>ClaimReader.ReadElement</c>).</summary>
    JsonElement,
}
