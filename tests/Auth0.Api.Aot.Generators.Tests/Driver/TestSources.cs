namespace Auth0.Api.Aot.Generators.Tests.Driver;

/// <summary>Valid claims types, shared by the driver, incrementality and model tests.</summary>
internal static class TestSources
{
    /// <summary>Every supported type, required and optional, with every kind of accessor; public and documented.</summary>
    public const string OrderClaims = """
        using System;
        using System.Text.Json;
        using Auth0.Api.Aot;

        namespace Shop.Claims;

        /// <summary>Claims of an order API token.</summary>
        [AccessTokenClaims]
        public sealed partial class OrderClaims
        {
            /// <summary>sub.</summary>
            [Claim("sub")] public required string Subject { get; init; }

            /// <summary>scope.</summary>
            [Claim("scope", SpaceDelimited = true)] public required string[] Scopes { get; init; }

            /// <summary>aud.</summary>
            [Claim("aud")] public string[] Audiences { get; set; } = [];

            /// <summary>exp.</summary>
            [Claim("exp")] public DateTimeOffset Expires { get; private set; }

            /// <summary>iat.</summary>
            [Claim("iat")] public DateTimeOffset? IssuedAt { get; init; }

            /// <summary>email_verified.</summary>
            [Claim("email_verified")] public bool EmailVerified { get; init; }

            /// <summary>seats.</summary>
            [Claim("seats")] public int? Seats { get; init; }

            /// <summary>credits.</summary>
            [Claim("credits")] public long Credits { get; init; }

            /// <summary>score.</summary>
            [Claim("score")] public double? Score { get; init; }

            /// <summary>roles.</summary>
            [Claim("https://example.com/roles")] public string[]? Roles { get; init; }

            /// <summary>tenant.</summary>
            [Claim("https://example.com/tenant")] public string? Tenant { get; init; }

            /// <summary>metadata.</summary>
            [Claim("https://example.com/metadata")] public JsonElement? Metadata { get; init; }

            /// <summary>act.</summary>
            [Claim("act")] public JsonElement Actor { get; init; }

            /// <summary>A property no claim fills.</summary>
            public string Unmapped { get; set; } = "";

            /// <summary>Obsolete, yet still filled.</summary>
            [Obsolete("Use Tenant.")]
            [Claim("org")] public string? Organization { get; init; }

            /// <summary>Names of the generated method's parameters.</summary>
            [Claim("payload")] public string? payload { get; init; }

            /// <summary>A keyword.</summary>
            [Claim("class")] public string? @class { get; init; }

            /// <summary>Lower-case parameter names again.</summary>
            [Claim("claims")] public bool? claims { get; set; }

            /// <summary>And the other.</summary>
            [Claim("error")] public long? error { get; set; }
        }
        """;

    /// <summary>A record in the global namespace, with a keyword-named claim and escapes in claim names.</summary>
    public const string GlobalRecord = """
        using Auth0.Api.Aot;

        [AccessTokenClaims]
        internal sealed partial record GlobalRecordClaims
        {
            [Claim("sub")] public required string Subject { get; init; }
            [Claim("quote\"back\\slash")] public string? Odd { get; init; }
            [Claim("caf\u00e9")] public string? Cafe { get; init; }
        }

        [AccessTokenClaims]
        internal partial record class RecordClassClaims()
        {
            [Claim("sub")] public string Subject { get; init; } = "";
        }
        """;

    /// <summary>Nested in a static class, a struct and a record, each reopened by the generated file.</summary>
    public const string Nested = """
        using Auth0.Api.Aot;

        namespace Shop.Claims
        {
            internal static partial class Outer
            {
                internal partial struct Middle
                {
                    internal partial record Holder
                    {
                        [AccessTokenClaims]
                        internal sealed partial class Inner
                        {
                            [Claim("sub")] public string Subject { get; set; } = "";
                        }
                    }
                }
            }
        }
        """;

    /// <summary>One type in two partial declarations in two files: claims from both, in file order.</summary>
    public const string SplitFirst = """
        using Auth0.Api.Aot;

        namespace Shop.Claims;

        [AccessTokenClaims]
        internal sealed partial class SplitClaims
        {
            [Claim("sub")] public required string Subject { get; init; }
        }
        """;

    public const string SplitSecond = """
        using Auth0.Api.Aot;

        namespace Shop.Claims;

        internal sealed partial class SplitClaims
        {
            [Claim("azp")] public required string AuthorizedParty { get; init; }
        }
        """;

    /// <summary>Two types with the same simple name in different namespaces: distinct hint names.</summary>
    public const string SameNames = """
        using Auth0.Api.Aot;

        namespace First
        {
            [AccessTokenClaims]
            internal sealed partial class Claims
            {
                [Claim("sub")] public string? Subject { get; init; }
            }
        }

        namespace Second
        {
            [AccessTokenClaims]
            internal sealed partial class Claims
            {
                [Claim("sub")] public string? Subject { get; init; }
            }
        }
        """;

    /// <summary>A small type for incrementality tests, with a method whose body the tests edit.</summary>
    public const string Simple = """
        using Auth0.Api.Aot;

        namespace Shop.Claims;

        [AccessTokenClaims]
        internal sealed partial class SimpleClaims
        {
            [Claim("sub")] public required string Subject { get; init; }
            [Claim("scope", SpaceDelimited = true)] public string[]? Scopes { get; init; }

            public int Helper() => 1;
        }
        """;

    public const string Unrelated = """
        namespace Shop.Other;

        internal static class Unrelated
        {
            public static int Compute(int value) => value + 1;
        }
        """;
}
