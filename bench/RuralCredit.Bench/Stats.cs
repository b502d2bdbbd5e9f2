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

/// <summary>The machine's CPU time from <c>/proc/stat</c>: every core, every process (null where there is none).</summary>
internal static class MachineCpu
{
    /// <summary>Busy and total jiffies so far, or null.</summary>
    public static (long Busy, long Total)? Sample()
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }

        // cpu  user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, System.Globalization.CultureInfo.InvariantCulture)).Take(8).ToArray();
        var total = fields.Sum();
        return (total - fields[3] - fields[4], total);
    }

    /// <summary>The share of CPU time busy between two samples, or null.</summary>
    public static double? BusyBetween((long Busy, long Total)? before, (long Busy, long Total)? after) =>
        before is { } b && after is { } a && a.Total > b.Total ? Math.Round((double)(a.Busy - b.Busy) / (a.Total - b.Total), 3) : null;
}
