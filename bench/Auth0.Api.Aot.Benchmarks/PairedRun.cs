using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// A paired measurement of <see cref="FirstSeenTokenBenchmarks"/> for shared, noisy machines: the three methods run in
/// one process, in alternating batches of a few milliseconds (the order rotating every round), so a neighbour's burst
/// that lasts seconds or minutes hits all of them alike instead of whichever BenchmarkDotNet process happens to run
/// then. Each round yields one ratio per method; the median over the rounds is reported with its quartiles.
/// </summary>
internal static class PairedRun
{
    private const int Batch = 200;

    public static async Task<int> RunAsync(int rounds)
    {
        FirstSeenTokenBenchmarks benchmarks = new();
        await benchmarks.SetupAsync().ConfigureAwait(false);
        try
        {
            string[] names = ["BareRsaVerifyData", "Auth0ApiAot", "IdentityModelJsonWebTokenHandler"];
            Func<bool>[] methods = [benchmarks.BareRsaVerifyData, benchmarks.Auth0ApiAot, benchmarks.IdentityModelJsonWebTokenHandler];
            Stopwatch warmup = Stopwatch.StartNew();
            while (warmup.Elapsed < TimeSpan.FromSeconds(3))
            {
                foreach (Func<bool> method in methods)
                {
                    if (!method())
                    {
                        throw new InvalidOperationException("a benchmark method returned false");
                    }
                }
            }

            double[][] nanosecondsPerOp = [new double[rounds], new double[rounds], new double[rounds]];
            for (int round = 0; round < rounds; round++)
            {
                for (int k = 0; k < methods.Length; k++)
                {
                    int m = (round + k) % methods.Length;
                    long start = Stopwatch.GetTimestamp();
                    for (int i = 0; i < Batch; i++)
                    {
                        methods[m]();
                    }

                    nanosecondsPerOp[m][round] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / Batch;
                }
            }

            Console.WriteLine(FormattableString.Invariant($"Paired run: {rounds} rounds x {Batch} calls per method, order rotating; .NET {Environment.Version}, {Environment.ProcessorCount} cores"));
            Console.WriteLine();
            Console.WriteLine("| Method | Median per call | Median ratio | Ratio P25 | Ratio P75 |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            for (int m = 0; m < methods.Length; m++)
            {
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++)
                {
                    ratios[r] = nanosecondsPerOp[m][r] / nanosecondsPerOp[0][r];
                }

                Array.Sort(ratios);
                double[] times = (double[])nanosecondsPerOp[m].Clone();
                Array.Sort(times);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {names[m]} | {times[rounds / 2] / 1000:0.00} us | {ratios[rounds / 2]:0.000} | {ratios[rounds / 4]:0.000} | {ratios[rounds * 3 / 4]:0.000} |"));
            }

            return 0;
        }
        finally
        {
            await benchmarks.CleanupAsync().ConfigureAwait(false);
        }
    }
}
