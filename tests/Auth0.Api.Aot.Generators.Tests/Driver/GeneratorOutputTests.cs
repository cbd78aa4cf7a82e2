using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Auth0.Api.Aot.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Auth0.Api.Aot.Generators.Tests.Driver;

/// <summary>
/// The generator under a driver: the generated files match their snapshots, and the compilation with them has no
/// warning or error (nullable, every warning wave, documentation comments diagnosed) and no analyzer diagnostic.
/// </summary>
public sealed class GeneratorOutputTests
{
    [Fact]
    public Task Class_with_every_supported_type_generates_clean_code() =>
        AssertGenerates([Hint("Shop.Claims.OrderClaims")], TestSources.OrderClaims);

    [Fact]
    public Task Records_in_the_global_namespace_generate_clean_code() =>
        AssertGenerates([Hint("GlobalRecordClaims"), Hint("RecordClassClaims")], TestSources.GlobalRecord);

    [Fact]
    public Task Nested_type_generates_clean_code() =>
        AssertGenerates([Hint("Shop.Claims.Outer.Middle.Holder.Inner")], TestSources.Nested);

    [Fact]
    public Task Partial_declarations_in_two_files_generate_one_file() =>
        AssertGenerates([Hint("Shop.Claims.SplitClaims")], TestSources.SplitFirst, TestSources.SplitSecond);

    [Fact]
    public Task Same_simple_names_in_two_namespaces_get_distinct_hint_names() =>
        AssertGenerates([Hint("First.Claims"), Hint("Second.Claims")], TestSources.SameNames);

    [Fact]
    public async Task Source_without_claims_types_generates_nothing()
    {
        GeneratorRun run = GeneratorHarness.Run(TestSources.Unrelated);
        Assert.Empty(run.Sources);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(await GeneratorHarness.AnalyzeAsync(run.Output));
    }

    [Fact]
    public void Types_whose_names_differ_only_in_case_both_generate()
    {
        // Roslyn compares hint names without case: without the hash in the hint name, the second AddSource would throw
        // and take every claims type of the project down with it.
        GeneratorRun run = GeneratorHarness.Run("""
            using Auth0.Api.Aot;

            namespace A
            {
                [AccessTokenClaims] internal sealed partial class Claims { [Claim("sub")] public string? Subject { get; init; } }
                [AccessTokenClaims] internal sealed partial class CLAIMS { [Claim("sub")] public string? Subject { get; init; } }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(new[] { Hint("A.Claims"), Hint("A.CLAIMS") }.Order(System.StringComparer.Ordinal), run.Sources.Select(s => s.HintName).Order(System.StringComparer.Ordinal));
        ImmutableArray<Diagnostic> problems = GeneratorHarness.CompilerProblems(run.Output);
        Assert.True(problems.IsEmpty, GeneratorHarness.Describe(problems));
    }

    [Fact]
    public void Contextual_keywords_as_type_names_generate_clean_code()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Auth0.Api.Aot;

            namespace K
            {
                [AccessTokenClaims] internal sealed partial class @required { [Claim("sub")] public string? Subject { get; init; } }
                [AccessTokenClaims] internal sealed partial class @record { [Claim("sub")] public string? Subject { get; init; } }
            }
            """);
        Assert.Equal(2, run.Sources.Length);
        ImmutableArray<Diagnostic> problems = GeneratorHarness.CompilerProblems(run.Output);
        Assert.True(problems.IsEmpty, GeneratorHarness.Describe(problems));
    }

    private static async Task AssertGenerates(string[] hintNames, params string[] sources)
    {
        GeneratorRun run = GeneratorHarness.Run(sources);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(hintNames, run.Sources.Select(s => s.HintName).Order(System.StringComparer.Ordinal));
        ImmutableArray<Diagnostic> problems = GeneratorHarness.CompilerProblems(run.Output);
        Assert.True(problems.IsEmpty, GeneratorHarness.Describe(problems));
        ImmutableArray<Diagnostic> analyzerDiagnostics = await GeneratorHarness.AnalyzeAsync(run.Output);
        Assert.True(analyzerDiagnostics.IsEmpty, GeneratorHarness.Describe(analyzerDiagnostics));

        foreach (GeneratedSourceResult source in run.Sources)
        {
            Snapshot.Match("Driver." + source.HintName[..source.HintName.LastIndexOf('.', source.HintName.Length - ".g.cs".Length - 1)], source.SourceText.ToString());
        }
    }

    // The hint name is the type's name and a hash of it (Roslyn compares hint names without case).
    private static string Hint(string typeName) => Auth0.Api.Aot.Generators.Parsing.ClaimsTypeParser.HintName(typeName);
}
