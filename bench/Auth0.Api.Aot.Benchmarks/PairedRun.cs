using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// A paired measurement for shared, noisy machines: a suite's methods run in one process, in alternating batches of a
/// few milliseconds (the order rotating every round), so a neighbour's burst that lasts seconds or minutes hits all of
/// them alike instead of whichever BenchmarkDotNet process happens to run then. Each round yields one ratio per method
/// against its baseline (measured in the same round); the median over the rounds is reported with its quartiles.
/// </summary>
internal static class PairedRun
{
    private const int Batch = 200;

    /// <summary>The suites, by the name given after <c>--paired N</c>.</summary>
    public static PairedSuite Find(string name)
    {
        switch (name)
        {
            case "firstseen":
            {
                FirstSeenTokenBenchmarks b = new();
                return new PairedSuite(b.SetupAsync, b.CleanupAsync,
                [
                    new("BareRsaVerifyData", b.BareRsaVerifyData, 0),
                    new("Auth0ApiAot", b.Auth0ApiAot, 0),
                    new("IdentityModelJsonWebTokenHandler", b.IdentityModelJsonWebTokenHandler, 0),
                ]);
            }

            case "dpop":
            {
                DPoPRequestBenchmarks b = new();
                return new PairedSuite(b.SetupAsync, b.CleanupAsync,
                [
                    new("BareEcdsaVerifyData", b.BareEcdsaVerifyData, 0),
                    new("Auth0ApiAot_Proof", b.Auth0ApiAot_Proof, 0),
                    new("BareRsaAndEcdsaVerifyData", b.BareRsaAndEcdsaVerifyData, 2),
                    new("Auth0ApiAot_Request", b.Auth0ApiAot_Request, 2),
                    new("Auth0ApiAot_Request_CachedToken", b.Auth0ApiAot_Request_CachedToken, 0),
                ]);
            }

            case "sametoken":
            {
                SameTokenAgainBenchmarks b = new();
                return new PairedSuite(b.SetupAsync, b.CleanupAsync,
                [
                    new("BareRsaVerifyData", b.BareRsaVerifyData, 0),
                    new("Auth0ApiAot_FirstSeen", b.Auth0ApiAot_FirstSeen, 0),
                    new("Auth0ApiAot_FirstSeen_CacheOn", b.Auth0ApiAot_FirstSeen_CacheOn, 0),
                    new("Auth0ApiAot_SameTokenAgain", b.Auth0ApiAot_SameTokenAgain, 0),
                    new("Auth0ApiAot_SameTokenAgain_BearerRequest", b.Auth0ApiAot_SameTokenAgain_BearerRequest, 0),
                ]);
            }

            default:
                throw new ArgumentException("Unknown paired suite '" + name + "': use firstseen, dpop or sametoken", nameof(name));
        }
    }

    public static async Task<int> RunAsync(int rounds, PairedSuite suite)
    {
        await suite.SetupAsync().ConfigureAwait(false);
        try
        {
            PairedMethod[] methods = suite.Methods;
            Stopwatch warmup = Stopwatch.StartNew();
            while (warmup.Elapsed < TimeSpan.FromSeconds(3))
            {
                foreach (PairedMethod method in methods)
                {
                    if (!method.Run())
                    {
                        throw new InvalidOperationException(method.Name + " returned false");
                    }
                }
            }

            double[][] nanosecondsPerOp = new double[methods.Length][];
            for (int m = 0; m < methods.Length; m++)
            {
                nanosecondsPerOp[m] = new double[rounds];
            }

            for (int round = 0; round < rounds; round++)
            {
                for (int k = 0; k < methods.Length; k++)
                {
                    int m = (round + k) % methods.Length;
                    Func<bool> run = methods[m].Run;
                    long start = Stopwatch.GetTimestamp();
                    for (int i = 0; i < Batch; i++)
                    {
                        run();
                    }

                    nanosecondsPerOp[m][round] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / Batch;
                }
            }

            Console.WriteLine(FormattableString.Invariant($"Paired run: {rounds} rounds x {Batch} calls per method, order rotating; .NET {Environment.Version}, {Environment.ProcessorCount} cores"));
            Console.WriteLine();
            Console.WriteLine("| Method | Baseline | Median per call | Median ratio | Ratio P25 | Ratio P75 |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|");
            for (int m = 0; m < methods.Length; m++)
            {
                int baseline = methods[m].Baseline;
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++)
                {
                    ratios[r] = nanosecondsPerOp[m][r] / nanosecondsPerOp[baseline][r];
                }

                Array.Sort(ratios);
                double[] times = (double[])nanosecondsPerOp[m].Clone();
                Array.Sort(times);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {methods[m].Name} | {methods[baseline].Name} | {times[rounds / 2] / 1000:0.00} us | {ratios[rounds / 2]:0.000} | {ratios[rounds / 4]:0.000} | {ratios[rounds * 3 / 4]:0.000} |"));
            }

            return 0;
        }
        finally
        {
            await suite.CleanupAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Benchmarks measured together by <see cref="PairedRun"/>.</summary>
internal sealed record PairedSuite(Func<Task> SetupAsync, Func<Task> CleanupAsync, PairedMethod[] Methods);

/// <summary>One measured method and the index of the method its ratio is taken against.</summary>
internal sealed record PairedMethod(string Name, Func<bool> Run, int Baseline);
