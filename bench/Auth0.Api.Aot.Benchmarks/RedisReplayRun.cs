using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Redis;
using Auth0.Api.Aot.Testing;
using StackExchange.Redis;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// <c>--redis [pairs] [requests-per-phase] [rounds] [timeout-ms]</c>: what the Redis replay store adds to a DPoP request, against the
/// in-memory store, in one process with both interleaved (the machine is shared and noisy). A redis-server of its own
/// runs on a free loopback port (no persistence); two clients verify the same bound RS256 token with fresh ES256 proofs
/// (made before each phase, outside the timing), one with the default in-memory store, one with
/// <see cref="RedisDPoPReplayStore"/> (default options, fail closed; the timeout is 50 ms unless given).
/// <list type="bullet">
/// <item>Latency: <c>pairs</c> requests on each client, one at a time, alternating memory and Redis request by request;
/// p50 and p99 of each, and of the store's <c>SET NX PX</c> alone.</item>
/// <item>Throughput at 1, 8 and 64 concurrent requests: <c>rounds</c> rounds per level, each round one phase of
/// <c>requests-per-phase</c> requests per store, the order alternating; the median requests/s per store.</item>
/// </list>
/// Every request must be accepted, except that the Redis store may answer unavailable (503) when a call exceeds its
/// timeout: those are counted and shown (on a saturated 2-core machine the timeout also counts the wait for a thread).
/// Any other refusal stops the run.
/// </summary>
internal static class RedisReplayRun
{
    private static readonly int[] s_concurrency = [1, 8, 64];

    private static int s_unavailable;

    public static async Task<int> RunAsync(int pairs, int perPhase, int rounds, int timeoutMilliseconds)
    {
        await using BenchmarkIssuer issuer = await BenchmarkIssuer.StartAsync().ConfigureAwait(false);
        await using RedisServer server = await RedisServer.StartAsync().ConfigureAwait(false);
        using ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync("127.0.0.1:" + server.Port.ToString(CultureInfo.InvariantCulture) + ",abortConnect=false").ConfigureAwait(false);
        RedisDPoPReplayStore store = new(multiplexer, new RedisDPoPReplayStoreOptions { Audience = BenchmarkIssuer.Audience, Timeout = TimeSpan.FromMilliseconds(timeoutMilliseconds) });
        using ApiClient memory = Client(issuer, null);
        using ApiClient redis = Client(issuer, store);

        SigningKey clientKey = SigningKey.CreateEc("client");
        DateTimeOffset now = DateTimeOffset.UtcNow;
        string token = issuer.Issuer.CreateToken(BenchmarkIssuer.Audience, (_, payload) => payload
            .Set("sub", BenchmarkIssuer.Subject)
            .Set("iat", now.ToUnixTimeSeconds())
            .Set("exp", now.AddHours(2).ToUnixTimeSeconds())
            .Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(clientKey))));
        string authorization = "DPoP " + token;

        // Warm-up: caches filled, JIT tiered up, the multiplexer's connection busy once.
        foreach (ApiClient client in new[] { memory, redis })
        {
            string[] warm = Proofs(clientKey, token, 2000);
            for (int i = 0; i < warm.Length; i++)
            {
                await VerifyAsync(client, authorization, warm[i]).ConfigureAwait(false);
            }
        }

        s_unavailable = 0;
        Console.WriteLine($"Redis replay store vs in-memory, {Environment.ProcessorCount} cores, redis-server on 127.0.0.1:{server.Port}, timeout {timeoutMilliseconds} ms");
        Console.WriteLine();

        // Latency, interleaved request by request.
        string[] memoryProofs = Proofs(clientKey, token, pairs);
        string[] redisProofs = Proofs(clientKey, token, pairs);
        double[] memoryLatency = new double[pairs];
        double[] redisLatency = new double[pairs];
        for (int i = 0; i < pairs; i++)
        {
            bool redisFirst = (i & 1) == 1;
            (redisFirst ? redisLatency : memoryLatency)[i] = await TimeAsync(redisFirst ? redis : memory, authorization, (redisFirst ? redisProofs : memoryProofs)[i]).ConfigureAwait(false);
            (redisFirst ? memoryLatency : redisLatency)[i] = await TimeAsync(redisFirst ? memory : redis, authorization, (redisFirst ? memoryProofs : redisProofs)[i]).ConfigureAwait(false);
        }

        double[] setLatency = new double[pairs];
        DateTimeOffset expiresAt = DateTimeOffset.UtcNow.AddMinutes(5);
        for (int i = 0; i < pairs; i++)
        {
            string key = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            long start = Stopwatch.GetTimestamp();
            DPoPReplayResult result = await store.TryAddAsync(key, expiresAt, CancellationToken.None).ConfigureAwait(false);
            setLatency[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (result != DPoPReplayResult.FirstUse)
            {
                throw new InvalidOperationException("SET NX answered " + result);
            }
        }

        Array.Sort(memoryLatency);
        Array.Sort(redisLatency);
        Array.Sort(setLatency);
        Console.WriteLine($"Latency of one DPoP request, sequential, {pairs} requests per store, interleaved (microseconds)");
        Console.WriteLine();
        Console.WriteLine("| store | p50 | p99 |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| in-memory | {Percentile(memoryLatency, 0.50):F1} | {Percentile(memoryLatency, 0.99):F1} |");
        Console.WriteLine($"| Redis | {Percentile(redisLatency, 0.50):F1} | {Percentile(redisLatency, 0.99):F1} |");
        Console.WriteLine($"| added by Redis | {Percentile(redisLatency, 0.50) - Percentile(memoryLatency, 0.50):F1} | {Percentile(redisLatency, 0.99) - Percentile(memoryLatency, 0.99):F1} |");
        Console.WriteLine($"| `SET NX PX` alone (store.TryAddAsync) | {Percentile(setLatency, 0.50):F1} | {Percentile(setLatency, 0.99):F1} |");
        Console.WriteLine();

        Console.WriteLine($"Throughput, requests/s, median of {rounds} rounds of {perPhase} requests per store, interleaved");
        Console.WriteLine();
        Console.WriteLine("| concurrent requests | in-memory | Redis | Redis / in-memory | Redis 503 (timeout) |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: |");
        foreach (int concurrency in s_concurrency)
        {
            double[] memoryRates = new double[rounds];
            double[] redisRates = new double[rounds];
            int unavailableBefore = Volatile.Read(ref s_unavailable);
            for (int round = 0; round < rounds; round++)
            {
                bool redisFirst = (round & 1) == 1;
                for (int turn = 0; turn < 2; turn++)
                {
                    bool isRedis = redisFirst == (turn == 0);
                    double rate = await ThroughputAsync(isRedis ? redis : memory, authorization, Proofs(clientKey, token, perPhase), concurrency).ConfigureAwait(false);
                    (isRedis ? redisRates : memoryRates)[round] = rate;
                }
            }

            Array.Sort(memoryRates);
            Array.Sort(redisRates);
            double m = Percentile(memoryRates, 0.5);
            double r = Percentile(redisRates, 0.5);
            Console.WriteLine($"| {concurrency} | {m:F0} | {r:F0} | {r / m:F2} | {Volatile.Read(ref s_unavailable) - unavailableBefore} of {rounds * perPhase} |");
        }

        Console.WriteLine();
        Console.WriteLine($"Redis store mode at the end: {store.Mode}; 503s in all: {s_unavailable}");
        return 0;
    }

    private static ApiClient Client(BenchmarkIssuer issuer, IDPoPReplayStore? store) => new(new ApiClientOptions
    {
        Domain = issuer.Issuer.Domain,
        Audience = BenchmarkIssuer.Audience,
        HttpClient = issuer.Http,
        CacheTtl = TimeSpan.FromDays(1),
        DPoPReplayStore = store,
    });

    private static string[] Proofs(SigningKey key, string token, int count)
    {
        string[] proofs = new string[count];
        DateTimeOffset now = DateTimeOffset.UtcNow;
        Parallel.For(0, count, i => proofs[i] = DPoPProofs.Create(key, token, "POST", DPoPRequestBenchmarks.Url, now));
        return proofs;
    }

    private static async Task VerifyAsync(ApiClient client, string authorization, string proof)
    {
        RequestVerificationResult result = await client.TryVerifyRequestAsync(authorization, proof, "POST", DPoPRequestBenchmarks.Url).ConfigureAwait(false);
        if (result.Failure == VerificationFailure.ProofReplayStoreUnavailable)
        {
            Interlocked.Increment(ref s_unavailable);
        }
        else if (!result.IsValid)
        {
            throw new InvalidOperationException("A request was refused: " + result.Failure);
        }
    }

    private static async Task<double> TimeAsync(ApiClient client, string authorization, string proof)
    {
        long start = Stopwatch.GetTimestamp();
        await VerifyAsync(client, authorization, proof).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    private static async Task<double> ThroughputAsync(ApiClient client, string authorization, string[] proofs, int concurrency)
    {
        int next = -1;
        long start = Stopwatch.GetTimestamp();
        Task[] workers = new Task[concurrency];
        for (int w = 0; w < concurrency; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                for (int i = Interlocked.Increment(ref next); i < proofs.Length; i = Interlocked.Increment(ref next))
                {
                    await VerifyAsync(client, authorization, proofs[i]).ConfigureAwait(false);
                }
            });
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return proofs.Length / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(p * (sorted.Length - 1)))];
}
