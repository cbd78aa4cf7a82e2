using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Auth0.Api.Aot.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Auth0.Api.Aot.Tests.Verification;

/// <summary>
/// Text a client controls never reaches a message or a header as sent (hardening issue, item 1): every description and
/// challenge is printable ASCII without '"' or '\' (RFC 6750 section 3), so it can be logged on one line and written by
/// Kestrel, which refuses non-ASCII header values.
/// </summary>
public sealed class UntrustedTextTests
{
    private const string Url = "https://api.example.com/resource";

    /// <summary>Hostile <c>alg</c> values as they appear in the header JSON: escaped, and raw UTF-8.</summary>
    public static TheoryData<string, string> HostileAlgs() => new()
    {
        { "\"x\\u00e9y\"", "Algorithm 'xU+00E9y' is not allowed" },
        { "\"x\u00e9y\"", "Algorithm 'xU+00E9y' is not allowed" },
        { "\"a\\u2028b\"", "Algorithm 'aU+2028b' is not allowed" },
        { "\"\\ufeffRS256\"", "Algorithm 'U+FEFFRS256' is not allowed" },
        { "\"\ud83d\ude00\"", "Algorithm 'U+1F600' is not allowed" },
        { "\"\\ud83d\\ude00\"", "Algorithm 'U+1F600' is not allowed" },
        { "\"a\\r\\nSet-Cookie: x=1\"", "Algorithm 'aU+000DU+000ASet-Cookie: x...' is not allowed" },
        { "\"nul\\u0000\"", "Algorithm 'nulU+0000' is not allowed" },
        { "\"q\\\"\\\\\"", "Algorithm 'qU+0022U+005C' is not allowed" },
        { "\"tab\\there\"", "Algorithm 'tabU+0009here' is not allowed" },
        { "\"HSx\\u00e9\"", "Symmetric algorithm 'HSxU+00E9' is not supported. Only asymmetric algorithms (e.g., RS256) are allowed." },
        { "\"" + new string('z', 40) + "\"", "Algorithm 'zzzzzzzzzzzzzzzz...' is not allowed" },
    };

    private static string Unsigned(string algJson)
    {
        static string Segment(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
        return Segment("{\"alg\":" + algJson + ",\"typ\":\"JWT\",\"kid\":\"k\"}") + "." + Segment("{\"sub\":\"x\"}") + ".c2ln";
    }

    private static ApiClient Client(DPoPMode mode = DPoPMode.Allowed) => new(new ApiClientOptions { Domain = "auth0.local", Audience = "a", DPoPMode = mode });

    private static void AssertSafe(string? value)
    {
        Assert.NotNull(value);
        foreach (char c in value)
        {
            Assert.True(c is (>= '\x20' and <= '\x21') or (>= '\x23' and <= '\x5b') or (>= '\x5d' and <= '\x7e'), $"unsafe U+{(int)c:X4} in {value}");
        }
    }

    private static void AssertSafeChallenge(string? challenge)
    {
        // A challenge's own quotes delimit values; inside them, only RFC 6750 characters.
        Assert.NotNull(challenge);
        Assert.All(challenge, c => Assert.True(c is >= ' ' and <= '~' && c != '\\', $"unsafe U+{(int)c:X4} in {challenge}"));
        foreach (string quoted in challenge.Split('"').Where((_, i) => i % 2 == 1))
        {
            AssertSafe(quoted);
        }
    }

    [Theory]
    [MemberData(nameof(HostileAlgs))]
    public async Task A_hostile_alg_is_quoted_as_code_points_in_the_description_and_the_challenge(string algJson, string expected)
    {
        using ApiClient client = Client();
        string token = Unsigned(algJson);

        AccessTokenResult tokenResult = await client.TryVerifyAccessTokenAsync(token);
        Assert.Equal(VerificationFailure.AlgorithmNotAllowed, tokenResult.Failure);
        Assert.Equal(expected, tokenResult.ErrorDescription);
        AssertSafeChallenge(tokenResult.ToException()!.Headers["WWW-Authenticate"]);

        foreach (DPoPMode mode in Enum.GetValues<DPoPMode>())
        {
            using ApiClient modeClient = Client(mode);
            RequestVerificationResult result = await modeClient.TryVerifyRequestAsync((mode == DPoPMode.Required ? "DPoP " : "Bearer ") + token, null, "GET", Url);
            Assert.Equal(mode == DPoPMode.Required ? VerificationFailure.DPoPProofMissing : VerificationFailure.AlgorithmNotAllowed, result.Failure);
            AssertSafe(result.ErrorDescription);
            AssertSafeChallenge(result.Challenge);
            AssertSafeChallenge(result.Error!.Headers["WWW-Authenticate"]);
            if (result.Failure == VerificationFailure.AlgorithmNotAllowed)
            {
                Assert.Contains("error_description=\"" + expected + "\"", result.Challenge, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("x\u00e9y", "xU+00E9y")]
    [InlineData("\r\n\0", "U+000DU+000AU+0000")]
    [InlineData("\ud83d\ude00", "U+1F600")]
    [InlineData("\"\\", "U+0022U+005C")]
    [InlineData("\u007f\u0085\u2029", "U+007FU+0085U+2029")]
    public void Untrusted_keeps_RFC_6750_characters_and_writes_the_rest_as_code_points(string value, string expected)
    {
        Assert.Equal(expected, Error.Untrusted(value));
        AssertSafe(Error.Untrusted(value));
    }

    [Fact]
    public void Untrusted_writes_a_lone_surrogate_as_its_code_unit()
    {
        // Not theory data: xunit's serialisation of test cases replaces lone surrogates.
        Assert.Equal("U+D800", Error.Untrusted("\ud800"));
        Assert.Equal("U+DC00x", Error.Untrusted("\udc00x"));
        Assert.Equal("aU+D800U+D800", Error.Untrusted("a\ud800\ud800"));
    }

    [Fact]
    public void Untrusted_cuts_long_text_and_never_splits_a_surrogate_pair_into_a_lone_half()
    {
        Assert.Equal("abc...", Error.Untrusted("abcdef", 3));
        Assert.Equal("abU+D83D...", Error.Untrusted("ab\ud83d\ude00", 3));
        string all = new(Enumerable.Range(0, 0x3000).Select(i => (char)i).ToArray());
        AssertSafe(Error.Untrusted(all, int.MaxValue));
    }

    [Fact]
    public void The_challenge_writer_replaces_any_character_outside_RFC_6750_as_a_last_line_of_defence()
    {
        string challenge = Challenge.BearerError("invalid_token", "a\"b\\c\r\nd\u00e9");
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"a?b?c??d?\"", challenge);
    }

    [Fact]
    public async Task A_resolver_exception_message_is_sanitised_in_the_description()
    {
        ApiClientOptions options = new() { Audience = "a" };
        options.UseDomainsResolver(_ => throw new InvalidOperationException("no tenant for \r\nevil\u00e9"));
        using ApiClient client = new(options);
        string token = Base64Url.EncodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k\"}"u8) + "." + Base64Url.EncodeToString("{\"iss\":\"https://x.example/\"}"u8) + ".c2ln";
        RequestVerificationResult result = await client.TryVerifyRequestAsync("Bearer " + token, null, "GET", Url);
        Assert.Equal(VerificationFailure.DomainsResolverFailed, result.Failure);
        Assert.Equal("Domains resolver function failed: no tenant for U+000DU+000AevilU+00E9", result.ErrorDescription);
    }

    [Fact]
    public async Task An_unknown_scheme_name_is_not_reported_back()
    {
        using ApiClient client = Client(DPoPMode.Required);
        RequestVerificationResult result = await client.TryVerifyRequestAsync("X\u00e9\r\n abc", null, "GET", Url);
        Assert.Equal(VerificationFailure.SchemeNotAllowed, result.Failure);
        Assert.Null(result.Scheme);
        AssertSafeChallenge(result.Challenge);
    }

    /// <summary>
    /// Through a real Kestrel response: the 401 is written with its challenge. The control endpoint writes the raw
    /// text the library used to put in the header, and Kestrel refuses it (500), which is what this test guards against.
    /// </summary>
    [Fact]
    public async Task Through_Kestrel_the_401_is_written_with_its_challenge()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        await using WebApplication app = builder.Build();
        using ApiClient client = Client();
        app.MapGet("/protected", async (HttpContext context) =>
        {
            RequestVerificationResult result = await client.TryVerifyRequestAsync(context.Request.Headers.Authorization, context.Request.Headers["DPoP"], context.Request.Method, Url);
            if (result.IsValid)
            {
                return Results.Ok();
            }

            context.Response.Headers.WWWAuthenticate = result.Challenge;
            return Results.StatusCode(result.StatusCode);
        });
        app.MapGet("/raw", (HttpContext context) =>
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\", error_description=\"Algorithm 'x\u00e9y' is not allowed\"";
            return Results.StatusCode(401);
        });
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using HttpClient http = new() { BaseAddress = new Uri(address) };

        foreach (string algJson in HostileAlgs().Select(row => (string)row[0]))
        {
            using HttpRequestMessage request = new(HttpMethod.Get, "/protected");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Unsigned(algJson));
            using HttpResponseMessage response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            string challenge = string.Join(", ", response.Headers.GetValues("WWW-Authenticate"));
            Assert.StartsWith("Bearer error=\"invalid_token\", error_description=\"", challenge, StringComparison.Ordinal);
            AssertSafeChallenge(challenge);
        }

        using HttpResponseMessage raw = await http.GetAsync(new Uri("/raw", UriKind.Relative));
        Assert.Equal(HttpStatusCode.InternalServerError, raw.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task Every_request_failure_kind_has_a_safe_description_and_challenge()
    {
        // The corpus of the failure-kind tests, through a client without network: whatever is refused, its text is safe.
        using ApiClient client = Client();
        List<string?> authorizations = ["Bearer " + Unsigned("\"\\u00e9\""), "Bearer a.b.c", "DPoP x\u00e9", "B\u00e9arer x", "Bearer", "\u00e9", null];
        foreach (string? authorization in authorizations)
        {
            foreach (string? dpop in new[] { null, "a\u00e9.b.c", "x,y" })
            {
                RequestVerificationResult result = await client.TryVerifyRequestAsync(authorization, dpop, "GET", Url);
                Assert.False(result.IsValid);
                AssertSafe(result.ErrorDescription.Length == 0 ? "-" : result.ErrorDescription);
                if (result.Challenge is not null)
                {
                    AssertSafeChallenge(result.Challenge);
                }
            }
        }
    }
}
