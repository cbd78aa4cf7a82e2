using System.Threading;
using Auth0.Api.Aot.Generators.Helpers;
using Auth0.Api.Aot.Generators.Model;
using Auth0.Api.Aot.Generators.Parsing;
using Auth0.Api.Aot.Generators.Tests.Driver;
using Auth0.Api.Aot.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Auth0.Api.Aot.Generators.Tests.Model;

/// <summary>The spec's value equality, on which every cached stage depends.</summary>
public sealed class SpecEqualityTests
{
    [Fact]
    public void Same_source_in_two_compilations_gives_equal_specs()
    {
        ClaimsTypeSpec first = Parse(TestSources.OrderClaims, "Shop.Claims.OrderClaims");
        ClaimsTypeSpec second = Parse(TestSources.OrderClaims, "Shop.Claims.OrderClaims");
        Assert.NotSame(first, second);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Fact]
    public void Equivalent_source_with_other_trivia_and_members_gives_equal_specs()
    {
        string reformatted = TestSources.Simple
            .Replace("public int Helper() => 1;", "public int Helper()\n    {\n        return 42; // changed\n    }\n    private int _unused;", System.StringComparison.Ordinal)
            .Replace("[Claim(\"sub\")] public", "[Claim(\"sub\")]\n    public", System.StringComparison.Ordinal);
        Assert.Equal(Parse(TestSources.Simple, "Shop.Claims.SimpleClaims"), Parse(reformatted, "Shop.Claims.SimpleClaims"));
    }

    [Theory]
    [InlineData("[Claim(\"sub\")]", "[Claim(\"sub2\")]")]
    [InlineData("public required string Subject", "public string? Subject")]
    [InlineData("SpaceDelimited = true", "SpaceDelimited = false")]
    [InlineData("public string[]? Scopes", "public string? Scopes")]
    [InlineData("namespace Shop.Claims;", "namespace Shop.Other;")]
    [InlineData("sealed partial class", "sealed partial record")]
    public void A_change_that_affects_the_code_gives_unequal_specs(string oldText, string newText)
    {
        string edited = TestSources.Simple.Replace(oldText, newText, System.StringComparison.Ordinal);
        string metadataName = edited.Contains("Shop.Other", System.StringComparison.Ordinal) ? "Shop.Other.SimpleClaims" : "Shop.Claims.SimpleClaims";
        Assert.NotEqual(Parse(TestSources.Simple, "Shop.Claims.SimpleClaims"), Parse(edited, metadataName));
    }

    [Fact]
    public void Equatable_array_compares_elements()
    {
        EquatableArray<ContainingTypeSpec> a = new([new("class", "A"), new("struct", "B")]);
        EquatableArray<ContainingTypeSpec> b = new([new("class", "A"), new("struct", "B")]);
        EquatableArray<ContainingTypeSpec> c = new([new("class", "A")]);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != c);
        Assert.Equal(EquatableArray<ContainingTypeSpec>.Empty, default);
        Assert.Equal(0, default(EquatableArray<ContainingTypeSpec>).Count);
    }

    private static ClaimsTypeSpec Parse(string source, string metadataName)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source);
        INamedTypeSymbol type = compilation.GetTypeByMetadataName(metadataName)!;
        ClaimsTypeSpec? spec = ClaimsTypeParser.Parse(type, languageVersion: null, report: null, CancellationToken.None);
        Assert.NotNull(spec);
        return spec;
    }
}
