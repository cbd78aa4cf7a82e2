using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Auth0.Api.Aot.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Auth0.Api.Aot.Generators.Tests.Support;

/// <summary>
/// Compiles test sources against the shared framework and Auth0.Api.Aot.dll, runs the generator over them with a
/// <see cref="CSharpGeneratorDriver"/> that tracks incremental steps, and runs the analyzers. The compilation is as
/// strict as a consumer's: nullable enabled, every warning wave, documentation comments diagnosed.
/// </summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary><see cref="ParseOptions"/> at another language version (a project's LangVersion).</summary>
    public static CSharpParseOptions ParseOptionsFor(LanguageVersion version) => ParseOptions.WithLanguageVersion(version);

    public static CSharpCompilation CreateCompilation(params string[] sources) => CreateCompilation(ParseOptions, sources);

    public static CSharpCompilation CreateCompilation(CSharpParseOptions parseOptions, params string[] sources) => CSharpCompilation.Create(
        "ClaimsTests",
        sources.Select((source, index) => CSharpSyntaxTree.ParseText(source, parseOptions, path: "Source" + index + ".cs")),
        s_references.Value,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999));

    /// <summary>A driver whose parse options (those of the generated files, and the generator's ParseOptionsProvider) are <paramref name="parseOptions"/>, as the compiler creates it for a project.</summary>
    public static GeneratorDriver CreateDriver(CSharpParseOptions? parseOptions = null) => CSharpGeneratorDriver.Create(
        [new AccessTokenClaimsGenerator().AsSourceGenerator()],
        additionalTexts: null,
        parseOptions: parseOptions ?? ParseOptions,
        optionsProvider: null,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(params string[] sources) => Run(CreateCompilation(sources));

    /// <summary>Runs the generator with the compilation's own parse options, as the compiler does.</summary>
    public static GeneratorRun Run(Compilation compilation)
    {
        CSharpParseOptions parseOptions = (CSharpParseOptions)compilation.SyntaxTrees.First().Options;
        GeneratorDriver driver = CreateDriver(parseOptions).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        return new GeneratorRun(driver.GetRunResult(), output, generatorDiagnostics);
    }

    /// <summary>The analyzers' diagnostics on <paramref name="compilation"/>; fails if an analyzer throws.</summary>
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Compilation compilation)
    {
        List<Exception> exceptions = [];
        CompilationWithAnalyzers withAnalyzers = compilation.WithAnalyzers(
            [new AccessTokenClaimsAnalyzer(), new ClaimAttributeUsageAnalyzer()],
            new CompilationWithAnalyzersOptions(
                new AnalyzerOptions([]),
                onAnalyzerException: (exception, _, _) => exceptions.Add(exception),
                concurrentAnalysis: true,
                logAnalyzerExecutionTime: false));
        ImmutableArray<Diagnostic> diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
        Assert.Empty(exceptions);
        return diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
    }

    /// <summary>Compiler warnings and errors (not hidden or info) of <paramref name="compilation"/>.</summary>
    public static ImmutableArray<Diagnostic> CompilerProblems(Compilation compilation) =>
        compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();

    public static string Describe(IEnumerable<Diagnostic> diagnostics) => string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString()));

    /// <summary>The source text a diagnostic points at.</summary>
    public static string SpanText(Diagnostic diagnostic)
    {
        Assert.True(diagnostic.Location.IsInSource, diagnostic.ToString());
        return diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan);
    }

    // The shared framework (the trusted platform assemblies in the runtime's own directory) and Auth0.Api.Aot.dll.
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        IEnumerable<MetadataReference> framework = trusted
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => string.Equals(Path.GetDirectoryName(path), frameworkDirectory, StringComparison.Ordinal))
            .Select(path => MetadataReference.CreateFromFile(path));
        return [.. framework, MetadataReference.CreateFromFile(typeof(AccessTokenClaimsAttribute).Assembly.Location)];
    }
}

/// <summary>One generator run: its result, the compilation with the generated files, and the generator's own diagnostics.</summary>
internal sealed record GeneratorRun(GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    public ImmutableArray<GeneratedSourceResult> Sources => Result.Results.Single().GeneratedSources;
}
