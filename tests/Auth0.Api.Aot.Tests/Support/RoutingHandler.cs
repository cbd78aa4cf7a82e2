using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;

namespace Auth0.Api.Aot.Tests.Support;

/// <summary>
/// One HttpClient for several loopback issuers: each request goes to the handler that trusts the certificate of the
/// issuer on its host and port. Every request is recorded, including one to a host that is no issuer (which fails as a
/// refused connection would), so a test can assert that nothing at all was requested.
/// </summary>
internal sealed class RoutingHandler : HttpMessageHandler
{
    private readonly (string Domain, HttpMessageInvoker Invoker)[] _issuers;

    public RoutingHandler(params LocalIssuer[] issuers)
    {
        _issuers = issuers.Select(i => (i.Domain, new HttpMessageInvoker(i.CreateHandler()))).ToArray();
    }

    /// <summary>Every requested URL, in order.</summary>
    public ConcurrentQueue<Uri> Requests { get; } = new();

    public HttpClient CreateClient() => new(this, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request.RequestUri!);
        foreach ((string domain, HttpMessageInvoker invoker) in _issuers)
        {
            if (domain == request.RequestUri!.Authority)
            {
                return invoker.SendAsync(request, cancellationToken);
            }
        }

        throw new HttpRequestException("No issuer at " + request.RequestUri!.Authority);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach ((_, HttpMessageInvoker invoker) in _issuers)
            {
                invoker.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
