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
        AssertGenerates(["Shop.Claims.OrderClaims.g.cs"], TestSources.OrderClaims);

    [Fact]
    public Task Records_in_the_global_namespace_generate_clean_code() =>
        AssertGenerates(["GlobalRecordClaims.g.cs", "RecordClassClaims.g.cs"], TestSources.GlobalRecord);

    [Fact]
    public Task Nested_type_generates_clean_code() =>
        AssertGenerates(["Shop.Claims.Outer.Middle.Holder.Inner.g.cs"], TestSources.Nested);

    [Fact]
    public Task Partial_declarations_in_two_files_generate_one_file() =>
        AssertGenerates(["Shop.Claims.SplitClaims.g.cs"], TestSources.SplitFirst, TestSources.SplitSecond);

    [Fact]
    public Task Same_simple_names_in_two_namespaces_get_distinct_hint_names() =>
        AssertGenerates(["First.Claims.g.cs", "Second.Claims.g.cs"], TestSources.SameNames);

    [Fact]
    public async Task Source_without_claims_types_generates_nothing()
    {
        GeneratorRun run = GeneratorHarness.Run(TestSources.Unrelated);
        Assert.Empty(run.Sources);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(await GeneratorHarness.AnalyzeAsync(run.Output));
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
            Snapshot.Match("Driver." + source.HintName[..^".g.cs".Length], source.SourceText.ToString());
        }
    }
}
