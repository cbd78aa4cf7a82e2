using System;
using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>The claims an orders API reads, as a generated typed view (see <see cref="TypedClaimsBenchmarks"/>).</summary>
[AccessTokenClaims]
public sealed partial class OrderApiClaims
{
    [Claim("sub")]
    public required string Subject { get; init; }

    [Claim("azp")]
    public required string AuthorizedParty { get; init; }

    [Claim("scope", SpaceDelimited = true)]
    public required string[] Scopes { get; init; }

    [Claim("permissions")]
    public required string[] Permissions { get; init; }

    [Claim("https://example.com/tenant")]
    public string? Tenant { get; init; }

    [Claim("exp")]
    public required DateTimeOffset ExpiresAt { get; init; }
}

/// <summary>
/// Reading the claims an API needs from a verified token: the generated typed reader (one pass over the payload) against
/// the untyped <see cref="AccessTokenClaims"/> accessors for the same six claims. Each call starts from a fresh
/// <see cref="AccessTokenClaims"/> (as each request does), so neither side profits from values cached by an earlier call;
/// both decode the payload from the token once.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(NoisyMachineConfig))]
public class TypedClaimsBenchmarks
{
    private string _token = string.Empty;
    private int _payloadOffset;
    private int _payloadLength;

    [GlobalSetup]
    public void Setup()
    {
        string header = System.Buffers.Text.Base64Url.EncodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k\"}"u8);
        string payload = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(
            "{\"iss\":\"https://tenant.auth0.com/\",\"sub\":\"" + BenchmarkIssuer.Subject + "\",\"aud\":[\"" + BenchmarkIssuer.Audience + "\",\"" + BenchmarkIssuer.UserInfoAudience + "\"]," +
            "\"iat\":1795788609,\"exp\":1795875009,\"azp\":\"" + BenchmarkIssuer.AuthorizedParty + "\",\"scope\":\"" + BenchmarkIssuer.Scope + "\"," +
            "\"permissions\":[\"read:messages\",\"write:messages\"],\"https://example.com/tenant\":\"acme\"}"));
        _token = header + "." + payload + ".c2lnbmF0dXJl";
        _payloadOffset = header.Length + 1;
        _payloadLength = payload.Length;
        if (Typed() != Untyped())
        {
            throw new InvalidOperationException("Setup: the typed and untyped reads disagree.");
        }
    }

    private AccessTokenClaims Fresh() => new(_token, _payloadOffset, _payloadLength, 1795875009, 1795788609, null);

    /// <summary>The six claims through the untyped accessors (lazy, each parsing what it needs).</summary>
    [Benchmark(Baseline = true)]
    public int Untyped()
    {
        AccessTokenClaims claims = Fresh();
        string? tenant = claims.TryGetString("https://example.com/tenant", out string? value) ? value : null;
        return claims.Subject!.Length + claims.AuthorizedParty!.Length + claims.Scopes.Count + claims.Permissions.Count + (tenant?.Length ?? 0) + claims.ExpiresAt.Second;
    }

    /// <summary>The same six claims through the generated reader.</summary>
    [Benchmark]
    public int Typed()
    {
        OrderApiClaims claims = Fresh().Read<OrderApiClaims>();
        return claims.Subject.Length + claims.AuthorizedParty.Length + claims.Scopes.Length + claims.Permissions.Length + (claims.Tenant?.Length ?? 0) + claims.ExpiresAt.Second;
    }
}
