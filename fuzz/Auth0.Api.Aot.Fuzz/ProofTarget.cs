using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Fuzz;

/// <summary>
/// <c>proof</c>: the input is four lines: the request's method, its URL and the access token as UTF-8 text, and the DPoP
/// proof, the rest of the input, as text or in structured form (<see cref="Interop.JwsFromInput"/>). A missing line is a
/// missing argument.
/// <list type="bullet">
///   <item>DPoPProofVerifier.VerifyAsync (the throwing edge of the proof checks) throws only its documented
///   <see cref="MissingRequiredArgumentException"/> and <see cref="InvalidDPoPProofException"/> (server nonces are off, so
///   not even <see cref="UseDPoPNonceException"/>), and accepts no proof whose signed bytes are not a fixture proof's.</item>
///   <item>ApiClient.TryVerifyRequestAsync with <c>Authorization: DPoP token</c> never throws, and accepts only a fixture
///   token with a fixture proof of the key that token is bound to (<c>cnf.jkt</c>).</item>
/// </list>
/// </summary>
internal static class ProofTarget
{
    private static readonly Interop s_fixture = Interop.Instance;
    private static readonly HashSet<string> s_proofs = SigningInputs(s_fixture.Proofs, boundOnly: false);
    private static readonly HashSet<string> s_boundProofs = SigningInputs(s_fixture.Proofs, boundOnly: true);
    private static readonly ApiClient s_client = TokenTarget.CreateClient(s_fixture, new ForgetfulReplayStore());
    private static readonly DPoPProofVerifier s_verifier = new(
        JwsAlgorithm.ProofCapable,
        Sodium.SodiumEd25519.Instance,
        ApiClientOptions.DefaultDPoPIatLeeway,
        ApiClientOptions.DefaultDPoPIatOffset,
        ApiClientOptions.DefaultMaxDPoPProofLength,
        maxKeys: 64,
        new FixedTime(s_fixture.Now),
        new ForgetfulReplayStore(),
        memoryReplays: null);

    /// <summary>Throws unless the harness is sound: the fixture's bound proof verifies, alone and with its token.</summary>
    public static void SelfTest()
    {
        InteropProof proof = s_fixture.Proofs[0];
        InvariantViolationException.ThrowIf(proof.Name != "es256-get", "harness: the fixture's first proof is not es256-get");
        _ = Sync.Wait(s_verifier.VerifyAsync(proof.BoundToken, proof.Proof, proof.Htm, proof.Htu, bound: true, CancellationToken.None));
        RequestVerificationResult result = Sync.Wait(s_client.TryVerifyRequestAsync("DPoP " + proof.BoundToken, proof.Proof, proof.Htm, proof.Htu));
        InvariantViolationException.ThrowIf(!result.IsValid, "harness: the fixture's DPoP request does not verify: " + result.ErrorDescription);
    }

    public static void Run(ReadOnlySpan<byte> data)
    {
        int offset = 0;
        string? method = Line(data, ref offset);
        string? url = Line(data, ref offset);
        string? token = Line(data, ref offset);
        string? proof = offset < 0 ? null : Interop.JwsFromInput(data[offset..]);
        VerifyProof(token, proof, method, url);
        VerifyRequest(token, proof, method, url);
    }

    private static void VerifyProof(string? token, string? proof, string? method, string? url)
    {
        DPoPProofClaims claims;
        try
        {
            claims = Sync.Wait(s_verifier.VerifyAsync(token, proof, method, url, bound: !string.IsNullOrEmpty(token), CancellationToken.None));
        }
        catch (InvalidDPoPProofException exception)
        {
            InvariantViolationException.ThrowIf(string.IsNullOrEmpty(exception.ErrorDescription), "a refused proof has no description");
            return;
        }
        catch (MissingRequiredArgumentException)
        {
            InvariantViolationException.ThrowIf(!(string.IsNullOrEmpty(proof) || string.IsNullOrEmpty(method) || string.IsNullOrEmpty(url)), "an argument was reported missing that is not");
            return;
        }

        string? signed = Interop.SigningInput(proof);
        InvariantViolationException.ThrowIf(signed is null || !s_proofs.Contains(signed), "a proof whose signed bytes are not a fixture proof's verified: " + signed);
        _ = claims.Jti;
        _ = claims.Htm;
        _ = claims.Htu;
        _ = claims.IssuedAt;
        _ = claims.Ath;
        _ = claims.Nonce;
        _ = claims.JwkThumbprint;
    }

    private static void VerifyRequest(string? token, string? proof, string? method, string? url)
    {
        int requests = NoNetworkHandler.Requests;
        string authorization = "DPoP " + token;
        RequestVerificationResult result = Sync.Wait(s_client.TryVerifyRequestAsync(authorization, proof, method, url));
        InvariantViolationException.ThrowIf(NoNetworkHandler.Requests != requests, "verification made a request with the keys pinned");
        if (!result.IsValid)
        {
            InvariantViolationException.ThrowIf(result.Failure == VerificationFailure.None || result.Error is null, "a refused request has no failure");
            return;
        }

        // The token is what follows the scheme and its white space (RequestVerifier's rule).
        TokenTarget.CheckVerified(authorization.AsSpan(5).TrimStart(), result.Claims!);
        string? signed = Interop.SigningInput(proof);
        InvariantViolationException.ThrowIf(
            signed is null || !s_boundProofs.Contains(signed) || !string.Equals(Interop.SigningInput(token), Interop.SigningInput(s_fixture.AccessToken), StringComparison.Ordinal),
            "a DPoP request verified with a proof that is not a fixture proof of the token's key: " + signed);
    }

    // The line at offset as UTF-8 text, moving offset past it; null once the input has ended (offset -1).
    private static string? Line(ReadOnlySpan<byte> data, ref int offset)
    {
        if (offset < 0)
        {
            return null;
        }

        ReadOnlySpan<byte> rest = data[offset..];
        int newline = rest.IndexOf((byte)'\n');
        string line = Encoding.UTF8.GetString(newline < 0 ? rest : rest[..newline]);
        offset = newline < 0 ? -1 : offset + newline + 1;
        return line;
    }

    // The proofs made with the key the access token is bound to (cnf.jkt) are the only ones a DPoP request may pass with.
    private static HashSet<string> SigningInputs(IReadOnlyList<InteropProof> proofs, bool boundOnly)
    {
        HashSet<string> inputs = new(StringComparer.Ordinal);
        foreach (InteropProof proof in proofs)
        {
            if (!boundOnly || proof.Name is "es256-get" or "es256-post-nonce")
            {
                inputs.Add(Interop.SigningInput(proof.Proof)!);
            }
        }

        return inputs;
    }
}
