namespace Auth0.Api.Aot.Generators;

/// <summary>
/// The names given with <c>WithTrackingName</c> to each stage of <see cref="AccessTokenClaimsGenerator"/>'s pipeline, so
/// that tests can check every stage is cached after an unrelated edit.
/// </summary>
internal static class TrackingNames
{
    /// <summary><c>ForAttributeWithMetadataName</c> and the transform to a <c>ClaimsTypeSpec</c> (null when invalid).</summary>
    public const string Extraction = "AccessTokenClaims.Extraction";

    /// <summary>The parse options reduced to whether the language version is C# 11 or later (what the generated code needs).</summary>
    public const string LanguageVersion = "AccessTokenClaims.LanguageVersion";

    /// <summary>Invalid types dropped, and every type below C# 11: the analyzers report them.</summary>
    public const string RemovingInvalid = "AccessTokenClaims.RemovingInvalid";

    /// <summary>Each spec turned into its hint name and source text.</summary>
    public const string Emission = "AccessTokenClaims.Emission";
}
