// Runs samples/Auth0.Api.Aot.Lambda's bootstrap as Lambda would, against a Lambda Runtime API emulator on loopback
// (tests/Auth0.Api.Aot.Testing's LambdaRuntimeEmulator), and checks its answers. No AWS account, no tenant, no network
// beyond 127.0.0.1: tokens are signed here with a key made here, whose JWKS the function gets in AUTH0_JWKS.
//
//   dotnet run --project samples/Auth0.Api.Aot.Lambda.Client -c Release [-- <bootstrap>] [--cold-start <rounds>]
//
// <bootstrap> is the NativeAOT binary (what .ci/run passes) or bootstrap.dll; the default is the sample as built beside
// this client. Exits 0 only when every check holds. With --cold-start, each round starts a fresh process with one event
// queued and times process start to the first authorised response (the Runtime API's view of a cold start without
// Lambda's own init), then prints every round and the median.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Threading.Tasks;
using Auth0.Api.Aot.Samples;
using Auth0.Api.Aot.Testing;

const string Domain = "tenant.example.auth0.com";
const string Audience = "https://orders.example.com";
TimeSpan bound = TimeSpan.FromSeconds(30);

List<string> arguments = [.. args];
int rounds = 0;
int option = arguments.IndexOf("--cold-start");
if (option >= 0)
{
    rounds = option + 1 < arguments.Count && int.TryParse(arguments[option + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
        ? n
        : throw new ArgumentException("--cold-start takes a number of rounds");
    arguments.RemoveRange(option, 2);
}

string bootstrap = Path.GetFullPath(arguments.Count > 0 ? arguments[0] : RecordedAppPath());
SigningKey key = SigningKey.CreateRsa("lambda-key");
SigningKey proofKey = SigningKey.CreateEc("proof-key");
DateTimeOffset now = DateTimeOffset.UtcNow;
string token = LambdaEvents.Token(key, Domain, Audience, now);
Dictionary<string, string> settings = new()
{
    ["AUTH0_DOMAIN"] = Domain,
    ["AUTH0_AUDIENCE"] = Audience,
    ["AUTH0_JWKS"] = LambdaEvents.Jwks(key),
};

// One emulator per process started: a killed process's pending invocation/next must not take the next one's event.
List<string> requests = [];
Console.WriteLine($"Function: {bootstrap}");
return rounds > 0 ? await ColdStartAsync() : await ChecksAsync();

async Task<int> ColdStartAsync()
{
    string request = LambdaEvents.Authorizer(new Dictionary<string, string> { ["authorization"] = "Bearer " + token });
    List<double> times = [];
    for (int round = 0; round < rounds; round++)
    {
        await using LambdaRuntimeEmulator emulator = await LambdaRuntimeEmulator.StartAsync();
        string id = emulator.Enqueue(request);
        Stopwatch elapsed = Stopwatch.StartNew();
        using Function function = Function.Start(bootstrap, emulator.Address, settings);
        LambdaInvocationResult result = await emulator.ResultAsync(id).WaitAsync(bound);
        elapsed.Stop();
        if (result.IsError || !result.Body.Contains("\"isAuthorized\":true", StringComparison.Ordinal))
        {
            Console.WriteLine("the function did not authorise the token: " + result.Body);
            return 1;
        }

        times.Add(elapsed.Elapsed.TotalMilliseconds);
        Console.WriteLine($"round {round + 1}: {elapsed.Elapsed.TotalMilliseconds:F1} ms");
    }

    times.Sort();
    double median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[(times.Count / 2) - 1] + times[times.Count / 2]) / 2;
    Console.WriteLine($"cold start to the first authorised response: median {median:F1} ms, min {times[0]:F1} ms, max {times[^1]:F1} ms over {times.Count} rounds");
    return 0;
}

async Task<int> ChecksAsync()
{
    SampleChecks checks = new();
    try
    {
        // 1. The authorizer (the default mode): one process answers the events in turn.
        LambdaRuntimeEmulator emulator = await LambdaRuntimeEmulator.StartAsync();
        string dpopToken = LambdaEvents.Token(key, Domain, Audience, now, p => p.Set("cnf", new ClaimSet().Set("jkt", DPoPProofs.Thumbprint(proofKey))));
        string[] ids =
        [
            emulator.Enqueue(Event(("authorization", "Bearer " + token))),
            emulator.Enqueue(Event()),
            emulator.Enqueue(Event(("authorization", "Bearer " + LambdaEvents.Token(key, Domain, Audience, now.AddHours(-2))))),
            emulator.Enqueue(Event(("authorization", "Bearer " + LambdaEvents.Token(key, Domain, "https://other.example.com", now)))),
            emulator.Enqueue(Event(("authorization", "DPoP " + dpopToken), ("dpop", DPoPProofs.Create(proofKey, dpopToken, "GET", LambdaEvents.Url, now)))),
            emulator.Enqueue("{\"version\":\"2.0\"}"),
            // Two Authorization lines, as API Gateway joins them: refused although each token is valid.
            emulator.Enqueue(Event(("authorization", "Bearer " + token + ",Bearer " + token))),
            // A proxy integration's event (no "type"): the authorizer is wired as an integration by mistake.
            emulator.Enqueue(Event(("authorization", "Bearer " + token)).Replace("\"type\":\"REQUEST\",", string.Empty, StringComparison.Ordinal)),
        ];
        using (Function.Start(bootstrap, emulator.Address, settings))
        {
            LambdaInvocationResult[] results = await Task.WhenAll(ids.Select(emulator.ResultAsync)).WaitAsync(bound);
            using (JsonDocument ok = JsonDocument.Parse(results[0].Body))
            {
                checks.Check(
                    "authorizer: Bearer token authorised, sub and scope in the context, not the token",
                    Authorized(results[0]) == true
                        && ok.RootElement.GetProperty("context").GetProperty("sub").GetString() == "auth0|lambda-user"
                        && ok.RootElement.GetProperty("context").GetProperty("scope").GetString() == "read:orders"
                        && !results[0].Body.Contains(token, StringComparison.Ordinal),
                    results[0].Body);
            }

            checks.Check("authorizer: no token, not authorised", Authorized(results[1]) == false, results[1].Body);
            checks.Check("authorizer: expired token, not authorised", Authorized(results[2]) == false, results[2].Body);
            checks.Check("authorizer: another audience, not authorised", Authorized(results[3]) == false, results[3].Body);
            checks.Check("authorizer: DPoP token and proof for https://{domainName}{rawPath}, authorised", Authorized(results[4]) == true, results[4].Body);
            checks.Check("authorizer: malformed event, posted to /error", results[5].IsError && results[5].ErrorType == "Auth0.InvalidEvent", results[5].Body);
            checks.Check("authorizer: two Authorization headers joined with a comma, not authorised", Authorized(results[6]) == false, results[6].Body);
            checks.Check("authorizer: a proxy integration event (no type REQUEST), posted to /error", results[7].IsError && results[7].ErrorType == "Auth0.InvalidEvent", results[7].Body);
        }

        // 2. The protected handler (AUTH0_LAMBDA_MODE=api): 200 with the caller, 401 with a challenge.
        emulator = await ReplaceAsync(emulator);
        string allowed = emulator.Enqueue(Event(("authorization", "Bearer " + token)));
        string refused = emulator.Enqueue(Event());
        using (Function.Start(bootstrap, emulator.Address, new Dictionary<string, string>(settings) { ["AUTH0_LAMBDA_MODE"] = "api" }))
        {
            LambdaInvocationResult ok = await emulator.ResultAsync(allowed).WaitAsync(bound);
            LambdaInvocationResult none = await emulator.ResultAsync(refused).WaitAsync(bound);
            using JsonDocument okJson = JsonDocument.Parse(ok.Body);
            using JsonDocument noneJson = JsonDocument.Parse(none.Body);
            checks.Check("api: Bearer token, 200 with the caller's sub", okJson.RootElement.GetProperty("statusCode").GetInt32() == 200 && okJson.RootElement.GetProperty("body").GetString()!.Contains("auth0|lambda-user", StringComparison.Ordinal), ok.Body);
            checks.Check(
                "api: no token, 401 with the Bearer and DPoP challenges",
                noneJson.RootElement.GetProperty("statusCode").GetInt32() == 401
                    && noneJson.RootElement.GetProperty("headers").GetProperty("www-authenticate").GetString() is { } challenge
                    && challenge.StartsWith("Bearer ", StringComparison.Ordinal) && challenge.Contains("DPoP ", StringComparison.Ordinal),
                none.Body);
        }

        // 3. A bad setting: reported to /init/error, and the process exits.
        emulator = await ReplaceAsync(emulator);
        using (Function bad = Function.Start(bootstrap, emulator.Address, new Dictionary<string, string>(settings) { ["AUTH0_AUDIENCE"] = string.Empty }))
        {
            LambdaInvocationResult error = await emulator.InitError.WaitAsync(bound);
            int exitCode = await bad.ExitCodeAsync().WaitAsync(bound);
            checks.Check("no AUTH0_AUDIENCE: /init/error names it, the process exits 2", error.ErrorType == "Auth0.ConfigurationError" && error.Body.Contains("AUTH0_AUDIENCE is required", StringComparison.Ordinal) && exitCode == 2, error.Body + " exit " + exitCode);
        }

        await RetireAsync(emulator);
        string[] other = requests.Where(r => !r.StartsWith("GET /2018-06-01/runtime/invocation/next", StringComparison.Ordinal) && !r.StartsWith("POST /2018-06-01/runtime/", StringComparison.Ordinal)).ToArray();
        checks.Check("the functions called the Runtime API only", other.Length == 0, string.Join(", ", other));
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        checks.Check("the function answers", false, e.GetType().Name + ": " + e.Message);
    }

    Console.WriteLine($"Lambda sample: {checks.Passed} passed, {checks.Failed} failed");
    return checks.ExitCode;
}

async Task<LambdaRuntimeEmulator> ReplaceAsync(LambdaRuntimeEmulator previous)
{
    await RetireAsync(previous);
    return await LambdaRuntimeEmulator.StartAsync();
}

async Task RetireAsync(LambdaRuntimeEmulator emulator)
{
    requests.AddRange(emulator.Requests);
    await emulator.DisposeAsync();
}

static bool? Authorized(LambdaInvocationResult result)
{
    if (result.IsError)
    {
        return null;
    }

    using JsonDocument json = JsonDocument.Parse(result.Body);
    return json.RootElement.GetProperty("isAuthorized").GetBoolean();
}

static string Event(params (string Name, string Value)[] headers) => LambdaEvents.Authorizer(headers.ToDictionary(h => h.Name, h => h.Value));

static string RecordedAppPath() =>
    Assembly.GetEntryAssembly()?.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "SampleApp")?.Value is { Length: > 0 } path
        ? path
        : throw new InvalidOperationException("the sample's path was not recorded at build time; pass the bootstrap as the first argument");

/// <summary>The function's process, started as Lambda starts bootstrap (settings in the environment), killed when disposed.</summary>
internal sealed class Function : IDisposable
{
    private readonly Process _process;

    private Function(Process process) => _process = process;

    public static Function Start(string bootstrap, string runtimeApi, IReadOnlyDictionary<string, string> settings)
    {
        ProcessStartInfo start = bootstrap.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new("dotnet") { ArgumentList = { bootstrap } } : new(bootstrap);
        start.WorkingDirectory = Path.GetDirectoryName(bootstrap)!;
        start.UseShellExecute = false;
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;
        start.Environment["LAMBDA_TASK_ROOT"] = start.WorkingDirectory;
        foreach (KeyValuePair<string, string> setting in settings)
        {
            start.Environment[setting.Key] = setting.Value;
        }

        return new Function(Process.Start(start) ?? throw new InvalidOperationException("cannot start " + bootstrap));
    }

    public async Task<int> ExitCodeAsync()
    {
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}
