using System.Diagnostics.CodeAnalysis;
using System.Text;
using Auth0.Api.Aot;

namespace Auth0.Api.Aot.Generators.IntegrationTests;

/// <summary>
/// Reads claims only through <see cref="IAccessTokenClaims{TSelf}"/>'s static abstract member, as the library's
/// <c>ApiClient</c> does: no test calls a generated method by its type's name.
/// </summary>
internal static class ClaimsReading
{
    public static bool TryRead<T>(byte[] payload, [NotNullWhen(true)] out T? claims, out ClaimError error)
        where T : class, IAccessTokenClaims<T>
        => T.TryReadClaims(payload, out claims, out error);

    public static T Read<T>(string json)
        where T : class, IAccessTokenClaims<T>
    {
        Assert.True(TryRead(Encoding.UTF8.GetBytes(json), out T? claims, out ClaimError error), error.Message);
        Assert.Equal(VerificationFailure.None, error.Failure);
        return claims;
    }

    public static ClaimError Fail<T>(string json)
        where T : class, IAccessTokenClaims<T>
        => Fail<T>(Encoding.UTF8.GetBytes(json));

    public static ClaimError Fail<T>(byte[] payload)
        where T : class, IAccessTokenClaims<T>
    {
        Assert.False(TryRead(payload, out T? claims, out ClaimError error));
        Assert.Null(claims);
        Assert.NotEqual(VerificationFailure.None, error.Failure);
        return error;
    }
}
