using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading.Tasks;
using Auth0.Api.Aot.Internal;
using Auth0.Api.Aot.Testing;
using Auth0.Api.Aot.Tests.Support;

namespace Auth0.Api.Aot.Tests.Api;

/// <summary>Runs alone: a MeterListener sees every ApiClient of the process, so no other test may verify meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}

/// <summary>
/// The <c>Auth0.Api.Aot</c> meter through a real <see cref="MeterListener"/>: one verification counted per call with its
/// result, scheme and the allowed issuer the token matched (a verified one's, or a refused one's after the match; never
/// an issuer that is not allowed); a duration for each; nothing recorded without a listener.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests : IssuerTests
{
    private sealed record Measurement(string Instrument, double Value, Dictionary<string, string?> Tags);

    private static (MeterListener Listener, ConcurrentQueue<Measurement> Seen) Listen()
    {
        ConcurrentQueue<Measurement> seen = new();
        MeterListener listener = new()
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == Telemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => seen.Enqueue(new(instrument.Name, value, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => seen.Enqueue(new(instrument.Name, value, Tags(tags))));
        listener.Start();
        return (listener, seen);
    }

    private static Dictionary<string, string?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Dictionary<string, string?> map = [];
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            map[tag.Key] = tag.Value as string;
        }

        return map;
    }

    [Fact]
    public async Task Each_verification_is_counted_once_with_its_result_scheme_and_allowed_issuer()
    {
        using ApiClient client = H.Client();
        (MeterListener listener, ConcurrentQueue<Measurement> seen) = Listen();
        using (listener)
        {
            Assert.True((await client.TryVerifyRequestAsync("Bearer " + H.Token(), null, "GET", "https://api.example.com/x")).IsValid);
            string expired = H.Token((_, p) => p.Set("exp", DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds()));
            Assert.Equal(VerificationFailure.Expired, (await client.TryVerifyRequestAsync("Bearer " + expired, null, "GET", "https://api.example.com/x")).Failure);
            Assert.Equal(VerificationFailure.AuthorizationMissing, (await client.TryVerifyRequestAsync(null, null, null, null)).Failure);
            string forged = H.Token((_, p) => p.Set("iss", "https://attacker.example/"));
            Assert.False((await client.TryVerifyAccessTokenAsync(forged)).IsValid);
            Assert.True((await client.TryVerifyAccessTokenAsync(H.Token())).IsValid);
        }

        Measurement[] counts = [.. seen.Where(m => m.Instrument == "auth0.api.verifications")];
        Measurement[] durations = [.. seen.Where(m => m.Instrument == "auth0.api.verification.duration")];
        Assert.Equal(
            [
                "success|bearer|" + H.Issuer.Issuer,
                "Expired|bearer|" + H.Issuer.Issuer,
                "AuthorizationMissing|none|",
                "ClaimMismatch|token|",
                "success|token|" + H.Issuer.Issuer,
            ],
            counts.Select(m => m.Tags["auth0.result"] + "|" + m.Tags["auth0.scheme"] + "|" + (m.Tags.TryGetValue("auth0.issuer", out string? issuer) ? issuer : string.Empty)));
        Assert.All(counts, m => Assert.Equal(1, m.Value));
        Assert.Equal(counts.Select(m => string.Join(",", m.Tags)), durations.Select(m => string.Join(",", m.Tags)));
        Assert.All(durations, m => Assert.InRange(m.Value, 0, 60));

        // The attacker's issuer, read from an unverified token, is on no measurement.
        Assert.DoesNotContain(seen, m => m.Tags.Values.Any(v => v is not null && v.Contains("attacker", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Without_a_listener_nothing_is_recorded_and_every_failure_kind_has_a_result_name()
    {
        using ApiClient client = H.Client();
        Assert.False(Telemetry.VerificationsEnabled);
        Assert.True((await client.TryVerifyRequestAsync("Bearer " + H.Token(), null, "GET", "https://api.example.com/x")).IsValid);

        foreach (VerificationFailure kind in Enum.GetValues<VerificationFailure>())
        {
            Assert.Equal(kind == VerificationFailure.None ? "success" : kind.ToString(), Telemetry.Result(kind));
        }

        Assert.Equal("unknown", Telemetry.Result((VerificationFailure)10_000));
    }

    [Fact]
    public void The_meter_and_the_activity_source_carry_the_assembly_version()
    {
        string expected = typeof(ApiClient).Assembly.GetName().Version!.ToString(3);
        ConcurrentQueue<string?> versions = new();
        using (MeterListener listener = new())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == Telemetry.MeterName)
                {
                    versions.Enqueue(instrument.Meter.Version);
                }
            };
            listener.Start(); // publishes every instrument created so far
        }

        Assert.NotEmpty(versions);
        Assert.All(versions, version => Assert.Equal(expected, version));
        Assert.Equal(expected, Telemetry.Source.Version);
        Assert.Equal(LibraryVersion.Value, expected);
    }
}
