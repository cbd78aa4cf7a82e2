// Runs the core package's code on the platform of one of its ReadyToRun images (tests/Packaging/check-images.sh): a
// Bearer token and a DPoP request (RS256 token, ES256 proof) verified with seeded keys, and a forged signature and a
// proof for another URL refused. The token, keys and proof are minted beforehand by bench/seeded-size/mint.cs and
// given in SEEDED_DOMAIN, SEEDED_JWKS, SEEDED_TOKEN, SEEDED_DPOP_TOKEN and SEEDED_PROOF, so that nothing here creates
// or exports a key (the app was also tried under Wine, whose bcrypt can neither export a generated RSA key nor import
// the RSA and EC keys .NET hands it; docs/packaging.md, "Which platforms"). Built without EventSource
// (EventSourceSupport=false, as a NativeAOT app is), where in-process listeners must still receive the library's
// verification counts and spans (docs/observability.md). Prints "images: ok" and exits 0 when every check holds, else
// exits 1 with the first that does not.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Auth0.Api.Aot;

long verifications = 0;
int spans = 0;
using MeterListener meters = new();
meters.InstrumentPublished = (instrument, listener) =>
{
    if (instrument.Meter.Name == "Auth0.Api.Aot" && instrument.Name == "auth0.api.verifications")
    {
        listener.EnableMeasurementEvents(instrument);
    }
};
meters.SetMeasurementEventCallback<long>((_, value, _, _) => verifications += value);
meters.Start();
using ActivityListener activities = new()
{
    ShouldListenTo = source => source.Name == "Auth0.Api.Aot",
    Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    ActivityStopped = _ => spans++,
};
ActivitySource.AddActivityListener(activities);

string domain = Required("SEEDED_DOMAIN");
string token = Required("SEEDED_TOKEN");
using ApiClient client = new(new ApiClientOptions
{
    Domain = domain,
    Audience = "https://api.example.com",
    StaticJwks = new Dictionary<string, string> { [domain] = Required("SEEDED_JWKS") },
    DPoPIatLeeway = TimeSpan.FromHours(1),
});

AccessTokenResult bearer = await client.TryVerifyAccessTokenAsync(token);
Check(bearer.IsValid && bearer.Claims!.Subject == "auth0|bench", "the Bearer token verified: " + bearer.ErrorDescription);
AccessTokenResult forged = await client.TryVerifyAccessTokenAsync(token[..^2] + (token[^2] == 'A' ? "BA" : "AA"));
Check(forged.Failure == VerificationFailure.SignatureInvalid, "a forged signature refused as such: " + forged.Failure);

string dpop = "DPoP " + Required("SEEDED_DPOP_TOKEN");
string proof = Required("SEEDED_PROOF");
RequestVerificationResult request = await client.TryVerifyRequestAsync(dpop, proof, "GET", "https://api.example.com/orders");
Check(request.IsValid && request.Scheme == "dpop", "the DPoP request verified: " + request.ErrorDescription);
RequestVerificationResult elsewhere = await client.TryVerifyRequestAsync(dpop, proof, "GET", "https://api.example.com/other");
Check(!elsewhere.IsValid && elsewhere.ErrorCode == "invalid_dpop_proof", "a proof for another URL refused: " + elsewhere.ErrorCode);

Check(verifications == 4, "the four verifications counted by a MeterListener without EventSource: " + verifications);
Check(spans == 4, "the four verification spans seen by an ActivityListener without EventSource: " + spans);
Check(AppContext.TryGetSwitch("System.Diagnostics.Tracing.EventSource.IsSupported", out bool eventSource) && !eventSource, "EventSource is off (EventSourceSupport=false in the runtimeconfig)");

Console.WriteLine("images: ok on " + System.Runtime.InteropServices.RuntimeInformation.OSDescription + ", " + Environment.Version
    + " (" + verifications + " verifications counted and " + spans + " spans seen without EventSource)");
return 0;

static string Required(string name) =>
    Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException(name + " is not set");

static void Check(bool condition, string what)
{
    if (!condition)
    {
        Console.Error.WriteLine("images: FAILED: " + what);
        Environment.Exit(1);
    }
}
