using System.Collections.Immutable;
using Auth0.Api.Aot.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Auth0.Api.Aot.Generators.Diagnostics;

/// <summary>
/// Reports what is wrong with an <c>[AccessTokenClaims]</c> type (AUTH0001-AUTH0009, AUTH0011-AUTH0013). It runs the same parser
/// as <see cref="AccessTokenClaimsGenerator"/>, so a type gets code exactly when it has no error here; the diagnostics
/// stay out of the generator's cached pipeline, where their locations would defeat caching.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AccessTokenClaimsAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.NotPartial,
        DiagnosticDescriptors.ReservedMemberName,
        DiagnosticDescriptors.UnsupportedPropertyType,
        DiagnosticDescriptors.DuplicateClaimName,
        DiagnosticDescriptors.InvalidClaimName,
        DiagnosticDescriptors.UnsupportedTypeShape,
        DiagnosticDescriptors.PropertyNotSettable,
        DiagnosticDescriptors.SpaceDelimitedIgnored,
        DiagnosticDescriptors.NoClaims,
        DiagnosticDescriptors.NoParameterlessConstructor,
        DiagnosticDescriptors.UnsetRequiredMember,
        DiagnosticDescriptors.LanguageVersionTooLow);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(static context => AnalyzeType(context), SymbolKind.NamedType);
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        INamedTypeSymbol type = (INamedTypeSymbol)context.Symbol;
        if (ClaimsTypeParser.FindRuntimeAttribute(type, KnownNames.AccessTokenClaimsAttributeName) is not null)
        {
            LanguageVersion? languageVersion = context.Compilation is CSharpCompilation csharp ? csharp.LanguageVersion : null;
            _ = ClaimsTypeParser.Parse(type, languageVersion, context.ReportDiagnostic, context.CancellationToken);
        }
    }
}
