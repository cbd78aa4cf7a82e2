using System;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Auth0.Api.Aot;
using Auth0.Api.Aot.Generators.IntegrationTests.Claims;
using static Auth0.Api.Aot.Generators.IntegrationTests.ClaimsReading;

namespace Auth0.Api.Aot.Generators.IntegrationTests;

/// <summary>
/// Every way a payload can fail to fill a claims type gives an error value with a stable kind, never an exception:
/// missing required claims (the first in declaration order), mistyped claims, JSON null, repeated claims, and payloads
/// that are not a single JSON object.
/// </summary>
public sealed class FailureTests
{
    // RequiredClaims' claims in declaration order.
    private static readonly string[] s_requiredNames = ["str", "flag", "i32", "i64", "dbl", "date", "list", "any"];

    public static TheoryData<string> RequiredNames => new(s_requiredNames);

    [Theory]
    [MemberData(nameof(RequiredNames))]
    public void Each_missing_required_claim_is_reported(string name)
    {
        ClaimError error = Fail<RequiredClaims>(Without(RequiredClaims.Complete, name));
        AssertError(error, VerificationFailure.ClaimMissing, name, "Missing required claim: " + name);
    }

    [Theory]
    [MemberData(nameof(RequiredNames))]
    public void The_first_missing_claim_in_declaration_order_is_reported(string name)
    {
        // Remove this claim and every one declared after it, and list the rest in reverse: the payload's order is irrelevant.
        string[] removed = s_requiredNames.SkipWhile(n => n != name).ToArray();
        JsonObject payload = JsonNode.Parse(Without(RequiredClaims.Complete, removed))!.AsObject();
        JsonObject reversed = [];
        foreach (string key in payload.Select(p => p.Key).Reverse().ToArray())
        {
            JsonNode? value = payload[key];
            payload.Remove(key);
            reversed[key] = value;
        }

        ClaimError error = Fail<RequiredClaims>(reversed.ToJsonString());
        AssertError(error, VerificationFailure.ClaimMissing, name, "Missing required claim: " + name);
    }

    [Fact]
    public void Empty_object_reports_the_first_declared_claim()
    {
        AssertError(Fail<RequiredClaims>("{}"), VerificationFailure.ClaimMissing, "str", "Missing required claim: str");
        AssertError(Fail<OrderClaims>("{}"), VerificationFailure.ClaimMissing, "sub", "Missing required claim: sub");
    }

    [Theory]
    [InlineData("str", "1", "a string")]
    [InlineData("str", "[\"s\"]", "a string")]
    [InlineData("str", "\"\\ud800\"", "a string")]
    [InlineData("str", "\"\\udc00x\"", "a string")]
    [InlineData("flag", "\"true\"", "true or false")]
    [InlineData("flag", "1", "true or false")]
    [InlineData("i32", "2147483648", "a 32-bit integer")]
    [InlineData("i32", "-2147483649", "a 32-bit integer")]
    [InlineData("i32", "1.5", "a 32-bit integer")]
    [InlineData("i32", "1e3", "a 32-bit integer")]
    [InlineData("i32", "\"1\"", "a 32-bit integer")]
    [InlineData("i64", "9223372036854775808", "an integer")]
    [InlineData("i64", "1.0", "an integer")]
    [InlineData("i64", "true", "an integer")]
    [InlineData("dbl", "\"1.5\"", "a number")]
    [InlineData("dbl", "1e400", "a number")]
    [InlineData("date", "1.5", "a NumericDate (integer seconds)")]
    [InlineData("date", "253402300800", "a NumericDate (integer seconds)")]
    [InlineData("date", "-62135596801", "a NumericDate (integer seconds)")]
    [InlineData("date", "\"2024-01-01T00:00:00Z\"", "a NumericDate (integer seconds)")]
    [InlineData("list", "[\"a\",1]", "a string or an array of strings")]
    [InlineData("list", "[[\"a\"]]", "a string or an array of strings")]
    [InlineData("list", "[\"a\",\"\\ud800\"]", "a string or an array of strings")]
    [InlineData("list", "{\"a\":\"b\"}", "a string or an array of strings")]
    [InlineData("list", "[\"a\",null]", "a string or an array of strings")]
    public void Mistyped_claim_is_invalid(string name, string value, string expected)
    {
        string json = With(RequiredClaims.Complete, name, value);
        AssertError(Fail<RequiredClaims>(json), VerificationFailure.ClaimInvalid, name, "Invalid '" + name + "' claim: must be " + expected);

        // The same value is just as wrong for the optional form.
        AssertError(Fail<OptionalClaims>(json), VerificationFailure.ClaimInvalid, name, "Invalid '" + name + "' claim: must be " + expected);
    }

    [Fact]
    public void NumericDate_bounds_are_inclusive()
    {
        Assert.Equal(DateTimeOffset.MaxValue.AddTicks(-9_999_999), Read<OptionalClaims>("""{"date":253402300799}""").Date);
        Assert.Equal(DateTimeOffset.MinValue, Read<OptionalClaims>("""{"date":-62135596800}""").Date);
        Assert.Equal(int.MinValue, Read<OptionalClaims>("""{"i32":-2147483648}""").Int32);
        Assert.Equal(long.MaxValue, Read<OptionalClaims>("""{"i64":9223372036854775807}""").Int64);
    }

    [Theory]
    [MemberData(nameof(RequiredNames))]
    public void Null_for_a_required_claim_is_invalid(string name)
    {
        ClaimError error = Fail<RequiredClaims>(With(RequiredClaims.Complete, name, "null"));
        Assert.Equal(VerificationFailure.ClaimInvalid, error.Failure);
        Assert.Equal(name, error.Claim);
        Assert.StartsWith("Invalid '" + name + "' claim: must be ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RequiredNames))]
    public void Null_for_an_optional_claim_is_absent(string name)
    {
        Assert.True(TryRead(Encoding.UTF8.GetBytes(With(RequiredClaims.Complete, name, "null")), out OptionalClaims? claims, out _));
        Assert.Equal(s_requiredNames.Length - 1, typeof(OptionalClaims).GetProperties().Count(p => p.GetValue(claims) is not null));
    }

    [Fact]
    public void Escaped_member_names_match_their_claims()
    {
        OrderClaims claims = Read<OrderClaims>("""
            {"\u0073ub":"s","\u0061\u0075\u0064":"api","exp":0,"https:\/\/example.com\/roles":["a"],"https:\u002F\u002Fexample.com\u002Ftenant":"t"}
            """);
        Assert.Equal("s", claims.Subject);
        Assert.Equal(["api"], claims.Audiences);
        Assert.Equal(["a"], claims.Roles!);
        Assert.Equal("t", claims.Tenant);
    }

    [Theory]
    [InlineData("""{"sub":"a","sub":"b"}""", "sub")]
    [InlineData("""{"sub":"a","\u0073ub":"a"}""", "sub")]
    [InlineData("""{"azp":null,"sub":"a","azp":"x"}""", "azp")]
    [InlineData("""{"sub":"a","azp":"x","azp":1}""", "azp")]
    public void Repeated_declared_claim_is_a_malformed_payload(string json, string name)
    {
        AssertError(Fail<RecordClaims>(json), VerificationFailure.MalformedToken, name, "Failed to parse token payload: duplicate claim '" + name + "'");
    }

    [Fact]
    public void Repeated_undeclared_members_are_ignored()
    {
        Assert.Equal("s", Read<RecordClaims>("""{"x":1,"sub":"s","x":"two","x":{"y":[]}}""").Subject);
    }

    [Fact]
    public void Very_large_array_claim_reads()
    {
        string[] permissions = Enumerable.Range(0, 100_000).Select(i => "permission:" + i).ToArray();
        string json = """{"sub":"s","aud":"a","exp":0,"permissions":[""" + string.Join(",", permissions.Select(p => "\"" + p + "\"")) + "]}";
        Assert.Equal(permissions, Read<OrderClaims>(json).Permissions!);
    }

    [Fact]
    public void Lone_surrogate_in_an_undeclared_member_name_is_malformed_not_an_exception()
    {
        AssertNotAnObject(Fail<GlobalClaims>("""{"\ud800":1,"sub":"s"}"""));
        AssertNotAnObject(Fail<GlobalClaims>("""{"sub":"s","\udfff\ud800":1}"""));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("[]")]
    [InlineData("[{\"sub\":\"s\"}]")]
    [InlineData("\"x\"")]
    [InlineData("null")]
    [InlineData("1")]
    [InlineData("{")]
    [InlineData("{\"sub\":")]
    [InlineData("{\"sub\":\"s\"")]
    [InlineData("{\"sub\":\"s\",}")]
    [InlineData("{\"sub\":\"s\"} x")]
    [InlineData("{\"sub\":\"s\"}{}")]
    [InlineData("{'sub':'s'}")]
    [InlineData("{\"sub\":\"s\" /* comment */}")]
    public void Payload_that_is_not_one_json_object_is_an_error_not_an_exception(string json)
    {
        AssertNotAnObject(Fail<GlobalClaims>(json));
    }

    [Fact]
    public void Invalid_utf8_in_a_claim_value_is_invalid_not_an_exception()
    {
        byte[] payload = [.. "{\"sub\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        AssertError(Fail<GlobalClaims>(payload), VerificationFailure.ClaimInvalid, "sub", "Invalid 'sub' claim: must be a string");
    }

    [Fact]
    public void Invalid_utf8_in_an_undeclared_member_name_is_skipped_like_the_member()
    {
        // Utf8JsonReader does not validate a name that is never decoded; the member is skipped as unknown.
        byte[] payload = [.. "{\""u8, 0xFF, .. "\":1,\"sub\":\"s\"}"u8];
        Assert.True(TryRead(payload, out GlobalClaims? claims, out _));
        Assert.Equal("s", claims.Subject);
    }

    [Fact]
    public void Nesting_deeper_than_the_reader_allows_is_an_error_not_an_exception()
    {
        string deep = new string('[', 200) + new string(']', 200);
        AssertNotAnObject(Fail<GlobalClaims>("""{"sub":"s","deep":""" + deep + "}"));
    }

    private static void AssertNotAnObject(ClaimError error) =>
        AssertError(error, VerificationFailure.MalformedToken, null, "Failed to parse token payload: the payload is not a single valid JSON object");

    private static void AssertError(ClaimError error, VerificationFailure failure, string? claim, string message)
    {
        Assert.Equal(failure, error.Failure);
        Assert.Equal(claim, error.Claim);
        Assert.Equal(message, error.Message);
    }

    private static string Without(string json, params string[] names)
    {
        JsonObject payload = JsonNode.Parse(json)!.AsObject();
        foreach (string name in names)
        {
            Assert.True(payload.Remove(name), name);
        }

        return payload.ToJsonString();
    }

    // Replaces one member's value with raw JSON text, keeping the member's position (so duplicate checks are not involved).
    private static string With(string json, string name, string rawValue)
    {
        JsonObject payload = JsonNode.Parse(json)!.AsObject();
        Assert.True(payload.ContainsKey(name), name);
        StringBuilder builder = new("{");
        foreach ((string key, JsonNode? value) in payload)
        {
            builder.Append(builder.Length > 1 ? "," : string.Empty).Append('"').Append(key).Append("\":");
            builder.Append(key == name ? rawValue : value!.ToJsonString());
        }

        return builder.Append('}').ToString();
    }
}
