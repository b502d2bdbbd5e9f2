using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace RuralCredit.Bench;

/// <summary>One line of the result table.</summary>
internal sealed record ReportRow(string Metric, string Value, string Target, string Result, double? Number = null, double? Limit = null);

/// <summary>Everything written to the JSON result file.</summary>
internal sealed record BenchReport
{
    public required DateTimeOffset Timestamp { get; init; }
    public required object Machine { get; init; }
    public required object Scale { get; init; }
    public required object Generation { get; init; }
    public string? LoadAverageAtStart { get; init; }
    public string? LoadAverageAtEnd { get; init; }
    public HttpResults? Http { get; init; }
    public InProcessResults? InProcess { get; init; }
    public double? HttpShareOfInProcess { get; init; }
    public DurableResults? Durable { get; init; }
    public required IReadOnlyList<ReportRow> Table { get; init; }
    public required IReadOnlyList<string> Failures { get; init; }
}

internal static class Report
{
    public const string Ok = "ok";
    public const string Miss = "MISS";
    public const string Info = "—";

    /// <summary>The table: measured figures with the issue's targets (2-core machine) where there is one.</summary>
    public static List<ReportRow> Rows(CityData data, HttpResults? http, InProcessResults? inProcess, double? httpShare)
    {
        var rows = new List<ReportRow>
        {
            Plain("city generated (not timed)", $"{data.Subjects.Count:N0} subjects, {data.Records.Count:N0} records, {data.Regions.Count:N0} regions in {data.GenerationTime.TotalSeconds:N1} s"),
        };

        if (http is not null)
        {
            rows.Add(Plain("HTTP register regions", $"{http.RegionsRegistered:N0} in {http.RegionsSeconds:N1} s"));
            rows.Add(Plain("HTTP register subjects", $"{http.SubjectsRegistered:N0} in {http.SubjectsSeconds:N1} s ({http.SubjectsPerSecond:N0}/s)"));
            rows.Add(AtLeast("HTTP ingest records/s (until city shows all)", http.IngestRecordsPerSecond, 40_000, "N0"));
            rows.Add(Plain("HTTP ingest records/s ack-only (until last 202)", Format(http.AckRecordsPerSecond, "N0")));
            rows.Add(Plain("HTTP batch post → 202 p50 / p99 ms", $"{Format(http.BatchAckMs?.P50, "N0")} / {Format(http.BatchAckMs?.P99, "N0")}"));
            rows.Add(Plain("freshness p50 ms", Format(http.FreshnessMs?.P50, "N0")));
            rows.Add(AtMost("freshness p99 ms", http.FreshnessMs?.P99, 2_000, "N0"));
            foreach (var (kind, label) in new[] { ("profile", "profile"), ("village", "village region"), ("city", "city region") })
            {
                var during = http.ReadsDuringMs.GetValueOrDefault(kind);
                var after = http.ReadsAfterMs.GetValueOrDefault(kind);
                rows.Add(Plain($"{label} p50 ms during / after ingest", $"{Format(during?.P50, "N1")} / {Format(after?.P50, "N1")}"));
                rows.Add(AtMost($"{label} p99 ms during ingest (n={during?.Count ?? 0})", during?.P99, 50, "N1"));
                rows.Add(AtMost($"{label} p99 ms after ingest (n={after?.Count ?? 0})", after?.P99, 10, "N1"));
            }

            rows.Add(Plain("API host CPU µs per record during ingest (reads alongside included)", Format(http.ApiHostCpuPerRecordUs, "N1")));
            rows.Add(Plain("CPU µs per read after ingest: API host / benchmark clients", $"{Format(http.ApiHostCpuPerReadAfterUs, "N0")} / {Format(http.ClientCpuPerReadAfterUs, "N0")}"));
            rows.Add(Plain("reads/s after ingest, all kinds (machine CPU busy)", $"{Format(http.ReadsAfterPerSecond, "N0")} ({Format(http.ReadsAfterMachineCpuBusy, "P0")})"));
            rows.Add(Plain("API host working set after ingest / peak MB", $"{Mb(http.ChildWorkingSetAfterIngest)} / {Mb(http.ChildPeakWorkingSet)}"));
        }

        if (inProcess is not null)
        {
            rows.Add(Plain("in-process ingest records/s (no HTTP, until city shows all)", Format(inProcess.RecordsPerSecond, "N0")));
            rows.Add(Plain("HTTP ingest as a fraction of in-process", httpShare is null ? "n/a" : httpShare.Value.ToString("P0", CultureInfo.InvariantCulture)));
            rows.Add(Plain("managed heap per registered subject (no records) KB", inProcess.HeapPerRegisteredSubjectKb.ToString("N2", CultureInfo.InvariantCulture)));
            rows.Add(AtMost("managed heap per active subject KB", inProcess.HeapPerActiveSubjectKb, 6, "N2"));
            rows.Add(Plain("  of which in activations / in the embedded storage (ledger, directory) KB", $"{Format(inProcess.HeapInActivationsPerSubjectKb, "N2")} / {Format(inProcess.HeapInStoragePerSubjectKb, "N2")}"));
            rows.Add(Plain("benchmark process working set (in-process silo) MB", Mb(inProcess.ProcessWorkingSetBytes)));
            if (inProcess.OrleansFloor is { } floor)
            {
                rows.Add(Plain("Orleans alone, heap per grain KB: bare / subscribed implicitly, one event / the same, streams forgotten", $"{floor.PlainActivationKb:N2} / {floor.StreamActivationKb:N2} / {floor.StreamActivationAfterInactivityKb:N2}"));
            }
        }

        return rows;
    }

    /// <summary>The durable mode's table (issue targets on this 2-core machine, PostgreSQL sharing the cores).</summary>
    public static List<ReportRow> DurableRows(DurableResults d, HttpResults? http) =>
    [
        Plain("raw binary COPY rows/s (bare table, one connection)", d.RawCopyRowsPerSecond.ToString("N0", CultureInfo.InvariantCulture)),
        Plain("ledger alone entries/s (postgres ledger, concurrent appenders)", d.LedgerAppendEntriesPerSecond.ToString("N0", CultureInfo.InvariantCulture)),
        AtLeast("durable HTTP ingest records/s (until city shows all)", http?.IngestRecordsPerSecond, 25_000, "N0"),
        AtLeast("durable ingest as a share of raw COPY", d.IngestShareOfRawCopy, 0.30, "P0"),
        Plain("subject state writes per subject: max / mean", $"{d.MaxStateWritesPerSubject} / {d.MeanStateWritesPerSubject}"),
        AtMost("state writes per subject per second (max subject)", d.MaxStateWritesPerSubjectPerSecond, 1, "N3"),
        Plain("restart of every silo until ready s", Format(d.RestartSeconds, "N1")),
        AtLeast($"cold start subjects/s (first read of {d.ColdStartSubjects:N0} after restart, {d.ColdStartClients} clients)", d.ColdStartSubjectsPerSecond, 10_000, "N0"),
        Plain("cold start read p50 / p99 ms", $"{Format(d.ColdStartReadMs?.P50, "N1")} / {Format(d.ColdStartReadMs?.P99, "N1")}"),
        Plain("machine CPU busy during the cold start (all cores, all processes)", Format(d.ColdStartMachineCpuBusy, "P0")),
        Plain("silo death: villages reconciled / subjects they asked", $"{Format(d.SiloDeathVillagesReconciled, "N0")} / {Format(d.SiloDeathSubjectsAsked, "N0")}"),
        Plain("silo death: kill → first / last village reconciled s (machine CPU busy)", $"{Format(d.SiloDeathFirstReconcileSeconds, "N1")} / {Format(d.SiloDeathRecoverySeconds, "N1")} ({Format(d.SiloDeathMachineCpuBusy, "P0")})"),
        Plain("silo death: records the city counts afterwards", Format(d.SiloDeathCityRecords, "N0")),
    ];

    public static string Table(IReadOnlyList<ReportRow> rows)
    {
        var w0 = Math.Max(6, rows.Max(r => r.Metric.Length));
        var w1 = Math.Max(5, rows.Max(r => r.Value.Length));
        var w2 = Math.Max(6, rows.Max(r => r.Target.Length));
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"| {"metric".PadRight(w0)} | {"value".PadRight(w1)} | {"target".PadRight(w2)} | ok/miss |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"|{new string('-', w0 + 2)}|{new string('-', w1 + 2)}|{new string('-', w2 + 2)}|---------|");
        foreach (var r in rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {r.Metric.PadRight(w0)} | {r.Value.PadRight(w1)} | {r.Target.PadRight(w2)} | {r.Result,-7} |");
        }

        return sb.ToString();
    }

    public static object Machine() => new
    {
        Environment.ProcessorCount,
        Os = RuntimeInformation.OSDescription,
        Architecture = RuntimeInformation.OSArchitecture.ToString(),
        Runtime = RuntimeInformation.FrameworkDescription,
        TotalMemoryBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        ServerGc = System.Runtime.GCSettings.IsServerGC,
        ChildGen0Size = Environment.GetEnvironmentVariable(ApiHostProcess.Gen0SizeVariable) ?? ApiHostProcess.Gen0Size,
    };

    /// <summary>The 1/5/15-minute load averages on Linux (other work on the machine skews every figure), else null.</summary>
    public static string? LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static async Task WriteJsonAsync(string path, BenchReport report)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var options = new JsonSerializerOptions(CityData.Json) { WriteIndented = true };
        await File.WriteAllTextAsync(full, JsonSerializer.Serialize(report, options) + "\n");
    }

    private static ReportRow Plain(string metric, string value) => new(metric, value, "", Info);

    private static ReportRow AtLeast(string metric, double? value, double target, string format) =>
        new(metric, Format(value, format), "≥ " + target.ToString(format, CultureInfo.InvariantCulture),
            value is null ? Miss : value >= target ? Ok : Miss, value, target);

    private static ReportRow AtMost(string metric, double? value, double target, string format) =>
        new(metric, Format(value, format), "≤ " + target.ToString(format, CultureInfo.InvariantCulture),
            value is null ? Miss : value <= target ? Ok : Miss, value, target);

    private static string Format(double? value, string format) =>
        value is null ? "n/a" : value.Value.ToString(format, CultureInfo.InvariantCulture);

    private static string Mb(long? bytes) => bytes is null ? "n/a" : (bytes.Value / 1048576.0).ToString("N0", CultureInfo.InvariantCulture);
}
