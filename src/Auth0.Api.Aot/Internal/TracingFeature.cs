using System;
#if NET9_0_OR_GREATER
using System.Diagnostics.CodeAnalysis;
#endif

namespace Auth0.Api.Aot.Internal;

/// <summary>
/// The <c>Auth0.Api.Aot.Tracing</c> feature switch, set by the <c>Auth0ApiAotTracing</c> MSBuild property
/// (build/Auth0.Api.Aot.targets). When it is off, the library starts no span (no verification, fetch or token-exchange
/// <see cref="System.Diagnostics.Activity"/>), and the trimmer and the NativeAOT compiler see a constant
/// <see langword="false"/> and leave the <c>Activity</c> machinery out of the binary. Its metrics are unchanged.
/// </summary>
/// <remarks>
/// Unset, the property follows <c>Auth0ApiAotHttpFetch</c> (the targets file sets it to false with it), so a build
/// without HTTP has no spans unless it sets <c>Auth0ApiAotTracing=true</c>; an application that sets neither has spans.
/// Without the targets file (the switch set some other way, or not at all), the switch defaults the same way at run
/// time. On net9.0+ the trimmer reads <c>[FeatureSwitchDefinition]</c>; on net8.0 it reads ILLink.Substitutions.xml.
/// </remarks>
internal static class TracingFeature
{
    public const string SwitchName = "Auth0.Api.Aot.Tracing";

    /// <summary>The build property users set.</summary>
    public const string PropertyName = "Auth0ApiAotTracing";

    /// <summary>Whether the library may start spans (the default, except in a build without HTTP fetching).</summary>
#if NET9_0_OR_GREATER
    [FeatureSwitchDefinition(SwitchName)]
#endif
    public static bool IsEnabled { get; } = AppContext.TryGetSwitch(SwitchName, out bool enabled) ? enabled : HttpFetchFeature.IsEnabled;
}
