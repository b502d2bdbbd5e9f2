using System.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using RuralCredit.Hosting;
using RuralCredit.Models;
using RuralCredit.Silo.Hosting;

namespace RuralCredit.Bench;

/// <summary>Figures of the in-process part (silo in this process, no HTTP).</summary>
internal sealed class InProcessResults
{
    public double RegistrationSeconds { get; set; }
    public int SubjectsRegistered { get; set; }
    public int SubjectsRejected { get; set; }
    public long Accepted { get; set; }
    public long Rejected { get; set; }
    public long Retries { get; set; }
    public double? AckSeconds { get; set; }
    public double? FoldedSeconds { get; set; }
    public double? RecordsPerSecond { get; set; }
    public int? CityRecords24h { get; set; }
    public int? CitySubjects { get; set; }
    public double TouchSeconds { get; set; }
    public int ProfilesRead { get; set; }
    public long HeapBeforeBytes { get; set; }
    public long HeapAfterRegistrationBytes { get; set; }
    public long HeapAfterBytes { get; set; }
    public double HeapPerRegisteredSubjectKb { get; set; }
    public double HeapPerActiveSubjectKb { get; set; }

    /// <summary>Managed heap once every grain has been deactivated: what stays is the embedded profile's storage.</summary>
    public long? HeapAfterDeactivationBytes { get; set; }

    /// <summary>Of <see cref="HeapPerActiveSubjectKb"/>: what the activations hold (released when they deactivate).</summary>
    public double? HeapInActivationsPerSubjectKb { get; set; }

    /// <summary>Of <see cref="HeapPerActiveSubjectKb"/>: the in-memory ledger, directory and grain storage (PostgreSQL in the postgres profile).</summary>
    public double? HeapInStoragePerSubjectKb { get; set; }

    public int? ActivationsBeforeCollection { get; set; }
    public int? ActivationsAfterCollection { get; set; }
    public long ProcessWorkingSetBytes { get; set; }

    /// <summary>What Orleans itself holds per grain here (bare grains in a silo of their own).</summary>
    public FloorResults? OrleansFloor { get; set; }
}

/// <summary>
/// The limit without HTTP: a silo in this process, the same subjects registered through
/// <see cref="IRegistrationGrain"/>, the same records submitted to <see cref="IRecordIngestGrain"/> (validation,
/// ledger append, stream fold), timed until the city grain shows every record. Then the managed heap per active
/// subject.
/// </summary>
internal sealed class InProcessBench(BenchOptions options, CityData data, IReadOnlyList<string?>? knownIds, Action<string> log)
{
    private const int RegistrationBatch = 5_000;
    private const int RegistrationConcurrency = 4;
    private const int TouchConcurrency = 64;
    private static readonly TimeSpan FoldBound = TimeSpan.FromMinutes(10);

    public async Task<InProcessResults> RunAsync(List<string> failures, CancellationToken ct)
    {
        var results = new InProcessResults();
        var ports = ApiHostProcess.FreePorts(2);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Orleans"] = "Warning",
            ["Logging:LogLevel:Orleans.Runtime.Silo"] = "Warning",
            ["Logging:LogLevel:Microsoft"] = "Warning",
        });
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: ports[0], gatewayPort: ports[1]);
            silo.AddRuralCredit(builder.Configuration);
        });

        using var host = builder.Build();
        await host.StartAsync(ct);
        try
        {
            var cluster = host.Services.GetRequiredService<IClusterClient>();
            var writeDelay = host.Services.GetRequiredService<IOptions<GrainTimingOptions>>().Value.StateWriteDelay;
            await cluster.GetGrain<ICatalogGrain>(RuralCreditConstants.CatalogKey).GetDepartmentsAsync();
            log($"in-process silo started (silo port {ports[0]}, gateway {ports[1]})");

            results.HeapBeforeBytes = MeasureHeap();
            var ids = await RegisterAsync(cluster, results, failures, ct);
            results.HeapAfterRegistrationBytes = MeasureHeap();

            await IngestAsync(cluster, results, failures, ct);

            // Every subject active: read each profile once.
            var t = Clock.Now;
            var next = -1;
            var read = 0;
            async Task Toucher()
            {
                for (var guard = 0; guard <= ids.Count; guard++)
                {
                    var i = Interlocked.Increment(ref next);
                    if (i >= ids.Count)
                    {
                        return;
                    }

                    if (await cluster.GetGrain<ISubjectGrain>(ids[i]).GetProfileAsync(null) is not null)
                    {
                        Interlocked.Increment(ref read);
                    }
                }
            }

            await Task.WhenAll(Enumerable.Range(0, TouchConcurrency).Select(_ => Task.Run(Toucher, ct)));
            results.TouchSeconds = Math.Round(Clock.Seconds(t, Clock.Now), 2);
            results.ProfilesRead = read;
            if (read != ids.Count)
            {
                failures.Add($"in-process: {ids.Count - read} subjects had no profile");
            }

            // Let coalesced snapshot writes happen, then measure.
            await Task.Delay(writeDelay + TimeSpan.FromSeconds(1), ct);
            results.HeapAfterBytes = MeasureHeap();
            results.ProcessWorkingSetBytes = Environment.WorkingSet;
            var subjects = Math.Max(1, results.SubjectsRegistered);
            results.HeapPerRegisteredSubjectKb = Math.Round((results.HeapAfterRegistrationBytes - results.HeapBeforeBytes) / 1024.0 / subjects, 3);
            results.HeapPerActiveSubjectKb = Math.Round((results.HeapAfterBytes - results.HeapBeforeBytes) / 1024.0 / subjects, 3);
            log($"managed heap: {results.HeapBeforeBytes / 1048576.0:N0} MB before, {results.HeapAfterRegistrationBytes / 1048576.0:N0} MB after registration, {results.HeapAfterBytes / 1048576.0:N0} MB with all folded and active → {results.HeapPerActiveSubjectKb:N2} KB per active subject ({results.HeapPerRegisteredSubjectKb:N2} KB registered only); working set {results.ProcessWorkingSetBytes / 1048576.0:N0} MB");
            await MeasureStorageShareAsync(cluster, results, subjects, ct);
            GC.KeepAlive(data);
            GC.KeepAlive(ids);
        }
        finally
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await host.StopAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return results;
    }

    private async Task<IReadOnlyList<string>> RegisterAsync(IClusterClient cluster, InProcessResults results, List<string> failures, CancellationToken ct)
    {
        var registration = cluster.GetGrain<IRegistrationGrain>(0);
        var t = Clock.Now;
        var regionsRejected = 0;
        foreach (var chunk in data.Regions.Chunk(RegistrationBatch))
        {
            regionsRejected += (await registration.RegisterRegionsAsync(chunk)).Count(o => o.Status == "rejected");
        }

        if (regionsRejected > 0)
        {
            failures.Add($"in-process: {regionsRejected} regions rejected");
        }

        var subjects = data.Subjects;
        var chunks = (subjects.Count + RegistrationBatch - 1) / RegistrationBatch;
        var keep = knownIds is null || knownIds.Count != subjects.Count;
        var ids = keep ? new string?[subjects.Count] : null;
        var next = -1;
        int registered = 0, rejected = 0, mismatched = 0;

        async Task Worker()
        {
            for (var guard = 0; guard <= chunks; guard++)
            {
                var c = Interlocked.Increment(ref next);
                if (c >= chunks)
                {
                    return;
                }

                var start = c * RegistrationBatch;
                var chunk = subjects.GetRange(start, Math.Min(RegistrationBatch, subjects.Count - start)).ConvertAll(Fresh);
                var outcomes = await registration.RegisterSubjectsAsync(chunk);
                foreach (var o in outcomes)
                {
                    if (o.Status == "rejected" || o.Key is null)
                    {
                        Interlocked.Increment(ref rejected);
                        continue;
                    }

                    Interlocked.Increment(ref registered);
                    if (ids is not null)
                    {
                        ids[start + o.Index] = o.Key;
                    }
                    else if (!string.Equals(knownIds![start + o.Index], o.Key, StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref mismatched);
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, RegistrationConcurrency).Select(_ => Task.Run(Worker, ct)));
        results.RegistrationSeconds = Math.Round(Clock.Seconds(t, Clock.Now), 2);
        results.SubjectsRegistered = registered;
        results.SubjectsRejected = rejected;
        if (rejected > 0)
        {
            failures.Add($"in-process: {rejected} subjects rejected");
        }

        if (mismatched > 0)
        {
            failures.Add($"in-process: {mismatched} subject ids differ from the HTTP registration");
        }

        log($"in-process registration: {data.Regions.Count:N0} regions, {registered:N0} subjects in {results.RegistrationSeconds:N1} s (not part of the limit)");
        return [.. (ids ?? knownIds!).OfType<string>()];
    }

    private async Task IngestAsync(IClusterClient cluster, InProcessResults results, List<string> failures, CancellationToken ct)
    {
        var records = data.Records;
        var batchCount = (records.Count + options.Batch - 1) / options.Batch;
        var submitter = new Submitter("bench", true, ["*"]);

        var next = -1;
        long accepted = 0, rejected = 0, retries = 0;
        var t0 = Clock.Now;

        async Task Worker()
        {
            var ingest = cluster.GetGrain<IRecordIngestGrain>(0);
            for (var guard = 0; guard <= batchCount; guard++)
            {
                var b = Interlocked.Increment(ref next);
                if (b >= batchCount)
                {
                    return;
                }

                // A fresh copy (strings included), as if parsed from a request: whatever the silo keeps of a record is
                // allocated after the baseline heap measurement, and nothing of the batch stays alive here.
                var start = b * options.Batch;
                var batch = records.GetRange(start, Math.Min(options.Batch, records.Count - start)).ConvertAll(Fresh);
                IReadOnlyList<RecordOutcome>? outcomes = null;
                for (var attempt = 0; outcomes is null; attempt++)
                {
                    try
                    {
                        outcomes = await ingest.SubmitAsync(batch, submitter, ct);
                    }
                    catch (TimeoutException) when (attempt < 2)
                    {
                        // The grain call timed out (Orleans response timeout); submitting again is idempotent.
                        Interlocked.Increment(ref retries);
                    }
                }

                var a = 0;
                foreach (var o in outcomes)
                {
                    // A duplicate can only come from a retried submission (fresh ledger, unique record ids).
                    if (o.Status is "accepted" or "duplicate")
                    {
                        a++;
                    }
                    else if (o.Status == "rejected")
                    {
                        Interlocked.Increment(ref rejected);
                    }
                }

                Interlocked.Add(ref accepted, a);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(Worker, ct)));
        var acked = Clock.Now;
        results.Accepted = accepted;
        results.Rejected = rejected;
        results.Retries = retries;
        results.AckSeconds = Math.Round(Clock.Seconds(t0, acked), 3);
        if (rejected > 0)
        {
            failures.Add($"in-process: {rejected} records rejected");
        }

        var city = cluster.GetGrain<IRegionGrain>(RuralCreditConstants.CityCode);
        var deadline = Clock.Now + (long)(FoldBound.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        RegionSummary? last = null;
        for (var poll = 0; poll < 10 * 60 * 10 + 10 && Clock.Now < deadline; poll++)
        {
            var tick = Clock.Now;
            last = await city.GetSummaryAsync();
            if (last is not null && last.Records24h >= accepted)
            {
                var folded = Clock.Now;
                results.FoldedSeconds = Math.Round(Clock.Seconds(t0, folded), 3);
                results.RecordsPerSecond = Math.Round(accepted / Clock.Seconds(t0, folded));
                break;
            }

            var wait = 100 - Clock.Ms(tick, Clock.Now);
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
            }
        }

        results.CityRecords24h = last?.Records24h;
        results.CitySubjects = last?.Subjects;
        if (results.RecordsPerSecond is null)
        {
            failures.Add($"in-process: the city did not show all {accepted} records within {FoldBound.TotalMinutes} min (records24h {last?.Records24h})");
        }
        else if (last!.Records24h != accepted)
        {
            failures.Add($"in-process: city records24h {last.Records24h} differs from accepted {accepted}");
        }

        if (retries > 0)
        {
            log($"in-process ingest: {retries} submissions timed out and were retried");
        }

        log($"in-process ingest: {accepted:N0} records acknowledged after {results.AckSeconds:N1} s, all folded into the city after {results.FoldedSeconds:N1} s → {results.RecordsPerSecond:N0} records/s");
    }

    private static string Copy(string s) => new(s.AsSpan());

    private static string? CopyOrNull(string? s) => s is null ? null : Copy(s);

    /// <summary>A copy sharing no string with the generated data (as if parsed from a request).</summary>
    private static RecordSubmission Fresh(RecordSubmission r) => new()
    {
        RecordId = Copy(r.RecordId),
        CatalogCode = Copy(r.CatalogCode),
        SubjectId = CopyOrNull(r.SubjectId),
        IdNumber = CopyOrNull(r.IdNumber),
        OccurredAt = r.OccurredAt,
        PayloadJson = Copy(r.PayloadJson),
        Supersedes = CopyOrNull(r.Supersedes),
    };

    private static SubjectRegistration Fresh(SubjectRegistration s) => new()
    {
        SubjectType = Copy(s.SubjectType),
        Name = Copy(s.Name),
        IdNumber = CopyOrNull(s.IdNumber),
        CreditCode = CopyOrNull(s.CreditCode),
        VillageCode = Copy(s.VillageCode),
        HouseholdId = CopyOrNull(s.HouseholdId),
    };

    /// <summary>
    /// Splits the heap per active subject: every grain is deactivated (Orleans' activation collection with no minimum
    /// age), and what the heap still holds is the embedded profile's storage: the in-memory ledger, subject directory and
    /// grain storage, which the postgres profile keeps in PostgreSQL.
    /// </summary>
    private async Task MeasureStorageShareAsync(IClusterClient cluster, InProcessResults results, int subjects, CancellationToken ct)
    {
        var management = cluster.GetGrain<IManagementGrain>(0);
        results.ActivationsBeforeCollection = await management.GetTotalActivationCount();
        var count = results.ActivationsBeforeCollection.Value;
        for (var round = 0; round < 10; round++)
        {
            await management.ForceActivationCollection(TimeSpan.Zero);
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            var now = await management.GetTotalActivationCount();
            if (now >= count && round > 0)
            {
                break; // nothing more to collect (system grains and the management grain itself stay)
            }

            count = now;
        }

        results.ActivationsAfterCollection = count;
        results.HeapAfterDeactivationBytes = MeasureHeap();
        results.HeapInActivationsPerSubjectKb = Math.Round((results.HeapAfterBytes - results.HeapAfterDeactivationBytes.Value) / 1024.0 / subjects, 3);
        results.HeapInStoragePerSubjectKb = Math.Round((results.HeapAfterDeactivationBytes.Value - results.HeapBeforeBytes) / 1024.0 / subjects, 3);
        log($"after deactivating {results.ActivationsBeforeCollection:N0} → {results.ActivationsAfterCollection:N0} activations: managed heap {results.HeapAfterDeactivationBytes.Value / 1048576.0:N0} MB → per active subject {results.HeapInActivationsPerSubjectKb:N2} KB in activations, {results.HeapInStoragePerSubjectKb:N2} KB in the embedded storage (ledger, directory, grain storage)");
    }

    /// <summary>Managed heap after a full, blocking, compacting collection (LOH included).</summary>
    internal static long MeasureHeap()
    {
        for (var i = 0; i < 2; i++)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
