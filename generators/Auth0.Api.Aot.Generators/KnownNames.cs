namespace Auth0.Api.Aot.Generators;

/// <summary>Metadata names of the runtime types the generator and the analyzers recognise.</summary>
internal static class KnownNames
{
    /// <summary>The namespace of the runtime contract.</summary>
    public const string RuntimeNamespace = "Auth0.Api.Aot";

    /// <summary>The marker on claims types; the generator's <c>ForAttributeWithMetadataName</c> key.</summary>
    public const string AccessTokenClaimsAttribute = "Auth0.Api.Aot.AccessTokenClaimsAttribute";

    /// <summary>The simple name of <see cref="AccessTokenClaimsAttribute"/>.</summary>
    public const string AccessTokenClaimsAttributeName = "AccessTokenClaimsAttribute";

    /// <summary>The simple name of <c>Auth0.Api.Aot.ClaimAttribute</c>.</summary>
    public const string ClaimAttributeName = "ClaimAttribute";

    /// <summary>The named argument of <c>ClaimAttribute</c> that splits a single string claim on spaces.</summary>
    public const string SpaceDelimited = "SpaceDelimited";

    /// <summary><c>System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute</c>'s simple name.</summary>
    public const string SetsRequiredMembersAttributeName = "SetsRequiredMembersAttribute";

    /// <summary>The static method the generator adds (IAccessTokenClaims&lt;T&gt;.TryReadClaims).</summary>
    public const string TryReadClaimsMethodName = "TryReadClaims";
}
