using System;
using System.Security.Cryptography;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Tests.Parsing;

public sealed class Base64UrlStrictTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("Zg", "f")]
    [InlineData("Zm8", "fo")]
    [InlineData("Zm9v", "foo")]
    [InlineData("Zm9vYg", "foob")]
    [InlineData("Zm9vYmE", "fooba")]
    [InlineData("Zm9vYmFy", "foobar")]
    public void Decodes_rfc4648_vectors(string encoded, string expected)
    {
        byte[] decoded = Base64UrlStrict.DecodeToArray(encoded)!;
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(decoded));
        Assert.Equal(encoded, Base64UrlStrict.Encode(decoded));
    }

    [Theory]
    [InlineData("Zm9v=")]
    [InlineData("Zg==")]
    [InlineData("Zm9 v")]
    [InlineData("Zm9\nv")]
    [InlineData("+/8A")]
    [InlineData("Z")]
    [InlineData("Zm9vY")]
    [InlineData("Zh")]
    [InlineData("Zm9")]
    [InlineData("Zm9vYmF")]
    [InlineData("Zm9\u00e9")]
    public void Refuses_non_strict_input(string encoded)
    {
        Assert.Null(Base64UrlStrict.DecodeToArray(encoded));
    }

    [Fact]
    public void Round_trips_random_data_against_the_runtime_encoder()
    {
        byte[] data = new byte[512];
        for (int length = 0; length < data.Length; length += 7)
        {
            RandomNumberGenerator.Fill(data.AsSpan(0, length));
            string encoded = System.Buffers.Text.Base64Url.EncodeToString(data.AsSpan(0, length));
            Assert.Equal(encoded, Base64UrlStrict.Encode(data.AsSpan(0, length)));
            Assert.Equal(data.AsSpan(0, length).ToArray(), Base64UrlStrict.DecodeToArray(encoded));
            Assert.Equal(length, Base64UrlStrict.GetDecodedLength(encoded.Length));
        }
    }

    [Fact]
    public void Refuses_a_destination_that_is_too_small()
    {
        Assert.False(Base64UrlStrict.TryDecode("Zm9vYmFy", new byte[5], out int written));
        Assert.Equal(0, written);
    }
}

public sealed class Base64UrlStrictAgreementTests
{
    [Fact]
    public void Vectorised_and_scalar_decoders_agree_on_valid_and_invalid_input()
    {
        System.Random random = new(1234);
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \n";
        byte[] a = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < 20_000; i++)
        {
            char[] chars = new char[random.Next(0, 40)];
            for (int j = 0; j < chars.Length; j++)
            {
                chars[j] = Alphabet[random.Next(i % 2 == 0 ? 64 : Alphabet.Length)];
            }

            bool fast = Base64UrlStrict.TryDecode(chars, a, out int fastWritten);
            bool scalar = Base64UrlStrict.TryDecodeScalar(chars, b, out int scalarWritten);
            Assert.Equal(scalar, fast);
            if (fast)
            {
                Assert.Equal(b.AsSpan(0, scalarWritten).ToArray(), a.AsSpan(0, fastWritten).ToArray());
            }
        }
    }
}
