using System.Text;
using Auth0.Api.Aot.Generators.Emit;
using Auth0.Api.Aot.Generators.Model;
using Auth0.Api.Aot.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Auth0.Api.Aot.Generators;

/// <summary>
/// Implements <c>Auth0.Api.Aot.IAccessTokenClaims&lt;TSelf&gt;</c> for every <c>[AccessTokenClaims] partial</c> class or
/// record class: a reflection-free <c>TryReadClaims</c> that fills its <c>[Claim]</c> properties in one pass over a
/// payload. Types with an error, and every type in a project below C# 11, produce no code; <c>AccessTokenClaimsAnalyzer</c>
/// reports why.
/// </summary>
/// <remarks>
/// Pipeline: <c>ForAttributeWithMetadataName</c> with a syntax-only predicate, transformed at once into an equatable
/// <c>ClaimsTypeSpec</c> (no symbols or syntax past that point), combined with whether the parse options are C# 11 or
/// later (a bool from <c>ParseOptionsProvider</c>) → invalid types, and all types below C# 11, dropped → emitted as
/// <c>(hint name, text)</c>. Each stage is named in <see cref="TrackingNames"/> and cached: an edit that does not change
/// a spec does not re-emit its file.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class AccessTokenClaimsGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Gather one spec per [AccessTokenClaims] type; null when the type has an error.
        IncrementalValuesProvider<ClaimsTypeSpec?> specs = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.AccessTokenClaimsAttribute,
                predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                transform: static (context, cancellationToken) => context.TargetSymbol is INamedTypeSymbol type
                    ? ClaimsTypeParser.Parse(type, languageVersion: null, report: null, cancellationToken)
                    : null)
            .WithTrackingName(TrackingNames.Extraction);

        // The generated code needs C# 11 (a static abstract interface member, u8 literals). Reduced to a bool, so that
        // new parse options (another C# 11+ version, preprocessor symbols) leave every later stage cached.
        IncrementalValueProvider<bool> supportsLanguage = context.ParseOptionsProvider
            .Select(static (options, _) => options is CSharpParseOptions csharp && ClaimsTypeParser.SupportsGeneratedCode(csharp.LanguageVersion))
            .WithTrackingName(TrackingNames.LanguageVersion);

        // Drop invalid types, and every type below C# 11: the analyzer reports them (AUTH0013 for the language), and
        // generating code for them would only add compiler errors.
        IncrementalValuesProvider<(ClaimsTypeSpec? Spec, bool SupportsLanguage)> validSpecs = specs
            .Combine(supportsLanguage)
            .Where(static pair => pair.Left is not null && pair.Right)
            .WithTrackingName(TrackingNames.RemovingInvalid);

        // Emit each spec; an unchanged spec keeps its cached text.
        IncrementalValuesProvider<GeneratedSource> sources = validSpecs
            .Select(static (pair, _) => ClaimsSourceEmitter.Emit(pair.Spec!))
            .WithTrackingName(TrackingNames.Emission);

        context.RegisterSourceOutput(sources, static (context, source) => context.AddSource(source.HintName, SourceText.From(source.Text, Encoding.UTF8)));
    }
}
