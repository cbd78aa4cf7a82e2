// Process start to the first verified response, for the NativeAOT binaries measure.sh published: each app is started
// with the issuer's keys given up front (OfflineJwks: no network), and GET /orders with a Bearer token is sent every
// millisecond until it answers 200. The time from Process.Start to that 200 is one sample; rounds are interleaved (every
// round starts each app once, in alternating order), and the medians and the median per-round ratio to the empty app are
// printed. docs/performance.md records a run.
//
//   bash bench/aspnetcore-size/measure.sh && dotnet run bench/aspnetcore-size/mint.cs | dotnet run bench/aspnetcore-size/start.cs -- [rounds]
#:property PublishAot=false

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
string root = FindRoot();
string output = Path.Combine(root, "artifacts", "aspnetcore-size");
string[] apps = ["Empty", "Floor", "JwtBearer", "Auth0Api"];
foreach (string app in apps)
{
    if (!File.Exists(Binary(app)))
    {
        Console.Error.WriteLine($"no {Binary(app)}: run measure.sh first");
        return 1;
    }
}

// The issuer's domain, its JWKS and a Bearer token, from mint.cs on standard input.
string domain = Console.ReadLine() ?? throw new InvalidOperationException("pipe mint.cs into this script");
string jwks = Console.ReadLine() ?? throw new InvalidOperationException("mint.cs printed no JWKS");
string token = Console.ReadLine() ?? throw new InvalidOperationException("mint.cs printed no token");

using HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(2) };
Dictionary<string, List<double>> samples = apps.ToDictionary(app => app, _ => new List<double>());
List<Dictionary<string, double>> perRound = [];
Console.WriteLine($"{rounds} rounds, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-ddTHH:mmZ}");

// One warm-up start of each, so that the first measured start does not pay for a cold page cache.
foreach (string app in apps)
{
    await StartToFirstAsync(app);
}

for (int round = 1; round <= rounds; round++)
{
    Dictionary<string, double> times = [];
    IEnumerable<string> order = round % 2 == 1 ? apps : apps.Reverse();
    foreach (string app in order)
    {
        double ms = await StartToFirstAsync(app);
        times[app] = ms;
        samples[app].Add(ms);
    }

    perRound.Add(times);
    Console.WriteLine($"round {round}: " + string.Join("  ", apps.Select(app => $"{app} {times[app]:F1} ms")));
}

Console.WriteLine();
Console.WriteLine("| app | median ms | min ms | vs Empty (median of per-round ratios) | vs JwtBearer (median of per-round ratios) |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (string app in apps)
{
    Console.WriteLine(FormattableString.Invariant(
        $"| {app} | {Median(samples[app]):F1} | {samples[app].Min():F1} | {Median(perRound.Select(r => r[app] / r["Empty"])):F2} | {Median(perRound.Select(r => r[app] / r["JwtBearer"])):F2} |"));
}

return 0;

async Task<double> StartToFirstAsync(string app)
{
    int port = FreePort();
    ProcessStartInfo start = new(Binary(app))
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
    };
    start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
    start.Environment["OfflineDomain"] = domain;
    start.Environment["OfflineJwks"] = jwks;
    start.Environment["Logging__LogLevel__Default"] = "Warning";
    Uri url = new($"http://127.0.0.1:{port}/orders");
    Stopwatch clock = Stopwatch.StartNew();
    using Process process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    try
    {
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            using HttpRequestMessage request = new(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            try
            {
                using HttpResponseMessage response = await http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return clock.Elapsed.TotalMilliseconds;
                }

                throw new InvalidOperationException($"{app} answered {(int)response.StatusCode}");
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"{app} exited with {process.ExitCode}");
            }

            Thread.Sleep(1);
        }

        throw new TimeoutException($"{app} did not answer within 20 s");
    }
    finally
    {
        process.Kill();
        process.WaitForExit();
    }
}

string Binary(string app) => Path.Combine(output, app, "Size." + app);

static int FreePort()
{
    using TcpListener listener = new(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static double Median(IEnumerable<double> values)
{
    double[] sorted = [.. values.Order()];
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static string FindRoot()
{
    for (DirectoryInfo? directory = new(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Auth0.Api.Aot.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("run from inside the repository");
}
