namespace Auth0.Api.Aot.Generators.Model;

/// <summary>One <c>[Claim]</c> property of a claims type, as the emitter needs it.</summary>
/// <param name="PropertyName">The property's identifier, escaped with <c>@</c> when it is a keyword.</param>
/// <param name="ClaimName">The claim's name in the payload, unescaped (any string; the emitter writes it as a literal).</param>
/// <param name="Kind">How the value is read.</param>
/// <param name="IsOptional">The property's type is nullable: the claim may be absent or <c>null</c>.</param>
/// <param name="SpaceDelimited">For <see cref="ClaimKind.StringArray"/>: a single string is split on spaces. Always
/// <see langword="false"/> for other kinds, so a meaningless flag never makes two specs unequal.</param>
/// <remarks>Part of <see cref="ClaimsTypeSpec"/>, and bound by its cacheability contract.</remarks>
internal readonly record struct ClaimPropertySpec(
    string PropertyName,
    string ClaimName,
    ClaimKind Kind,
    bool IsOptional,
    bool SpaceDelimited);
