using System;
#if NET9_0_OR_GREATER
using System.Diagnostics.CodeAnalysis;
#endif

namespace Auth0.Api.Aot.Internal;

/// <summary>
/// The <c>Auth0.Api.Aot.HttpFetch</c> feature switch, set by the <c>Auth0ApiAotHttpFetch</c> MSBuild property
/// (build/Auth0.Api.Aot.targets). When it is off, the trimmer and the NativeAOT compiler see a constant
/// <see langword="false"/> and remove every fetch path (discovery, JWKS, token endpoint) with the HTTP stack under it:
/// keys must then come from <see cref="ApiClientOptions.StaticJwks"/> or <see cref="ApiClientOptions.KeySnapshot"/>.
/// </summary>
/// <remarks>
/// On net9.0+ the trimmer reads <c>[FeatureSwitchDefinition]</c>; on net8.0 it reads ILLink.Substitutions.xml, embedded
/// in the assembly. Both need the switch set with <c>Trim="true"</c>, which the targets file does.
/// </remarks>
internal static class HttpFetchFeature
{
    public const string SwitchName = "Auth0.Api.Aot.HttpFetch";

    /// <summary>The build property users set, named in configuration errors.</summary>
    public const string PropertyName = "Auth0ApiAotHttpFetch";

    /// <summary>Whether discovery, JWKS and token endpoint requests may be made (the default).</summary>
#if NET9_0_OR_GREATER
    [FeatureSwitchDefinition(SwitchName)]
#endif
    public static bool IsEnabled { get; } = !AppContext.TryGetSwitch(SwitchName, out bool enabled) || enabled;

    /// <summary>The reason given wherever a fetch would be needed and cannot happen.</summary>
    public const string DisabledReason = "this build cannot fetch keys or tokens (the " + PropertyName + " build property, AppContext switch " + SwitchName + ", is false)";
}
