using System;
using System.Buffers;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Internal;

/// <summary>A discovery or JWKS fetch failed; the message says why and never contains secrets.</summary>
internal sealed class KeySourceException : Exception
{
    public KeySourceException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Whether the message is the whole description (a fetched document that is unusable), not a fetch reason.</summary>
    public bool IsWholeMessage { get; init; }

    /// <summary>How the request failed, for the metrics and <see cref="KeySourceFailure"/>.</summary>
    public FetchOutcome Outcome { get; init; } = FetchOutcome.Network;
}

/// <summary>Ids of parsed documents, unique in the process (never reused: a long does not wrap).</summary>
internal static class DocumentIds
{
    private static long s_last;

    public static long Next() => System.Threading.Interlocked.Increment(ref s_last);
}

/// <summary>A fetched OpenID Provider Metadata document, with its issuer pre-normalised once.</summary>
internal sealed class DiscoveryDocument
{
    public DiscoveryDocument(DiscoveryDocumentDto dto, byte[] body)
    {
        Body = body;
        Issuer = string.IsNullOrEmpty(dto.Issuer) ? null : dto.Issuer;
        if (Issuer is not null)
        {
            IssuerUtf8 = Encoding.UTF8.GetBytes(Issuer);
            if (DomainNormalizer.TryNormalize(Issuer, out string? normalized, out string? error))
            {
                NormalizedIssuer = normalized;
            }
            else
            {
                IssuerError = error;
            }
        }

        JwksUri = string.IsNullOrEmpty(dto.JwksUri) ? null : dto.JwksUri;
        TokenEndpoint = string.IsNullOrEmpty(dto.TokenEndpoint) ? null : dto.TokenEndpoint;
    }

    public string? Issuer { get; }

    public byte[]? IssuerUtf8 { get; }

    public string? NormalizedIssuer { get; }

    public string? IssuerError { get; }

    public string? JwksUri { get; }

    public string? TokenEndpoint { get; }

    /// <summary>Unique to this object in the process (the verified-token cache names the document by it, so as not to keep it alive).</summary>
    public long Id { get; } = DocumentIds.Next();

    /// <summary>The document as received (for snapshots and the shared cache); empty for a pinned one, which neither exports.</summary>
    public byte[] Body { get; }

    public static DiscoveryDocument Parse(byte[] body) => new(DiscoveryReader.Read(body), body);

    /// <summary>Complete enough for the allocation-free path: issuer valid and a JWKS location.</summary>
    public bool IsComplete => NormalizedIssuer is not null && JwksUri is not null;
}

/// <summary>
/// Fetches and caches, per issuer, the discovery document (keyed by normalised issuer) and the JWKS (keyed by
/// <c>jwks_uri</c>), as auth0-api-python does (reference section 7), over HTTPS with a timeout, no redirects, a
/// response size limit and source-generated JSON; each through a <see cref="RefreshingCache{T}"/> (single-flight,
/// refresh-ahead, stale-on-error with a bound, back-off, forced refresh on an unknown kid with a cooldown).
/// </summary>
/// <remarks>Thread safety: safe for concurrent use.</remarks>
internal sealed class KeySource : IDisposable
{
    /// <summary>Largest discovery or JWKS body read, in bytes.</summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    // The client given in the options, or the library's own, made at the first request (OwnClient): a process whose
    // keys are seeded never makes one, and its start does not build the HTTP stack (a SocketsHttpHandler: about 4 million
    // instructions of a `dotnet app.dll` start; docs/performance.md, "JIT start: the library's own HTTP client and the
    // runtime's EventSources").
    private HttpClient? _httpClient;
    private readonly bool _ownsHttpClient;
    private int _disposed;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly ICacheAdapter? _shared;
    private readonly byte[]? _sharedSigningKey;
    private readonly RefreshPolicy _policy;

    public KeySource(HttpClient? httpClient, TimeSpan timeout, RefreshPolicy policy, ICacheAdapter? shared = null, byte[]? sharedSigningKey = null)
    {
        _shared = shared;
        _sharedSigningKey = sharedSigningKey;
        _policy = policy;
        _timeout = timeout;
        _timeProvider = policy.TimeProvider;

        // With the HttpFetch switch off (a constant for the trimmer), neither the client nor the fetch methods are
        // reachable, and the HTTP stack is left out of a trimmed or NativeAOT binary. An injected client is not used.
        if (HttpFetchFeature.IsEnabled)
        {
            _httpClient = httpClient;
            _ownsHttpClient = httpClient is null;

            Discovery = new RefreshingCache<DiscoveryDocument>(policy, FetchDiscoveryAsync, Telemetry.Document.Discovery);
            Jwks = new RefreshingCache<JsonWebKeySet>(policy, FetchJwksAsync, Telemetry.Document.Jwks);
        }
        else
        {
            // No fetch delegate: the caches fail a fetch themselves (HttpFetchFeature.DisabledReason, as KeySourceFailed).
            Discovery = new RefreshingCache<DiscoveryDocument>(policy, fetch: null, Telemetry.Document.Discovery);
            Jwks = new RefreshingCache<JsonWebKeySet>(policy, fetch: null, Telemetry.Document.Jwks);
        }

        Discovery.FetchFailed += (key, exception, usable, stale) => RaiseFailed(KeySourceDocument.Discovery, key, exception, usable, stale);
        Jwks.FetchFailed += (key, exception, usable, stale) => RaiseFailed(KeySourceDocument.Jwks, key, exception, usable, stale);
        Telemetry.Register(this);
    }

    /// <summary>Raised after each failed discovery or JWKS fetch, on the thread that ran it (ApiClient.KeySourceFailed).</summary>
    public event Action<KeySourceFailure>? Failed;

    /// <summary>
    /// Where a <see cref="Failed"/> handler's exception goes: by default, rethrown on the thread pool, where it is
    /// unhandled (as an exception from a Timer callback is). Tests replace it.
    /// </summary>
    internal Action<Exception> HandlerFaulted { get; set; } = static exception =>
        ThreadPool.UnsafeQueueUserWorkItem(static state => ((System.Runtime.ExceptionServices.ExceptionDispatchInfo)state!).Throw(), System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception));

    // Each handler is called on its own: one that throws neither keeps the others from being told nor changes the fetch's
    // outcome (the waiting verifications get their value result: a stale serve, or KeySourceFailed). Its exception is
    // not swallowed: no caller can receive it (a background refresh has none, and a shared fetch's waiters did not
    // subscribe), so it is unhandled, on the thread pool.
    private void RaiseFailed(KeySourceDocument document, string key, KeySourceException exception, bool usable, bool stale)
    {
        if (Failed is { } handlers)
        {
            KeySourceFailureKind kind = exception.Outcome switch
            {
                FetchOutcome.HttpError => KeySourceFailureKind.HttpError,
                FetchOutcome.InvalidDocument => KeySourceFailureKind.InvalidDocument,
                FetchOutcome.Timeout => KeySourceFailureKind.Timeout,
                _ => KeySourceFailureKind.Network,
            };
            Address address = Telemetry.AddressOf(key);
            KeySourceFailure failure = new(address.Host, address.Port, address.DefaultPort, document, kind, usable, stale);
            foreach (Delegate handler in handlers.GetInvocationList())
            {
                try
                {
                    ((Action<KeySourceFailure>)handler)(failure);
                }
                catch (Exception handlerException)
                {
                    HandlerFaulted(handlerException);
                }
            }
        }
    }

    /// <summary>
    /// Adds the age of each issuer's key set to <paramref name="ages"/> (the key-age gauge): issuers by normalised URL,
    /// pinned sets excluded. Measurements straight into the gauge's list, not a list of (issuer, seconds) tuples: a
    /// list over a tuple with a double is generic code of its own in a NativeAOT binary.
    /// </summary>
    public void AddKeyAges(System.Collections.Generic.List<System.Diagnostics.Metrics.Measurement<double>> ages)
    {
        foreach (ExportedValue<DiscoveryDocument> document in Discovery.Export())
        {
            if (document.Value.JwksUri is { } jwksUri && Jwks.Inspect(jwksUri, out _, out _, out TimeSpan age) is { Pinned: false })
            {
                ages.Add(Telemetry.KeyAge(document.Key, age.TotalSeconds));
            }
        }
    }

    /// <summary>The HTTP client: the one given in the options, or the library's own (no redirects, no cookies).</summary>
    /// <exception cref="InvalidOperationException">The HttpFetch switch is off (callers check <see cref="HttpFetchFeature.IsEnabled"/> first).</exception>
    internal HttpClient Http => !HttpFetchFeature.IsEnabled
        ? throw new InvalidOperationException(HttpFetchFeature.DisabledReason)
        : Volatile.Read(ref _httpClient) ?? OwnClient();

    /// <summary>Whether a client is there: the given one, or the library's own once a request has made it (tests).</summary>
    internal bool HasHttpClient => Volatile.Read(ref _httpClient) is not null;

    // The library's own client, made once: by the first request that needs it (two at once make one each, and one is
    // disposed unused). After Dispose, a client made by a request still in flight is disposed too, so that it fails
    // as a request on the disposed client always has (ObjectDisposedException, a fetch failure), and none is left open:
    // either Dispose sees the published client, or the request sees _disposed set (both are full fences).
    private HttpClient OwnClient()
    {
        HttpClient created = new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseCookies = false,
        })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxDocumentBytes,
        };
        if (Interlocked.CompareExchange(ref _httpClient, created, null) is { } made)
        {
            created.Dispose();
            return made;
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            created.Dispose();
        }

        return created;
    }

    /// <summary>How long no fetch of a key follows a failed one (the 503's <c>Retry-After</c> for an unusable document).</summary>
    public TimeSpan Backoff => _policy.Backoff;

    /// <summary>Discovery documents by normalised issuer (<c>https://host/</c>).</summary>
    public RefreshingCache<DiscoveryDocument> Discovery { get; }

    /// <summary>Key sets by <c>jwks_uri</c>.</summary>
    public RefreshingCache<JsonWebKeySet> Jwks { get; }

    public void Dispose()
    {
        Telemetry.Unregister(this);
        Discovery.Dispose();
        Jwks.Dispose();
        Interlocked.Exchange(ref _disposed, 1);
        if (HttpFetchFeature.IsEnabled && _ownsHttpClient)
        {
            Volatile.Read(ref _httpClient)?.Dispose();
        }
    }

    // Format 2 of the shared entries (SharedCacheEntry); format 1 (an 8-byte expiry and the body) lives under other keys,
    // so instances of both versions can share a store during an upgrade without reading each other's values.
    private const string SharedPrefix = "auth0-api-aot:v2:";

    private Task<(DiscoveryDocument, TimeSpan?)> FetchDiscoveryAsync(string normalizedIssuer, bool forced, CancellationToken cancellationToken) =>
        FetchAsync(
            SharedPrefix + "discovery:" + normalizedIssuer,
            SharedDocumentKind.Discovery,
            DomainNormalizer.DiscoveryUrl(normalizedIssuer),
            static body => Usable(DiscoveryDocument.Parse(body)),
            // A shared document must name the issuer it is cached under, and say where its keys are.
            document => document.JwksUri is not null && string.Equals(document.NormalizedIssuer, normalizedIssuer, StringComparison.Ordinal),
            forced,
            cancellationToken);

    // A fetched document that cannot be used is a failed fetch: it never replaces a good cached one, it starts the
    // back-off, and the 503's Retry-After counts that down. The messages are the Python SDK's.
    private static DiscoveryDocument Usable(DiscoveryDocument document)
    {
        string? problem = document.Issuer is null ? Error.DiscoveryIssuerMissing.Message
            : document.NormalizedIssuer is null ? Error.DiscoveryIssuerFormat(document.IssuerError).Message
            : document.JwksUri is null ? Error.JwksUriMissing.Message
            : null;
        return problem is null ? document : throw new KeySourceException(problem) { IsWholeMessage = true };
    }

    private Task<(JsonWebKeySet, TimeSpan?)> FetchJwksAsync(string jwksUri, bool forced, CancellationToken cancellationToken) =>
        FetchAsync(SharedPrefix + "jwks:" + jwksUri, SharedDocumentKind.Jwks, jwksUri, JsonWebKeySet.Parse, static _ => true, forced, cancellationToken);

    // A document from the shared cache (when one is configured) is untrusted input: its entry must be intact, fresh and
    // written under this key (SharedCacheEntry.TryRead), and its body is validated exactly like a fetched one. Anything
    // else, and a shared cache that fails, falls back to HTTP and never fails verification; the fetched document then
    // overwrites the entry. A forced fetch (an unknown kid) skips the shared read: it would return the same key set.
    private async Task<(T, TimeSpan?)> FetchAsync<T>(string sharedKey, SharedDocumentKind kind, string url, Func<byte[], T> parse, Func<T, bool> acceptShared, bool forced, CancellationToken cancellationToken)
        where T : class
    {
        if (_shared is not null && !forced
            && await TryReadSharedAsync(sharedKey, kind, cancellationToken).ConfigureAwait(false) is (byte[] sharedBody, TimeSpan remaining)
            && TryParse(sharedBody, parse, out T? sharedDocument)
            && acceptShared(sharedDocument))
        {
            return (sharedDocument, remaining);
        }

        (byte[] body, TimeSpan? lifetime, T document) = await FetchMeasuredAsync(kind, url, parse, cancellationToken).ConfigureAwait(false);
        if (_shared is not null)
        {
            await WriteSharedAsync(sharedKey, kind, body, _policy.EffectiveTtl(lifetime), cancellationToken).ConfigureAwait(false);
        }

        return (document, lifetime);
    }

    // The request to the origin, its span and its measurements (a shared-cache hit is neither).
    private async Task<(byte[] Body, TimeSpan? Lifetime, T Document)> FetchMeasuredAsync<T>(SharedDocumentKind kind, string url, Func<byte[], T> parse, CancellationToken cancellationToken)
        where T : class
    {
        if (!Telemetry.FetchesEnabled)
        {
            return await FetchCoreAsync(url, parse, cancellationToken).ConfigureAwait(false);
        }

        string document = kind == SharedDocumentKind.Discovery ? Telemetry.Document.Discovery : Telemetry.Document.Jwks;
        Address address = Telemetry.AddressOf(url);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        System.Diagnostics.Activity? activity = Telemetry.StartFetch(document, address);
        try
        {
            (byte[] Body, TimeSpan? Lifetime, T Document) fetched = await FetchCoreAsync(url, parse, cancellationToken).ConfigureAwait(false);
            Telemetry.RecordFetch(started, document, address, FetchOutcome.Success, activity);
            return fetched;
        }
        catch (KeySourceException exception)
        {
            Telemetry.RecordFetch(started, document, address, exception.Outcome, activity);
            throw;
        }
        catch
        {
            // Cancelled by Dispose: not a request outcome, and not measured.
            activity?.Dispose();
            throw;
        }
    }

    private async Task<(byte[] Body, TimeSpan? Lifetime, T Document)> FetchCoreAsync<T>(string url, Func<byte[], T> parse, CancellationToken cancellationToken)
        where T : class
    {
        (byte[] body, TimeSpan? lifetime) = await GetBodyAsync(url, cancellationToken).ConfigureAwait(false);
        try
        {
            return (body, lifetime, parse(body));
        }
        catch (KeySourceException exception) when (exception.Outcome != FetchOutcome.InvalidDocument)
        {
            throw new KeySourceException(exception.Message, exception.InnerException) { IsWholeMessage = exception.IsWholeMessage, Outcome = FetchOutcome.InvalidDocument };
        }
    }

    private static bool TryParse<T>(byte[] body, Func<byte[], T> parse, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? document)
        where T : class
    {
        try
        {
            document = parse(body);
            return true;
        }
        catch (KeySourceException)
        {
            // An intact entry whose document is invalid (written by a forger, or by a version with other rules).
            document = null;
            return false;
        }
    }

    private async Task<(byte[] Body, TimeSpan Remaining)?> TryReadSharedAsync(string key, SharedDocumentKind kind, CancellationToken cancellationToken)
    {
        byte[]? value;
        try
        {
            value = await _shared!.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        return value is not null && SharedCacheEntry.TryRead(value, key, kind, _timeProvider.GetUtcNow(), _policy.CacheTtl, out byte[]? body, out TimeSpan remaining, _sharedSigningKey)
            ? (body, remaining)
            : null;
    }

    private async Task WriteSharedAsync(string key, SharedDocumentKind kind, byte[] body, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        byte[] value = SharedCacheEntry.Create(key, kind, _timeProvider.GetUtcNow(), ttl, body, _sharedSigningKey);
        try
        {
            await _shared!.SetAsync(key, value, ttl, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The shared cache is an optimisation: its failure never fails a fetch that succeeded.
        }
    }

    private async Task<(byte[] Body, TimeSpan? MaxAge)> GetBodyAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new KeySourceException("the URL is not an absolute https URL without credentials") { Outcome = FetchOutcome.InvalidDocument };
        }

        using CancellationTokenSource timeoutSource = new(_timeout, _timeProvider);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        using HttpRequestMessage request = new(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        try
        {
            using HttpResponseMessage response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                throw new KeySourceException(FormattableString.Invariant($"redirects are not followed (HTTP {status})")) { Outcome = FetchOutcome.HttpError };
            }

            if (status is < 200 or >= 300)
            {
                throw new KeySourceException(FormattableString.Invariant($"HTTP {status}")) { Outcome = FetchOutcome.HttpError };
            }

            if (response.RequestMessage?.RequestUri is Uri final && final != uri)
            {
                throw new KeySourceException("redirects are not followed (the HttpClient followed one)") { Outcome = FetchOutcome.HttpError };
            }

            byte[] body = await ReadLimitedAsync(response.Content, MaxDocumentBytes, linked.Token).ConfigureAwait(false)
                ?? throw new KeySourceException(FormattableString.Invariant($"response is larger than {MaxDocumentBytes} bytes")) { Outcome = FetchOutcome.InvalidDocument };
            return (body, ReadLifetime(response, _timeProvider));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeoutSource.IsCancellationRequested)
        {
            throw new KeySourceException(FormattableString.Invariant($"request timed out after {_timeout.TotalSeconds:0.###} s")) { Outcome = FetchOutcome.Timeout };
        }
        catch (HttpRequestException exception)
        {
            throw new KeySourceException("request failed: " + (exception.HttpRequestError == HttpRequestError.Unknown ? exception.Message : exception.HttpRequestError.ToString()), exception);
        }
        catch (IOException exception)
        {
            throw new KeySourceException("request failed while reading the response", exception);
        }
        catch (Exception exception) when (exception is not KeySourceException && !cancellationToken.IsCancellationRequested)
        {
            // An injected HttpClient's own Timeout (TaskCanceledException), a delegating handler's exception (a circuit
            // breaker, say) or a disposed client: reported as a fetch failure, never as a raw exception.
            throw new KeySourceException(exception is OperationCanceledException ? "request was cancelled by the HttpClient (its own Timeout?)" : "request failed: " + exception.GetType().Name, exception)
            {
                Outcome = exception is OperationCanceledException ? FetchOutcome.Timeout : FetchOutcome.Network,
            };
        }
    }

    /// <summary>Reads a response body of at most <paramref name="limit"/> bytes; <see langword="null"/> when it is longer.</summary>
    internal static async Task<byte[]?> ReadLimitedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is long declared && declared > limit)
        {
            return null;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int length = 0;
            Stream body = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                while (true)
                {
                    if (length == rented.Length)
                    {
                        byte[] larger = ArrayPool<byte>.Shared.Rent(rented.Length * 2);
                        rented.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(rented);
                        rented = larger;
                    }

                    int read = await body.ReadAsync(rented.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return rented.AsSpan(0, length).ToArray();
                    }

                    length += read;
                    if (length > limit)
                    {
                        return null;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // The lifetime a response asks for (RFC 9111 sections 4.2.1 and 5.2.2), or null when it says nothing: zero for
    // no-store and for no-cache without field names (a document we may not reuse without asking again); else max-age;
    // else Expires minus Date (this instance's time when there is no Date), an Expires that does not parse ("0") being
    // in the past. RefreshPolicy.EffectiveTtl then raises it to MinimumLifetime and caps it at CacheTtl.
    internal static TimeSpan? ReadLifetime(HttpResponseMessage response, TimeProvider timeProvider)
    {
        CacheControlHeaderValue? cacheControl = response.Headers.CacheControl;
        if (cacheControl is not null && (cacheControl.NoStore || (cacheControl.NoCache && cacheControl.NoCacheHeaders.Count == 0)))
        {
            return TimeSpan.Zero;
        }

        if (cacheControl?.MaxAge is TimeSpan maxAge && maxAge >= TimeSpan.Zero)
        {
            return maxAge;
        }

        if (!response.Content.Headers.NonValidated.Contains("Expires"))
        {
            return null;
        }

        if (response.Content.Headers.Expires is not DateTimeOffset expires)
        {
            return TimeSpan.Zero;
        }

        TimeSpan lifetime = expires - (response.Headers.Date ?? timeProvider.GetUtcNow());
        return lifetime > TimeSpan.Zero ? lifetime : TimeSpan.Zero;
    }
}
