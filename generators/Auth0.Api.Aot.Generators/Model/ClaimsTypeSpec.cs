using Auth0.Api.Aot.Generators.Helpers;

namespace Auth0.Api.Aot.Generators.Model;

/// <summary>Everything the emitter needs to implement <c>IAccessTokenClaims&lt;TSelf&gt;</c> for one valid claims type.</summary>
/// <param name="Namespace">The namespace, as written in C# (keywords escaped), or empty for the global namespace.</param>
/// <param name="Keyword">The type's declaration keyword: <c>class</c> or <c>record</c>.</param>
/// <param name="Name">The type's identifier, escaped with <c>@</c> when it is a keyword.</param>
/// <param name="ContainingTypes">The types it is nested in, outermost first; empty for a top-level type.</param>
/// <param name="FullyQualifiedName">The <c>global::</c>-qualified name used in the generated code.</param>
/// <param name="HintName">The generated file's name, e.g. <c>My.Ns.OrderClaims.g.cs</c>; unique per type.</param>
/// <param name="Properties">The <c>[Claim]</c> properties in declaration order (the order missing claims are reported in).</param>
/// <remarks>
/// <para>Cacheability contract: this model crosses incremental pipeline stages, so it must be 1) immutable and 2) have
/// structural equality. It therefore holds only strings, bools, enums, and <see cref="EquatableArray{T}"/>s of records
/// of the same; never an <c>ISymbol</c>, <c>SyntaxNode</c>, <c>SemanticModel</c>, <c>Compilation</c> or <c>Location</c>,
/// which would pin a compilation in memory and compare by reference. When adding a member, keep both properties.</para>
/// <para>A spec exists only for a type with no error diagnostic: the parser returns <see langword="null"/> otherwise.</para>
/// </remarks>
internal sealed record ClaimsTypeSpec(
    string Namespace,
    string Keyword,
    string Name,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string FullyQualifiedName,
    string HintName,
    EquatableArray<ClaimPropertySpec> Properties);
