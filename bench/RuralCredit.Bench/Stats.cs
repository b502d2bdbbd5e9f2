namespace RuralCredit.Bench;

/// <summary>Percentiles of a set of latencies in milliseconds (nearest rank).</summary>
internal sealed record LatencySummary(int Count, int Errors, double? P50, double? P90, double? P99, double? Max, double? Mean)
{
    public static LatencySummary From(IEnumerable<double> samples, int errors = 0)
    {
        var sorted = samples.ToArray();
        Array.Sort(sorted);
        if (sorted.Length == 0)
        {
            return new LatencySummary(0, errors, null, null, null, null, null);
        }

        return new LatencySummary(sorted.Length, errors, Round(Percentile(sorted, 0.50)), Round(Percentile(sorted, 0.90)),
            Round(Percentile(sorted, 0.99)), Round(sorted[^1]), Round(sorted.Average()));
    }

    public static double Percentile(double[] sorted, double p)
    {
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static double Round(double v) => Math.Round(v, 2);
}

/// <summary>Monotonic time for every measurement (Stopwatch ticks).</summary>
internal static class Clock
{
    public static long Now => System.Diagnostics.Stopwatch.GetTimestamp();

    public static double Ms(long from, long to) => (to - from) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;

    public static double Seconds(long from, long to) => (to - from) / (double)System.Diagnostics.Stopwatch.Frequency;
}
