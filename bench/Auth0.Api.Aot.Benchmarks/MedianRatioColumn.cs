using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// The ratio of a benchmark's median to its baseline's median. On a shared machine a neighbour's burst slows some
/// iterations by tens of percent, which moves means (and so BenchmarkDotNet's Ratio column) far more than medians; the
/// budgets in docs/performance.md are read from this column.
/// </summary>
public sealed class MedianRatioColumn : IColumn
{
    public string Id => nameof(MedianRatioColumn);

    public string ColumnName => "Median ratio";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Baseline;

    public int PriorityInCategory => 10;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Median of this benchmark / median of the baseline, from the same run";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        // The baseline of the benchmark's logical group (its category, where a class groups by category).
        string? group = summary.GetLogicalGroupKey(benchmarkCase);
        BenchmarkCase? baseline = group is null ? null : summary.GetBaseline(group);
        double? own = summary[benchmarkCase]?.ResultStatistics?.Median;
        double? reference = baseline is null ? null : summary[baseline]?.ResultStatistics?.Median;
        return own is double o && reference is double r && r > 0 ? (o / r).ToString("0.000", CultureInfo.InvariantCulture) : "?";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
