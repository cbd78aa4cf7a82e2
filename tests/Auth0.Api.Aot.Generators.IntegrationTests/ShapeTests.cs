using System;
using System.Text.Json;
using Auth0.Api.Aot;
using Auth0.Api.Aot.Generators.IntegrationTests.Claims;
using static Auth0.Api.Aot.Generators.IntegrationTests.ClaimsReading;

namespace Auth0.Api.Aot.Generators.IntegrationTests;

/// <summary>Every shape of claims type reads a well-formed payload completely.</summary>
public sealed class ShapeTests
{
    [Fact]
    public void Auth0_access_token_payload_reads_every_claim()
    {
        OrderClaims claims = Read<OrderClaims>("""
            {
              "iss": "https://tenant.example.com/",
              "sub": "auth0|123",
              "aud": ["https://api.example.com", "https://tenant.example.com/userinfo"],
              "iat": 1700000000,
              "exp": 1700003600,
              "scope": "openid  profile read:orders",
              "azp": "client",
              "permissions": ["read:orders", "write:orders"],
              "https://example.com/roles": ["admin"],
              "https://example.com/tenant": "acme"
            }
            """);

        Assert.Equal("auth0|123", claims.Subject);
        Assert.Equal(["https://api.example.com", "https://tenant.example.com/userinfo"], claims.Audiences);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700003600), claims.Expires);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), claims.IssuedAt);
        Assert.Equal(["openid", "profile", "read:orders"], claims.Scopes!);
        Assert.Equal(["read:orders", "write:orders"], claims.Permissions!);
        Assert.Equal(["admin"], claims.Roles!);
        Assert.Equal("acme", claims.Tenant);
    }

    [Fact]
    public void Audience_as_a_single_string_is_one_element_and_is_not_split()
    {
        OrderClaims claims = Read<OrderClaims>("""{"sub":"s","aud":"https://api.example.com two","exp":0}""");
        Assert.Equal(["https://api.example.com two"], claims.Audiences);
        Assert.Null(claims.Scopes!);
        Assert.Null(claims.IssuedAt);
        Assert.Equal(DateTimeOffset.UnixEpoch, claims.Expires);
    }

    [Fact]
    public void Space_delimited_scope_drops_empty_words_and_accepts_an_array()
    {
        Assert.Equal(["a", "b"], Read<OrderClaims>("""{"sub":"s","aud":[],"exp":0,"scope":"  a   b "}""").Scopes!);
        Assert.Empty(Read<OrderClaims>("""{"sub":"s","aud":[],"exp":0,"scope":""}""").Scopes!);
        Assert.Equal(["a b", "c"], Read<OrderClaims>("""{"sub":"s","aud":[],"exp":0,"scope":["a b","c"]}""").Scopes!);
    }

    [Fact]
    public void Every_required_kind_reads()
    {
        RequiredClaims claims = Read<RequiredClaims>(RequiredClaims.Complete);
        Assert.Equal("s", claims.Text);
        Assert.True(claims.Flag);
        Assert.Equal(-7, claims.Int32);
        Assert.Equal(9007199254740993L, claims.Int64);
        Assert.Equal(1.5, claims.Double);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), claims.Date);
        Assert.Equal(["a", "b"], claims.List);
        Assert.Equal(JsonValueKind.Object, claims.Any.ValueKind);
        Assert.Equal(2, claims.Any.GetProperty("k")[1].GetInt32());
    }

    [Fact]
    public void Every_optional_kind_reads_when_present()
    {
        OptionalClaims claims = Read<OptionalClaims>(RequiredClaims.Complete);
        Assert.Equal("s", claims.Text);
        Assert.True(claims.Flag);
        Assert.Equal(-7, claims.Int32);
        Assert.Equal(9007199254740993L, claims.Int64);
        Assert.Equal(1.5, claims.Double);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), claims.Date);
        Assert.Equal(["a", "b"], claims.List!);
        Assert.Equal(JsonValueKind.Object, claims.Any!.Value.ValueKind);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"str":null,"flag":null,"i32":null,"i64":null,"dbl":null,"date":null,"list":null,"any":null}""")]
    public void Every_optional_kind_is_null_when_absent_or_null(string json)
    {
        OptionalClaims claims = Read<OptionalClaims>(json);
        Assert.Null(claims.Text);
        Assert.Null(claims.Flag);
        Assert.Null(claims.Int32);
        Assert.Null(claims.Int64);
        Assert.Null(claims.Double);
        Assert.Null(claims.Date);
        Assert.Null(claims.List);
        Assert.Null(claims.Any);
    }

    [Fact]
    public void Json_element_is_a_copy_independent_of_the_payload()
    {
        byte[] payload = System.Text.Encoding.UTF8.GetBytes("""{"any":{"name":"value"}}""");
        Assert.True(TryRead(payload, out OptionalClaims? claims, out _));
        Array.Clear(payload);
        Assert.Equal("value", claims.Any!.Value.GetProperty("name").GetString());
    }

    [Fact]
    public void Json_element_accepts_any_value()
    {
        Assert.Equal(JsonValueKind.Array, Read<OptionalClaims>("""{"any":[1,"x",null]}""").Any!.Value.ValueKind);
        Assert.Equal(JsonValueKind.String, Read<OptionalClaims>("""{"any":"x"}""").Any!.Value.ValueKind);
        Assert.Equal(JsonValueKind.False, Read<OptionalClaims>("""{"any":false}""").Any!.Value.ValueKind);
        Assert.Equal(12.5m, Read<OptionalClaims>("""{"any":12.5}""").Any!.Value.GetDecimal());
    }

    [Fact]
    public void Record_reads()
    {
        RecordClaims claims = Read<RecordClaims>("""{"sub":"s","azp":"client"}""");
        Assert.Equal(new RecordClaims { Subject = "s", AuthorizedParty = "client" }, claims);
    }

    [Fact]
    public void Global_namespace_record_reads()
    {
        Assert.Equal("s", Read<GlobalClaims>("""{"sub":"s"}""").Subject);
    }

    [Fact]
    public void Nested_type_reads()
    {
        Assert.Equal("s", Read<ClaimsContainer.Inner.NestedClaims>("""{"sub":"s"}""").Subject);

        // Not nullable, so required, even with an initializer.
        Assert.Equal(VerificationFailure.ClaimMissing, Fail<ClaimsContainer.Inner.NestedClaims>("{}").Failure);
    }

    [Fact]
    public void Every_accessor_kind_is_filled_and_unmapped_properties_keep_their_initializers()
    {
        AccessorClaims claims = Read<AccessorClaims>("""
            {"a":"1","b":"2","c":"3","d":"4","e":"5","f":"6","payload":"7","claims":"8","error":"9","__reader":"10"}
            """);
        Assert.Equal("1", claims.PublicSet);
        Assert.Equal("2", claims.PrivateSet);
        Assert.Equal("3", claims.Init);
        Assert.Equal("4", claims.RequiredInit);
        Assert.Equal("5", claims.ProtectedInit);
#pragma warning disable CS0618 // Reading the obsolete claim property is the point.
        Assert.Equal("6", claims.Obsolete);
#pragma warning restore CS0618
        Assert.Equal("7", claims.payload);
        Assert.Equal("8", claims.claims);
        Assert.Equal("9", claims.error);
        Assert.Equal("10", claims.__reader);
        Assert.Equal("default", claims.NotAClaim);
    }

    [Fact]
    public void Undeclared_members_of_every_json_type_are_skipped()
    {
        RecordClaims claims = Read<RecordClaims>("""
            {"o":{"sub":"inner","a":[{"b":[[]]}]},"sub":"outer","n":null,"t":true,"x":1e300,"s":"\u0073","arr":[{"sub":1}]}
            """);
        Assert.Equal("outer", claims.Subject);
    }

    [Fact]
    public void Whitespace_around_the_object_is_allowed()
    {
        Assert.Equal("s", Read<GlobalClaims>(" \r\n\t{ \"sub\" : \"s\" } \n").Subject);
    }
}
