// The library's metrics (docs/observability.md): BCL System.Diagnostics.Metrics only, so the core keeps its
// no-dependency rule. With no listener attached, a verification pays one check of Instrument.Enabled per instrument
// and nothing else: no timestamp, no tag list, no claim read.
// Tags have bounded cardinality: the result is a name of the VerificationFailure enum (or "success"), the scheme is
// "bearer", "dpop" or "none", and the issuer is set only for a verified token, whose issuer is a configured or
// resolver-allowed one: never a value copied from an unverified token.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Auth0.Api.Aot.Internal;

internal static class Telemetry
{
    public const string MeterName = "Auth0.Api.Aot";

    private static readonly Meter s_meter = new(MeterName, typeof(Telemetry).Assembly.GetName().Version?.ToString(3));

    private static readonly Counter<long> s_verifications = s_meter.CreateCounter<long>(
        "auth0.api.verifications",
        unit: "{verification}",
        description: "Access-token and request verifications, by result (success or the failure kind), scheme and verified issuer.");

    private static readonly Histogram<double> s_duration = s_meter.CreateHistogram<double>(
        "auth0.api.verification.duration",
        unit: "s",
        description: "Duration of access-token and request verifications, with the tags of auth0.api.verifications.");

    // VerificationFailure names by value, for the result tag (no Enum.ToString per measurement).
    private static readonly string[] s_results = Results();

    /// <summary>Whether any listener wants verification measurements.</summary>
    public static bool VerificationsEnabled => s_verifications.Enabled || s_duration.Enabled;

    /// <summary>Records one verification that started at <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static void RecordVerification(long started, VerificationFailure failure, string? scheme, AccessTokenClaims? claims)
    {
        TagList tags = new()
        {
            { "auth0.result", Result(failure) },
            { "auth0.scheme", scheme ?? "none" },
        };
        if (claims is not null)
        {
            tags.Add("auth0.issuer", claims.Issuer);
        }

        s_verifications.Add(1, in tags);
        s_duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, in tags);
    }

    /// <summary>The result tag's value for <paramref name="failure"/>.</summary>
    public static string Result(VerificationFailure failure) =>
        (uint)failure < (uint)s_results.Length && s_results[(int)failure] is { } name ? name : "unknown";

    private static string[] Results()
    {
        int max = 0;
        foreach (VerificationFailure value in Enum.GetValues<VerificationFailure>())
        {
            max = Math.Max(max, (int)value);
        }

        string[] names = new string[max + 1];
        foreach (VerificationFailure value in Enum.GetValues<VerificationFailure>())
        {
            names[(int)value] = value == VerificationFailure.None ? "success" : value.ToString();
        }

        return names;
    }
}
