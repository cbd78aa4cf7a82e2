using System;
using System.Linq;
using System.Threading.Tasks;
using Auth0.Api.Aot.Internal;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Verification;

/// <summary>The recent-header and recent-issuer slots: shortcuts that never change an outcome and that forgeries cannot touch.</summary>
public sealed class HeaderMemoTests
{
    [Fact]
    public async Task Only_verified_tokens_record_headers_and_issuers_and_forgeries_cannot_replace_them()
    {
        await using Harness h = await Harness.StartAsync();
        using ApiClient client = h.Client();
        Assert.All(client.Verifier.Headers, Assert.Null);

        string valid = h.Token();
        await client.VerifyAccessTokenAsync(valid);
        await client.VerifyAccessTokenAsync(valid);
        HeaderMemo memo = Assert.Single(client.Verifier.Headers.OfType<HeaderMemo>());
        Assert.Equal(valid[..valid.IndexOf('.', StringComparison.Ordinal)], memo.Segment);
        Assert.Equal(1, client.Verifier.RecentIssuers);

        SigningKey attacker = SigningKey.CreateRsa("attacker");
        for (int i = 0; i < 10; i++)
        {
            string forgedNewHeader = attacker.SignCompact(LocalIssuer.StandardHeader(attacker).Set("kid", "TEST_KEY").Set("x", i).ToJson(), h.Issuer.StandardPayload(Harness.Audience).ToJson());
            await client.RejectsAsync(forgedNewHeader, VerificationFailure.SignatureInvalid);
        }

        string forgedSameHeader = attacker.SignCompact(LocalIssuer.StandardHeader(TestKeys.Primary).ToJson(), h.Issuer.StandardPayload(Harness.Audience).ToJson());
        await client.RejectsAsync(forgedSameHeader, VerificationFailure.SignatureInvalid);
        Assert.Same(memo, Assert.Single(client.Verifier.Headers.OfType<HeaderMemo>()));
        Assert.Equal(1, client.Verifier.RecentIssuers);

        AccessTokenClaims again = await client.VerifyAccessTokenAsync(h.Token((_, p) => p.Set("sub", "second")));
        Assert.Equal("second", again.Subject);
    }

    [Fact]
    public async Task Two_kids_alive_during_a_rotation_both_stay_remembered()
    {
        await using Harness h = await Harness.StartAsync();
        h.Issuer.JwksKeys.Add(TestKeys.Other.PublicJwk());
        using ApiClient client = h.Client();
        for (int i = 0; i < 3; i++)
        {
            await client.VerifyAccessTokenAsync(h.Token());
            await client.VerifyAccessTokenAsync(h.Token(key: TestKeys.Other));
        }

        Assert.Equal(2, client.Verifier.Headers.OfType<HeaderMemo>().Count());
        Assert.Equal(["OTHER_KEY", "TEST_KEY"], client.Verifier.Headers.OfType<HeaderMemo>().Select(m => System.Text.Encoding.UTF8.GetString(m.Kid)).Order());
    }
}
