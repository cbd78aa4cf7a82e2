using System;
using System.Diagnostics;

namespace Auth0.Api.Aot;

/// <summary>
/// Maps a property of an <see cref="AccessTokenClaimsAttribute"/> type to a top-level claim of the payload.
/// </summary>
/// <remarks>
/// <para>A claim is required when the property's type is not nullable (<c>string</c>, <c>long</c>, <c>string[]</c>...)
/// and optional when it is (<c>string?</c>, <c>long?</c>, <c>string[]?</c>...): a missing required claim fails the
/// verification with <c>Missing required claim: {name}</c>; a missing or <c>null</c> optional claim leaves the property
/// <see langword="null"/>.</para>
/// <para>Supported property types and the JSON they accept: <c>string</c> (a string); <c>bool</c> (true or false);
/// <c>int</c> and <c>long</c> (an integer in range); <c>double</c> (any number); <c>DateTimeOffset</c> (a NumericDate: an
/// integer count of seconds since the epoch); <c>string[]</c> (an array of strings, or a single string: one element, or
/// with <see cref="SpaceDelimited"/> the string's space-separated words); <c>System.Text.Json.JsonElement</c> (any value,
/// unchecked). A value of another JSON type fails the verification as <see cref="VerificationFailure.ClaimInvalid"/>.</para>
/// </remarks>
// Read from source by the generator and its analyzers; not kept in compiled assemblies (no runtime reflection needs it).
[Conditional("AUTH0_API_AOT_KEEP_CLAIMS_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class ClaimAttribute : Attribute
{
    /// <summary>Maps the property to the claim <paramref name="name"/>.</summary>
    /// <param name="name">The claim's name as it appears in the payload, e.g. <c>sub</c> or <c>https://example.com/roles</c>.</param>
    public ClaimAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The claim's name in the payload.</summary>
    public string Name { get; }

    /// <summary>
    /// For a <c>string[]</c> property: a claim that is a single string is split on spaces (as <c>scope</c> is, RFC 8693
    /// section 4.2), empty words dropped. Without it a single string is a one-element array (as <c>aud</c> may be).
    /// </summary>
    public bool SpaceDelimited { get; set; }
}
