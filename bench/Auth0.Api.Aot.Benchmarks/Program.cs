using System;
using System.Globalization;
using BenchmarkDotNet.Running;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project bench/Auth0.Api.Aot.Benchmarks -- --filter '*'</c> runs
/// BenchmarkDotNet; <c>-- --paired [rounds] [firstseen|dpop]</c> runs the paired measurement of <see cref="PairedRun"/>.
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

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
