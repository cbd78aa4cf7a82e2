using System;
using Auth0.Api.Aot;

namespace Auth0.Api.Aot.Generators.IntegrationTests.Claims
{
    /// <summary>A record class with required init properties.</summary>
    [AccessTokenClaims]
    public sealed partial record RecordClaims
    {
        [Claim("sub")] public required string Subject { get; init; }
        [Claim("azp")] public string? AuthorizedParty { get; init; }
    }

    /// <summary>A claims type nested in a static class and a struct.</summary>
    public static partial class ClaimsContainer
    {
        public partial struct Inner
        {
            [AccessTokenClaims]
            public sealed partial class NestedClaims
            {
                [Claim("sub")] public string Subject { get; set; } = "";
            }
        }
    }

    /// <summary>Every kind of accessor the generated initializer can use, and names it must not clash with.</summary>
    [AccessTokenClaims]
    public partial class AccessorClaims
    {
        [Claim("a")] public string? PublicSet { get; set; }
        [Claim("b")] public string? PrivateSet { get; private set; }
        [Claim("c")] public string? Init { get; init; }
        [Claim("d")] public required string RequiredInit { get; init; }
        [Claim("e")] public string? ProtectedInit { get; protected init; }

        [Obsolete("Still filled.")]
        [Claim("f")] public string? Obsolete { get; set; }

        [Claim("payload")] public string? payload { get; set; }
        [Claim("claims")] public string? claims { get; set; }
        [Claim("error")] public string? error { get; set; }
        [Claim("__reader")] public string? __reader { get; set; }

        /// <summary>Not a claim: keeps its initializer.</summary>
        public string NotAClaim { get; set; } = "default";
    }
}

/// <summary>A record in the global namespace.</summary>
[AccessTokenClaims]
public sealed partial record GlobalClaims
{
    [Claim("sub")] public required string Subject { get; init; }
}
