using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot;

namespace Auth0.Api.Aot.Lambda;

/// <summary>The custom runtime's loop: init once, then next, handle, respond, for as long as Lambda keeps the process.</summary>
internal static class LambdaBootstrap
{
    /// <summary>The Runtime API error type of a bad setting, reported to <c>init/error</c>.</summary>
    public const string ConfigurationError = "Auth0.ConfigurationError";

    /// <summary>The error type posted when Lambda refused a response as too large (413).</summary>
    public const string ResponseTooLarge = "Auth0.ResponseTooLarge";

    /// <summary>The environment variable the X-Ray SDK reads the current invocation's trace header from.</summary>
    public const string TraceIdVariable = "_X_AMZN_TRACE_ID";

    /// <summary>
    /// Runs the function against the Runtime API at <c>AWS_LAMBDA_RUNTIME_API</c> until <paramref name="cancellationToken"/>
    /// is cancelled (returns 0) or the Runtime API fails (returns 1); a bad setting is posted to <c>init/error</c> (returns 2).
    /// </summary>
    public static async Task<int> RunAsync(Func<string, string?> environment, TimeProvider time, CancellationToken cancellationToken)
    {
        string? address = environment("AWS_LAMBDA_RUNTIME_API");
        if (string.IsNullOrEmpty(address))
        {
            Console.Error.WriteLine("AWS_LAMBDA_RUNTIME_API is not set: this is a Lambda custom runtime; run it in Lambda or against an emulator (README.md)");
            return 2;
        }

        RuntimeApi runtime;
        try
        {
            runtime = new RuntimeApi(address);
        }
        catch (LambdaConfigurationException e)
        {
            // Nowhere to post an init error to.
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        using (runtime)
        {
            return await RunAsync(runtime, environment, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<int> RunAsync(RuntimeApi runtime, Func<string, string?> environment, TimeProvider time, CancellationToken cancellationToken)
    {
        HttpApiFunction function;
        try
        {
            function = new HttpApiFunction(LambdaSettings.Read(environment, time));
        }
        catch (Exception e) when (e is LambdaConfigurationException or ConfigurationException)
        {
            // Neither message holds a setting's value (a JWKS is public, but it is not repeated either). The library's
            // names its option ('domain', StaticJwks), which the prefix ties to the variables it came from.
            string message = e is ConfigurationException ? "AUTH0_DOMAIN, AUTH0_AUDIENCE or the JWKS is not usable: " + e.Message : e.Message;
            Console.Error.WriteLine("init failed: " + message);
            try
            {
                await runtime.FailInitAsync(ConfigurationError, message, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException failed)
            {
                // The exit reports the failure all the same (Runtime.ExitError).
                Console.Error.WriteLine("the Runtime API failed: " + Describe(failed));
            }

            return 2;
        }

        using (function)
        {
            try
            {
                while (true)
                {
                    Invocation invocation = await runtime.NextAsync(cancellationToken).ConfigureAwait(false);
                    // The custom runtime's duty (Lambda developer guide, "Custom Lambda runtimes"): the X-Ray SDK, and any
                    // code the handler calls, reads the current trace header here. An invocation without one clears
                    // the previous one's.
                    Environment.SetEnvironmentVariable(TraceIdVariable, invocation.TraceId);
                    InvocationOutcome outcome = await function.HandleAsync(invocation, cancellationToken).ConfigureAwait(false);
                    if (outcome.Response is { } response)
                    {
                        if (!await runtime.RespondAsync(invocation.RequestId, response, cancellationToken).ConfigureAwait(false))
                        {
                            // 413: the invocation is still open, and its caller gets an error rather than a timeout.
                            await runtime.FailAsync(invocation.RequestId, ResponseTooLarge, "the response is over Lambda's payload limit", cancellationToken).ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        await runtime.FailAsync(invocation.RequestId, outcome.ErrorType!, outcome.ErrorMessage!, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 0;
            }
            catch (HttpRequestException e)
            {
                // The Runtime API is gone or refused a call: Lambda replaces the environment when the process exits.
                Console.Error.WriteLine("the Runtime API failed: " + Describe(e));
                return 1;
            }
        }
    }

    private static string Describe(HttpRequestException e) =>
        e.Message + (e.InnerException is { } inner ? " (" + inner.GetType().Name + ": " + inner.Message + ")" : string.Empty);
}
