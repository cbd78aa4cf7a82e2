using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Auth0.Api.Aot.Testing;

/// <summary>What a function posted for one invocation: its response, or its error (with the error type header).</summary>
public sealed record LambdaInvocationResult(string RequestId, bool IsError, string? ErrorType, string Body);

/// <summary>
/// The Lambda Runtime API (version 2018-06-01) on loopback, for the Lambda sample's tests and its client: Kestrel over
/// HTTP serving <c>invocation/next</c> from a queue of events, and collecting <c>invocation/{id}/response</c>,
/// <c>invocation/{id}/error</c> and <c>init/error</c>. Every request is recorded, so a test can show the function called
/// nothing else. One event is handed out at a time, as Lambda does.
/// </summary>
public sealed class LambdaRuntimeEmulator : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime/";
    /// <summary>The X-Ray trace header <see cref="Enqueue(string)"/> hands out with an event.</summary>
    public const string DefaultTraceId = "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0";

    private readonly Channel<(string Id, string Event, string? TraceId)> _events = Channel.CreateUnbounded<(string, string, string?)>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<LambdaInvocationResult>> _pending = new();
    private readonly TaskCompletionSource<LambdaInvocationResult> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;
    private int _waiting;

    private LambdaRuntimeEmulator()
    {
    }

    /// <summary>The value for <c>AWS_LAMBDA_RUNTIME_API</c>: <c>127.0.0.1:port</c>.</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>Every request received, as <c>METHOD /path</c>, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>
    /// How many <c>invocation/next</c> requests are waiting for an event. A runtime that stopped leaves one until its
    /// connection's close reaches the server: wait for 0 before queueing events for the next runtime, or that stale
    /// request takes the first of them.
    /// </summary>
    public int WaitingForEvents => Volatile.Read(ref _waiting);

    /// <summary>Completes when the function posts to <c>init/error</c>.</summary>
    public Task<LambdaInvocationResult> InitError => _initError.Task;

    /// <summary>The clock of the <c>Lambda-Runtime-Deadline-Ms</c> header (three seconds after the event is handed out).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public static async Task<LambdaRuntimeEmulator> StartAsync()
    {
        LambdaRuntimeEmulator emulator = new();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        app.Run(emulator.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        emulator.Address = "127.0.0.1:" + new Uri(app.Urls.First()).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        emulator._app = app;
        return emulator;
    }

    /// <summary>
    /// A status code to answer a request with instead of serving it, given its resource (<c>invocation/next</c>,
    /// <c>init/error</c>, <c>invocation/{id}/response</c> or <c>invocation/{id}/error</c>): the Runtime API's 400, 403,
    /// 413 and 500. <see langword="null"/>, or a function returning <see langword="null"/>, serves the request.
    /// </summary>
    public Func<string, int?>? Refuse { get; set; }

    /// <summary>Queues an event with <see cref="DefaultTraceId"/>; returns its request id, whose result <see cref="ResultAsync"/> gives.</summary>
    public string Enqueue(string eventJson) => Enqueue(eventJson, DefaultTraceId);

    /// <summary>Queues an event with the trace header <paramref name="traceId"/>, or none when it is <see langword="null"/>.</summary>
    public string Enqueue(string eventJson, string? traceId)
    {
        string id = Guid.NewGuid().ToString();
        _pending[id] = new TaskCompletionSource<LambdaInvocationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _events.Writer.TryWrite((id, eventJson, traceId));
        return id;
    }

    /// <summary>Completes when the function posts the response or the error of <paramref name="requestId"/>.</summary>
    public Task<LambdaInvocationResult> ResultAsync(string requestId) =>
        _pending.TryGetValue(requestId, out TaskCompletionSource<LambdaInvocationResult>? pending) ? pending.Task : throw new ArgumentException("not a queued request id", nameof(requestId));

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? string.Empty;
        Requests.Enqueue(context.Request.Method + " " + path);
        string resource = path.StartsWith(Prefix, StringComparison.Ordinal) ? path[Prefix.Length..] : string.Empty;
        if (Refuse?.Invoke(resource) is { } refused)
        {
            context.Response.StatusCode = refused;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"errorMessage\":\"refused by the emulator\",\"errorType\":\"Emulator.Refused\"}").ConfigureAwait(false);
            return;
        }

        if (resource == "invocation/next" && HttpMethods.IsGet(context.Request.Method))
        {
            (string Id, string Event, string? TraceId) next;
            Interlocked.Increment(ref _waiting);
            try
            {
                next = await _events.Reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                context.Response.StatusCode = 500;
                return;
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }

            if (context.RequestAborted.IsCancellationRequested)
            {
                // The runtime went away as the event came: it goes to the next one.
                _events.Writer.TryWrite(next);
                return;
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            context.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = next.Id;
            context.Response.Headers["Lambda-Runtime-Deadline-Ms"] = Clock.GetUtcNow().AddSeconds(3).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-1:000000000000:function:emulated";
            if (next.TraceId is not null)
            {
                context.Response.Headers["Lambda-Runtime-Trace-Id"] = next.TraceId;
            }

            await context.Response.WriteAsync(next.Event).ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = 404;
            return;
        }

        string body;
        using (StreamReader reader = new(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }

        string? errorType = context.Request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault();
        if (resource == "init/error")
        {
            _initError.TrySetResult(new LambdaInvocationResult(string.Empty, true, errorType, body));
            context.Response.StatusCode = 202;
            return;
        }

        string[] parts = resource.Split('/');
        if (parts.Length == 3 && parts[0] == "invocation" && parts[2] is "response" or "error" && _pending.TryGetValue(parts[1], out TaskCompletionSource<LambdaInvocationResult>? pending))
        {
            bool isError = parts[2] == "error";
            // A second answer for the same invocation is refused, as Lambda refuses it.
            context.Response.StatusCode = pending.TrySetResult(new LambdaInvocationResult(parts[1], isError, isError ? errorType : null, body)) ? 202 : 400;
            return;
        }

        context.Response.StatusCode = 404;
    }
}
