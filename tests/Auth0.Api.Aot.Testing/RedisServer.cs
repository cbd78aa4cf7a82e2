using System;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Testing;

/// <summary>
/// A real <c>redis-server</c> (from PATH) of the caller's own on a free loopback port, without persistence, started and waited for
/// (bounded), killed and restarted on the same port, and killed when disposed.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    // Hang guards, not budgets: a redis-server starting, or answering a command, on a loaded machine is waited for.
    private static readonly TimeSpan s_startBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_replyBound = TimeSpan.FromSeconds(60);
    private const int PortAttempts = 5;
    private Process? _process;
    private readonly StringBuilder _output = new();

    private RedisServer(int port) => Port = port;

    public int Port { get; private set; }

    /// <summary>
    /// The multiplexer configuration the tests use: never abort on a failed connect (reconnection is the multiplexer's),
    /// and StackExchange.Redis's own timeouts far above the stores' (30 s), so a prompt Unavailable can only come from
    /// the store's timeout.
    /// </summary>
    public string Configuration => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture) + ",abortConnect=false,connectTimeout=2000,asyncTimeout=30000,syncTimeout=30000";

    /// <summary>
    /// Starts a server on a free port. The port is free when chosen but may be taken before redis-server binds it (by
    /// another test's server): the server then exits, and another port is tried.
    /// </summary>
    public static async Task<RedisServer> StartAsync()
    {
        RedisServer server = new(FreePort());
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await server.RestartAsync();
                return server;
            }
            catch (RedisServerExitedException) when (attempt < PortAttempts)
            {
                server.Port = FreePort();
            }
        }
    }

    /// <summary>Starts a server on <paramref name="port"/>, with no retry on another port.</summary>
    /// <exception cref="RedisServerExitedException">The server exited before answering (e.g. the port was taken).</exception>
    public static async Task<RedisServer> StartAsync(int port)
    {
        RedisServer server = new(port);
        await server.RestartAsync();
        return server;
    }

    /// <summary>The running server's process id, or <see langword="null"/> while it is not running.</summary>
    public int? ProcessId => _process?.Id;

    public static int FreePort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Starts the server (again, on the same port; a running one is killed first) and waits until it answers as this
    /// process: <c>INFO server</c>'s <c>process_id</c> is ours, so that a server of another test that took the port
    /// is never mistaken for it.
    /// </summary>
    /// <exception cref="RedisServerExitedException">The server exited before answering (e.g. the port was taken).</exception>
    public async Task RestartAsync()
    {
        await KillAsync();
        ProcessStartInfo start = new("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes" })
        {
            start.ArgumentList.Add(argument);
        }

        lock (_output)
        {
            _output.Clear();
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("redis-server was not found on PATH: install it (Debian: apt-get install redis-server; .ci/run does) to run the Redis tests", exception);
        }

        _process = process;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Stopwatch waited = Stopwatch.StartNew();
        while (true)
        {
            // Exited first: a server that could not bind must not be taken for whichever server answers on the port.
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                string output;
                lock (_output)
                {
                    output = _output.ToString();
                }

                _process = null;
                process.Dispose();
                throw new RedisServerExitedException("redis-server on port " + Port + " exited before answering: " + output.Trim());
            }

            if (await ProcessIdAsync() == process.Id)
            {
                return;
            }

            if (waited.Elapsed > s_startBound)
            {
                await KillAsync();
                throw new InvalidOperationException("redis-server on port " + Port + " did not answer within " + s_startBound.TotalSeconds + " s");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Kills the server (no shutdown handshake: as a crash or a lost host).</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    /// <summary>Sends one command over a connection of its own and returns the first line of the reply.</summary>
    public async Task<string> CommandAsync(params string[] arguments) => (await ReplyAsync(static _ => true, arguments)).Split("\r\n")[0];

    public async ValueTask DisposeAsync() => await KillAsync();

    // Sends the command, then reads until complete(reply so far) holds or the server closes; bounded by s_replyBound.
    private async Task<string> ReplyAsync(Func<string, bool> complete, params string[] arguments)
    {
        using TcpClient client = new();
        using CancellationTokenSource bound = new(s_replyBound);
        await client.ConnectAsync(IPAddress.Loopback, Port, bound.Token);
        NetworkStream stream = client.GetStream();
        StringBuilder command = new();
        command.Append('*').Append(arguments.Length).Append("\r\n");
        foreach (string argument in arguments)
        {
            command.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(command.ToString()), bound.Token);
        StringBuilder reply = new();
        byte[] buffer = new byte[4096];
        do
        {
            int read = await stream.ReadAsync(buffer, bound.Token);
            if (read == 0)
            {
                break;
            }

            reply.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        while (!(reply.ToString().Contains("\r\n", StringComparison.Ordinal) && complete(reply.ToString())));

        return reply.ToString();
    }

    // The process_id in INFO server of whichever server answers on the port, or -1 if none does (yet).
    private async Task<int> ProcessIdAsync()
    {
        try
        {
            string info = await ReplyAsync(static r => r[0] != '$' || (r.Contains("process_id:", StringComparison.Ordinal) && r.IndexOf("\r\n", r.IndexOf("process_id:", StringComparison.Ordinal), StringComparison.Ordinal) > 0), "INFO", "server");
            int at = info.IndexOf("process_id:", StringComparison.Ordinal);
            if (at < 0)
            {
                return -1;
            }

            at += "process_id:".Length;
            int end = info.IndexOf("\r\n", at, StringComparison.Ordinal);
            return int.Parse(info.AsSpan(at, end - at), CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is SocketException or System.IO.IOException or OperationCanceledException)
        {
            return -1;
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}

/// <summary>redis-server exited before it answered (the port was taken, or its arguments refused).</summary>
public sealed class RedisServerExitedException(string message) : InvalidOperationException(message);

/// <summary>A loopback TCP server that accepts connections and never answers: Redis hung, or a black hole.</summary>
public sealed class HungServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly System.Collections.Concurrent.ConcurrentBag<Socket> _accepted = [];
    private readonly CancellationTokenSource _stop = new();

    public HungServer()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public string Configuration => "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture) + ",abortConnect=false,connectTimeout=500,asyncTimeout=30000,syncTimeout=30000";

    public int Accepted => _accepted.Count;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (Socket socket in _accepted)
        {
            socket.Dispose();
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                _accepted.Add(await _listener.AcceptSocketAsync(_stop.Token));
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }
}
