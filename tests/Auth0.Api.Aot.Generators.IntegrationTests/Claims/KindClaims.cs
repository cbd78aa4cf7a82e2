using System;
using System.Text.Json;
using Auth0.Api.Aot;

namespace Auth0.Api.Aot.Generators.IntegrationTests.Claims;

/// <summary>One required claim of every supported type, in this declaration order.</summary>
[AccessTokenClaims]
public sealed partial class RequiredClaims
{
    public const string Complete = """
        {"str":"s","flag":true,"i32":-7,"i64":9007199254740993,"dbl":1.5,"date":1700000000,"list":["a","b"],"any":{"k":[1,2]}}
        """;

    [Claim("str")] public required string Text { get; init; }
    [Claim("flag")] public required bool Flag { get; init; }
    [Claim("i32")] public required int Int32 { get; init; }
    [Claim("i64")] public required long Int64 { get; init; }
    [Claim("dbl")] public required double Double { get; init; }
    [Claim("date")] public required DateTimeOffset Date { get; init; }
    [Claim("list")] public required string[] List { get; init; }
    [Claim("any")] public required JsonElement Any { get; init; }
}

/// <summary>One optional claim of every supported type.</summary>
[AccessTokenClaims]
public sealed partial class OptionalClaims
{
    [Claim("str")] public string? Text { get; set; }
    [Claim("flag")] public bool? Flag { get; set; }
    [Claim("i32")] public int? Int32 { get; set; }
    [Claim("i64")] public long? Int64 { get; set; }
    [Claim("dbl")] public double? Double { get; set; }
    [Claim("date")] public DateTimeOffset? Date { get; set; }
    [Claim("list")] public string[]? List { get; set; }
    [Claim("any")] public JsonElement? Any { get; set; }
}
