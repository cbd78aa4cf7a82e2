namespace Auth0.Api.Aot;

/// <summary>Which document a key-source fetch was for.</summary>
public enum KeySourceDocument
{
    /// <summary>The issuer's OpenID Provider Metadata (<c>/.well-known/openid-configuration</c>).</summary>
    Discovery = 0,

    /// <summary>The issuer's key set (its <c>jwks_uri</c>).</summary>
    Jwks,
}

/// <summary>How a key-source fetch failed (the <c>auth0.outcome</c> tag of <c>auth0.api.key_source.fetches</c>).</summary>
public enum KeySourceFailureKind
{
    /// <summary>A connection, TLS or read failure, a handler's own exception, or a build without HTTP fetching.</summary>
    Network = 0,

    /// <summary>An answer other than 2xx (a redirect included: none is followed).</summary>
    HttpError,

    /// <summary>A body that is too large, not JSON of the expected shape, or unusable (no issuer, no <c>jwks_uri</c>, a bad key).</summary>
    InvalidDocument,

    /// <summary>No answer within <see cref="ApiClientOptions.Timeout"/> (or the HttpClient's own timeout).</summary>
    Timeout,
}

/// <summary>
/// One failed discovery or JWKS fetch, as <see cref="ApiClient.KeySourceFailed"/> reports it: the host and the kind of
/// failure only (no URL path, no response body, no exception message), and whether cached keys still serve.
/// </summary>
/// <remarks>Thread safety: immutable.</remarks>
public sealed class KeySourceFailure
{
    private readonly bool _defaultPort;

    internal KeySourceFailure(string host, int port, bool defaultPort, KeySourceDocument document, KeySourceFailureKind kind, bool servingCached, bool servingStale)
    {
        Host = host;
        Port = port;
        _defaultPort = defaultPort;
        Document = document;
        Kind = kind;
        ServingCached = servingCached;
        ServingStale = servingStale;
    }

    /// <summary>The host fetched: an allowed issuer's, or its <c>jwks_uri</c>'s (lower-cased; an IPv6 literal in brackets).</summary>
    public string Host { get; }

    /// <summary>The port fetched: the URL's own, or its scheme's default (443); 0 with a <see cref="Host"/> of <c>invalid</c> for a URL that could not be read.</summary>
    public int Port { get; }

    /// <summary>The document that could not be fetched.</summary>
    public KeySourceDocument Document { get; }

    /// <summary>How the fetch failed.</summary>
    public KeySourceFailureKind Kind { get; }

    /// <summary>Whether a cached copy of the document still serves (fresh, or stale within <see cref="ApiClientOptions.MaxStaleness"/>); when not, tokens that need it are answered 503.</summary>
    public bool ServingCached { get; }

    /// <summary>Whether the copy that serves is past its lifetime (stale-on-error).</summary>
    public bool ServingStale { get; }

    /// <summary>The document, the host (with the port when it is not the scheme's default: <c>host:8443</c>) and the kind.</summary>
    /// <returns>A text such as <c>Jwks fetch from tenant.example.com failed: Timeout</c>.</returns>
    public override string ToString() => Document + " fetch from " + Host + (_defaultPort || Port == 0 ? string.Empty : ":" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture)) + " failed: " + Kind;
}
