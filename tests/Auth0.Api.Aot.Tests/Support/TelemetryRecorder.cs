using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Linq;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Tests.Support;

/// <summary>
/// Everything the library reports, read through a real <see cref="MeterListener"/> and <see cref="ActivityListener"/>
/// (and the HttpClient's spans, to check they nest under the library's). Use only in the metrics collection: the
/// listeners see every client of the process.
/// </summary>
internal sealed class TelemetryRecorder : IDisposable
{
    private readonly MeterListener _meters;
    private readonly ActivityListener _activities;

    public TelemetryRecorder()
    {
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == Telemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Measurements.Enqueue(new(instrument.Name, value, Map(tags))));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Measurements.Enqueue(new(instrument.Name, value, Map(tags))));
        _meters.Start();

        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name is Telemetry.MeterName or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Activities.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
    }

    public ConcurrentQueue<Measurement> Measurements { get; } = new();

    public ConcurrentQueue<Activity> Activities { get; } = new();

    /// <summary>The measurements of <paramref name="instrument"/> whose <c>server.port</c> (when they have one) is <paramref name="port"/>.</summary>
    public Measurement[] Of(string instrument, int? port = null) =>
        [.. Measurements.Where(m => m.Instrument == instrument && (port is null || m.Tag("server.port") == port.Value.ToString(CultureInfo.InvariantCulture)))];

    /// <summary>Reads the observable instruments now.</summary>
    public Measurement[] Observe(string instrument)
    {
        Measurements.Clear();
        _meters.RecordObservableInstruments();
        return Of(instrument);
    }

    /// <summary>The library's spans of one operation name.</summary>
    public Activity[] Spans(string name) => [.. Activities.Where(a => a.Source.Name == Telemetry.MeterName && a.OperationName == name)];

    public void Dispose()
    {
        _meters.Dispose();
        _activities.Dispose();
    }

    /// <summary>Every tag value of every measurement and span seen, as text (for "no secret anywhere" checks).</summary>
    public IEnumerable<string> AllTagValues() =>
        Measurements.SelectMany(m => m.Tags.Values).Concat(Activities.SelectMany(a => a.TagObjects.Select(t => Convert.ToString(t.Value, CultureInfo.InvariantCulture))))
            .Concat(Activities.Select(a => a.DisplayName)).OfType<string>();

    private static Dictionary<string, string?> Map(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Dictionary<string, string?> map = [];
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            map[tag.Key] = Convert.ToString(tag.Value, CultureInfo.InvariantCulture);
        }

        return map;
    }

    internal sealed record Measurement(string Instrument, double Value, Dictionary<string, string?> Tags)
    {
        public string? Tag(string name) => Tags.GetValueOrDefault(name);
    }
}
