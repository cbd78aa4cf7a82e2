using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Auth0.Api.Aot.Generators.Tests.Driver;
using Auth0.Api.Aot.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Auth0.Api.Aot.Generators.Tests.Incrementality;

/// <summary>
/// The generator is incremental: run twice, the second time after an edit that does not change any claims type, every
/// named stage reports only <see cref="IncrementalStepRunReason.Cached"/> or <see cref="IncrementalStepRunReason.Unchanged"/>;
/// an edit to a claim name re-emits. And no stage's output holds a compilation, symbol, syntax node, semantic model or
/// location, which would pin a compilation and compare by reference.
/// </summary>
public sealed class IncrementalityTests
{
    private static readonly string[] s_trackingNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    [Fact]
    public void Tracking_names_cover_every_stage()
    {
        Assert.Equal(4, s_trackingNames.Length);
        GeneratorDriverRunResult result = GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.CreateCompilation(TestSources.Simple)).GetRunResult();
        Assert.All(s_trackingNames, name => Assert.Contains(name, result.Results.Single().TrackedSteps.Keys));
    }

    [Fact]
    public void Rerun_on_a_clone_is_entirely_cached()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TestSources.OrderClaims, TestSources.Nested, TestSources.Unrelated);
        AssertCached(compilation, compilation.Clone());
    }

    [Fact]
    public void Adding_an_unrelated_type_does_not_regenerate()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TestSources.Simple, TestSources.Unrelated);
        CSharpCompilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Shop.Other; internal sealed class Added { public int Value { get; set; } }",
            GeneratorHarness.ParseOptions,
            path: "Added.cs"));
        AssertCached(compilation, edited);
    }

    [Fact]
    public void Editing_a_method_body_in_another_file_does_not_regenerate()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TestSources.Simple, TestSources.Unrelated);
        AssertCached(compilation, ReplaceText(compilation, 1, "value + 1", "value * 2"));
    }

    [Fact]
    public void Editing_a_method_body_in_the_claims_file_does_not_regenerate()
    {
        // The claims type's own tree changed, so its spec is rebuilt, but it is equal: Unchanged, and emission is cached.
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TestSources.Simple, TestSources.Unrelated);
        AssertCached(compilation, ReplaceText(compilation, 0, "Helper() => 1", "Helper() => 2"));
    }

    [Fact]
    public void Editing_a_claim_name_regenerates()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TestSources.Simple, TestSources.Unrelated);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        string before = driver.GetRunResult().GeneratedTrees.Single().ToString();

        driver = driver.RunGenerators(ReplaceText(compilation, 0, "[Claim(\"sub\")]", "[Claim(\"subject\")]"));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(Assert.Single(result.TrackedSteps[TrackingNames.Extraction]).Outputs).Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(Assert.Single(result.TrackedSteps[TrackingNames.Emission]).Outputs).Reason);
        string after = Assert.Single(result.GeneratedSources).SourceText.ToString();
        Assert.NotEqual(before, after);
        Assert.Contains("ValueTextEquals(\"subject\"u8)", after, StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_a_claim_in_another_partial_declaration_regenerates()
    {
        // The spec depends on every part of the type, not just the file with the attribute: it must not go stale.
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TestSources.SplitFirst, TestSources.SplitSecond);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        driver = driver.RunGenerators(ReplaceText(compilation, 1, "AuthorizedParty { get; init; }", "AuthorizedParty { get; init; }\n    [Claim(\"org_id\")] public string? Organization { get; init; }"));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(Assert.Single(result.TrackedSteps[TrackingNames.Emission]).Outputs).Reason);
        Assert.Contains("ValueTextEquals(\"org_id\"u8)", Assert.Single(result.GeneratedSources).SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_base_class_gaining_a_required_member_stops_generation()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(
            TestSources.Simple.Replace("internal sealed partial class SimpleClaims", "internal sealed partial class SimpleClaims : Shop.Other.Base", StringComparison.Ordinal),
            "namespace Shop.Other;\n\npublic class Base\n{\n    public string? Optional { get; init; }\n}\n");
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.Single(driver.GetRunResult().GeneratedTrees);

        driver = driver.RunGenerators(ReplaceText(compilation, 1, "public string? Optional", "public required string? Optional"));
        Assert.Empty(driver.GetRunResult().GeneratedTrees);
    }

    [Fact]
    public void Making_a_type_invalid_removes_its_file_and_fixing_it_restores_it()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TestSources.Simple);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        CSharpCompilation broken = ReplaceText(compilation, 0, "public required string Subject", "public required System.Guid Subject");

        driver = driver.RunGenerators(broken);
        Assert.Empty(driver.GetRunResult().GeneratedTrees);

        driver = driver.RunGenerators(compilation);
        Assert.Single(driver.GetRunResult().GeneratedTrees);
    }

    [Fact]
    public void Changing_between_supported_language_versions_does_not_regenerate()
    {
        // New parse options reparse every tree (new trees, so the specs are rebuilt, but equal) and rerun the language
        // stage (its output, "C# 11 or later", is the same): nothing is re-emitted.
        CSharpParseOptions csharp12 = GeneratorHarness.ParseOptionsFor(LanguageVersion.CSharp12);
        CSharpParseOptions csharp11 = GeneratorHarness.ParseOptionsFor(LanguageVersion.CSharp11);
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(csharp12, TestSources.Simple, TestSources.Unrelated);
        AssertCached(compilation, WithParseOptions(compilation, csharp11), csharp12, csharp11);
    }

    [Fact]
    public void Lowering_the_language_version_below_11_removes_the_file_and_raising_it_restores_it()
    {
        CSharpParseOptions csharp11 = GeneratorHarness.ParseOptionsFor(LanguageVersion.CSharp11);
        CSharpParseOptions csharp10 = GeneratorHarness.ParseOptionsFor(LanguageVersion.CSharp10);
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(csharp11, TestSources.Simple, TestSources.Unrelated);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(csharp11).RunGenerators(compilation);
        string generated = Assert.Single(driver.GetRunResult().GeneratedTrees).ToString();

        // Only the language stage changes: the claims file is not even reparsed, yet its file goes.
        driver = driver.WithUpdatedParseOptions(csharp10).RunGenerators(compilation);
        GeneratorRunResult lowered = driver.GetRunResult().Results.Single();
        Assert.Empty(lowered.GeneratedSources);
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(Assert.Single(lowered.TrackedSteps[TrackingNames.LanguageVersion]).Outputs).Reason);
        Assert.All(lowered.TrackedSteps[TrackingNames.Extraction].SelectMany(step => step.Outputs), output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));

        driver = driver.WithUpdatedParseOptions(csharp11).RunGenerators(compilation);
        Assert.Equal(generated, Assert.Single(driver.GetRunResult().GeneratedTrees).ToString());
    }

    [Fact]
    public void Step_outputs_hold_no_compilation_symbol_syntax_or_location()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TestSources.OrderClaims, TestSources.GlobalRecord, TestSources.Nested);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        driver = driver.RunGenerators(compilation.Clone());
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        int outputs = 0;
        foreach (string name in s_trackingNames)
        {
            foreach (IncrementalGeneratorRunStep step in result.TrackedSteps[name])
            {
                foreach ((object value, IncrementalStepRunReason _) in step.Outputs)
                {
                    AssertNoRoslynObjects(value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
                    outputs++;
                }
            }
        }

        Assert.True(outputs >= 9, "Expected outputs for every stage of every type, got " + outputs);
    }

    [Fact]
    public void The_walk_would_catch_a_symbol()
    {
        // Guard against a walk that can never fail (FluentAssertions' NotBeOfType compares exact types; `is` does not).
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(TestSources.Simple);
        object symbol = compilation.GetTypeByMetadataName("Shop.Claims.SimpleClaims")!;
        Assert.ThrowsAny<Exception>(() => AssertNoRoslynObjects(new { Nested = new[] { symbol } }, "test", new HashSet<object>(ReferenceEqualityComparer.Instance)));
        Assert.ThrowsAny<Exception>(() => AssertNoRoslynObjects(compilation, "test", new HashSet<object>(ReferenceEqualityComparer.Instance)));
    }

    private static void AssertCached(Compilation first, Compilation second, CSharpParseOptions? firstOptions = null, CSharpParseOptions? secondOptions = null)
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver(firstOptions).RunGenerators(first);
        GeneratorDriverRunResult firstRun = driver.GetRunResult();
        if (secondOptions is not null)
        {
            driver = driver.WithUpdatedParseOptions(secondOptions);
        }

        driver = driver.RunGenerators(second);
        GeneratorDriverRunResult secondRun = driver.GetRunResult();

        GeneratorRunResult before = firstRun.Results.Single();
        GeneratorRunResult after = secondRun.Results.Single();
        Assert.NotEmpty(after.GeneratedSources);
        foreach (string name in s_trackingNames)
        {
            ImmutableArray<IncrementalGeneratorRunStep> stepsBefore = before.TrackedSteps[name];
            ImmutableArray<IncrementalGeneratorRunStep> stepsAfter = after.TrackedSteps[name];
            Assert.Equal(stepsBefore.Length, stepsAfter.Length);
            for (int i = 0; i < stepsAfter.Length; i++)
            {
                Assert.Equal(stepsBefore[i].Outputs.Select(o => o.Value), stepsAfter[i].Outputs.Select(o => o.Value));
                Assert.All(stepsAfter[i].Outputs, output => Assert.True(
                    output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"Stage {name} output {i} was {output.Reason}"));
            }
        }

        Assert.All(after.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(step => step.Outputs), output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
        Assert.Equal(
            before.GeneratedSources.Select(s => s.SourceText.ToString()),
            after.GeneratedSources.Select(s => s.SourceText.ToString()));
    }

    // Every tree reparsed with other options, as the IDE does when LangVersion changes (a compilation's trees must agree).
    private static CSharpCompilation WithParseOptions(CSharpCompilation compilation, CSharpParseOptions options) => compilation
        .RemoveAllSyntaxTrees()
        .AddSyntaxTrees(compilation.SyntaxTrees.Select(tree => tree.WithRootAndOptions(tree.GetRoot(), options)));

    private static CSharpCompilation ReplaceText(CSharpCompilation compilation, int treeIndex, string oldText, string newText)
    {
        SyntaxTree tree = compilation.SyntaxTrees.ElementAt(treeIndex);
        string text = tree.GetText().ToString();
        Assert.Contains(oldText, text, StringComparison.Ordinal);
        SyntaxTree edited = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text.Replace(oldText, newText, StringComparison.Ordinal)));
        return compilation.ReplaceSyntaxTree(tree, edited);
    }

    // Walks an output's object graph (fields, arrays, enumerables) and fails on any Roslyn object that would pin a
    // compilation. `is` matches derived types (CSharpCompilation, internal symbol classes), which is the point.
    private static void AssertNoRoslynObjects(object? node, string stage, HashSet<object> visited)
    {
        if (node is null || node is string || node.GetType().IsPrimitive || node.GetType().IsEnum || !visited.Add(node))
        {
            return;
        }

        Assert.False(
            node is Compilation or ISymbol or SyntaxNode or SemanticModel or SyntaxTree or Location,
            $"Stage {stage} holds a {node.GetType().FullName}");

        if (node is IEnumerable enumerable)
        {
            foreach (object? item in enumerable)
            {
                AssertNoRoslynObjects(item, stage, visited);
            }
        }

        for (Type? type = node.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (!field.FieldType.IsPointer && !field.FieldType.IsByRefLike)
                {
                    AssertNoRoslynObjects(field.GetValue(node), stage, visited);
                }
            }
        }
    }
}
