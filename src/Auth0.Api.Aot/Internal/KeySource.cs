using System;
using System.Buffers;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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
}

/// <summary>A fetched OpenID Provider Metadata document, with its issuer pre-normalised once.</summary>
internal sealed class DiscoveryDocument
{
    public DiscoveryDocument(DiscoveryDocumentDto dto)
    {
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

    private readonly HttpClient _httpClient;
    private readonly bool _ownsHttpClient;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    public KeySource(HttpClient? httpClient, TimeSpan timeout, RefreshPolicy policy)
    {
        if (httpClient is null)
        {
            _httpClient = new HttpClient(new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                UseCookies = false,
            })
            {
                Timeout = System.Threading.Timeout.InfiniteTimeSpan,
                MaxResponseContentBufferSize = MaxDocumentBytes,
            };
            _ownsHttpClient = true;
        }
        else
        {
            _httpClient = httpClient;
        }

        _timeout = timeout;
        _timeProvider = policy.TimeProvider;
        Discovery = new RefreshingCache<DiscoveryDocument>(policy, FetchDiscoveryAsync);
        Jwks = new RefreshingCache<JsonWebKeySet>(policy, FetchJwksAsync);
    }

    /// <summary>Discovery documents by normalised issuer (<c>https://host/</c>).</summary>
    public RefreshingCache<DiscoveryDocument> Discovery { get; }

    /// <summary>Key sets by <c>jwks_uri</c>.</summary>
    public RefreshingCache<JsonWebKeySet> Jwks { get; }

    public void Dispose()
    {
        Discovery.Dispose();
        Jwks.Dispose();
        if (_ownsHttpClient)
        {
            _httpClient.Dispose();
        }
    }

    private async Task<(DiscoveryDocument, TimeSpan?)> FetchDiscoveryAsync(string normalizedIssuer, CancellationToken cancellationToken)
    {
        (DiscoveryDocumentDto dto, TimeSpan? maxAge) = await GetJsonAsync(
            DomainNormalizer.DiscoveryUrl(normalizedIssuer), Auth0JsonContext.Default.DiscoveryDocumentDto, cancellationToken).ConfigureAwait(false);
        return (new DiscoveryDocument(dto), maxAge);
    }

    private async Task<(JsonWebKeySet, TimeSpan?)> FetchJwksAsync(string jwksUri, CancellationToken cancellationToken)
    {
        (JsonWebKeySetDto dto, TimeSpan? maxAge) = await GetJsonAsync(jwksUri, Auth0JsonContext.Default.JsonWebKeySetDto, cancellationToken).ConfigureAwait(false);
        return (JsonWebKeySet.FromDto(dto), maxAge);
    }

    private async Task<(T Document, TimeSpan? MaxAge)> GetJsonAsync<T>(string url, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new KeySourceException("the URL is not an absolute https URL without credentials");
        }

        using CancellationTokenSource timeoutSource = new(_timeout, _timeProvider);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        using HttpRequestMessage request = new(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        byte[]? rented = null;
        try
        {
            using HttpResponseMessage response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                throw new KeySourceException(FormattableString.Invariant($"redirects are not followed (HTTP {status})"));
            }

            if (status is < 200 or >= 300)
            {
                throw new KeySourceException(FormattableString.Invariant($"HTTP {status}"));
            }

            if (response.RequestMessage?.RequestUri is Uri final && final != uri)
            {
                throw new KeySourceException("redirects are not followed (the HttpClient followed one)");
            }

            if (response.Content.Headers.ContentLength is long declared && declared > MaxDocumentBytes)
            {
                throw new KeySourceException(FormattableString.Invariant($"response is larger than {MaxDocumentBytes} bytes"));
            }

            rented = ArrayPool<byte>.Shared.Rent(16 * 1024);
            int length = 0;
            Stream body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
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

                    int read = await body.ReadAsync(rented.AsMemory(length), linked.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                    if (length > MaxDocumentBytes)
                    {
                        throw new KeySourceException(FormattableString.Invariant($"response is larger than {MaxDocumentBytes} bytes"));
                    }
                }
            }

            T? document;
            try
            {
                document = JsonSerializer.Deserialize(rented.AsSpan(0, length), typeInfo);
            }
            catch (JsonException)
            {
                throw new KeySourceException("response is not valid JSON of the expected shape");
            }

            if (document is null)
            {
                throw new KeySourceException("response is not a JSON object");
            }

            return (document, ReadMaxAge(response));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeoutSource.IsCancellationRequested)
        {
            throw new KeySourceException(FormattableString.Invariant($"request timed out after {_timeout.TotalSeconds:0.###} s"));
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
            throw new KeySourceException(exception is OperationCanceledException ? "request was cancelled by the HttpClient (its own Timeout?)" : "request failed: " + exception.GetType().Name, exception);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static TimeSpan? ReadMaxAge(HttpResponseMessage response)
    {
        CacheControlHeaderValue? cacheControl = response.Headers.CacheControl;
        if (cacheControl?.MaxAge is TimeSpan maxAge && maxAge >= TimeSpan.Zero)
        {
            return maxAge;
        }

        return null;
    }
}
