// verify_request of auth0-api-python (reference section 4.1), with this library's differences (DESIGN.md): a request
// without credentials is 401 with a challenge and no error code; challenge values are quoted-string escaped; the
// cnf.jkt binding is compared in fixed time; the algs advertised follow the configuration.

using System;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Internal;

internal sealed class RequestVerifier
{
    private const string MissingMethodOrUrl = "DPoP authentication requires http_method and http_url";

    private readonly TokenVerifier _tokens;
    private readonly DPoPProofVerifier _proofs;
    private readonly DPoPMode _mode;
    private readonly string _algs;

    public RequestVerifier(TokenVerifier tokens, DPoPProofVerifier proofs, DPoPMode mode, SigningAlgorithms proofAlgorithms)
    {
        _tokens = tokens;
        _proofs = proofs;
        _mode = mode;
        _algs = JwsAlgorithm.FormatNames(proofAlgorithms);
    }

    public async ValueTask<RequestVerificationResult> VerifyAsync(string? authorization, string? dpop, string? httpMethod, string? httpUrl, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return Fail(new MissingAuthorizationException(), null);
        }

        ReadOnlySpan<char> value = authorization.AsSpan().TrimStart();
        int space = value.IndexOfAny(' ', '\t');
        if (space <= 0)
        {
            return Fail(new MissingAuthorizationException(), null);
        }

        string scheme = value[..space].ToString().ToLowerInvariant();
        string token = value[space..].TrimStart().ToString();
        if (token.Length == 0)
        {
            return Fail(new MissingAuthorizationException(), null);
        }

        if (_mode == DPoPMode.Required && scheme != "dpop")
        {
            return Fail(new InvalidAuthSchemeException(string.Empty), scheme);
        }

        return scheme switch
        {
            "dpop" => await VerifyDPoPAsync(token, dpop, httpMethod, httpUrl, cancellationToken).ConfigureAwait(false),
            "bearer" => await VerifyBearerAsync(token, dpop, cancellationToken).ConfigureAwait(false),
            _ => Fail(new MissingAuthorizationException(), null),
        };
    }

    private async ValueTask<RequestVerificationResult> VerifyBearerAsync(string token, string? dpop, CancellationToken cancellationToken)
    {
        AccessTokenResult result = await _tokens.VerifyAsync(token, null, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return Fail(result.ToException()!, "bearer");
        }

        if (_mode != DPoPMode.Disabled)
        {
            // The downgrade guard: a token bound to a key cannot be used without a proof of that key.
            if (result.Claims.ConfirmationThumbprint is { Length: > 0 })
            {
                return Fail(new VerifyAccessTokenException(VerificationFailure.ClaimMismatch, "DPoP-bound token requires the DPoP authentication scheme, not Bearer", "cnf"), "bearer");
            }

            if (dpop is not null)
            {
                return Fail(new InvalidAuthSchemeException("DPoP proof requires DPoP authentication scheme, not Bearer"), "bearer");
            }
        }

        return new RequestVerificationResult(result.Claims);
    }

    private async ValueTask<RequestVerificationResult> VerifyDPoPAsync(string token, string? dpop, string? httpMethod, string? httpUrl, CancellationToken cancellationToken)
    {
        if (_mode == DPoPMode.Disabled)
        {
            return Fail(new MissingAuthorizationException(), null);
        }

        if (dpop is null)
        {
            return Fail(new InvalidAuthSchemeException(string.Empty), "dpop");
        }

        if (dpop.Contains(',', StringComparison.Ordinal))
        {
            return Fail(new InvalidDPoPProofException("Multiple DPoP proofs are not allowed"), "dpop");
        }

        if (!LooksLikeJws(dpop))
        {
            return Fail(new InvalidDPoPProofException("Failed to verify DPoP proof"), "dpop");
        }

        if (string.IsNullOrEmpty(httpMethod) || string.IsNullOrEmpty(httpUrl))
        {
            return Fail(new MissingRequiredArgumentException(MissingMethodOrUrl), "dpop");
        }

        AccessTokenResult result = await _tokens.VerifyAsync(token, null, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return Fail(result.ToException()!, "dpop");
        }

        JsonElement? cnf = result.Claims.Confirmation;
        if (cnf is not { } confirmation || IsFalsy(confirmation))
        {
            return Fail(new VerifyAccessTokenException(VerificationFailure.ClaimMissing, "JWT Access Token has no jkt confirmation claim", "cnf"), "dpop");
        }

        if (confirmation.ValueKind != JsonValueKind.Object)
        {
            return Fail(new VerifyAccessTokenException(VerificationFailure.ClaimInvalid, "JWT Access Token has invalid confirmation claim format", "cnf"), "dpop");
        }

        DPoPProofClaims proof;
        try
        {
            proof = await _proofs.VerifyAsync(token, dpop, httpMethod, httpUrl, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is InvalidDPoPProofException or UseDPoPNonceException)
        {
            return Fail((BaseAuthException)exception, "dpop");
        }

        if (!confirmation.TryGetProperty("jkt"u8, out JsonElement jkt) || jkt.ValueKind != JsonValueKind.String || jkt.GetString() is not { Length: > 0 } expected)
        {
            return Fail(new VerifyAccessTokenException(VerificationFailure.ClaimMissing, "Access token 'cnf' claim missing 'jkt'", "cnf"), "dpop");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(proof.JwkThumbprint)))
        {
            return Fail(new VerifyAccessTokenException(VerificationFailure.ClaimMismatch, "JWT Access Token confirmation mismatch", "cnf"), "dpop");
        }

        return new RequestVerificationResult(result.Claims);
    }

    private static bool IsFalsy(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.False or JsonValueKind.Undefined => true,
        JsonValueKind.Object => !value.EnumerateObject().MoveNext(),
        JsonValueKind.Array => value.GetArrayLength() == 0,
        JsonValueKind.String => value.GetString()!.Length == 0,
        JsonValueKind.Number => value.GetDouble() == 0,
        _ => false,
    };

    // The proof's JOSE header must be three segments with a base64url JSON object first (reference section 4.1 step 8.4).
    private static bool LooksLikeJws(string proof)
    {
        int first = proof.IndexOf('.', StringComparison.Ordinal);
        if (first <= 0 || proof.AsSpan(first + 1).Count('.') != 1)
        {
            return false;
        }

        byte[]? header = Base64UrlStrict.DecodeToArray(proof.AsSpan(0, first));
        if (header is null)
        {
            return false;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(header);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private RequestVerificationResult Fail(BaseAuthException error, string? scheme)
    {
        error.SetChallenge(Challenge.ForRequest(_mode, _algs, error.ErrorCode, error.ErrorDescription, scheme));
        return new RequestVerificationResult(error);
    }
}
