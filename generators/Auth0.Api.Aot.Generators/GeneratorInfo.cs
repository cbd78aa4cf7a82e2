namespace Auth0.Api.Aot.Generators;

/// <summary>
/// Identity of the analyzer assembly that ships inside the Auth0.Api.Aot package.
/// The typed-claims incremental generator is added here by the typed-claims issue.
/// </summary>
internal static class GeneratorInfo
{
    /// <summary>The prefix of every diagnostic ID this assembly reports.</summary>
    public const string DiagnosticPrefix = "AUTH0";
}
