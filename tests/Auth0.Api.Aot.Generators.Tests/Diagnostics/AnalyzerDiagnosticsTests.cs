using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Auth0.Api.Aot.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Auth0.Api.Aot.Generators.Tests.Diagnostics;

/// <summary>
/// One test per diagnostic, through <c>CompilationWithAnalyzers</c>: its ID, severity, message and the exact source it
/// points at. For an error the generator emits nothing, so the compilation has no compiler error to cascade from it.
/// </summary>
public sealed class AnalyzerDiagnosticsTests
{
    private const string Usings = "using System;\nusing Auth0.Api.Aot;\n";

    [Fact]
    public Task AUTH0001_type_that_is_not_partial() => AssertSingle(
        """
        [AccessTokenClaims]
        internal sealed class Claims
        {
            [Claim("sub")] public string? Subject { get; set; }
        }
        """,
        "AUTH0001", DiagnosticSeverity.Error, "Claims", "'Claims' must be declared partial so that the claims reader can be generated into it");

    [Fact]
    public Task AUTH0001_containing_type_that_is_not_partial() => AssertSingle(
        """
        internal static class Outer
        {
            [AccessTokenClaims]
            internal sealed partial class Claims
            {
                [Claim("sub")] public string? Subject { get; set; }
            }
        }
        """,
        "AUTH0001", DiagnosticSeverity.Error, "Outer", "'Outer' must be declared partial so that the claims reader can be generated into it");

    [Theory]
    [InlineData("System.Guid", "Guid")]
    [InlineData("float", "float")]
    [InlineData("decimal?", "decimal?")]
    [InlineData("System.Collections.Generic.List<string>", "List<string>")]
    [InlineData("int[]", "int[]")]
    [InlineData("string[][]", "string[][]")]
    [InlineData("System.DateTimeOffset[]", "DateTimeOffset[]")]
    [InlineData("System.TimeSpan", "TimeSpan")]
    [InlineData("object", "object")]
    public Task AUTH0002_unsupported_property_type(string type, string display) => AssertSingle(
        $$"""
        [AccessTokenClaims]
        internal sealed partial class Claims
        {
            [Claim("x")] public {{type}} Value { get; set; } = default!;
        }
        """,
        "AUTH0002", DiagnosticSeverity.Error, type,
        "Property 'Value' has type '" + Qualified(display) + "', which [Claim] does not support; use string, bool, int, long, double, System.DateTimeOffset, string[] or System.Text.Json.JsonElement, or the nullable form of one of them");

    [Theory]
    [InlineData("DateTime", "System.DateTime", "System.DateTimeOffset")]
    [InlineData("System.DateTime", "System.DateTime", "System.DateTimeOffset")]
    [InlineData("DateTime?", "System.DateTime?", "System.DateTimeOffset?")]
    [InlineData("Nullable<DateTime>", "System.DateTime?", "System.DateTimeOffset?")]
    public Task AUTH0002_DateTime_points_to_DateTimeOffset(string type, string display, string replacement) => AssertSingle(
        $$"""
        [AccessTokenClaims]
        internal sealed partial class Claims
        {
            [Claim("exp")] public {{type}} Expires { get; set; }
        }
        """,
        "AUTH0002", DiagnosticSeverity.Error, type,
        "Property 'Expires' has type '" + display + "', which [Claim] does not support; use " + replacement + " for NumericDate claims (seconds since the epoch, as exp, nbf and iat)");

    [Theory]
    [InlineData("DateTime[]", "System.DateTime[]")]
    [InlineData("My.DateTime", "My.DateTime")]
    [InlineData("My.DateTime?", "My.DateTime?")]
    public Task AUTH0002_other_types_named_like_DateTime_keep_the_general_message(string type, string display) => AssertSingle(
        $$"""
        [AccessTokenClaims]
        internal sealed partial class Claims
        {
            [Claim("exp")] public {{type}} Expires { get; set; } = default!;
        }

        namespace My
        {
            internal struct DateTime
            {
            }
        }
        """,
        "AUTH0002", DiagnosticSeverity.Error, type,
        "Property 'Expires' has type '" + display + "', which [Claim] does not support; use string, bool, int, long, double, System.DateTimeOffset, string[] or System.Text.Json.JsonElement, or the nullable form of one of them");

    [Fact]
    public Task AUTH0003_two_properties_map_the_same_claim() => AssertSingle(
        """
        [AccessTokenClaims]
        internal sealed partial class Claims
        {
            [Claim("sub")] public string? Subject { get; set; }
            [Claim("sub")] public string? AlsoSubject { get; set; }
        }
        """,
        "AUTH0003", DiagnosticSeverity.Error, "\"sub\"", "Claim 'sub' is mapped by both 'Subject' and 'AlsoSubject'");

    [Theory]
    [InlineData("\"\"", "is empty or whitespace")]
    [InlineData("\" \\t \"", "is empty or whitespace")]
    [InlineData("null!", "is null")]
    [InlineData("\"\\uD800x\"", "contains an unpaired surrogate")]
    public Task AUTH0004_invalid_claim_name(string argument, string problem) => AssertSingle(
        $$"""
        [AccessTokenClaims]
        internal sealed partial class Claims
        {
            [Claim({{argument}})] public string? Value { get; set; }
        }
        """,
        "AUTH0004", DiagnosticSeverity.Error, argument, "The claim name of property 'Value' " + problem,
        allowedCompilerIds: ["CS8625"]);

    [Theory]
    [InlineData("internal sealed partial class Claims<T>", "public string? Subject { get; set; }", "generic")]
    [InlineData("internal static partial class Claims", "public static string? Subject { get; set; }", "static")]
    [InlineData("internal abstract partial class Claims", "public string? Subject { get; set; }", "abstract")]
    [InlineData("file sealed partial class Claims", "public string? Subject { get; set; }", "file-local")]
    public Task AUTH0005_unsupported_type_shape(string declaration, string member, string shape) => AssertSingle(
        $$"""
        [AccessTokenClaims]
        {{declaration}}
        {
            [Claim("sub")] {{member}}
        }
        """,
        "AUTH0005", DiagnosticSeverity.Error, "Claims", "'Claims' cannot be an [AccessTokenClaims] type because it is " + shape,
        ignoreIds: ["AUTH0006"]);

    [Fact]
    public Task AUTH0005_nested_in_a_generic_type() => AssertSingle(
        """
        internal partial class Outer<T>
        {
            [AccessTokenClaims]
            internal sealed partial class Claims
            {
                [Claim("sub")] public string? Subject { get; set; }
            }
        }
        """,
        "AUTH0005", DiagnosticSeverity.Error, "Claims", "'Claims' cannot be an [AccessTokenClaims] type because it is nested in the generic type 'Outer'");

    [Theory]
    [InlineData("public static bool TryReadClaims(System.ReadOnlySpan<byte> payload, out Claims? claims, out ClaimError error) { claims = null; error = default; return false; }")]
    [InlineData("public int TryReadClaims { get; set; }")]
    public Task AUTH0012_member_named_TryReadClaims(string member) => AssertSingle(
        $$"""
        [AccessTokenClaims]
        internal sealed partial class Claims
        {
            [Claim("sub")] public string? Subject { get; set; }
            {{member}}
        }
        """,
        "AUTH0012", DiagnosticSeverity.Error, "Claims", "'Claims' declares a member named 'TryReadClaims', which the generated claims reader needs");

    [Fact]
    public Task AUTH0005_nested_in_a_file_local_type() => AssertSingle(
        """
        file partial class Outer
        {
            [AccessTokenClaims]
            internal sealed partial class Claims
            {
                [Claim("sub")] public string? Subject { get; set; }
            }
        }
        """,
        "AUTH0005", DiagnosticSeverity.Error, "Claims", "'Claims' cannot be an [AccessTokenClaims] type because it is nested in the file-local type 'Outer'");

    [Theory]
    [InlineData("public string? Subject { get; }", "Subject", "Subject", "it has no set or init accessor")]
    [InlineData("public string? Subject => null;", "Subject", "Subject", "it has no set or init accessor")]
    [InlineData("public static string? Subject { get; set; }", "Subject", "Subject", "it is static")]
    [InlineData("public string? this[int i] { get => null; set { } }", "this", "this[]", "it is an indexer")]
    [InlineData("string? IHasSubject.Subject { get; set; }", "Subject", "IHasSubject.Subject", "it is an explicit interface implementation")]
    public Task AUTH0006_property_that_cannot_be_set(string member, string span, string name, string problem)
    {
        string baseList = member.Contains("IHasSubject", System.StringComparison.Ordinal) ? " : IHasSubject" : string.Empty;
        return AssertSingle(
            $$"""
            internal interface IHasSubject
            {
                string? Subject { get; set; }
            }

            [AccessTokenClaims]
            internal sealed partial class Claims{{baseList}}
            {
                [Claim("sub")] {{member}}
            }
            """,
            "AUTH0006", DiagnosticSeverity.Error, span, "Property '" + name + "' cannot be filled by the claims reader because " + problem);
    }

    [Fact]
    public async Task AUTH0007_space_delimited_on_a_string_is_a_warning_and_code_is_still_generated()
    {
        await AssertSingle(
            """
            [AccessTokenClaims]
            internal sealed partial class Claims
            {
                [Claim("scope", SpaceDelimited = true)] public string? Scope { get; set; }
            }
            """,
            "AUTH0007", DiagnosticSeverity.Warning, "SpaceDelimited = true", "SpaceDelimited has no effect on property 'Scope' of type 'string?'; it applies to string[] claims only",
            generates: true);
    }

    [Fact]
    public Task AUTH0008_type_without_claims_is_a_warning_and_code_is_still_generated() => AssertSingle(
        """
        [AccessTokenClaims]
        internal sealed partial class Claims
        {
            public string? NotAClaim { get; set; }
        }
        """,
        "AUTH0008", DiagnosticSeverity.Warning, "Claims", "'Claims' has no [Claim] property, so its reader only checks that the payload is a JSON object",
        generates: true);

    [Theory]
    [InlineData("internal sealed partial record Claims(string Subject)")]
    [InlineData("internal sealed partial class Claims(string subject)")]
    public Task AUTH0009_no_parameterless_constructor(string declaration) => AssertSingle(
        $$"""
        [AccessTokenClaims]
        {{declaration}}
        {
            [Claim("azp")] public string? Party { get; init; }
            public string Echo() => "";
        }
        """,
        "AUTH0009", DiagnosticSeverity.Error, "Claims",
        "'Claims' has no constructor that can be called without arguments, so the claims reader cannot create it; declare the claims as properties instead of primary constructor parameters",
        allowedCompilerIds: ["CS9113"]);

    [Fact]
    public Task AUTH0010_claim_on_a_type_without_access_token_claims() => AssertSingle(
        """
        internal sealed class NotClaims
        {
            [Claim("sub")] public string? Subject { get; set; }
        }
        """,
        "AUTH0010", DiagnosticSeverity.Warning, "Claim(\"sub\")", "[Claim] on property 'Subject' has no effect because 'NotClaims' is not marked [AccessTokenClaims]");

    [Fact]
    public Task AUTH0011_required_member_that_is_not_a_claim() => AssertSingle(
        """
        [AccessTokenClaims]
        internal sealed partial class Claims
        {
            [Claim("sub")] public required string Subject { get; init; }
            public required string Other { get; init; }
        }
        """,
        "AUTH0011", DiagnosticSeverity.Error, "Other", "'Claims' has the required member 'Other', which is not a [Claim] property of the type, so the claims reader cannot set it");

    [Fact]
    public Task AUTH0011_inherited_required_member_points_at_the_type() => AssertSingle(
        """
        internal class Base
        {
            public required string Inherited { get; init; }
        }

        [AccessTokenClaims]
        internal sealed partial class Claims : Base
        {
            [Claim("sub")] public required string Subject { get; init; }
        }
        """,
        "AUTH0011", DiagnosticSeverity.Error, "Claims", "'Claims' has the required member 'Inherited', which is not a [Claim] property of the type, so the claims reader cannot set it");

    [Theory]
    [InlineData(LanguageVersion.CSharp10, "10.0")]
    [InlineData(LanguageVersion.CSharp9, "9.0")]
    public async Task AUTH0013_claims_type_below_CSharp_11(LanguageVersion version, string display)
    {
        // The generated reader implements IAccessTokenClaims<T>'s static abstract member: below C# 11 it would not
        // compile (CS8706 in the generated file), so nothing is generated and the diagnostic is at the user's type.
        GeneratorRun run = await AssertSingle(
            """
            [AccessTokenClaims]
            internal sealed partial class Claims
            {
                [Claim("sub")] public string? Subject { get; set; }
                [Claim("exp")] public DateTimeOffset Expires { get; set; }
            }
            """,
            "AUTH0013", DiagnosticSeverity.Error, "Claims",
            "Typed claims need C# 11 or later (the claims reader of 'Claims' implements a static abstract interface member), but this project uses C# " + display + "; set LangVersion to 11 or later",
            parseOptions: GeneratorHarness.ParseOptionsFor(version));

        ImmutableArray<Diagnostic> generatedErrors = run.Output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } tree && run.Result.GeneratedTrees.Contains(tree))
            .ToImmutableArray();
        Assert.True(generatedErrors.IsEmpty, GeneratorHarness.Describe(generatedErrors));
        Assert.Empty(run.Result.GeneratedTrees);
    }

    [Fact]
    public async Task AUTH0013_is_reported_with_the_types_other_problems()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(
            GeneratorHarness.ParseOptionsFor(LanguageVersion.CSharp10),
            Usings +
            """
            [AccessTokenClaims]
            internal sealed class Claims
            {
                [Claim("sub")] public System.Guid Subject { get; set; }
            }
            """));

        ImmutableArray<Diagnostic> diagnostics = await GeneratorHarness.AnalyzeAsync(run.Output);
        Assert.Equal(["AUTH0001", "AUTH0002", "AUTH0013"], diagnostics.Select(d => d.Id).Order(System.StringComparer.Ordinal));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public async Task AUTH0013_is_not_added_to_a_compiler_error_on_the_attribute()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(
            GeneratorHarness.ParseOptionsFor(LanguageVersion.CSharp10),
            Usings + "[AccessTokenClaims]\ninternal partial struct OnAStruct { [Claim(\"sub\")] public string? Subject { get; set; } }\n"));

        Assert.Empty(run.Sources);
        Assert.Contains(GeneratorHarness.CompilerProblems(run.Output), d => d.Id == "CS0592");
        ImmutableArray<Diagnostic> diagnostics = await GeneratorHarness.AnalyzeAsync(run.Output);
        Assert.True(diagnostics.IsEmpty, GeneratorHarness.Describe(diagnostics));
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp11)]
    [InlineData(LanguageVersion.CSharp12)]
    [InlineData(LanguageVersion.Latest)]
    public Task CSharp_11_and_later_generate_clean_code(LanguageVersion version) => AssertClean(
        """
        [AccessTokenClaims]
        internal sealed partial class Claims
        {
            [Claim("sub")] public required string Subject { get; init; }
            [Claim("scope", SpaceDelimited = true)] public string[]? Scopes { get; init; }
            [Claim("exp")] public DateTimeOffset Expires { get; init; }
        }
        """,
        GeneratorHarness.ParseOptionsFor(version));

    [Fact]
    public async Task Required_members_are_fine_when_the_constructor_sets_them()
    {
        await AssertClean(
            """
            [AccessTokenClaims]
            internal sealed partial class Claims
            {
                [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
                public Claims()
                {
                    Subject = "";
                    Other = "";
                }

                [Claim("sub")] public required string Subject { get; init; }
                public required string Other { get; init; }
            }
            """);
    }

    [Fact]
    public async Task Constructor_with_only_optional_parameters_is_enough()
    {
        await AssertClean(
            """
            [AccessTokenClaims]
            internal sealed partial record Claims(string Echo = "")
            {
                [Claim("sub")] public string? Subject { get; init; }
            }
            """);
    }

    [Fact]
    public async Task Several_problems_are_all_reported_and_nothing_is_generated()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings +
            """
            [AccessTokenClaims]
            internal sealed class Claims
            {
                [Claim("sub")] public System.Guid Subject { get; set; }
                [Claim("")] public string? Empty { get; set; }
                [Claim("x")] public string? X { get; }
            }
            """);

        ImmutableArray<Diagnostic> diagnostics = await GeneratorHarness.AnalyzeAsync(run.Output);
        Assert.Equal(["AUTH0001", "AUTH0002", "AUTH0004", "AUTH0006"], diagnostics.Select(d => d.Id).Order(System.StringComparer.Ordinal));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Every_descriptor_has_a_help_link_and_the_category()
    {
        foreach (DiagnosticDescriptor descriptor in new Auth0.Api.Aot.Generators.Diagnostics.AccessTokenClaimsAnalyzer().SupportedDiagnostics
            .Concat(new Auth0.Api.Aot.Generators.Diagnostics.ClaimAttributeUsageAnalyzer().SupportedDiagnostics))
        {
            Assert.StartsWith("AUTH0", descriptor.Id, System.StringComparison.Ordinal);
            Assert.Equal("Auth0.Api.Aot", descriptor.Category);
            Assert.Equal("https://github.com/auth0-api-aot/auth0-api-aot/blob/main/docs/typed-claims.md#" + descriptor.Id.ToLowerInvariant(), descriptor.HelpLinkUri);
        }
    }

    private static string Qualified(string display) => display switch
    {
        "Guid" => "System.Guid",
        "List<string>" => "System.Collections.Generic.List<string>",
        "DateTimeOffset[]" => "System.DateTimeOffset[]",
        "TimeSpan" => "System.TimeSpan",
        _ => display,
    };

    private static async Task<GeneratorRun> AssertSingle(
        string source,
        string id,
        DiagnosticSeverity severity,
        string spanText,
        string message,
        bool generates = false,
        string[]? allowedCompilerIds = null,
        string[]? ignoreIds = null,
        CSharpParseOptions? parseOptions = null)
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(parseOptions ?? GeneratorHarness.ParseOptions, Usings + source));
        Assert.Empty(run.GeneratorDiagnostics);

        ImmutableArray<Diagnostic> diagnostics = await GeneratorHarness.AnalyzeAsync(run.Output);
        Diagnostic diagnostic = Assert.Single(diagnostics, d => ignoreIds is null || !ignoreIds.Contains(d.Id));
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(spanText, GeneratorHarness.SpanText(diagnostic));
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));

        // An error means no code (so no cascade of compiler errors); a warning leaves the type generated.
        Assert.Equal(generates ? 1 : 0, run.Sources.Length);
        ImmutableArray<Diagnostic> compilerProblems = GeneratorHarness.CompilerProblems(run.Output)
            .Where(d => allowedCompilerIds is null || !allowedCompilerIds.Contains(d.Id))
            .ToImmutableArray();
        Assert.True(compilerProblems.IsEmpty, GeneratorHarness.Describe(compilerProblems));
        return run;
    }

    private static async Task AssertClean(string source, CSharpParseOptions? parseOptions = null)
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(parseOptions ?? GeneratorHarness.ParseOptions, Usings + source));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.Sources);
        ImmutableArray<Diagnostic> diagnostics = await GeneratorHarness.AnalyzeAsync(run.Output);
        Assert.True(diagnostics.IsEmpty, GeneratorHarness.Describe(diagnostics));
        ImmutableArray<Diagnostic> problems = GeneratorHarness.CompilerProblems(run.Output);
        Assert.True(problems.IsEmpty, GeneratorHarness.Describe(problems));
    }
}
