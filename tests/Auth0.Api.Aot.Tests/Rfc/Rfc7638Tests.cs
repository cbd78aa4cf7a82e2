using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Tests.Rfc;

/// <summary>RFC 7638 thumbprints (EC, RSA, OKP) and the DPoP ath hash, against published vectors.</summary>
public sealed class Rfc7638Tests
{
    [Fact]
    public void Rfc7638_section_3_1_rsa_example()
    {
        JsonWebKeyDto jwk = new()
        {
            Kty = "RSA",
            N = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            E = "AQAB",
            Alg = "RS256",
            Kid = "2011-04-29",
        };
        Assert.True(JwkThumbprint.TryCompute(jwk, out string? thumbprint, out _));
        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", thumbprint);
    }

    [Fact]
    public void Rfc9449_example_proof_key_gives_the_published_jkt()
    {
        JsonWebKeyDto jwk = new() { Kty = "EC", X = "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs", Y = "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA", Crv = "P-256" };
        Assert.True(JwkThumbprint.TryCompute(jwk, out string? thumbprint, out _));
        Assert.Equal("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", thumbprint);
    }

    [Fact]
    public void Python_sdk_test_ec_key_vector()
    {
        JsonWebKeyDto jwk = new() { Kty = "EC", Crv = "P-256", X = "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4", Y = "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM", Use = "sig", Kid = "x" };
        Assert.True(JwkThumbprint.TryCompute(jwk, out string? thumbprint, out _));
        Assert.Equal("cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s", thumbprint);
    }

    [Fact]
    public void Okp_thumbprint_uses_crv_kty_x()
    {
        // RFC 8037 appendix A.3: the Ed25519 public key of A.2 has thumbprint kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k.
        JsonWebKeyDto jwk = new() { Kty = "OKP", Crv = "Ed25519", X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" };
        Assert.True(JwkThumbprint.TryCompute(jwk, out string? thumbprint, out _));
        Assert.Equal("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", thumbprint);
    }

    [Theory]
    [InlineData("EC", "EC key missing required parameters")]
    [InlineData("RSA", "RSA key missing required parameters")]
    [InlineData("oct", "key type not supported for a thumbprint")]
    [InlineData(null, "key type not supported for a thumbprint")]
    public void Incomplete_or_unsupported_keys_are_refused(string? kty, string error)
    {
        Assert.False(JwkThumbprint.TryCompute(new JsonWebKeyDto { Kty = kty, Crv = "P-256", X = "AA" }, out _, out string? reason));
        Assert.Equal(error, reason);
    }

    [Fact]
    public void Access_token_hash_matches_the_python_sdk_and_rfc9449_vectors()
    {
        Assert.Equal("zAr5codUO2XaLH4UdkJgIYJsqxZvHgY-0BK4Vf-BllY", JwkThumbprint.AccessTokenHash("test_token"));
        Assert.Equal("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo", JwkThumbprint.AccessTokenHash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"));
    }
}
