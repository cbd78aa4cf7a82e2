using System;
using System.Text;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Tests.Rfc;

/// <summary>RFC 7515 appendix A.2: the RS256 example JWS verifies with the RFC 7517 appendix A.1 public key.</summary>
public sealed class Rfc7515Tests
{
    private const string Token =
        "eyJhbGciOiJSUzI1NiJ9" +
        ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ" +
        ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

    private const string N =
        "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";

    private static VerificationKey Key() => VerificationKey.Import(new JsonWebKeyDto { Kty = "RSA", N = N, E = "AQAB" });

    [Fact]
    public void Example_A2_verifies()
    {
        VerificationKey key = Key();
        Assert.Null(key.Unusable);
        string[] parts = Token.Split('.');
        byte[] signature = Base64UrlStrict.DecodeToArray(parts[2])!;
        Assert.Equal(256, signature.Length);
        Assert.True(key.Verify(JwsAlgorithm.RS256, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature));
    }

    [Fact]
    public void Example_A2_payload_decodes_to_the_rfc_octets()
    {
        byte[] payload = Base64UrlStrict.DecodeToArray(Token.Split('.')[1])!;
        Assert.Equal("{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}", Encoding.UTF8.GetString(payload));
    }

    [Fact]
    public void Example_A2_with_one_bit_changed_does_not_verify()
    {
        VerificationKey key = Key();
        string[] parts = Token.Split('.');
        byte[] signature = Base64UrlStrict.DecodeToArray(parts[2])!;
        byte[] input = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        input[^1] ^= 1;
        Assert.False(key.Verify(JwsAlgorithm.RS256, input, signature));
        input[^1] ^= 1;
        signature[0] ^= 0x80;
        Assert.False(key.Verify(JwsAlgorithm.RS256, input, signature));
    }

    [Fact]
    public void Example_A2_is_parsed_by_the_token_parser_up_to_its_missing_kid()
    {
        byte[] buffer = new byte[TokenParser.BufferSize(Token.Length)];
        Assert.False(TokenParser.TryParse(Token, buffer, SigningAlgorithms.RS256, "aud"u8, out _, out AuthError error));
        Assert.Equal(VerificationFailure.ClaimMissing, error.Kind);
        Assert.Equal("kid", error.Claim);
    }
}
