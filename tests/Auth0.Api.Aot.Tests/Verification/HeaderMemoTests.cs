using System.Threading.Tasks;
using Auth0.Api.Aot.Internal;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Verification;

/// <summary>The remembered header of the last verified token: a shortcut that never changes an outcome.</summary>
public sealed class HeaderMemoTests
{
    [Fact]
    public async Task Only_a_verified_token_records_its_header_and_forgeries_cannot_replace_it()
    {
        await using Harness h = await Harness.StartAsync();
        using ApiClient client = h.Client();
        Assert.Null(client.Verifier.Header);

        string valid = h.Token();
        await client.VerifyAccessTokenAsync(valid);
        HeaderMemo memo = Assert.IsType<HeaderMemo>(client.Verifier.Header);
        Assert.Equal(valid[..valid.IndexOf('.', System.StringComparison.Ordinal)], memo.Segment);

        SigningKey attacker = SigningKey.CreateRsa("attacker");
        string forgedNewHeader = attacker.SignCompact(LocalIssuer.StandardHeader(attacker).Set("kid", "TEST_KEY").Set("x", 1).ToJson(), h.Issuer.StandardPayload(Harness.Audience).ToJson());
        await client.RejectsAsync(forgedNewHeader, VerificationFailure.SignatureInvalid);
        Assert.Same(memo, client.Verifier.Header);

        string forgedSameHeader = attacker.SignCompact(LocalIssuer.StandardHeader(TestKeys.Primary).ToJson(), h.Issuer.StandardPayload(Harness.Audience).ToJson());
        await client.RejectsAsync(forgedSameHeader, VerificationFailure.SignatureInvalid);
        Assert.Same(memo, client.Verifier.Header);

        AccessTokenClaims again = await client.VerifyAccessTokenAsync(h.Token((_, p) => p.Set("sub", "second")));
        Assert.Equal("second", again.Subject);
        Assert.Same(memo, client.Verifier.Header);
    }
}
