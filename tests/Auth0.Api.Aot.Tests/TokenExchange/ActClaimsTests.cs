using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.TokenExchange;

/// <summary>
/// The RFC 8693 <c>act</c> helpers: ports of auth0-api-python tests/test_act.py (reference section 11.9), plus the
/// verified-claims overloads on a loopback issuer, JSON null, non-object claims and the error's shape.
/// </summary>
public sealed class ActClaimsTests : IssuerTests
{
    private const string Nested =
        """{"sub":"user_123","act":{"sub":"mcp_server_2_client_id","act":{"sub":"mcp_server_1_client_id","act":{"sub":"spa_client_id"}}}}""";

    private static JsonElement Claims(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static VerifyAccessTokenException AssertInvalidAct(Action action)
    {
        VerifyAccessTokenException e = Assert.Throws<VerifyAccessTokenException>(action);
        Assert.Equal("Invalid act claim", e.Message);
        return e;
    }

    // test_get_current_actor_returns_none_when_act_is_missing
    [Fact]
    public void Missing_act_is_no_actor_and_an_empty_chain()
    {
        JsonElement claims = Claims("""{"sub":"user_123"}""");
        Assert.Null(ActClaims.GetCurrentActor(claims));
        Assert.Empty(ActClaims.GetDelegationChain(claims));
    }

    // test_get_current_actor_and_delegation_chain_from_nested_act
    [Fact]
    public void Nested_act_gives_the_outermost_actor_and_the_chain_newest_first()
    {
        JsonElement claims = Claims(Nested);
        Assert.Equal("mcp_server_2_client_id", ActClaims.GetCurrentActor(claims));
        Assert.Equal(["mcp_server_2_client_id", "mcp_server_1_client_id", "spa_client_id"], ActClaims.GetDelegationChain(claims));
    }

    // test_get_current_actor_rejects_non_object_act_claim
    [Fact]
    public void Current_actor_rejects_a_string_act() =>
        AssertInvalidAct(() => ActClaims.GetCurrentActor(Claims("""{"act":"not-an-object"}""")));

    // test_get_delegation_chain_rejects_non_object_act_claim
    [Fact]
    public void Delegation_chain_rejects_a_number_act() =>
        AssertInvalidAct(() => ActClaims.GetDelegationChain(Claims("""{"act":12345}""")));

    // test_get_current_actor_rejects_blank_actor_subject
    [Fact]
    public void Current_actor_rejects_a_blank_subject() =>
        AssertInvalidAct(() => ActClaims.GetCurrentActor(Claims("""{"act":{"sub":"   "}}""")));

    // test_get_delegation_chain_rejects_invalid_nested_act
    [Fact]
    public void Delegation_chain_rejects_a_string_nested_act()
    {
        JsonElement claims = Claims("""{"act":{"sub":"mcp_server_client_id","act":"spa_client_id"}}""");
        AssertInvalidAct(() => ActClaims.GetDelegationChain(claims));

        // The current actor is the outermost act.sub alone; nested values are not read.
        Assert.Equal("mcp_server_client_id", ActClaims.GetCurrentActor(claims));
    }

    [Theory]
    [InlineData("""{"act":"not-an-object"}""")]
    [InlineData("""{"act":12345}""")]
    [InlineData("""{"act":true}""")]
    [InlineData("""{"act":["a"]}""")]
    [InlineData("""{"act":{}}""")]
    [InlineData("""{"act":{"sub":null}}""")]
    [InlineData("""{"act":{"sub":42}}""")]
    [InlineData("""{"act":{"sub":["a"]}}""")]
    [InlineData("""{"act":{"sub":{"id":"a"}}}""")]
    [InlineData("""{"act":{"sub":""}}""")]
    [InlineData("""{"act":{"sub":"   "}}""")]
    [InlineData("""{"act":{"sub":"\t\r\n\u00a0\u3000"}}""")]
    [InlineData("""{"act":{"sub":"\u001f\u001c"}}""")]
    [InlineData("""{"act":{"sub":"\ud800"}}""")]
    public void An_invalid_outermost_act_fails_both_helpers(string json)
    {
        JsonElement claims = Claims(json);
        AssertInvalidAct(() => ActClaims.GetCurrentActor(claims));
        AssertInvalidAct(() => ActClaims.GetDelegationChain(claims));
    }

    [Theory]
    [InlineData("""{"act":{"sub":"A","act":"B"}}""")]
    [InlineData("""{"act":{"sub":"A","act":7}}""")]
    [InlineData("""{"act":{"sub":"A","act":{}}}""")]
    [InlineData("""{"act":{"sub":"A","act":{"sub":"B","act":{"sub":" "}}}}""")]
    [InlineData("""{"act":{"sub":"A","act":{"sub":false}}}""")]
    public void An_invalid_nested_act_fails_the_chain_only(string json)
    {
        JsonElement claims = Claims(json);
        Assert.Equal("A", ActClaims.GetCurrentActor(claims));
        AssertInvalidAct(() => ActClaims.GetDelegationChain(claims));
    }

    [Fact]
    public void Null_act_is_no_actor_and_an_empty_chain()
    {
        JsonElement claims = Claims("""{"sub":"user_123","act":null}""");
        Assert.Null(ActClaims.GetCurrentActor(claims));
        Assert.Empty(ActClaims.GetDelegationChain(claims));
    }

    [Fact]
    public void A_nested_null_act_ends_the_chain()
    {
        JsonElement claims = Claims("""{"act":{"sub":"A","act":{"sub":"B","act":null}}}""");
        Assert.Equal("A", ActClaims.GetCurrentActor(claims));
        Assert.Equal(["A", "B"], ActClaims.GetDelegationChain(claims));
    }

    [Fact]
    public void Other_members_of_an_actor_are_ignored_and_the_subject_is_not_trimmed()
    {
        JsonElement claims = Claims("""{"act":{"sub":" A ","iss":"https://other.example","act":{"client_id":"x","sub":"B"}}}""");
        Assert.Equal(" A ", ActClaims.GetCurrentActor(claims));
        Assert.Equal([" A ", "B"], ActClaims.GetDelegationChain(claims));
    }

    [Fact]
    public void Escaped_subjects_are_decoded()
    {
        JsonElement claims = Claims("""{"act":{"sub":"caf\u00e9\ud83d\ude00"}}""");
        Assert.Equal("caf\u00e9\U0001F600", ActClaims.GetCurrentActor(claims));
    }

    [Fact]
    public void The_chain_is_read_only()
    {
        IReadOnlyList<string> chain = ActClaims.GetDelegationChain(Claims(Nested));
        IList<string> list = Assert.IsAssignableFrom<IList<string>>(chain);
        Assert.True(list.IsReadOnly);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("""[{"act":{"sub":"A"}}]""")]
    [InlineData("\"claims\"")]
    [InlineData("42")]
    [InlineData("true")]
    public void Claims_that_are_not_an_object_fail(string json)
    {
        JsonElement claims = Claims(json);
        AssertInvalidAct(() => ActClaims.GetCurrentActor(claims));
        AssertInvalidAct(() => ActClaims.GetDelegationChain(claims));
    }

    [Fact]
    public void A_default_element_fails()
    {
        AssertInvalidAct(() => ActClaims.GetCurrentActor(default(JsonElement)));
        AssertInvalidAct(() => ActClaims.GetDelegationChain(default(JsonElement)));
    }

    [Fact]
    public void The_error_is_401_invalid_token_claim_invalid_with_a_bearer_challenge()
    {
        VerifyAccessTokenException e = AssertInvalidAct(() => ActClaims.GetCurrentActor(Claims("""{"act":{"sub":1}}""")));
        Assert.Equal(401, e.StatusCode);
        Assert.Equal("invalid_token", e.ErrorCode);
        Assert.Equal("Invalid act claim", e.ErrorDescription);
        Assert.Equal(VerificationFailure.ClaimInvalid, e.Failure);
        Assert.Equal("act", e.Claim);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"Invalid act claim\"", Assert.Single(e.Headers).Value);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"Invalid act claim\"", e.Headers["WWW-Authenticate"]);

        VerifyAccessTokenException chain = AssertInvalidAct(() => ActClaims.GetDelegationChain(Claims("""{"act":[]}""")));
        Assert.Equal(VerificationFailure.ClaimInvalid, chain.Failure);
        Assert.Equal("act", chain.Claim);
        Assert.Equal(e.Headers["WWW-Authenticate"], chain.Headers["WWW-Authenticate"]);
    }

    [Fact]
    public void Null_verified_claims_are_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>("claims", () => ((AccessTokenClaims)null!).GetCurrentActor());
        Assert.Throws<ArgumentNullException>("claims", () => ((AccessTokenClaims)null!).GetDelegationChain());
    }

    [Fact]
    public async Task Verified_claims_give_the_actor_and_the_chain()
    {
        using ApiClient client = H.Client();
        AccessTokenClaims claims = await client.VerifyAccessTokenAsync(H.Token((_, p) => p.Set(
            "act",
            new ClaimSet().Set("sub", "mcp_server_2_client_id").Set(
                "act",
                new ClaimSet().Set("sub", "mcp_server_1_client_id").Set("act", new ClaimSet().Set("sub", "spa_client_id"))))));

        Assert.Equal("mcp_server_2_client_id", claims.GetCurrentActor());
        Assert.Equal(["mcp_server_2_client_id", "mcp_server_1_client_id", "spa_client_id"], claims.GetDelegationChain());

        // The same answers from the payload as a JSON object.
        using JsonDocument payload = JsonDocument.Parse(claims.PayloadUtf8);
        Assert.Equal("mcp_server_2_client_id", ActClaims.GetCurrentActor(payload.RootElement));
        Assert.Equal(claims.GetDelegationChain(), ActClaims.GetDelegationChain(payload.RootElement));
    }

    [Fact]
    public async Task Verified_claims_without_act_or_with_null_act_have_no_actor()
    {
        using ApiClient client = H.Client();
        AccessTokenClaims without = await client.VerifyAccessTokenAsync(H.Token());
        Assert.Null(without.GetCurrentActor());
        Assert.Empty(without.GetDelegationChain());

        AccessTokenClaims nullAct = await client.VerifyAccessTokenAsync(H.Token((_, p) => p.Set("act", null)));
        Assert.Null(nullAct.GetCurrentActor());
        Assert.Empty(nullAct.GetDelegationChain());
    }

    [Fact]
    public async Task A_verified_token_with_a_malformed_act_fails_only_when_act_is_read()
    {
        using ApiClient client = H.Client();
        AccessTokenClaims stringAct = await client.VerifyAccessTokenAsync(H.Token((_, p) => p.Set("act", "not-an-object")));
        VerifyAccessTokenException e = AssertInvalidAct(() => stringAct.GetCurrentActor());
        Assert.Equal("act", e.Claim);
        AssertInvalidAct(() => stringAct.GetDelegationChain());

        AccessTokenClaims numberSub = await client.VerifyAccessTokenAsync(H.Token((_, p) => p.Set("act", new ClaimSet().Set("sub", 12345))));
        AssertInvalidAct(() => numberSub.GetCurrentActor());
        AssertInvalidAct(() => numberSub.GetDelegationChain());

        AccessTokenClaims badNested = await client.VerifyAccessTokenAsync(H.Token((_, p) => p.Set("act", new ClaimSet().Set("sub", "A").Set("act", "B"))));
        Assert.Equal("A", badNested.GetCurrentActor());
        AssertInvalidAct(() => badNested.GetDelegationChain());
    }
}
