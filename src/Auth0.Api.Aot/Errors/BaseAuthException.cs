using System;
using System.Collections.Generic;

namespace Auth0.Api.Aot;

/// <summary>
/// The base of every error this library reports. Each error has an OAuth <see cref="ErrorCode"/>, the HTTP
/// <see cref="StatusCode"/> an API should answer with, a human-readable <see cref="ErrorDescription"/> (the same as
/// <see cref="Exception.Message"/>) and the response <see cref="Headers"/> that go with it, such as
/// <c>WWW-Authenticate</c>.
/// </summary>
/// <remarks>
/// <para>Messages never contain a token, a secret or key material. A description may quote a short value taken
/// from a token header (an <c>alg</c> name, say), written with RFC 6750's <c>error_description</c> characters only (any
/// other character as <c>U+XXXX</c>), so a message is one printable-ASCII line and a challenge is always a valid header.</para>
/// <para>Thread safety: instances are immutable once thrown.</para>
/// </remarks>
public abstract class BaseAuthException : Exception
{
    private static readonly IReadOnlyDictionary<string, string> s_noHeaders = new Dictionary<string, string>(0);

    private protected BaseAuthException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>The OAuth 2.0 error code, e.g. <c>invalid_token</c>.</summary>
    public abstract string ErrorCode { get; }

    /// <summary>The HTTP status code to answer with.</summary>
    public abstract int StatusCode { get; }

    /// <summary>The error description: the same text as <see cref="Exception.Message"/>.</summary>
    public string ErrorDescription => Message;

    /// <summary>Response headers that belong to this error, e.g. <c>WWW-Authenticate</c>. Empty when none apply.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; private set; } = s_noHeaders;

    internal void SetChallenge(string challenge) => SetHeader("WWW-Authenticate", challenge);

    internal void SetHeader(string name, string value)
    {
        Dictionary<string, string> headers = new(Headers.Count + 1, StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string> header in Headers)
        {
            headers[header.Key] = header.Value;
        }

        headers[name] = value;
        Headers = headers;
    }
}

/// <summary>A required argument was missing (400, <c>invalid_request</c>).</summary>
public sealed class MissingRequiredArgumentException : BaseAuthException
{
    /// <summary>Creates the error for <paramref name="argument"/>, with the default message unless one is given.</summary>
    /// <param name="argument">The name of the missing argument.</param>
    /// <param name="message">An optional message; by default <c>The argument '{argument}' is required but was not provided.</c></param>
    public MissingRequiredArgumentException(string argument, string? message = null)
        : base(message ?? DefaultMessage(argument))
    {
        Argument = argument;
    }

    internal static string DefaultMessage(string argument) => MessageStart + argument + MessageEnd;

    // The default message around the argument's name, for messages built as constants (Error.TokenMissing).
    internal const string MessageStart = "The argument '";

    internal const string MessageEnd = "' is required but was not provided.";

    /// <summary>The name of the missing argument.</summary>
    public string Argument { get; }

    /// <inheritdoc/>
    public override string ErrorCode => "invalid_request";

    /// <inheritdoc/>
    public override int StatusCode => 400;
}

/// <summary>An access token failed verification (401, <c>invalid_token</c>).</summary>
public sealed class VerifyAccessTokenException : BaseAuthException
{
    /// <summary>Creates the error with a stable failure kind and a description.</summary>
    /// <param name="failure">The stable failure kind.</param>
    /// <param name="message">The description.</param>
    /// <param name="claim">The claim the failure concerns, if any.</param>
    public VerifyAccessTokenException(VerificationFailure failure, string message, string? claim = null)
        : base(message)
    {
        Failure = failure;
        Claim = claim;
    }

    /// <summary>The stable failure kind; branch on this, never on the message.</summary>
    public VerificationFailure Failure { get; }

    /// <summary>The error with its <c>Bearer error="invalid_token"</c> challenge, for failures outside a request's scheme.</summary>
    internal static VerifyAccessTokenException WithBearerChallenge(VerificationFailure failure, string message, string? claim)
    {
        VerifyAccessTokenException exception = new(failure, message, claim);
        exception.SetChallenge(Internal.Challenge.BearerError(exception.ErrorCode, exception.ErrorDescription));
        return exception;
    }

    /// <summary>The claim or header member the failure concerns (<c>exp</c>, <c>aud</c>, <c>kid</c>...), if any.</summary>
    public string? Claim { get; }

    /// <inheritdoc/>
    public override string ErrorCode => "invalid_token";

    /// <inheritdoc/>
    public override int StatusCode => 401;
}

/// <summary>The request's authentication scheme is not acceptable (400, <c>invalid_request</c>).</summary>
public sealed class InvalidAuthSchemeException : BaseAuthException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">The description; may be empty.</param>
    public InvalidAuthSchemeException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public override string ErrorCode => "invalid_request";

    /// <inheritdoc/>
    public override int StatusCode => 400;
}

/// <summary>A DPoP proof failed verification (400, <c>invalid_dpop_proof</c>).</summary>
public sealed class InvalidDPoPProofException : BaseAuthException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">The description.</param>
    public InvalidDPoPProofException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public override string ErrorCode => "invalid_dpop_proof";

    /// <inheritdoc/>
    public override int StatusCode => 400;
}

/// <summary>
/// The DPoP proof lacks a valid server nonce (RFC 9449 section 9): 401, <c>use_dpop_nonce</c>, with a fresh nonce in
/// the <c>DPoP-Nonce</c> header that the client must put in its next proof.
/// </summary>
public sealed class UseDPoPNonceException : BaseAuthException
{
    /// <summary>Creates the error with the nonce the client must use.</summary>
    /// <param name="nonce">A fresh nonce.</param>
    public UseDPoPNonceException(string nonce)
        : base(Internal.Error.NonceRequired)
    {
        Nonce = nonce;
        SetHeader("DPoP-Nonce", nonce);
    }

    /// <summary>The nonce the client must put in its next proof (also in <see cref="BaseAuthException.Headers"/> as <c>DPoP-Nonce</c>).</summary>
    public string Nonce { get; }

    /// <inheritdoc/>
    public override string ErrorCode => "use_dpop_nonce";

    /// <inheritdoc/>
    public override int StatusCode => 401;
}

/// <summary>
/// The request carries no usable credentials: 401 with a challenge and no error code (RFC 6750 section 3.1), so
/// <see cref="BaseAuthException.ErrorCode"/> and the description are empty.
/// </summary>
public sealed class MissingAuthorizationException : BaseAuthException
{
    /// <summary>Creates the error.</summary>
    public MissingAuthorizationException()
        : base(string.Empty)
    {
    }

    /// <inheritdoc/>
    public override string ErrorCode => string.Empty;

    /// <inheritdoc/>
    public override int StatusCode => 401;
}

/// <summary>The library is misconfigured (500, <c>invalid_configuration</c>). Thrown at construction.</summary>
public sealed class ConfigurationException : BaseAuthException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What is wrong with the configuration.</param>
    public ConfigurationException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public override string ErrorCode => "invalid_configuration";

    /// <inheritdoc/>
    public override int StatusCode => 500;
}

/// <summary>
/// The token is valid but does not grant what the operation needs (403, <c>insufficient_scope</c>, RFC 6750 section
/// 3.1): a scope or permission check failed. Its challenge names the required scopes in <c>scope</c> when the check was
/// over scopes.
/// </summary>
public sealed class InsufficientScopeException : BaseAuthException
{
    /// <summary>Creates the error, with its challenge.</summary>
    /// <param name="requiredScopes">The scopes the operation needs (for the challenge's <c>scope</c>), or <see langword="null"/> for a permission check.</param>
    public InsufficientScopeException(IReadOnlyList<string>? requiredScopes = null)
        : base(DefaultMessage)
    {
        RequiredScopes = requiredScopes is null ? [] : [.. requiredScopes];
        SetChallenge(Internal.Challenge.InsufficientScope(ErrorDescription, requiredScopes));
    }

    internal const string DefaultMessage = "Insufficient Scope";

    /// <summary>The scopes the failed check required (empty for a permission check).</summary>
    public IReadOnlyList<string> RequiredScopes { get; }

    /// <inheritdoc/>
    public override string ErrorCode => "insufficient_scope";

    /// <inheritdoc/>
    public override int StatusCode => 403;
}

/// <summary>
/// A refusal that should pass: the client is to retry after <see cref="RetryAfter"/> (the <c>Retry-After</c> header),
/// and gets no <c>WWW-Authenticate</c> challenge, because its credentials are not at fault (<c>temporarily_unavailable</c>).
/// <see cref="ServiceUnavailableException"/> (503) when the server cannot verify now; <see cref="TooManyRequestsException"/>
/// (429) when this client sends more than its share.
/// </summary>
public abstract class TemporarilyUnavailableException : BaseAuthException
{
    private protected TemporarilyUnavailableException(VerificationFailure failure, string message, TimeSpan retryAfter, Exception? innerException)
        : base(message, innerException)
    {
        Failure = failure;
        RetryAfter = Internal.Error.RetryAfterSeconds(retryAfter);
        SetHeader("Retry-After", Internal.Error.FormatRetryAfter(RetryAfter));
    }

    /// <summary>The stable failure kind; branch on this, never on the message.</summary>
    public VerificationFailure Failure { get; }

    /// <summary>How long the client should wait before retrying, in whole seconds (the <c>Retry-After</c> header).</summary>
    public TimeSpan RetryAfter { get; }

    /// <inheritdoc/>
    public sealed override string ErrorCode => "temporarily_unavailable";
}

/// <summary>
/// The request could not be verified for a reason on the server's side that should pass: the issuer's discovery
/// document or keys cannot be fetched (past <see cref="ApiClientOptions.MaxStaleness"/>, or never fetched), or the DPoP
/// replay store is unavailable or full. 503, <c>temporarily_unavailable</c>, with a <c>Retry-After</c> header and no
/// <c>WWW-Authenticate</c> challenge: the client's token is not at fault, so it must not be thrown away.
/// </summary>
public sealed class ServiceUnavailableException : TemporarilyUnavailableException
{
    /// <summary>Creates the error, with its <c>Retry-After</c> header.</summary>
    /// <param name="failure">The stable failure kind.</param>
    /// <param name="message">The description.</param>
    /// <param name="retryAfter">How long the client should wait; written as whole seconds, at least 1.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public ServiceUnavailableException(VerificationFailure failure, string message, TimeSpan retryAfter, Exception? innerException = null)
        : base(failure, message, retryAfter, innerException)
    {
    }

    /// <inheritdoc/>
    public override int StatusCode => 503;
}

/// <summary>
/// One client sends more than its share: the proof's key already holds its share of the in-memory DPoP replay store
/// (<see cref="ApiClientOptions.DPoPReplayMaxKeyShare"/>). 429 (RFC 6585), <c>temporarily_unavailable</c>, with a
/// <c>Retry-After</c> header and no <c>WWW-Authenticate</c> challenge: the token and proof are valid and must not be
/// thrown away; the client should slow down.
/// </summary>
public sealed class TooManyRequestsException : TemporarilyUnavailableException
{
    /// <summary>Creates the error, with its <c>Retry-After</c> header.</summary>
    /// <param name="failure">The stable failure kind.</param>
    /// <param name="message">The description.</param>
    /// <param name="retryAfter">How long the client should wait; written as whole seconds, at least 1.</param>
    public TooManyRequestsException(VerificationFailure failure, string message, TimeSpan retryAfter)
        : base(failure, message, retryAfter, null)
    {
    }

    /// <inheritdoc/>
    public override int StatusCode => 429;
}

/// <summary>The domains resolver failed or returned an unusable result (500, <c>domains_resolver_error</c>).</summary>
public sealed class DomainsResolverException : BaseAuthException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">The description.</param>
    /// <param name="innerException">The resolver's own exception, if any.</param>
    public DomainsResolverException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc/>
    public override string ErrorCode => "domains_resolver_error";

    /// <inheritdoc/>
    public override int StatusCode => 500;
}

/// <summary>A Token Vault exchange was refused or invalid (400, <c>get_access_token_for_connection_error</c>).</summary>
public sealed class GetAccessTokenForConnectionException : BaseAuthException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">The description.</param>
    public GetAccessTokenForConnectionException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public override string ErrorCode => "get_access_token_for_connection_error";

    /// <inheritdoc/>
    public override int StatusCode => 400;
}

/// <summary>A Custom Token Exchange was refused or invalid (400, <c>get_token_by_exchange_profile_error</c>).</summary>
public sealed class GetTokenByExchangeProfileException : BaseAuthException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">The description.</param>
    public GetTokenByExchangeProfileException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public override string ErrorCode => "get_token_by_exchange_profile_error";

    /// <inheritdoc/>
    public override int StatusCode => 400;
}

/// <summary>An error reported by, or while talking to, the authorization server (status given, 500 by default).</summary>
public sealed class ApiException : BaseAuthException
{
    private readonly string _code;
    private readonly int _statusCode;

    /// <summary>Creates the error.</summary>
    /// <param name="code">The error code.</param>
    /// <param name="message">The description.</param>
    /// <param name="statusCode">The HTTP status; 500 by default.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public ApiException(string code, string message, int statusCode = 500, Exception? innerException = null)
        : base(message, innerException)
    {
        _code = code;
        _statusCode = statusCode;
    }

    /// <inheritdoc/>
    public override string ErrorCode => _code;

    /// <inheritdoc/>
    public override int StatusCode => _statusCode;
}
