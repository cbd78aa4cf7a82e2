using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Fuzz;

/// <summary>
/// <c>token</c>: the input is an access token, as text or in structured form (<see cref="Interop.JwsFromInput"/>).
/// <list type="bullet">
///   <item>TokenParser.TryParse (every algorithm allowed) never throws, and what it reports lies inside its buffer; it
///   accepts no payload whose top-level member names (unescaped) repeat, and refuses one as a duplicate claim only when
///   they do.</item>
///   <item>ApiClient.TryVerifyAccessTokenAsync, with the fixture's JWKS pinned and its clock, never throws, never makes a
///   request, and verifies nothing whose signed bytes (header.payload) are not those of one of the fixture's tokens; what
///   does verify carries exactly that token's payload.</item>
/// </list>
/// </summary>
internal static class TokenTarget
{
    private const SigningAlgorithms Every = SigningAlgorithms.RS256 | SigningAlgorithms.RS384 | SigningAlgorithms.RS512
        | SigningAlgorithms.PS256 | SigningAlgorithms.PS384 | SigningAlgorithms.PS512
        | SigningAlgorithms.ES256 | SigningAlgorithms.ES384 | SigningAlgorithms.ES512;

    private static readonly Interop s_fixture = Interop.Instance;
    private static readonly byte[] s_audience = Encoding.UTF8.GetBytes(s_fixture.Audience);
    private static readonly Dictionary<string, string> s_payloads = Payloads(s_fixture.AccessToken, s_fixture.BearerToken);
    private static readonly ApiClient s_client = CreateClient(s_fixture);

    /// <summary>
    /// Throws unless the harness is sound: the fixture's Bearer token verifies, its access token parses, and the
    /// structured form of a token encodes back to it.
    /// </summary>
    public static void SelfTest()
    {
        InvariantViolationException.ThrowIf(
            Interop.JwsFromInput(Interop.ToStructured(s_fixture.AccessToken)) != s_fixture.AccessToken,
            "harness: the structured form does not encode back to the token");
        AccessTokenResult result = Sync.Wait(s_client.TryVerifyAccessTokenAsync(s_fixture.BearerToken));
        InvariantViolationException.ThrowIf(!result.IsValid, "harness: the fixture's Bearer token does not verify: " + result.ErrorDescription);
        CheckVerified(s_fixture.BearerToken, result.Claims!);
        byte[] buffer = new byte[TokenParser.BufferSize(s_fixture.AccessToken.Length)];
        InvariantViolationException.ThrowIf(!TokenParser.TryParse(s_fixture.AccessToken, buffer, Every, s_audience, out _, out _), "harness: the fixture's access token does not parse");
    }

    public static void Run(ReadOnlySpan<byte> data)
    {
        string token = Interop.JwsFromInput(data);
        Parse(token);
        Verify(token);
    }

    /// <summary>The client every token and request target verifies with: the fixture's issuer, keys and clock, no network.</summary>
    public static ApiClient CreateClient(Interop fixture, IDPoPReplayStore? replays = null) => new(new ApiClientOptions
    {
        Domain = fixture.Domain,
        Audience = fixture.Audience,
        StaticJwks = new Dictionary<string, string> { [fixture.Domain] = fixture.Jwks },
        TimeProvider = new FixedTime(fixture.Now),
        HttpClient = new HttpClient(new NoNetworkHandler()),
        DPoPAlgorithms = JwsAlgorithm.ProofCapable,
        Ed25519Provider = Sodium.SodiumEd25519.Instance,
        DPoPReplayProtection = replays is not null,
        DPoPReplayStore = replays,
    });

    /// <summary>Throws unless a token that verified is one of the fixture's, signed bytes and payload.</summary>
    public static void CheckVerified(ReadOnlySpan<char> token, AccessTokenClaims claims)
    {
        string? signed = Interop.SigningInput(token);
        InvariantViolationException.ThrowIf(
            signed is null || !s_payloads.TryGetValue(signed, out string? payload),
            "a token whose signed bytes are not a fixture token's verified: " + signed);
        InvariantViolationException.ThrowIf(
            !string.Equals(claims.PayloadJson, s_payloads[signed!], StringComparison.Ordinal),
            "a verified token's claims are not its signed payload");

        // The accessors of verified claims never throw.
        _ = claims.Subject;
        _ = claims.Issuer;
        _ = claims.Audience.Count;
        _ = claims.Scopes.Count;
        _ = claims.Permissions.Count;
        _ = claims.ExpiresAt;
        _ = claims.IssuedAt;
        _ = claims.NotBefore;
        _ = claims.ConfirmationThumbprint;
        _ = claims.Confirmation;
        _ = claims.Actor;
    }

    private static void Parse(string token)
    {
        byte[] buffer = new byte[TokenParser.BufferSize(token.Length)];
        if (!TokenParser.TryParse(token, buffer, Every, s_audience, out ParsedToken parsed, out AuthError error))
        {
            InvariantViolationException.ThrowIf(error.Kind == VerificationFailure.None || string.IsNullOrEmpty(error.Message), "a refused token has no failure");
            InvariantViolationException.ThrowIf(
                error.Message.StartsWith(DuplicateClaim, StringComparison.Ordinal) && RepeatsName(Interop.PayloadOf(token), accepted: false) == false,
                "a payload without a repeated member name was refused as a duplicate claim");
            return;
        }

        InvariantViolationException.ThrowIf(RepeatsName(parsed.Payload(buffer).ToArray(), accepted: true) != false, "a payload that repeats a member name parsed");

        // Every range the parse reports is inside the buffer (a slice out of range throws), and the signing input is the
        // token's text up to the second dot.
        _ = parsed.Kid(buffer);
        _ = parsed.Payload(buffer);
        _ = parsed.Signature(buffer);
        if (parsed.HasIss)
        {
            _ = parsed.Iss(buffer);
        }

        ReadOnlySpan<byte> signingInput = TokenParser.SigningInput(token, buffer, in parsed);
        InvariantViolationException.ThrowIf(
            !Encoding.ASCII.GetString(signingInput).Equals(Interop.SigningInput(token), StringComparison.Ordinal),
            "the parser's signing input is not the token's text up to the second dot");
    }

    private const string DuplicateClaim = "Failed to parse token payload: duplicate claim '";

    // Whether the payload is one JSON object that repeats a top-level member name, by another reader than the parser's
    // (JsonDocument, its property names unescaped by JsonElement); null when it is not JSON at all (a registered claim's
    // repeat is refused where it stands, before the rest is read). For a payload the parser accepted, a payload this
    // reader refuses is a violation: the two would disagree on what is JSON.
    private static bool? RepeatsName(byte[]? payload, bool accepted)
    {
        if (payload is null)
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 64 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            HashSet<string> names = new(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    return true;
                }
            }

            return false;
        }
        catch (JsonException e)
        {
            InvariantViolationException.ThrowIf(accepted, "a payload the parser accepted is not JSON to JsonDocument: " + e.Message);
            return null;
        }
    }

    private static void Verify(string token)
    {
        int requests = NoNetworkHandler.Requests;
        AccessTokenResult result = Sync.Wait(s_client.TryVerifyAccessTokenAsync(token));
        InvariantViolationException.ThrowIf(NoNetworkHandler.Requests != requests, "verification made a request with the keys pinned");
        if (result.IsValid)
        {
            CheckVerified(token, result.Claims!);
            return;
        }

        InvariantViolationException.ThrowIf(result.Failure == VerificationFailure.None, "a refused token has no failure kind");
        InvariantViolationException.ThrowIf(result.ToException() is null, "a refused token has no exception");
    }

    private static Dictionary<string, string> Payloads(params string[] tokens)
    {
        Dictionary<string, string> payloads = new(StringComparer.Ordinal);
        foreach (string token in tokens)
        {
            string signed = Interop.SigningInput(token)!;
            string segment = signed[(signed.IndexOf('.') + 1)..];
            payloads.Add(signed, Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(segment)));
        }

        return payloads;
    }
}
