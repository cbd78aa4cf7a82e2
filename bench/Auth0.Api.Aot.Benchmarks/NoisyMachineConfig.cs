using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Perfolizer.Mathematics.OutlierDetection;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// The job for this repository's shared, noisy 2-core machines: outliers on both sides are removed (a neighbour's
/// burst only ever makes an iteration slower, never faster), iterations are many, and the median is shown next to
/// the mean. Ratios between benchmarks of one run are the numbers to read; absolute times vary from run to run.
/// </summary>
public sealed class NoisyMachineConfig : ManualConfig
{
    public NoisyMachineConfig()
    {
        AddJob(Job.Default.WithOutlierMode(OutlierMode.RemoveAll).WithIterationCount(40).WithWarmupCount(10));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, new MedianRatioColumn());
    }
}
