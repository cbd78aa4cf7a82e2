using Microsoft.CodeAnalysis;

namespace Auth0.Api.Aot.Generators.Diagnostics;

/// <summary>
/// The diagnostics of the typed-claims analyzers. Each ID is listed in <c>AnalyzerReleases.Unshipped.md</c> and documented
/// under its own heading in <c>docs/typed-claims.md</c>. An error means the generator emits nothing for the type, so the
/// diagnostic is all the user sees.
/// </summary>
internal static class DiagnosticDescriptors
{
    /// <summary>The category of every diagnostic.</summary>
    public const string Category = "Auth0.Api.Aot";

    public const string NotPartialId = GeneratorInfo.DiagnosticPrefix + "001";
    public const string UnsupportedPropertyTypeId = GeneratorInfo.DiagnosticPrefix + "002";
    public const string DuplicateClaimNameId = GeneratorInfo.DiagnosticPrefix + "003";
    public const string InvalidClaimNameId = GeneratorInfo.DiagnosticPrefix + "004";
    public const string UnsupportedTypeShapeId = GeneratorInfo.DiagnosticPrefix + "005";
    public const string PropertyNotSettableId = GeneratorInfo.DiagnosticPrefix + "006";
    public const string SpaceDelimitedIgnoredId = GeneratorInfo.DiagnosticPrefix + "007";
    public const string NoClaimsId = GeneratorInfo.DiagnosticPrefix + "008";
    public const string NoParameterlessConstructorId = GeneratorInfo.DiagnosticPrefix + "009";
    public const string ClaimOutsideClaimsTypeId = GeneratorInfo.DiagnosticPrefix + "010";
    public const string UnsetRequiredMemberId = GeneratorInfo.DiagnosticPrefix + "011";
    public const string ReservedMemberNameId = GeneratorInfo.DiagnosticPrefix + "012";
    public const string LanguageVersionTooLowId = GeneratorInfo.DiagnosticPrefix + "013";

    /// <summary>AUTH0001: "'{0}' must be declared partial so that the claims reader can be generated into it".</summary>
    public static readonly DiagnosticDescriptor NotPartial = Create(
        NotPartialId,
        "[AccessTokenClaims] type must be partial",
        "'{0}' must be declared partial so that the claims reader can be generated into it",
        DiagnosticSeverity.Error,
        "The generator adds TryReadClaims to the type in a second partial declaration, so the type, and every type it is nested in, must be declared partial.");

    /// <summary>
    /// AUTH0002: "Property '{0}' has type '{1}', which [Claim] does not support; {2}", where {2} lists the supported types,
    /// or for <c>DateTime</c> and <c>DateTime?</c> says "use System.DateTimeOffset for NumericDate claims ...".
    /// </summary>
    public static readonly DiagnosticDescriptor UnsupportedPropertyType = Create(
        UnsupportedPropertyTypeId,
        "Unsupported claim property type",
        "Property '{0}' has type '{1}', which [Claim] does not support; {2}",
        DiagnosticSeverity.Error,
        "A [Claim] property must have one of the types the generated reader can fill without reflection. A nullable type makes the claim optional.");

    /// <summary>AUTH0003: "Claim '{0}' is mapped by both '{1}' and '{2}'".</summary>
    public static readonly DiagnosticDescriptor DuplicateClaimName = Create(
        DuplicateClaimNameId,
        "Claim mapped twice",
        "Claim '{0}' is mapped by both '{1}' and '{2}'",
        DiagnosticSeverity.Error,
        "Each claim name (compared ordinally, as JSON member names are) may be mapped by one property only.");

    /// <summary>AUTH0004: "The claim name of property '{0}' {1}".</summary>
    public static readonly DiagnosticDescriptor InvalidClaimName = Create(
        InvalidClaimNameId,
        "Invalid claim name",
        "The claim name of property '{0}' {1}",
        DiagnosticSeverity.Error,
        "A claim name must be a non-empty string that is not only whitespace and that can be encoded as UTF-8 (no unpaired surrogate).");

    /// <summary>AUTH0005: "'{0}' cannot be an [AccessTokenClaims] type because it is {1}".</summary>
    public static readonly DiagnosticDescriptor UnsupportedTypeShape = Create(
        UnsupportedTypeShapeId,
        "Unsupported [AccessTokenClaims] type",
        "'{0}' cannot be an [AccessTokenClaims] type because it is {1}",
        DiagnosticSeverity.Error,
        "An [AccessTokenClaims] type must be a non-generic, non-static, non-abstract, non-file-local class or record class, not nested in a generic type, so that the generated reader can create it.");

    /// <summary>AUTH0006: "Property '{0}' cannot be filled by the claims reader because {1}".</summary>
    public static readonly DiagnosticDescriptor PropertyNotSettable = Create(
        PropertyNotSettableId,
        "Claim property cannot be set",
        "Property '{0}' cannot be filled by the claims reader because {1}",
        DiagnosticSeverity.Error,
        "The generated reader sets [Claim] properties in an object initializer, so each must be an instance property, not an indexer or an explicit interface implementation, with a set or init accessor of any accessibility.");

    /// <summary>AUTH0007: "SpaceDelimited has no effect on property '{0}' of type '{1}'; it applies to string[] claims only".</summary>
    public static readonly DiagnosticDescriptor SpaceDelimitedIgnored = Create(
        SpaceDelimitedIgnoredId,
        "SpaceDelimited has no effect",
        "SpaceDelimited has no effect on property '{0}' of type '{1}'; it applies to string[] claims only",
        DiagnosticSeverity.Warning,
        "SpaceDelimited splits a single string claim into the words of a string[] property; on any other type it is ignored.");

    /// <summary>AUTH0008: "'{0}' has no [Claim] property, so its reader only checks that the payload is a JSON object".</summary>
    public static readonly DiagnosticDescriptor NoClaims = Create(
        NoClaimsId,
        "[AccessTokenClaims] type has no claims",
        "'{0}' has no [Claim] property, so its reader only checks that the payload is a JSON object",
        DiagnosticSeverity.Warning,
        "Only properties of the type itself marked [Claim] are read; inherited properties and unmarked properties are not.");

    /// <summary>AUTH0009: "'{0}' has no constructor that can be called without arguments, ...".</summary>
    public static readonly DiagnosticDescriptor NoParameterlessConstructor = Create(
        NoParameterlessConstructorId,
        "[AccessTokenClaims] type needs a parameterless constructor",
        "'{0}' has no constructor that can be called without arguments, so the claims reader cannot create it; declare the claims as properties instead of primary constructor parameters",
        DiagnosticSeverity.Error,
        "The generated reader creates the type with an object initializer: new T { Claim = value, ... }. A constructor of any accessibility whose parameters are all optional will do.");

    /// <summary>AUTH0010: "[Claim] on property '{0}' has no effect because '{1}' is not marked [AccessTokenClaims]".</summary>
    public static readonly DiagnosticDescriptor ClaimOutsideClaimsType = Create(
        ClaimOutsideClaimsTypeId,
        "[Claim] outside an [AccessTokenClaims] type",
        "[Claim] on property '{0}' has no effect because '{1}' is not marked [AccessTokenClaims]",
        DiagnosticSeverity.Warning,
        "Claims are read only into properties declared by an [AccessTokenClaims] type; [Claim] elsewhere, including on a base class, is ignored.");

    /// <summary>AUTH0011: "'{0}' has the required member '{1}', which is not a [Claim] property of the type, ...".</summary>
    public static readonly DiagnosticDescriptor UnsetRequiredMember = Create(
        UnsetRequiredMemberId,
        "Required member is not a claim",
        "'{0}' has the required member '{1}', which is not a [Claim] property of the type, so the claims reader cannot set it",
        DiagnosticSeverity.Error,
        "The generated object initializer sets [Claim] properties only; any other required member (declared or inherited) would leave it incomplete.");

    /// <summary>AUTH0012: "'{0}' declares a member named 'TryReadClaims', which the claims reader needs".</summary>
    public static readonly DiagnosticDescriptor ReservedMemberName = Create(
        ReservedMemberNameId,
        "Member name reserved for the claims reader",
        "'{0}' declares a member named 'TryReadClaims', which the generated claims reader needs",
        DiagnosticSeverity.Error,
        "The generator adds the static method TryReadClaims (IAccessTokenClaims<T>) to the type; a member of the same name would clash with it.");

    /// <summary>AUTH0013: "Typed claims need C# 11 or later (the claims reader of '{0}' ...), but this project uses C# {1}; ...".</summary>
    public static readonly DiagnosticDescriptor LanguageVersionTooLow = Create(
        LanguageVersionTooLowId,
        "Typed claims need C# 11 or later",
        "Typed claims need C# 11 or later (the claims reader of '{0}' implements a static abstract interface member), but this project uses C# {1}; set LangVersion to 11 or later",
        DiagnosticSeverity.Error,
        "The generated reader implements IAccessTokenClaims<T>.TryReadClaims, a static abstract interface member, and matches claim names with UTF-8 string literals: both need C# 11. Below it the generator emits nothing for the type.");

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity, string description) => new(
        id,
        title,
        message,
        Category,
        severity,
        isEnabledByDefault: true,
        description: description,
        helpLinkUri: "https://github.com/auth0-api-aot/auth0-api-aot/blob/main/docs/typed-claims.md#" + id.ToLowerInvariant());
}
