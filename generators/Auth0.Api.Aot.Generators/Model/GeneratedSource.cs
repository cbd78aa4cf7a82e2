namespace Auth0.Api.Aot.Generators.Model;

/// <summary>One generated file: the emitter's output.</summary>
/// <param name="HintName">The file name given to <c>AddSource</c>.</param>
/// <param name="Text">The C# source.</param>
internal readonly record struct GeneratedSource(string HintName, string Text);
