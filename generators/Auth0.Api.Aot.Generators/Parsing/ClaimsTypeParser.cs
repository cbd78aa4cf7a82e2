using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Auth0.Api.Aot.Generators.Diagnostics;
using Auth0.Api.Aot.Generators.Helpers;
using Auth0.Api.Aot.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Auth0.Api.Aot.Generators.Parsing;

/// <summary>
/// Turns an <c>[AccessTokenClaims]</c> type into a <see cref="ClaimsTypeSpec"/>, checking every rule on the way. This is
/// the one place the rules live: the generator calls it with no reporter and gets <see langword="null"/> for a type with
/// any error (so it emits nothing, and the user sees the diagnostic rather than a cascade of compiler errors); the
/// analyzer calls it with a reporter and reports each problem where it is.
/// </summary>
internal static class ClaimsTypeParser
{
    private static readonly SymbolDisplayFormat s_namespaceFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

    private static readonly SymbolDisplayFormat s_hintFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces);

    /// <summary>The language version the generated code needs: C# 11 (a static abstract interface member, u8 literals).</summary>
    public const LanguageVersion MinimumLanguageVersion = LanguageVersion.CSharp11;

    /// <summary>Whether code generated for a claims type compiles at <paramref name="version"/> (AUTH0013 otherwise).</summary>
    /// <param name="version">The effective language version (<see cref="CSharpParseOptions.LanguageVersion"/>, never <c>Latest</c>).</param>
    /// <returns><see langword="true"/> for C# 11 or later.</returns>
    public static bool SupportsGeneratedCode(LanguageVersion version) => version >= MinimumLanguageVersion;

    /// <summary>Reads and checks a claims type.</summary>
    /// <param name="type">A type that carries <c>[AccessTokenClaims]</c>.</param>
    /// <param name="languageVersion">
    /// The compilation's language version, checked against <see cref="MinimumLanguageVersion"/> (AUTH0013); or
    /// <see langword="null"/> not to check it, as the generator does: it takes the version from its parse options, so
    /// that the spec stays independent of them.
    /// </param>
    /// <param name="report">Where to report diagnostics, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The spec, or <see langword="null"/> when the type has an error (reported, or the compiler's own).</returns>
    public static ClaimsTypeSpec? Parse(INamedTypeSymbol type, LanguageVersion? languageVersion, Action<Diagnostic>? report, CancellationToken cancellationToken)
    {
        // A misapplied or repeated attribute is the compiler's error (CS0592, CS0579), not ours.
        AttributeData? marker = null;
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (IsRuntimeType(attribute.AttributeClass, KnownNames.AccessTokenClaimsAttributeName))
            {
                if (marker is not null)
                {
                    return null;
                }

                marker = attribute;
            }
        }

        if (marker is null || type.TypeKind != TypeKind.Class)
        {
            return null;
        }

        ProblemSink problems = new(report);
        Location typeLocation = DeclarationLocation(type, marker, cancellationToken);
        if (languageVersion is { } version && !SupportsGeneratedCode(version))
        {
            problems.Add(DiagnosticDescriptors.LanguageVersionTooLow, typeLocation, type.Name, version.ToDisplayString());
        }

        EquatableArray<ContainingTypeSpec> containingTypes = CheckShape(type, typeLocation, problems, cancellationToken);
        foreach (ISymbol member in type.GetMembers(KnownNames.TryReadClaimsMethodName))
        {
            // The analyzer also sees the generated method itself, marked [GeneratedCode] with this generator's name.
            if (!IsGeneratedByUs(member))
            {
                problems.Add(DiagnosticDescriptors.ReservedMemberName, typeLocation, type.Name);
                break;
            }
        }

        EquatableArray<ClaimPropertySpec> properties = ReadProperties(type, typeLocation, problems, out HashSet<string> claimProperties, cancellationToken);
        if (!type.IsStatic)
        {
            // A static class has no constructor to speak of; AUTH0005 already says why it cannot be a claims type.
            CheckConstruction(type, typeLocation, claimProperties, problems);
        }

        if (problems.HasErrors)
        {
            return null;
        }

        return new ClaimsTypeSpec(
            Namespace: type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString(s_namespaceFormat) : string.Empty,
            Keyword: type.IsRecord ? "record" : "class",
            Name: EscapeIdentifier(type.Name),
            ContainingTypes: containingTypes,
            FullyQualifiedName: type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            HintName: HintName(type.ToDisplayString(s_hintFormat)),
            Properties: properties);
    }

    private static bool IsGeneratedByUs(ISymbol member)
    {
        foreach (AttributeData attribute in member.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "GeneratedCodeAttribute" }
                && attribute.ConstructorArguments.Length > 0
                && attribute.ConstructorArguments[0].Value is string tool
                && tool == GeneratorInfo.Name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="symbol"/> carries the runtime attribute named <paramref name="attributeName"/>.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="attributeName">The attribute's simple name, e.g. <c>ClaimAttribute</c>.</param>
    /// <returns>The attribute, or <see langword="null"/>.</returns>
    public static AttributeData? FindRuntimeAttribute(ISymbol symbol, string attributeName)
    {
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            if (IsRuntimeType(attribute.AttributeClass, attributeName))
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>
    /// Writes a type name as a verbatim identifier (<c>@Name</c>): always valid, also for reserved keywords (<c>class</c>)
    /// and for contextual ones that are errors or warnings as type names (<c>required</c>, <c>record</c>, <c>var</c>).
    /// </summary>
    /// <param name="name">The identifier.</param>
    /// <returns>The identifier as it can be written in source.</returns>
    public static string EscapeIdentifier(string name) => "@" + name;

    /// <summary>
    /// The hint name: the type's name and a hash of it, since Roslyn compares hint names without case and two types may
    /// differ only in case (<c>A.Claims</c> and <c>A.claims</c>).
    /// </summary>
    /// <param name="name">The type's metadata-style name.</param>
    /// <returns>The hint name.</returns>
    public static string HintName(string name)
    {
        // FNV-1a over the UTF-16 code units: stable across runs and platforms (string.GetHashCode is randomised).
        uint hash = 2166136261;
        foreach (char c in name)
        {
            hash = unchecked((hash ^ c) * 16777619);
        }

        return name + "." + hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + ".g.cs";
    }

    // AUTH0001 (not partial) and AUTH0005 (generic, static, abstract, file-local, nested in a generic type). Nested types
    // are supported: each containing type must be partial too, and is reopened by the emitter.
    private static EquatableArray<ContainingTypeSpec> CheckShape(INamedTypeSymbol type, Location typeLocation, ProblemSink problems, CancellationToken cancellationToken)
    {
        if (!IsPartial(type, cancellationToken))
        {
            problems.Add(DiagnosticDescriptors.NotPartial, typeLocation, type.Name);
        }

        string? shape = type.Arity > 0 ? "generic"
            : type.IsStatic ? "static"
            : type.IsAbstract ? "abstract"
            : type.IsFileLocal ? "file-local"
            : null;
        if (shape is not null)
        {
            problems.Add(DiagnosticDescriptors.UnsupportedTypeShape, typeLocation, type.Name, shape);
        }

        List<ContainingTypeSpec> containingTypes = [];
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (outer.Arity > 0)
            {
                problems.Add(DiagnosticDescriptors.UnsupportedTypeShape, typeLocation, type.Name, "nested in the generic type '" + outer.Name + "'");
            }

            if (outer.IsFileLocal)
            {
                // The generated file could not reopen it: a file-local type is visible in its own file only.
                problems.Add(DiagnosticDescriptors.UnsupportedTypeShape, typeLocation, type.Name, "nested in the file-local type '" + outer.Name + "'");
            }

            if (!IsPartial(outer, cancellationToken))
            {
                problems.Add(DiagnosticDescriptors.NotPartial, outer.Locations.Length > 0 ? outer.Locations[0] : typeLocation, outer.Name);
            }

            containingTypes.Insert(0, new ContainingTypeSpec(Keyword(outer), EscapeIdentifier(outer.Name)));
        }

        return new EquatableArray<ContainingTypeSpec>(containingTypes.ToArray());
    }

    // AUTH0002, AUTH0003, AUTH0004, AUTH0006, AUTH0007, AUTH0008. Only the type's own properties count, in declaration order.
    private static EquatableArray<ClaimPropertySpec> ReadProperties(INamedTypeSymbol type, Location typeLocation, ProblemSink problems, out HashSet<string> claimProperties, CancellationToken cancellationToken)
    {
        List<ClaimPropertySpec> specs = [];
        Dictionary<string, string> owners = new(StringComparer.Ordinal);
        claimProperties = new HashSet<string>(StringComparer.Ordinal);
        foreach (ISymbol member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member is not IPropertySymbol property || FindRuntimeAttribute(property, KnownNames.ClaimAttributeName) is not { } claim)
            {
                continue;
            }

            claimProperties.Add(property.Name);
            if (claim.AttributeConstructor is null)
            {
                // [Claim] without its argument, or with one of the wrong type: the compiler reports it.
                problems.AddCompilerError();
                continue;
            }

            string? name = claim.ConstructorArguments.Length == 1 ? claim.ConstructorArguments[0].Value as string : null;
            string? nameProblem = DescribeNameProblem(name);
            if (nameProblem is not null)
            {
                problems.Add(DiagnosticDescriptors.InvalidClaimName, ArgumentLocation(claim, null, cancellationToken), property.Name, nameProblem);
            }
            else if (owners.TryGetValue(name!, out string? owner))
            {
                problems.Add(DiagnosticDescriptors.DuplicateClaimName, ArgumentLocation(claim, null, cancellationToken), name, owner, property.Name);
            }
            else
            {
                owners.Add(name!, property.Name);
            }

            string? settingProblem = property.IsIndexer ? "it is an indexer"
                : property.IsStatic ? "it is static"
                : property.ExplicitInterfaceImplementations.Length > 0 ? "it is an explicit interface implementation"
                : property.SetMethod is null ? "it has no set or init accessor"
                : null;
            if (settingProblem is not null)
            {
                problems.Add(DiagnosticDescriptors.PropertyNotSettable, property.Locations.Length > 0 ? property.Locations[0] : typeLocation, property.Name, settingProblem);
            }

            bool spaceDelimited = false;
            foreach (KeyValuePair<string, TypedConstant> argument in claim.NamedArguments)
            {
                if (argument.Key == KnownNames.SpaceDelimited && argument.Value.Value is true)
                {
                    spaceDelimited = true;
                }
            }

            if (ContainsErrorType(property.Type))
            {
                // A type that does not bind: the compiler reports it.
                problems.AddCompilerError();
                continue;
            }

            if (!TryGetKind(property.Type, out ClaimKind kind, out bool isOptional))
            {
                problems.Add(DiagnosticDescriptors.UnsupportedPropertyType, TypeLocation(property, cancellationToken), property.Name, property.Type.ToDisplayString(), SupportedTypesAdvice(property.Type));
                continue;
            }

            if (spaceDelimited && kind != ClaimKind.StringArray)
            {
                problems.Add(DiagnosticDescriptors.SpaceDelimitedIgnored, ArgumentLocation(claim, KnownNames.SpaceDelimited, cancellationToken), property.Name, property.Type.ToDisplayString());
                spaceDelimited = false;
            }

            specs.Add(new ClaimPropertySpec(EscapeIdentifier(property.Name), name ?? string.Empty, kind, isOptional, spaceDelimited));
        }

        if (claimProperties.Count == 0)
        {
            problems.Add(DiagnosticDescriptors.NoClaims, typeLocation, type.Name);
        }

        return new EquatableArray<ClaimPropertySpec>(specs.ToArray());
    }

    // AUTH0009 (no constructor callable without arguments) and AUTH0011 (a required member the initializer cannot set).
    private static void CheckConstruction(INamedTypeSymbol type, Location typeLocation, HashSet<string> claimProperties, ProblemSink problems)
    {
        IMethodSymbol? constructor = null;
        foreach (IMethodSymbol candidate in type.InstanceConstructors)
        {
            if (candidate.Parameters.Length == 0)
            {
                constructor = candidate;
                break;
            }

            if (constructor is null && AllParametersOptional(candidate))
            {
                constructor = candidate;
            }
        }

        if (constructor is null)
        {
            problems.Add(DiagnosticDescriptors.NoParameterlessConstructor, typeLocation, type.Name);
            return;
        }

        foreach (AttributeData attribute in constructor.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: KnownNames.SetsRequiredMembersAttributeName })
            {
                return;
            }
        }

        HashSet<string> reported = new(StringComparer.Ordinal);
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            foreach (ISymbol member in current.GetMembers())
            {
                bool isRequired = member is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true };
                if (isRequired && !claimProperties.Contains(member.Name) && reported.Add(member.Name))
                {
                    Location location = SymbolEqualityComparer.Default.Equals(current, type) && member.Locations.Length > 0 && member.Locations[0].IsInSource
                        ? member.Locations[0]
                        : typeLocation;
                    problems.Add(DiagnosticDescriptors.UnsetRequiredMember, location, type.Name, member.Name);
                }
            }
        }
    }

    private static bool ContainsErrorType(ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Error } => true,
        IArrayTypeSymbol array => ContainsErrorType(array.ElementType),
        INamedTypeSymbol { IsGenericType: true } named => named.TypeArguments.Any(ContainsErrorType),
        _ => false,
    };

    private static bool TryGetKind(ITypeSymbol type, out ClaimKind kind, out bool isOptional)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            isOptional = true;
            return TryGetValueKind(nullable.TypeArguments[0], out kind);
        }

        isOptional = type.IsReferenceType && type.NullableAnnotation == NullableAnnotation.Annotated;
        if (type.SpecialType == SpecialType.System_String)
        {
            kind = ClaimKind.String;
            return true;
        }

        if (type is IArrayTypeSymbol { IsSZArray: true, ElementType.SpecialType: SpecialType.System_String })
        {
            kind = ClaimKind.StringArray;
            return true;
        }

        return TryGetValueKind(type, out kind);
    }

    private static bool TryGetValueKind(ITypeSymbol type, out ClaimKind kind)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
                kind = ClaimKind.Boolean;
                return true;
            case SpecialType.System_Int32:
                kind = ClaimKind.Int32;
                return true;
            case SpecialType.System_Int64:
                kind = ClaimKind.Int64;
                return true;
            case SpecialType.System_Double:
                kind = ClaimKind.Double;
                return true;
        }

        kind = default;
        if (type is INamedTypeSymbol { IsValueType: true, ContainingType: null } named)
        {
            if (named.Name == "DateTimeOffset" && named.ContainingNamespace.ToDisplayString() == "System")
            {
                kind = ClaimKind.NumericDate;
                return true;
            }

            if (named.Name == "JsonElement" && named.ContainingNamespace.ToDisplayString() == "System.Text.Json")
            {
                kind = ClaimKind.JsonElement;
                return true;
            }
        }

        return false;
    }

    // AUTH0002's advice: DateTime, the natural first guess for exp or iat, is pointed to DateTimeOffset (which keeps
    // the offset a NumericDate implies: UTC); any other type gets the list of supported types.
    private static string SupportedTypesAdvice(ITypeSymbol type)
    {
        bool nullable = false;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } wrapper)
        {
            nullable = true;
            type = wrapper.TypeArguments[0];
        }

        return type.SpecialType == SpecialType.System_DateTime
            ? "use System.DateTimeOffset" + (nullable ? "?" : string.Empty) + " for NumericDate claims (seconds since the epoch, as exp, nbf and iat)"
            : "use string, bool, int, long, double, System.DateTimeOffset, string[] or System.Text.Json.JsonElement, or the nullable form of one of them";
    }

    private static string? DescribeNameProblem(string? name)
    {
        if (name is null)
        {
            return "is null";
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            return "is empty or whitespace";
        }

        // An unpaired surrogate has no UTF-8 form, so it could never be matched (and "..."u8 would not compile).
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(name[i]))
            {
                return "contains an unpaired surrogate";
            }
        }

        return null;
    }

    private static bool IsRuntimeType(INamedTypeSymbol? type, string name) =>
        type is { ContainingType: null } && type.Name == name && type.ContainingNamespace.ToDisplayString() == KnownNames.RuntimeNamespace;

    private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return false;
            }
        }

        return type.DeclaringSyntaxReferences.Length > 0;
    }

    private static bool AllParametersOptional(IMethodSymbol method)
    {
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (!parameter.IsOptional && !parameter.IsParams)
            {
                return false;
            }
        }

        return true;
    }

    private static string Keyword(INamedTypeSymbol type) => type.TypeKind switch
    {
        TypeKind.Interface => "interface",
        TypeKind.Struct => type.IsRecord ? "record struct" : "struct",
        _ => type.IsRecord ? "record" : "class",
    };

    // The identifier of the declaration that carries [AccessTokenClaims] (a partial type may have several).
    private static Location DeclarationLocation(INamedTypeSymbol type, AttributeData marker, CancellationToken cancellationToken)
    {
        if (marker.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } declaration)
        {
            return declaration.Identifier.GetLocation();
        }

        return type.Locations.Length > 0 ? type.Locations[0] : Location.None;
    }

    private static Location TypeLocation(IPropertySymbol property, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in property.DeclaringSyntaxReferences)
        {
            switch (reference.GetSyntax(cancellationToken))
            {
                case BasePropertyDeclarationSyntax declaration:
                    return declaration.Type.GetLocation();
                case ParameterSyntax { Type: { } parameterType }:
                    return parameterType.GetLocation();
            }
        }

        return property.Locations.Length > 0 ? property.Locations[0] : Location.None;
    }

    // The positional argument (name null) or the named argument of an attribute application, else the attribute.
    private static Location ArgumentLocation(AttributeData attribute, string? name, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
        {
            return Location.None;
        }

        foreach (AttributeArgumentSyntax argument in syntax.ArgumentList?.Arguments ?? default)
        {
            bool matches = name is null ? argument.NameEquals is null : argument.NameEquals?.Name.Identifier.ValueText == name;
            if (matches)
            {
                return argument.GetLocation();
            }
        }

        return syntax.GetLocation();
    }
}
