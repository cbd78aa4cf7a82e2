using System.Collections.Immutable;
using Auth0.Api.Aot.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Auth0.Api.Aot.Generators.Diagnostics;

/// <summary>Reports <c>[Claim]</c> on a property whose type is not an <c>[AccessTokenClaims]</c> type (AUTH0010).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ClaimAttributeUsageAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.ClaimOutsideClaimsType);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(static context => AnalyzeProperty(context), SymbolKind.Property);
    }

    private static void AnalyzeProperty(SymbolAnalysisContext context)
    {
        IPropertySymbol property = (IPropertySymbol)context.Symbol;
        if (ClaimsTypeParser.FindRuntimeAttribute(property, KnownNames.ClaimAttributeName) is not { } claim
            || ClaimsTypeParser.FindRuntimeAttribute(property.ContainingType, KnownNames.AccessTokenClaimsAttributeName) is not null)
        {
            return;
        }

        Location location = claim.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? property.Locations[0];
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ClaimOutsideClaimsType, location, property.Name, property.ContainingType.Name));
    }
}
