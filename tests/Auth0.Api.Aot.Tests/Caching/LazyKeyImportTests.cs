using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Auth0.Api.Aot.Internal;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Caching;

/// <summary>
/// JWKS keys are imported when a token first names their kid; the keys up to the first one that imports are imported
/// when the JWKS is loaded, so a set with no usable key is refused as before and a key that fails later gives the
/// refusal it gave when every key was imported up front.
/// </summary>
public sealed class LazyKeyImportTests : FakeClockIssuerTests
{
    private static readonly SigningKey s_third = SigningKey.CreateRsa("THIRD_KEY");

    [Fact]
    public void Only_the_first_usable_key_is_imported_with_the_set_and_another_on_the_first_use_of_its_kid()
    {
        JsonWebKeySet set = Parse(TestKeys.Primary.PublicJwk(), TestKeys.Other.PublicJwk(), TestKeys.Ec.PublicJwk());
        Assert.Equal([true, false, false], set.Keys.Select(k => k.IsImported));

        VerificationKey? other = set.Find("OTHER_KEY"u8, JwsAlgorithm.RS256, out string? reason);

        Assert.NotNull(other);
        Assert.Null(reason);
        Assert.Equal([true, true, false], set.Keys.Select(k => k.IsImported));
        Assert.NotNull(other.Rsa);
    }

    [Fact]
    public void Keys_are_imported_with_the_set_until_one_imports()
    {
        JsonWebKeySet set = Parse(OffCurve("BAD_EC"), TestKeys.Primary.PublicJwk(), TestKeys.Other.PublicJwk());
        Assert.Equal([true, true, false], set.Keys.Select(k => k.IsImported));
        Assert.Null(set.Find("BAD_EC"u8, JwsAlgorithm.ES256, out string? reason));
        Assert.Equal("the EC key is malformed", reason);
    }

    [Fact]
    public void A_set_whose_only_key_fails_to_import_is_refused_with_that_keys_reason()
    {
        KeySourceException e = Assert.Throws<KeySourceException>(() => Parse(new ClaimSet().Set("kty", "oct").Set("k", "c2VjcmV0"), OffCurve("BAD_EC")));
        Assert.Equal("JWKS has no usable key (the key contains private or symmetric key material)", e.Message);
        e = Assert.Throws<KeySourceException>(() => Parse(OffCurve("BAD_EC")));
        Assert.Equal("JWKS has no usable key (the EC key is malformed)", e.Message);
    }

    [Fact]
    public async Task A_later_key_that_fails_to_import_on_first_use_is_refused_as_before()
    {
        H.Issuer.JwksKeys.Add(OffCurve("EC_KEY"));
        using ApiClient client = Client(o => o.AccessTokenAlgorithms = SigningAlgorithms.RS256 | SigningAlgorithms.ES256);
        Assert.Equal("user_123", (await client.VerifyAccessTokenAsync(H.Token())).Subject);

        string token = H.Token(key: TestKeys.Ec);
        VerifyAccessTokenException first = await client.RejectsAsync(token, VerificationFailure.KeyNotFound);
        VerifyAccessTokenException again = await client.RejectsAsync(token, VerificationFailure.KeyNotFound);

        Assert.Equal("No matching key found in JWKS: the EC key is malformed", first.Message);
        Assert.Equal(first.Message, again.Message);
        Assert.Equal("kid", first.Claim);
        Assert.Equal(1, H.Issuer.JwksRequests);
    }

    [Fact]
    public async Task Concurrent_first_uses_import_a_key_once()
    {
        JsonWebKeySet set = Parse(TestKeys.Primary.PublicJwk(), TestKeys.Other.PublicJwk(), s_third.PublicJwk());
        Task<VerificationKey?>[] finds = [.. Enumerable.Range(0, 16).Select(_ => Task.Run(() => set.Find("THIRD_KEY"u8, JwsAlgorithm.RS256, out string? _)))];
        VerificationKey?[] found = await Task.WhenAll(finds);

        Assert.All(found, key => Assert.Same(set.Keys[2], key));
        Assert.Single(found.Select(key => key!.Rsa).Distinct());
        byte[] data = Encoding.ASCII.GetBytes("signing input");
        Assert.True(set.Keys[2].Verify(JwsAlgorithm.RS256, data, s_third.Sign(data, "RS256")));
    }

    private static JsonWebKeySet Parse(params ClaimSet[] keys) =>
        JsonWebKeySet.Parse(Encoding.UTF8.GetBytes("{\"keys\":[" + string.Join(",", keys.Select(k => k.ToJson())) + "]}"));

    // An EC public key whose point is not on P-256: it passes every check of the JWK and fails only at import.
    private static ClaimSet OffCurve(string kid) => TestKeys.Ec.PublicJwk().Set("kid", kid).Set("y", Base64Url(Enumerable.Repeat((byte)1, 32).ToArray()));

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
