using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// <c>--concurrency [seconds-per-phase] [rounds] [warm-up-seconds]</c> (issue 15, item 5): throughput of first-seen
/// verifications at 1 and 2 threads and at 8 and 64 concurrent requests, next to a bare-signature baseline measured the
/// same way in the same round, so that a shared write or a lock on the library's hot path shows as a scaling factor below
/// the baseline's.
/// </summary>
/// <remarks>
/// <para>Four workloads, each at four levels (16 phases per round):</para>
/// <list type="bullet">
/// <item><c>BareRsa</c>: <see cref="RSA.VerifyData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, HashAlgorithmName, RSASignaturePadding)"/> of one
/// token's signing input, on one shared key (the library shares its imported key too).</item>
/// <item><c>Bearer</c>: <see cref="ApiClient.TryVerifyRequestAsync(string?, string?, string?, string?, CancellationToken)"/>
/// of <c>Bearer</c> requests, verified-token cache off, cycling through a pool of distinct tokens: every call is a
/// full verification.</item>
/// <item><c>BareRsaEcdsa</c>: the DPoP token's bare RSA verification plus one proof's bare ECDSA verification.</item>
/// <item><c>DPoP</c>: DPoP requests with replay protection on (the default in-memory store) and the verified-token cache
/// off; every call presents a proof never seen before (unique <c>jti</c>), from a pool made before the warm-up. The
/// proofs come from four client keys (each with its own bound token), so the proof-header slots hold all of them.</item>
/// </list>
/// <para>Levels: 1 and 2 dedicated threads, each calling in a loop and using the <see cref="ValueTask{TResult}"/>'s result
/// synchronously (warm caches complete synchronously; a call that does not is waited for and counted); and 8 and 64
/// tasks on the thread pool, each awaiting <see cref="Task.Yield"/> before every call, so that every call is a separate
/// work item as a server's request is, with that many in flight. The baselines run through the same loops.</para>
/// <para>Replay store and clock: each DPoP phase gets a new <see cref="ApiClient"/> (an empty replay store, warmed with
/// one request per client key before the timing starts), so the proof pool is reused phase after phase and round after
/// round and the store never holds more records than the pool has proofs: the pool is capped below the store's default
/// capacity and per-key share. The DPoP client reads a clock frozen at the time the proofs were made (their
/// <c>iat</c>), shared by the minting code and the client, so that every proof stays inside the iat window however long
/// the run lasts. A phase that uses the pool up ends early (its ops/s are still valid) and is flagged.</para>
/// <para>Every call must succeed: a refused call stops the phase and the run, with the failure kind and the count.</para>
/// </remarks>
internal static class ConcurrencyRun
{
    private const string Url = DPoPRequestBenchmarks.Url;
    private const int ClientKeyCount = 4;
    private const int BearerTokenCount = 512;
    private const int InitialProofs = 30_000;
    private const int MaxProofs = 400_000;

    private static readonly Level[] s_levels =
    [
        new("1 thread", 1, true),
        new("2 threads", 2, true),
        new("8 concurrent", 8, false),
        new("64 concurrent", 64, false),
    ];

    public static async Task<int> RunAsync(double secondsPerPhase, int rounds, double warmupSeconds)
    {
        if (secondsPerPhase <= 0 || rounds < 1 || warmupSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(secondsPerPhase), "seconds per phase > 0, rounds >= 1, warm-up >= 0");
        }

        // Capacity and share are the defaults of the DPoP client below: the pool must fit in both.
        if (MaxProofs > ApiClientOptions.DefaultDPoPReplayCapacity
            || MaxProofs / ClientKeyCount > ApiClientOptions.DefaultDPoPReplayCapacity * ApiClientOptions.DefaultDPoPReplayMaxKeyShare)
        {
            throw new InvalidOperationException("The proof pool could fill the replay store.");
        }

        await using BenchmarkIssuer issuer = await BenchmarkIssuer.StartAsync().ConfigureAwait(false);
        using Fixture fixture = await Fixture.CreateAsync(issuer).ConfigureAwait(false);
        Workload[] workloads = fixture.Workloads;
        Phase[] phases = [.. s_levels.SelectMany(level => workloads.Select(workload => new Phase(workload, level)))];

        Console.WriteLine(FormattableString.Invariant(
            $"Concurrency run: {rounds} rounds x {phases.Length} phases of {secondsPerPhase} s, order rotating, after {warmupSeconds} s of warm-up; .NET {Environment.Version}, {Environment.ProcessorCount} cores, {(GCSettings.IsServerGC ? "server" : "workstation")} GC"));

        // Warm-up: every phase in turn, briefly, until the time is up (the JIT tiers the DPoP path up over seconds).
        Stopwatch warmup = Stopwatch.StartNew();
        double dpopPeak = 0;
        while (warmup.Elapsed.TotalSeconds < warmupSeconds)
        {
            foreach (Phase phase in phases)
            {
                PhaseResult result = await RunPhaseAsync(phase, Math.Clamp(warmupSeconds / phases.Length, 0.1, 1)).ConfigureAwait(false);
                if (result.Failures > 0)
                {
                    return Fail(phase, result);
                }

                if (phase.Workload.Proofs is not null)
                {
                    dpopPeak = Math.Max(dpopPeak, result.OpsPerSecond);
                }
            }
        }

        // The pool must outlast the fastest DPoP phase: half as much again as the warm-up's peak rate would use.
        int wanted = (int)Math.Clamp(dpopPeak * secondsPerPhase * 1.5, InitialProofs, MaxProofs);
        fixture.GrowProofs(wanted);
        Console.WriteLine(FormattableString.Invariant(
            $"DPoP proof pool: {fixture.ProofCount} proofs from {ClientKeyCount} client keys ({fixture.ProofBytes / 1048576.0:0} MiB), reused by every DPoP phase on a new client; peak warm-up rate {dpopPeak:0} requests/s"));

        double[,,] opsPerSecond = new double[workloads.Length, s_levels.Length, rounds];
        List<string> notes = [];
        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < phases.Length; k++)
            {
                Phase phase = phases[(round + k) % phases.Length];
                PhaseResult result = await RunPhaseAsync(phase, secondsPerPhase).ConfigureAwait(false);
                if (result.Failures > 0)
                {
                    return Fail(phase, result);
                }

                opsPerSecond[Array.IndexOf(workloads, phase.Workload), Array.IndexOf(s_levels, phase.Level), round] = result.OpsPerSecond;
                if (result.PoolUsedUp)
                {
                    notes.Add(FormattableString.Invariant($"round {round + 1}, {phase.Workload.Name} at {phase.Level.Name}: the proof pool was used up after {result.Seconds:0.00} s"));
                }

                if (result.Waited > 0)
                {
                    notes.Add(FormattableString.Invariant($"round {round + 1}, {phase.Workload.Name} at {phase.Level.Name}: {result.Waited} calls did not complete synchronously"));
                }

                if (phase.Level.Workers == 1 && round == rounds - 1)
                {
                    notes.Add(FormattableString.Invariant($"{phase.Workload.Name}: {result.AllocatedPerOp:0} B allocated per call, {result.Gen0} gen0 / {result.Gen1} gen1 / {result.Gen2} gen2 collections at 1 thread (last round)"));
                }
            }
        }

        Report(workloads, opsPerSecond, rounds, notes);
        return 0;
    }

    private static int Fail(Phase phase, PhaseResult result)
    {
        Console.WriteLine(FormattableString.Invariant(
            $"{phase.Workload.Name} at {phase.Level.Name}: {result.Failures} of {result.Ops} calls refused (first: {phase.Workload.LastFailure}); the run is stopped."));
        return 1;
    }

    private static void Report(Workload[] workloads, double[,,] opsPerSecond, int rounds, List<string> notes)
    {
        Console.WriteLine();
        Console.WriteLine("Throughput (operations per second, median over rounds; P25-P75 in brackets):");
        Console.WriteLine();
        Console.WriteLine("| workload | " + string.Join(" | ", s_levels.Select(l => l.Name)) + " |");
        Console.WriteLine("|---|" + string.Concat(s_levels.Select(_ => "---:|")));
        for (int w = 0; w < workloads.Length; w++)
        {
            IEnumerable<string> cells = Enumerable.Range(0, s_levels.Length).Select(l =>
            {
                double[] series = [.. Enumerable.Range(0, rounds).Select(r => opsPerSecond[w, l, r])];
                return Quartiles(series, "0");
            });
            Console.WriteLine("| " + workloads[w].Name + " | " + string.Join(" | ", cells) + " |");
        }

        Console.WriteLine();
        Console.WriteLine("Scaling (ops/s at the level / ops/s at 1 thread, per round; median over rounds, P25-P75 in brackets) and the");
        Console.WriteLine("library's scaling over its baseline's in the same round (goal at 2 threads: at least 0.95):");
        Console.WriteLine();
        Console.WriteLine("| path | level | library scaling | baseline scaling | library / baseline |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        for (int w = 0; w < workloads.Length; w++)
        {
            if (workloads[w].Baseline is not Workload baselineWorkload)
            {
                continue;
            }

            int b = Array.IndexOf(workloads, baselineWorkload);

            for (int l = 1; l < s_levels.Length; l++)
            {
                double[] library = [.. Enumerable.Range(0, rounds).Select(r => opsPerSecond[w, l, r] / opsPerSecond[w, 0, r])];
                double[] baseline = [.. Enumerable.Range(0, rounds).Select(r => opsPerSecond[b, l, r] / opsPerSecond[b, 0, r])];
                double[] relative = [.. library.Zip(baseline, (x, y) => x / y)];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {workloads[w].Name} vs {workloads[b].Name} | {s_levels[l].Name} | {Quartiles(library, "0.000")} | {Quartiles(baseline, "0.000")} | {Quartiles(relative, "0.000")} |"));
            }
        }

        if (notes.Count > 0)
        {
            Console.WriteLine();
            foreach (string note in notes)
            {
                Console.WriteLine("- " + note);
            }
        }
    }

    private static string Quartiles(double[] series, string format)
    {
        double[] sorted = (double[])series.Clone();
        Array.Sort(sorted);
        string Format(double value) => value.ToString(format, CultureInfo.InvariantCulture);
        return sorted.Length < 3
            ? Format(Median(sorted))
            : Format(Median(sorted)) + " (" + Format(sorted[sorted.Length / 4]) + "-" + Format(sorted[sorted.Length * 3 / 4]) + ")";
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;

    // One phase: the workload prepared (a new DPoP client), a full collection so that no phase pays for the garbage of
    // the one before, then the workers started together and stopped after the time (or when the pool is used up or a
    // call is refused). Operations are counted per worker and summed at the end: the harness writes nothing shared.
    private static async Task<PhaseResult> RunPhaseAsync(Phase phase, double seconds)
    {
        Workload workload = phase.Workload;
        await workload.PrepareAsync().ConfigureAwait(false);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        int workers = phase.Level.Workers;
        PhaseState state = new(workers, workload.PoolSize, workload.Proofs is null);
        (int gen0, int gen1, int gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        long allocated = GC.GetTotalAllocatedBytes(precise: false);
        Stopwatch elapsed;
        if (phase.Level.Threads)
        {
            using Barrier ready = new(workers + 1);
            Thread[] threads = new Thread[workers];
            for (int w = 0; w < workers; w++)
            {
                int worker = w;
                threads[w] = new Thread(() =>
                {
                    ready.SignalAndWait();
                    ThreadLoop(workload, state, worker);
                }) { IsBackground = true, Name = "concurrency-" + w.ToString(CultureInfo.InvariantCulture) };
                threads[w].Start();
            }

            ready.SignalAndWait();
            elapsed = Stopwatch.StartNew();
            state.Ended.Wait(TimeSpan.FromSeconds(seconds));
            state.Stop = true;
            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            elapsed.Stop();
        }
        else
        {
            TaskCompletionSource go = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Task[] tasks = new Task[workers];
            for (int w = 0; w < workers; w++)
            {
                int worker = w;
                tasks[w] = TaskLoopAsync(workload, state, worker, go.Task);
            }

            elapsed = Stopwatch.StartNew();
            go.SetResult();
            await Task.WhenAny(Task.Delay(TimeSpan.FromSeconds(seconds)), state.EndedTask).ConfigureAwait(false);
            state.Stop = true;
            await Task.WhenAll(tasks).ConfigureAwait(false);
            elapsed.Stop();
        }

        workload.Finish();
        long ops = state.Sum(PhaseState.OpsSlot);
        return new PhaseResult(
            ops,
            state.Sum(PhaseState.FailuresSlot),
            state.Sum(PhaseState.WaitedSlot),
            state.PoolUsedUp,
            elapsed.Elapsed.TotalSeconds,
            (GC.GetTotalAllocatedBytes(precise: false) - allocated) / (double)Math.Max(1, ops),
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(1) - gen1,
            GC.CollectionCount(2) - gen2);
    }

    private static void ThreadLoop(Workload workload, PhaseState state, int worker)
    {
        long ops = 0, failures = 0, waited = 0;
        int index = worker;
        while (!state.Stop)
        {
            ValueTask<bool> pending = workload.Run(index);
            bool ok;
            if (pending.IsCompletedSuccessfully)
            {
                ok = pending.Result;
            }
            else
            {
                waited++;
                ok = pending.AsTask().GetAwaiter().GetResult();
            }

            ops++;
            if (!ok)
            {
                failures++;
                state.End(poolUsedUp: false);
                break;
            }

            if (!state.TryAdvance(ref index))
            {
                break;
            }
        }

        state.Record(worker, ops, failures, waited);
    }

    private static async Task TaskLoopAsync(Workload workload, PhaseState state, int worker, Task go)
    {
        await go.ConfigureAwait(false);
        long ops = 0, failures = 0, waited = 0;
        int index = worker;
        while (!state.Stop)
        {
            await Task.Yield();
            ValueTask<bool> pending = workload.Run(index);
            if (!pending.IsCompleted)
            {
                waited++;
            }

            bool ok = await pending.ConfigureAwait(false);
            ops++;
            if (!ok)
            {
                failures++;
                state.End(poolUsedUp: false);
                break;
            }

            if (!state.TryAdvance(ref index))
            {
                break;
            }
        }

        state.Record(worker, ops, failures, waited);
    }

    private sealed record Level(string Name, int Workers, bool Threads);

    private sealed record Phase(Workload Workload, Level Level);

    private sealed record PhaseResult(long Ops, long Failures, long Waited, bool PoolUsedUp, double Seconds, double AllocatedPerOp, int Gen0, int Gen1, int Gen2)
    {
        public double OpsPerSecond => Ops / Seconds;
    }

    /// <summary>
    /// What the workers of one phase share: the stop flag (read by all, written once) and the counters, one cache line
    /// apart per worker, written once when the worker ends.
    /// </summary>
    private sealed class PhaseState(int workers, int poolSize, bool cycles)
    {
        public const int OpsSlot = 0;
        public const int FailuresSlot = 1;
        public const int WaitedSlot = 2;
        private const int Stride = 16;

        private readonly long[] _counters = new long[(workers + 2) * Stride];
        private volatile bool _stop;
        private volatile bool _poolUsedUp;

        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set when a worker stops the phase early (the pool used up, or a refusal).</summary>
        public ManualResetEventSlim Ended { get; } = new();

        /// <summary>The same as <see cref="Ended"/>, to await without blocking a thread-pool thread.</summary>
        public Task EndedTask => _ended.Task;

        public bool Stop
        {
            get => _stop;
            set => _stop = value;
        }

        public bool PoolUsedUp => _poolUsedUp;

        /// <summary>Worker <c>w</c> of <c>n</c> takes indices w, w + n, w + 2n, ...: no two workers use the same proof.</summary>
        public bool TryAdvance(ref int index)
        {
            index += workers;
            if (index < poolSize)
            {
                return true;
            }

            if (cycles)
            {
                index %= poolSize;
                return true;
            }

            End(poolUsedUp: true);
            return false;
        }

        public void End(bool poolUsedUp)
        {
            if (poolUsedUp)
            {
                _poolUsedUp = true;
            }

            _stop = true;
            Ended.Set();
            _ended.TrySetResult();
        }

        public void Record(int worker, long ops, long failures, long waited)
        {
            int at = (worker + 1) * Stride;
            _counters[at + OpsSlot] = ops;
            _counters[at + FailuresSlot] = failures;
            _counters[at + WaitedSlot] = waited;
        }

        public long Sum(int slot)
        {
            long sum = 0;
            for (int w = 0; w < workers; w++)
            {
                sum += Volatile.Read(ref _counters[((w + 1) * Stride) + slot]);
            }

            return sum;
        }
    }

    /// <summary>One measured operation; <see cref="Run"/> takes a pool index and answers whether the call succeeded.</summary>
    private abstract class Workload(string name)
    {
        private int _lastFailure;

        public string Name { get; } = name;

        /// <summary>The workload whose scaling this one's is compared with, or null for a baseline.</summary>
        public Workload? Baseline { get; init; }

        /// <summary>The DPoP proof pool, or null when the pool is cycled (tokens that are not remembered, or a baseline).</summary>
        public virtual string[]? Proofs => null;

        public virtual int PoolSize => BearerTokenCount;

        /// <summary>The first refusal's kind (no token, proof or claim value).</summary>
        public VerificationFailure LastFailure => (VerificationFailure)Volatile.Read(ref _lastFailure);

        public abstract ValueTask<bool> Run(int index);

        public virtual Task PrepareAsync() => Task.CompletedTask;

        public virtual void Finish()
        {
        }

        protected bool Check(in RequestVerificationResult result)
        {
            if (result.IsValid)
            {
                return true;
            }

            Interlocked.CompareExchange(ref _lastFailure, (int)result.Failure, 0);
            return false;
        }

        protected ValueTask<bool> Check(ValueTask<RequestVerificationResult> pending) =>
            pending.IsCompletedSuccessfully ? new ValueTask<bool>(Check(pending.Result)) : CheckAsync(pending);

        private async ValueTask<bool> CheckAsync(ValueTask<RequestVerificationResult> pending) => Check(await pending.ConfigureAwait(false));
    }

    private sealed class BareWorkload(string name, Func<bool> verify) : Workload(name)
    {
        public override ValueTask<bool> Run(int index) => new(verify());
    }

    private sealed class BearerWorkload(ApiClient client, string[] authorizations) : Workload("Bearer")
    {
        public override ValueTask<bool> Run(int index) => Check(client.TryVerifyRequestAsync(authorizations[index], null, "GET", Url));
    }

    private sealed class DPoPWorkload(Fixture fixture) : Workload("DPoP")
    {
        private ApiClient? _client;

        public override string[]? Proofs => fixture.ProofPool;

        public override int PoolSize => fixture.ProofCount;

        public override ValueTask<bool> Run(int index) =>
            Check(_client!.TryVerifyRequestAsync(fixture.DPoPAuthorizations[index % ClientKeyCount], fixture.ProofPool[index], "POST", Url));

        public override async Task PrepareAsync()
        {
            Fixture f = fixture;
            _client = f.CreateDPoPClient();
            for (int k = 0; k < ClientKeyCount; k++)
            {
                RequestVerificationResult warm = await _client.TryVerifyRequestAsync(f.DPoPAuthorizations[k], f.MintProof(k), "POST", Url).ConfigureAwait(false);
                if (!Check(warm))
                {
                    throw new InvalidOperationException("Setup: a DPoP warm-up request was refused: " + warm.Failure);
                }
            }
        }

        public override void Finish()
        {
            _client?.Dispose();
            _client = null;
        }
    }

    /// <summary>Tokens, proofs, keys and clients shared by the phases.</summary>
    private sealed class Fixture : IDisposable
    {
        private readonly BenchmarkIssuer _issuer;
        private readonly SigningKey[] _clientKeys;
        private readonly string[] _dpopTokens;
        private readonly RSA _issuerKey;
        private readonly ECDsa _proofKey;
        private readonly byte[] _bearerInput;
        private readonly byte[] _bearerSignature;
        private readonly byte[] _dpopInput;
        private readonly byte[] _dpopSignature;
        private readonly byte[] _proofInput;
        private readonly byte[] _proofSignature;

        private Fixture(BenchmarkIssuer issuer, DateTimeOffset mintedAt)
        {
            _issuer = issuer;
            MintedAt = mintedAt;
            _clientKeys = [.. Enumerable.Range(0, ClientKeyCount).Select(k => SigningKey.CreateEc("client-" + k.ToString(CultureInfo.InvariantCulture)))];

            // Distinct Bearer tokens (a jti each), and one DPoP-bound token per client key, valid for a day.
            BearerAuthorizations = [.. Enumerable.Range(0, BearerTokenCount).Select(i => "Bearer " + issuer.Issuer.CreateToken(BenchmarkIssuer.Audience, (_, payload) => payload
                .Set("sub", BenchmarkIssuer.Subject)
                .Set("aud", new[] { BenchmarkIssuer.Audience, BenchmarkIssuer.UserInfoAudience })
                .Set("iat", mintedAt.ToUnixTimeSeconds())
                .Set("exp", mintedAt.AddDays(1).ToUnixTimeSeconds())
                .Set("azp", BenchmarkIssuer.AuthorizedParty)
                .Set("scope", BenchmarkIssuer.Scope)
                .Set("jti", Guid.NewGuid().ToString())))];
            _dpopTokens = [.. _clientKeys.Select(key => issuer.Issuer.CreateToken(BenchmarkIssuer.Audience, (_, payload) => payload
                .Set("sub", BenchmarkIssuer.Subject)
                .Set("iat", mintedAt.ToUnixTimeSeconds())
                .Set("exp", mintedAt.AddDays(1).ToUnixTimeSeconds())
                .Set("azp", BenchmarkIssuer.AuthorizedParty)
                .Set("scope", BenchmarkIssuer.Scope)
                .Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(key)))))];
            DPoPAuthorizations = [.. _dpopTokens.Select(token => "DPoP " + token)];

            _issuerKey = RSA.Create(issuer.PublicParameters);
            (_bearerInput, _bearerSignature) = Split(BearerAuthorizations[0]["Bearer ".Length..]);
            (_dpopInput, _dpopSignature) = Split(_dpopTokens[0]);
            (_proofInput, _proofSignature) = Split(MintProof(0));
            _proofKey = ECDsa.Create(_clientKeys[0].EcDsa!.ExportParameters(false));

            // The span overloads, as the library calls them: RSA's byte[] overload allocates the hash (56 B a call),
            // which the allocation note would charge to the baseline.
            Workload bareRsa = new BareWorkload("BareRsa", () => _issuerKey.VerifyData(_bearerInput.AsSpan(), _bearerSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            Workload bareRsaEcdsa = new BareWorkload("BareRsaEcdsa", () =>
                _issuerKey.VerifyData(_dpopInput.AsSpan(), _dpopSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                && _proofKey.VerifyData(_proofInput.AsSpan(), _proofSignature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
            Workloads =
            [
                bareRsa,
                new BearerWorkload(issuer.Client, BearerAuthorizations) { Baseline = bareRsa },
                bareRsaEcdsa,
                new DPoPWorkload(this) { Baseline = bareRsaEcdsa },
            ];
        }

        /// <summary>The time of every token's and proof's <c>iat</c>, and what the DPoP clients' clock reads.</summary>
        public DateTimeOffset MintedAt { get; }

        public string[] BearerAuthorizations { get; }

        public string[] DPoPAuthorizations { get; }

        public Workload[] Workloads { get; }

        /// <summary>Proof i is by client key i % <see cref="ClientKeyCount"/>, for that key's token.</summary>
        public string[] ProofPool { get; private set; } = [];

        public int ProofCount => ProofPool.Length;

        public long ProofBytes => ProofPool.Sum(p => 22L + (2L * p.Length));

        public static async Task<Fixture> CreateAsync(BenchmarkIssuer issuer)
        {
            Fixture fixture = new(issuer, DateTimeOffset.UtcNow);
            if (!fixture.Workloads.Where(w => w is BareWorkload).All(w => w.Run(0).Result))
            {
                throw new InvalidOperationException("Setup: a bare verification failed.");
            }

            // The first Bearer request fetches discovery and JWKS; then every token must verify synchronously.
            RequestVerificationResult warm = await issuer.Client.TryVerifyRequestAsync(fixture.BearerAuthorizations[0], null, "GET", Url).ConfigureAwait(false);
            if (!warm.IsValid)
            {
                throw new InvalidOperationException("Setup: the Bearer request was refused: " + warm.Failure);
            }

            foreach (string authorization in fixture.BearerAuthorizations)
            {
                ValueTask<RequestVerificationResult> pending = issuer.Client.TryVerifyRequestAsync(authorization, null, "GET", Url);
                if (!pending.IsCompletedSuccessfully || !pending.Result.IsValid)
                {
                    throw new InvalidOperationException("Setup: a Bearer request with warm caches was refused or did not complete synchronously.");
                }
            }

            fixture.GrowProofs(InitialProofs);
            return fixture;
        }

        public string MintProof(int key) => DPoPProofs.Create(_clientKeys[key], _dpopTokens[key], "POST", Url, MintedAt);

        /// <summary>Mints proofs (in parallel: signing costs more than verifying) until the pool holds <paramref name="count"/>.</summary>
        public void GrowProofs(int count)
        {
            if (count <= ProofPool.Length)
            {
                return;
            }

            string[] pool = new string[count];
            Array.Copy(ProofPool, pool, ProofPool.Length);
            Parallel.For(ProofPool.Length, count, i => pool[i] = MintProof(i % ClientKeyCount));
            ProofPool = pool;
        }

        /// <summary>A client like a default one (replay protection on, default store), token cache off, frozen clock.</summary>
        public ApiClient CreateDPoPClient() => new(new ApiClientOptions
        {
            TimeProvider = new FrozenClock(MintedAt),
            Domain = _issuer.Issuer.Domain,
            Audience = BenchmarkIssuer.Audience,
            HttpClient = _issuer.Http,
            CacheTtl = TimeSpan.FromDays(1),
            DPoPReplayProtection = true,
            VerifiedTokenCache = false,
        });

        public void Dispose()
        {
            _issuerKey.Dispose();
            _proofKey.Dispose();
        }

        private static (byte[] Input, byte[] Signature) Split(string jws)
        {
            int lastDot = jws.LastIndexOf('.');
            return (Encoding.ASCII.GetBytes(jws[..lastDot]), Base64Url.DecodeFromChars(jws.AsSpan(lastDot + 1)));
        }
    }
}
