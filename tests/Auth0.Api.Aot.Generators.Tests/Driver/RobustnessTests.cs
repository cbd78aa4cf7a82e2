using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Auth0.Api.Aot.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Auth0.Api.Aot.Generators.Tests.Driver;

/// <summary>
/// Source the compiler itself rejects: the generator neither throws (which would surface as CS8785) nor emits, and the
/// analyzers add nothing to the compiler's own error.
/// </summary>
public sealed class RobustnessTests
{
    [Theory]
    [InlineData("""
        [AccessTokenClaims]
        internal partial class Twice { [Claim("sub")] public string? Subject { get; set; } }

        [AccessTokenClaims]
        internal partial class Twice { }
        """, "CS0579")]
    [InlineData("""
        [AccessTokenClaims]
        internal partial struct OnAStruct { [Claim("sub")] public string? Subject { get; set; } }
        """, "CS0592")]
    [InlineData("""
        [AccessTokenClaims]
        internal partial record struct OnARecordStruct { [Claim("sub")] public string? Subject { get; set; } }
        """, "CS0592")]
    [InlineData("""
        [AccessTokenClaims]
        internal partial class NoArgument { [Claim] public string? Subject { get; set; } }
        """, "CS7036")]
    [InlineData("""
        [AccessTokenClaims]
        internal partial class WrongArgument { [Claim(42)] public string? Subject { get; set; } }
        """, "CS1503")]
    [InlineData("""
        [AccessTokenClaims]
        internal partial class UnknownType { [Claim("sub")] public Missing? Subject { get; set; } }
        """, "CS0246")]
    [InlineData("""
        [AccessTokenClaims]
        internal partial class UnknownElementType { [Claim("sub")] public Missing[]? Subjects { get; set; } }
        """, "CS0246")]
    public async Task Compiler_errors_are_left_to_the_compiler(string source, string compilerId)
    {
        GeneratorRun run = GeneratorHarness.Run("using Auth0.Api.Aot;\n" + source);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Sources);
        ImmutableArray<Diagnostic> errors = GeneratorHarness.CompilerProblems(run.Output);
        Assert.Contains(errors, d => d.Id == compilerId);
        ImmutableArray<Diagnostic> analyzerDiagnostics = await GeneratorHarness.AnalyzeAsync(run.Output);
        Assert.True(analyzerDiagnostics.IsEmpty, GeneratorHarness.Describe(analyzerDiagnostics));
    }

    [Fact]
    public void Attribute_from_another_namespace_with_the_same_name_is_ignored()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            namespace Elsewhere
            {
                [System.AttributeUsage(System.AttributeTargets.Class)]
                internal sealed class AccessTokenClaimsAttribute : System.Attribute { }

                [AccessTokenClaims]
                internal sealed class NotOurs { }
            }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Sources);
        Assert.Empty(GeneratorHarness.CompilerProblems(run.Output));
    }
}
