using System;
using System.Diagnostics;

namespace Auth0.Api.Aot;

/// <summary>
/// Marks a <see langword="partial"/> class (or record class) as a typed view of an access token's payload. The
/// Auth0.Api.Aot source generator implements <see cref="IAccessTokenClaims{TSelf}"/> for it: a reader that fills every
/// property marked with <see cref="ClaimAttribute"/> in one pass over the verified payload, checking presence and JSON
/// type, with no reflection and no serializer metadata.
/// </summary>
/// <example>
/// <code>
/// [AccessTokenClaims]
/// public sealed partial class OrderClaims
/// {
///     [Claim("sub")] public required string Subject { get; init; }
///     [Claim("scope", SpaceDelimited = true)] public required string[] Scopes { get; init; }
///     [Claim("https://example.com/tenant")] public string? Tenant { get; init; }
/// }
/// </code>
/// </example>
// Read from source by the generator and its analyzers; not kept in compiled assemblies (no runtime reflection needs it).
[Conditional("AUTH0_API_AOT_KEEP_CLAIMS_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class AccessTokenClaimsAttribute : Attribute
{
}
