using System;
using System.Numerics;

namespace Auth0.Api.Aot.Sodium.Tests.Rfc;

/// <summary>
/// <see cref="SodiumEd25519"/> against RFC 8032 section 7.1 (TEST 1-3), and the inputs a careless Ed25519 verifier
/// accepts: a non-canonical scalar (S + L), a small-order public key with the identity as R, wrong lengths.
/// </summary>
public sealed class Rfc8032Tests
{
    private const string Test1PublicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string Test1Signature = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    public static readonly TheoryData<string, string, string> Vectors = new()
    {
        // public key, message, signature
        { Test1PublicKey, "", Test1Signature },
        { "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72", "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
        { "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82", "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
    };

    private static IEd25519PublicKey Import(string hex)
    {
        Assert.True(SodiumEd25519.Instance.TryImportPublicKey(Convert.FromHexString(hex), out IEd25519PublicKey? key));
        return key;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Test_vector_verifies(string publicKey, string message, string signature) =>
        Assert.True(Import(publicKey).Verify(Convert.FromHexString(message), Convert.FromHexString(signature)));

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Test_vector_with_a_flipped_message_bit_fails(string publicKey, string message, string signature)
    {
        byte[] data = message.Length == 0 ? [0] : Convert.FromHexString(message);
        data[0] ^= 1;
        Assert.False(Import(publicKey).Verify(data, Convert.FromHexString(signature)));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Test_vector_with_a_flipped_signature_bit_fails(string publicKey, string message, string signature)
    {
        byte[] bytes = Convert.FromHexString(signature);
        bytes[10] ^= 0x40;
        Assert.False(Import(publicKey).Verify(Convert.FromHexString(message), bytes));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(128)]
    public void Signature_of_the_wrong_length_is_false_not_an_exception(int length)
    {
        byte[] signature = new byte[length];
        Convert.FromHexString(Test1Signature).AsSpan(0, Math.Min(length, 64)).CopyTo(signature);
        Assert.False(Import(Test1PublicKey).Verify([], signature));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void Public_key_of_the_wrong_length_is_not_imported(int length)
    {
        Assert.False(SodiumEd25519.Instance.TryImportPublicKey(new byte[length], out IEd25519PublicKey? key));
        Assert.Null(key);
    }

    [Fact]
    public void Non_canonical_scalar_is_rejected()
    {
        // S' = S + L still satisfies the verification equation; RFC 8032 5.1.7 step 1 requires S < L.
        byte[] signature = Convert.FromHexString(Test1Signature);
        BigInteger order = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);
        BigInteger s = new(signature.AsSpan(32), isUnsigned: true, isBigEndian: false);
        byte[] malleated = (s + order).ToByteArray(isUnsigned: true, isBigEndian: false);
        Assert.True(malleated.Length <= 32);
        Array.Clear(signature, 32, 32);
        malleated.CopyTo(signature, 32);
        Assert.False(Import(Test1PublicKey).Verify([], signature));
    }

    [Fact]
    public void Small_order_key_with_identity_signature_is_rejected()
    {
        // A = identity (y = 1) and R = identity, S = 0: [S]B = R + [k]A holds for every message, so a verifier that
        // does not reject small-order points accepts this "signature" on anything.
        byte[] identity = new byte[32];
        identity[0] = 1;
        byte[] signature = new byte[64];
        signature[0] = 1;
        bool imported = SodiumEd25519.Instance.TryImportPublicKey(identity, out IEd25519PublicKey? key);
        Assert.True(!imported || !key!.Verify("any message"u8, signature));
    }
}
