namespace Auth0.Api.Aot.Generators;

/// <summary>Identity of the analyzer assembly that ships inside the Auth0.Api.Aot package.</summary>
internal static class GeneratorInfo
{
    /// <summary>The prefix of every diagnostic ID this assembly reports.</summary>
    public const string DiagnosticPrefix = "AUTH0";

    /// <summary>The tool name written into <c>[GeneratedCode]</c>.</summary>
    public const string Name = "Auth0.Api.Aot.Generators";

    /// <summary>The version written into <c>[GeneratedCode]</c>: this assembly's, as <c>major.minor.patch</c>.</summary>
    public static readonly string Version = typeof(GeneratorInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
