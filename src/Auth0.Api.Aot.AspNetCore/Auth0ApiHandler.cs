// The authentication handler: reads Authorization and DPoP, builds the URL the proof's htu is compared with, calls the
// core's non-throwing request verification once, and turns its result into a principal or into the answer (status,
// WWW-Authenticate, DPoP-Nonce, Retry-After, problem details). Nothing here parses a token: the core did.

using System;
using System.Collections.Generic;
using System.Text.Encodings.Web;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Auth0.Api.Aot.AspNetCore;

/// <summary>Authenticates requests that carry an Auth0 access token, as a Bearer or a DPoP-bound token.</summary>
public sealed class Auth0ApiHandler : AuthenticationHandler<Auth0ApiOptions>
{
    private readonly Auth0ApiClients _clients;

    /// <summary>Creates the handler (through dependency injection).</summary>
    /// <param name="options">The schemes' options.</param>
    /// <param name="logger">The logger factory.</param>
    /// <param name="encoder">The URL encoder.</param>
    /// <param name="clients">The clients, one per scheme.</param>
    public Auth0ApiHandler(IOptionsMonitor<Auth0ApiOptions> options, ILoggerFactory logger, UrlEncoder encoder, Auth0ApiClients clients)
        : base(options, logger, encoder)
    {
        _clients = clients;
    }

    /// <summary>The events of this scheme.</summary>
    private new Auth0ApiEvents Events => (Auth0ApiEvents)base.Events!;

    /// <inheritdoc/>
    protected override Task<object> CreateEventsAsync() => Task.FromResult<object>(new Auth0ApiEvents());

    /// <inheritdoc/>
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? suppliedToken = null;
        if (Events.HandlesMessageReceived)
        {
            Auth0ApiMessageReceivedContext received = new(Context, Scheme, Options);
            await Events.MessageReceived(received).ConfigureAwait(false);
            if (received.Result is { } decided)
            {
                return decided;
            }

            suppliedToken = received.Token is { Length: > 0 } token ? token : null;
        }

        ApiClient client = _clients.Get(Scheme.Name);
        string? authorization = suppliedToken is not null ? "Bearer " + suppliedToken : Joined(Request.Headers.Authorization);
        string? dpop = suppliedToken is not null ? null : Joined(Request.Headers["DPoP"]);
        Auth0ApiFeature feature = Auth0ApiFeature.For(Context);
        if (authorization is null)
        {
            // No credentials: anonymous endpoints work; a protected one is challenged (401, no error code).
            feature.Set(Scheme.Name, new(await client.TryVerifyRequestAsync(null, null, null, null, Context.RequestAborted).ConfigureAwait(false)));
            return AuthenticateResult.NoResult();
        }

        // A Bearer request needs the URL only for a domains resolver's context; a DPoP proof's htu always.
        bool needsUrl = Options.Client.DomainsResolver is not null || !authorization.AsSpan().TrimStart().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        RequestVerificationResult result = await client.TryVerifyRequestAsync(authorization, dpop, Request.Method, needsUrl ? RequestUrl() : null, Context.RequestAborted).ConfigureAwait(false);
        if (result.IsValid)
        {
            System.Security.Claims.ClaimsPrincipal principal = ClaimsMapping.CreatePrincipal(result.Claims, Scheme.Name, Options.NameClaimType, Options.RoleClaimType);
            if (!Events.HandlesTokenValidated)
            {
                feature.Set(Scheme.Name, new(result));
                return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
            }

            Auth0ApiTokenValidatedContext validated = new(Context, Scheme, Options, result) { Principal = principal };
            await Events.TokenValidated(validated).ConfigureAwait(false);
            if (validated.Result is { Succeeded: false } refused)
            {
                // The application refused a verified token: its claims are not the request's, and its challenge is
                // invalid_token in the scheme used.
                feature.Set(Scheme.Name, new(result, RefusedByApplication));
                return refused;
            }

            feature.Set(Scheme.Name, new(result));
            if (validated.Result is { } outcome)
            {
                return outcome;
            }

            validated.Success();
            return validated.Result!;
        }

        feature.Set(Scheme.Name, new(result));
        if (result.StatusCode >= 500)
        {
            // The server's fault (issuer keys, replay store, resolver): operators must see it.
            Log.Unavailable(Logger, Scheme.Name, result.Failure, result.StatusCode, result.Issuer ?? "none");
        }
        else
        {
            Log.Refused(Logger, Scheme.Name, result.Failure, result.StatusCode, result.Scheme ?? "none", result.Issuer ?? "none");
        }

        Auth0ApiAuthenticationFailedContext failed = new(Context, Scheme, Options, result);
        await Events.AuthenticationFailed(failed).ConfigureAwait(false);
        return failed.Result ?? AuthenticateResult.Fail(result.Error);
    }

    /// <inheritdoc/>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // This scheme's own outcome: run authentication now if it has not run for this request (not the default scheme).
        if (Auth0ApiFeature.For(Context).Get(Scheme.Name) is null)
        {
            await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        }

        ApiClient client = _clients.Get(Scheme.Name);
        Auth0ApiFeature.Outcome? outcome = Auth0ApiFeature.For(Context).Get(Scheme.Name);
        RequestVerificationResult result = outcome?.Result ?? default;
        string? resourceMetadata = ResourceMetadataUrl();
        string? challengeValue;
        int status;
        if (outcome is { Refusal: { } refusal })
        {
            (status, challengeValue) = (StatusCodes.Status401Unauthorized, client.CreateChallenge(result.Scheme, "invalid_token", refusal, resourceMetadata));
        }
        else
        {
            if (result.IsValid || result.Failure == VerificationFailure.None)
            {
                // Authenticated, yet challenged (a policy that needs another scheme, say): answered as without credentials.
                result = await client.TryVerifyRequestAsync(null, null, null, null, Context.RequestAborted).ConfigureAwait(false);
            }

            (status, challengeValue) = (result.StatusCode, result.GetChallenge(resourceMetadata));
        }

        Auth0ApiChallengeContext challenge = new(Context, Scheme, Options, properties, result) { Challenge = challengeValue };
        await Events.Challenge(challenge).ConfigureAwait(false);
        if (challenge.Handled)
        {
            return;
        }

        if (Response.HasStarted)
        {
            // Another scheme of the same policy answered first; a second answer cannot be written.
            Log.ResponseStarted(Logger, Scheme.Name);
            return;
        }

        Response.StatusCode = status;
        Response.Headers.CacheControl = "no-store";
        if (challenge.Challenge is { } value)
        {
            AppendChallenge(value);
        }

        if (result.DPoPNonce is { } nonce)
        {
            Response.Headers["DPoP-Nonce"] = nonce;
        }

        if (result.RetryAfter is { } retryAfter)
        {
            Response.Headers.RetryAfter = ((long)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Options.WriteProblemDetails && outcome is { Refusal: { } description })
        {
            await Problems.WriteAsync(Context, status, "invalid_token", description).ConfigureAwait(false);
        }
        else if (Options.WriteProblemDetails && result.ErrorCode.Length > 0)
        {
            await Problems.WriteAsync(Context, status, result.ErrorCode, Problems.Detail(result)).ConfigureAwait(false);
        }
    }

    private const string RefusedByApplication = "The access token was refused by the application";

    /// <inheritdoc/>
    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Auth0ApiFeature feature = Auth0ApiFeature.For(Context);
        if (feature.Get(Scheme.Name) is { Refusal: not null } refused)
        {
            // A typed-claims requirement refused this scheme's token (a claim the endpoint declares is missing or
            // mistyped): not a matter of privileges but a token that is not valid here, so it is challenged 401
            // invalid_token with the claim's message (as the core's VerifyAccessTokenAsync<TClaims> refuses it), and
            // OnChallenge, not OnForbidden, sees it.
            Log.Refused(Logger, Scheme.Name, refused.RefusalKind, StatusCodes.Status401Unauthorized, refused.Result.Scheme ?? "none", refused.Result.Issuer ?? "none");
            await HandleChallengeAsync(properties).ConfigureAwait(false);
            return;
        }

        IReadOnlyList<string> scopes = (IReadOnlyList<string>?)feature.MissingScopes ?? [];
        Auth0ApiForbiddenContext forbidden = new(Context, Scheme, Options, properties, scopes);
        await Events.Forbidden(forbidden).ConfigureAwait(false);
        if (forbidden.Handled)
        {
            return;
        }

        if (Response.HasStarted)
        {
            Log.ResponseStarted(Logger, Scheme.Name);
            return;
        }

        ApiClient client = _clients.Get(Scheme.Name);
        string? requestScheme = feature.Get(Scheme.Name)?.Result.Scheme;
        Response.StatusCode = StatusCodes.Status403Forbidden;
        Response.Headers.CacheControl = "no-store";
        AppendChallenge(client.CreateInsufficientScopeChallenge(requestScheme, scopes, ResourceMetadataUrl()));
        if (Options.WriteProblemDetails)
        {
            await Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "insufficient_scope", "The access token does not grant what this operation needs").ConfigureAwait(false);
        }
    }

    // Two Auth0 schemes of one policy may challenge alike (the same modes and metadata): the same challenge once.
    private void AppendChallenge(string value)
    {
        foreach (string? present in Response.Headers[HeaderNames.WWWAuthenticate])
        {
            if (string.Equals(present, value, StringComparison.Ordinal))
            {
                return;
            }
        }

        Response.Headers.Append(HeaderNames.WWWAuthenticate, value);
    }

    /// <summary>The absolute URL a DPoP proof's <c>htu</c> is compared with.</summary>
    private string RequestUrl()
    {
        if (Options.RequestUrlResolver is { } resolve)
        {
            return resolve(Context);
        }

        return PublicOrRequestOrigin() + Request.PathBase.ToUriComponent() + Request.Path.ToUriComponent();
    }

    private string PublicOrRequestOrigin() => Options.PublicOrigin is { } publicOrigin
        ? publicOrigin.GetLeftPart(UriPartial.Authority)
        : Request.Scheme + "://" + Request.Host.ToUriComponent();

    // RFC 9728 section 3.1: the metadata URL is the resource identifier with the well-known path inserted after its
    // host. The origin comes from PublicOrigin, else from the resource when it is an absolute URL, and only else from
    // the request (whose Host header the client chose: set AllowedHosts, or PublicOrigin).
    private string? ResourceMetadataUrl()
    {
        if (!Options.AdvertiseResourceMetadata)
        {
            return null;
        }

        ApiClient client = _clients.Get(Scheme.Name);
        string origin = Options.PublicOrigin is null
            && Uri.TryCreate(Options.Resource ?? client.Audience, UriKind.Absolute, out Uri? resource) && (resource.Scheme == Uri.UriSchemeHttps || resource.Scheme == Uri.UriSchemeHttp)
                ? resource.GetLeftPart(UriPartial.Authority)
                : PublicOrRequestOrigin();
        return origin + ProtectedResourceMetadata.Path(Options, client);
    }

    // An empty header is no credentials; several lines are joined (and refused by the core: several proofs, or several
    // credentials, 400 invalid_request).
    private static string? Joined(StringValues values) => values.Count switch
    {
        0 => null,
        1 => string.IsNullOrEmpty(values[0]) ? null : values[0],
        _ => string.Join(", ", (string?[])values!),
    };

    private static class HeaderNames
    {
        public const string WWWAuthenticate = "WWW-Authenticate";
    }
}

/// <summary>
/// Source-generated log messages: failure kinds and statuses, and the allowed issuer a refused token matched
/// (<see cref="RequestVerificationResult.Issuer"/>, <c>none</c> when unknown), never a token, a proof or a claim value.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Auth0 API scheme {Scheme} refused a request: {Failure} ({Status}, scheme {RequestScheme}, issuer {Issuer})")]
    public static partial void Refused(ILogger logger, string scheme, VerificationFailure failure, int status, string requestScheme, string issuer);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Auth0 API scheme {Scheme}: the response had started (another scheme answered), nothing written")]
    public static partial void ResponseStarted(ILogger logger, string scheme);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Auth0 API scheme {Scheme}: keys of {Issuer} fetched")]
    public static partial void KeysReady(ILogger logger, string scheme, string issuer);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Auth0 API scheme {Scheme}: keys of {Issuer} are {State} after warm-up; last error: {Error}")]
    public static partial void KeysNotReady(ILogger logger, string scheme, string issuer, KeyState state, string error);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Auth0 API scheme {Scheme}: {Document} fetch from {Host} port {Port} failed ({Kind}); {State}")]
    public static partial void KeySourceFailed(ILogger logger, string scheme, KeySourceDocument document, string host, int port, KeySourceFailureKind kind, string state);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Auth0 API scheme {Scheme} accepts DPoP and checks each proof's htu against the request's Host header, and any host is allowed (AllowedHosts unset or '*', or X-Forwarded-Host taken without ForwardedHeadersOptions.AllowedHosts): set PublicOrigin, or AllowedHosts to the API's host names (docs/aspnetcore.md, \"Behind a proxy or load balancer\")")]
    public static partial void HostChoosesHtuOrigin(ILogger logger, string scheme);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Auth0 API scheme {Scheme} cannot verify requests: {Failure} ({Status}, issuer {Issuer})")]
    public static partial void Unavailable(ILogger logger, string scheme, VerificationFailure failure, int status, string issuer);
}
