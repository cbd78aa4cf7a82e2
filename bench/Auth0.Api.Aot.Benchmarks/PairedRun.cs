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

            case "telemetry":
            {
                // Issue 16, item 3: the first-seen path with no listener, with a MeterListener on every instrument of
                // the library's meter, and with that plus an ActivityListener sampling every span; and, against the
                // same path, the verifier called directly (no argument checks, no telemetry check) and the no-listener
                // check alone, which bound what the telemetry costs when nothing listens.
                FirstSeenTokenBenchmarks b = new();
                TelemetryListeners listeners = new();
                return new PairedSuite(b.SetupAsync, b.CleanupAsync,
                [
                    new("BareRsaVerifyData", b.BareRsaVerifyData, 0),
                    new("Auth0ApiAot", b.Auth0ApiAot, 0),
                    new("Auth0ApiAot_VerifierDirect", b.Auth0ApiAot_VerifierDirect, 1),
                    new("NoListenerCheckOnly", TelemetryListeners.NoListenerCheck, 1),
                    new("Auth0ApiAot_MeterListener", b.Auth0ApiAot, 1) { Enter = listeners.StartMeters, Exit = listeners.Stop },
                    new("Auth0ApiAot_MeterAndActivityListener", b.Auth0ApiAot, 1) { Enter = listeners.StartMetersAndActivities, Exit = listeners.Stop },
                ]);
            }

            default:
                throw new ArgumentException("Unknown paired suite '" + name + "': use firstseen, dpop, sametoken or telemetry", nameof(name));
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
                    method.Enter?.Invoke();
                    bool ran = method.Run();
                    method.Exit?.Invoke();
                    if (!ran)
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
                    methods[m].Enter?.Invoke();
                    long start = Stopwatch.GetTimestamp();
                    for (int i = 0; i < Batch; i++)
                    {
                        run();
                    }

                    nanosecondsPerOp[m][round] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / Batch;
                    methods[m].Exit?.Invoke();
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

/// <summary>
/// One measured method and the index of the method its ratio is taken against; <see cref="Enter"/> and
/// <see cref="Exit"/> run around each of its batches, outside the timed part (attaching and removing a listener).
/// </summary>
internal sealed record PairedMethod(string Name, Func<bool> Run, int Baseline)
{
    public Action? Enter { get; init; }

    public Action? Exit { get; init; }
}

/// <summary>The listeners of the telemetry suite: what an OpenTelemetry SDK attaches, with the cheapest callbacks.</summary>
internal sealed class TelemetryListeners
{
    private System.Diagnostics.Metrics.MeterListener? _meters;
    private System.Diagnostics.ActivityListener? _activities;
    private long _sum;

    public static bool NoListenerCheck() => !Internal.Telemetry.VerificationsEnabled;

    public void StartMeters()
    {
        _meters = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == Internal.Telemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((_, value, tags, _) => _sum += value + tags.Length);
        _meters.SetMeasurementEventCallback<double>((_, value, tags, _) => _sum += (long)value + tags.Length);
        _meters.Start();
    }

    public void StartMetersAndActivities()
    {
        StartMeters();
        _activities = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == Internal.Telemetry.MeterName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => _sum += activity.TagObjects.GetHashCode(),
        };
        System.Diagnostics.ActivitySource.AddActivityListener(_activities);
    }

    public void Stop()
    {
        _meters?.Dispose();
        _activities?.Dispose();
        (_meters, _activities) = (null, null);
        if (Internal.Telemetry.VerificationsEnabled)
        {
            throw new InvalidOperationException("a listener is still attached");
        }
    }
}
