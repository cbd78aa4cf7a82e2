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
    private static readonly TimeSpan s_startBound = TimeSpan.FromSeconds(15);
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    /// <summary>
    /// The multiplexer configuration the tests use: never abort on a failed connect (reconnection is the multiplexer's),
    /// and StackExchange.Redis's own timeouts far above the stores' (30 s), so a prompt Unavailable can only come from
    /// the store's timeout.
    /// </summary>
    public string Configuration => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture) + ",abortConnect=false,connectTimeout=2000,asyncTimeout=30000,syncTimeout=30000";

    public static async Task<RedisServer> StartAsync()
    {
        RedisServer server = new(FreePort());
        await server.RestartAsync();
        return server;
    }

    public static int FreePort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the server (again, on the same port) and waits until it answers PING.</summary>
    public async Task RestartAsync()
    {
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

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Stopwatch waited = Stopwatch.StartNew();
        while (!await AnswersAsync())
        {
            if (_process.HasExited || waited.Elapsed > s_startBound)
            {
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
    public async Task<string> CommandAsync(params string[] arguments)
    {
        using TcpClient client = new();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        NetworkStream stream = client.GetStream();
        StringBuilder command = new();
        command.Append('*').Append(arguments.Length).Append("\r\n");
        foreach (string argument in arguments)
        {
            command.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(command.ToString()));
        byte[] buffer = new byte[512];
        using CancellationTokenSource bound = new(TimeSpan.FromSeconds(5));
        int read = await stream.ReadAsync(buffer, bound.Token);
        return Encoding.UTF8.GetString(buffer, 0, read).Split("\r\n")[0];
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private async Task<bool> AnswersAsync()
    {
        try
        {
            return await CommandAsync("PING") == "+PONG";
        }
        catch (Exception exception) when (exception is SocketException or System.IO.IOException or OperationCanceledException)
        {
            return false;
        }
    }
}

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
