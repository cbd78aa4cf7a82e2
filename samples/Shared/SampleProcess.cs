// Shared by the samples' clients (linked into each): starts a sample app as a separate process with its settings in
// the environment, captures its output, waits (bounded) until it answers, and kills it on every exit path.

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Samples;

/// <summary>A sample app running as a child process on a free loopback port, killed when disposed or interrupted.</summary>
internal sealed class SampleProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly PosixSignalRegistration _onInterrupt;
    private readonly PosixSignalRegistration _onTerminate;
    private int _disposed;

    private SampleProcess(Process process, string origin)
    {
        _process = process;
        Origin = origin;
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) { _log.Enqueue(line.Data); } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { _log.Enqueue(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Ctrl+C, or a CI timeout's SIGTERM: the app goes down with this process, never left running.
        _onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Interrupted());
        _onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Interrupted());
    }

    /// <summary>The app's origin, <c>http://127.0.0.1:port</c>.</summary>
    public string Origin { get; }

    public int Id => _process.Id;

    /// <summary>The first line the app wrote that contains one of <paramref name="texts"/>, or <see langword="null"/>.</summary>
    public string? FirstOutputLineContainingAny(IReadOnlyList<string> texts) =>
        _log.FirstOrDefault(line => texts.Any(text => line.Contains(text, StringComparison.Ordinal)));

    /// <summary>Waits (polling every 100 ms, at most <paramref name="limit"/>) until a line the app wrote contains <paramref name="text"/>.</summary>
    public async Task<bool> WaitForOutputAsync(string text, TimeSpan limit)
    {
        Stopwatch waited = Stopwatch.StartNew();
        while (!_log.Any(line => line.Contains(text, StringComparison.Ordinal)))
        {
            if (waited.Elapsed > limit || _process.HasExited)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    /// <summary>
    /// Starts <paramref name="appPath"/> (a native binary, or a .dll run with <c>dotnet</c>) in its own folder (the
    /// content root, where appsettings.json is), listening on a free loopback port, with <paramref name="environment"/>.
    /// </summary>
    public static SampleProcess Start(string appPath, Action<string, IDictionary<string, string?>> environment)
    {
        string origin = "http://127.0.0.1:" + FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        ProcessStartInfo start = appPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new("dotnet") { ArgumentList = { appPath } } : new(appPath);
        start.WorkingDirectory = Path.GetDirectoryName(appPath)!;
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["ASPNETCORE_URLS"] = origin;
        environment(origin, start.Environment);
        Process process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + appPath);
        return new SampleProcess(process, origin);
    }

    /// <summary>Polls <paramref name="path"/> every 100 ms until it answers 2xx; throws when the app exits or after <paramref name="limit"/>.</summary>
    public async Task WaitUntilReadyAsync(HttpClient http, string path, TimeSpan limit)
    {
        Stopwatch waited = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the app exited with code {_process.ExitCode} before it listened");
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri(Origin + path));
                if (response.IsSuccessStatusCode)
                {
                    Console.WriteLine($"Ready after {waited.ElapsedMilliseconds} ms");
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (waited.Elapsed > limit)
            {
                throw new TimeoutException($"the app did not answer within {limit.TotalSeconds} s");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Waits (at most 60 s) until <paramref name="readyPath"/> answers, runs <paramref name="run"/>, counts a failure to
    /// answer as a failed check, kills the app, prints its output when any check failed, and returns the exit code.
    /// </summary>
    public async Task<int> RunChecksAsync(HttpClient http, string readyPath, SampleChecks checks, string name, Func<Task> run)
    {
        try
        {
            await WaitUntilReadyAsync(http, readyPath, TimeSpan.FromSeconds(60));
            await run();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            checks.Check($"the {name} answers", false, e.GetType().Name + ": " + e.Message);
        }
        finally
        {
            Dispose();
        }

        if (checks.Failed > 0)
        {
            Console.WriteLine($"--- the {name}'s output");
            foreach (string line in _log)
            {
                Console.WriteLine(line);
            }
        }

        Console.WriteLine($"{name}: {checks.Passed} passed, {checks.Failed} failed");
        return checks.ExitCode;
    }

    /// <summary>Kills the app (and anything it started) and waits for it, at most 5 s; once, whoever calls first.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _onInterrupt.Dispose();
        _onTerminate.Dispose();
        _process.Dispose();
    }

    /// <summary>The app's path as the client's build recorded it (assembly metadata <c>SampleApp</c>).</summary>
    public static string RecordedAppPath() =>
        Assembly.GetEntryAssembly()?.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "SampleApp")?.Value is { Length: > 0 } path
            ? path
            : throw new InvalidOperationException("the app's path was not recorded at build time; pass the app as the first argument");

    /// <summary>The WWW-Authenticate header as the server wrote it (HttpClient's parsed view splits it into challenges).</summary>
    public static string Challenge(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out System.Net.Http.Headers.HeaderStringValues values) ? string.Join(" | ", values) : "(none)";

    private void Interrupted()
    {
        Dispose();
        Console.WriteLine("interrupted: the app was stopped");
        Environment.Exit(1);
    }

    private static int FreeLoopbackPort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
