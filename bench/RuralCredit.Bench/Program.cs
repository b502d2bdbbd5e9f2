using System.Globalization;

namespace RuralCredit.Bench;

/// <summary>The benchmark driver; see bench/README.md, section "Benchmark".</summary>
internal static class BenchProgram
{
    private static ApiHostProcess? s_child;

    public static async Task<int> Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(BenchOptions.Usage);
            return 2;
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
            s_child?.Kill();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => s_child?.Kill();

        var started = DateTimeOffset.UtcNow;
        var loadAtStart = Report.LoadAverage();
        var failures = new List<string>();
        Log($"RuralCredit benchmark: {options.Subjects:N0} subjects, {options.Records:N0} records, batch {options.Batch}, {options.Concurrency} concurrent posts, {options.Clients} read clients; {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, load average {loadAtStart ?? "n/a"}");

        var data = CityData.Generate(options);
        Log($"generated {data.Regions.Count:N0} regions ({data.VillageCodes.Count:N0} villages), {data.Subjects.Count:N0} subjects, {data.Records.Count:N0} records in {data.GenerationTime.TotalSeconds:N1} s (not timed)");

        HttpResults? http = null;
        InProcessResults? inProcess = null;
        DurableBench? durable = options.Durable ? new DurableBench(options, data, Log) : null;
        if (!options.SkipHttp)
        {
            try
            {
                http = durable is not null
                    ? await durable.RunAsync(failures, cts.Token)
                    : await RunHttpAsync(options, data, failures, cts.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cts.IsCancellationRequested)
            {
                failures.Add($"HTTP part failed: {ex.GetType().Name}: {ex.Message}");
                Log($"HTTP part failed: {ex}");
            }
        }

        if (!options.SkipInProcess && !cts.IsCancellationRequested)
        {
            try
            {
                inProcess = await new InProcessBench(options, data, http?.SubjectIds, Log).RunAsync(failures, cts.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cts.IsCancellationRequested)
            {
                failures.Add($"in-process part failed: {ex.GetType().Name}: {ex.Message}");
                Log($"in-process part failed: {ex}");
            }

            try
            {
                if (inProcess is not null)
                {
                    inProcess.OrleansFloor = await new OrleansFloor(data.Subjects.Count, Log).RunAsync(cts.Token);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cts.IsCancellationRequested)
            {
                failures.Add($"Orleans-alone part failed: {ex.GetType().Name}: {ex.Message}");
                Log($"Orleans-alone part failed: {ex}");
            }
        }

        double? share = http?.IngestRecordsPerSecond is { } h && inProcess?.RecordsPerSecond is { } p && p > 0 ? Math.Round(h / p, 3) : null;
        var loadAtEnd = Report.LoadAverage();
        var rows = Report.Rows(data, http, inProcess, share);
        Console.WriteLine();
        Console.WriteLine(Report.Table(rows));
        if (durable is not null)
        {
            Console.WriteLine(Report.Table(Report.DurableRows(durable.Results, http)));
        }

        foreach (var f in failures)
        {
            Console.WriteLine("FAILURE: " + f);
        }

        Console.WriteLine($"load average at start {loadAtStart ?? "n/a"}, at end {loadAtEnd ?? "n/a"} ({Environment.ProcessorCount} cores): other work on the machine skews every figure");

        var report = new BenchReport
        {
            Timestamp = started,
            Machine = Report.Machine(),
            Scale = new
            {
                RequestedSubjects = options.Subjects,
                RequestedRecords = options.Records,
                data.City.Scale,
                Regions = data.Regions.Count,
                Villages = data.VillageCodes.Count,
                Households = data.City.HouseholdCount,
                Subjects = data.Subjects.Count,
                Records = data.Records.Count,
                options.Batch,
                options.Concurrency,
                options.Clients,
                options.AfterSeconds,
            },
            Generation = new { Seconds = Math.Round(data.GenerationTime.TotalSeconds, 2) },
            LoadAverageAtStart = loadAtStart,
            LoadAverageAtEnd = loadAtEnd,
            Http = http,
            InProcess = inProcess,
            HttpShareOfInProcess = share,
            Durable = durable?.Results,
            Table = rows,
            Failures = failures,
        };
        await Report.WriteJsonAsync(options.Out, report);
        Log($"results written to {Path.GetFullPath(options.Out)}");
        return failures.Count == 0 ? 0 : 1;
    }

    private static async Task<HttpResults> RunHttpAsync(BenchOptions options, CityData data, List<string> failures, CancellationToken ct)
    {
        var ports = ApiHostProcess.FreePorts(3);
        using var child = ApiHostProcess.Start(ports[0], ports[1], ports[2]);
        s_child = child;
        try
        {
            Log($"API host started as pid {child.Pid} on {child.BaseAddress} (silo {ports[1]}, gateway {ports[2]}); log: {child.LogPath}");
            using (var probe = HttpBench.Client(child.BaseAddress, TimeSpan.FromSeconds(10)))
            {
                var t = Clock.Now;
                await child.WaitReadyAsync(probe, TimeSpan.FromMinutes(2), ct);
                Log($"API host ready after {Clock.Seconds(t, Clock.Now):N1} s");
            }

            return await new HttpBench(options, data, Log).RunAsync(child, failures, ct);
        }
        finally
        {
            child.Kill();
            s_child = null;
            Log("API host stopped");
        }
    }

    private static readonly long s_start = Clock.Now;

    private static void Log(string message) =>
        Console.WriteLine($"[{Clock.Seconds(s_start, Clock.Now),7:F1}s] {message}");
}
