using System;
using System.Globalization;
using BenchmarkDotNet.Running;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project bench/Auth0.Api.Aot.Benchmarks -- --filter '*'</c> runs
/// BenchmarkDotNet; <c>-- --paired [rounds] [firstseen|dpop|sametoken|telemetry]</c> runs the paired measurement of <see cref="PairedRun"/>;
/// <c>-- --redis [pairs] [requests-per-phase] [rounds] [timeout-ms]</c> compares the Redis replay store with the in-memory one
/// (<see cref="RedisReplayRun"/>); <c>-- --concurrency [seconds-per-phase] [rounds] [warm-up-seconds]</c> measures throughput
/// and its scaling at 1 and 2 threads and 8 and 64 concurrent requests (<see cref="ConcurrencyRun"/>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--paired")
        {
            int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
            PairedSuite suite = PairedRun.Find(args.Length > 2 ? args[2] : "firstseen");
            return PairedRun.RunAsync(rounds, suite).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "--redis")
        {
            int pairs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5000;
            int perPhase = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5000;
            int rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
            int timeout = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 50;
            return RedisReplayRun.RunAsync(pairs, perPhase, rounds, timeout).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "--concurrency")
        {
            double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 5;
            int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
            double warmup = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 10;
            return ConcurrencyRun.RunAsync(seconds, rounds, warmup).GetAwaiter().GetResult();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
