using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using RuralCredit.Grains;
using RuralCredit.Ledger;
using RuralCredit.Models;
using RuralCredit.Silo.Postgres;

namespace RuralCredit.Bench;

/// <summary>Figures of the durable mode (postgres profile, 2 silos + 1 API host, throwaway PostgreSQL, fsync on).</summary>
internal sealed class DurableResults
{
    public string? PostgresDirectory { get; set; }
    public double RawCopySeconds { get; set; }
    public double RawCopyRowsPerSecond { get; set; }
    public double? IngestShareOfRawCopy { get; set; }
    public double LedgerAppendSeconds { get; set; }
    public double LedgerAppendEntriesPerSecond { get; set; }
    public long? SubjectStateRows { get; set; }
    public int? MaxStateWritesPerSubject { get; set; }
    public double? MeanStateWritesPerSubject { get; set; }
    public double? MaxStateWritesPerSubjectPerSecond { get; set; }
    public long? LedgerRows { get; set; }
    public double? RestartSeconds { get; set; }
    public int ColdStartSubjects { get; set; }
    public int ColdStartErrors { get; set; }
    public double? ColdStartSeconds { get; set; }
    public double? ColdStartSubjectsPerSecond { get; set; }
    public LatencySummary? ColdStartReadMs { get; set; }
    public int ColdStartClients { get; set; }

    /// <summary>Share of the machine's CPU time (all cores, every process) busy during the cold start.</summary>
    public double? ColdStartMachineCpuBusy { get; set; }

    /// <summary>After one of two silos is killed: villages that came back and reconciled on the survivor.</summary>
    public int? SiloDeathVillagesReconciled { get; set; }

    /// <summary>Subjects those villages asked for their summaries (each activated on the survivor if it died too).</summary>
    public long? SiloDeathSubjectsAsked { get; set; }

    /// <summary>From the kill until the first village finished reconciling (the death is declared in between).</summary>
    public double? SiloDeathFirstReconcileSeconds { get; set; }

    /// <summary>From the kill until the last village finished reconciling.</summary>
    public double? SiloDeathRecoverySeconds { get; set; }

    /// <summary>Share of the machine's CPU busy from the kill until the last village finished reconciling.</summary>
    public double? SiloDeathMachineCpuBusy { get; set; }

    /// <summary>Records the city counted once recovery ended (every accepted record, when nothing was lost).</summary>
    public int? SiloDeathCityRecords { get; set; }
    public List<string> Logs { get; set; } = [];
}

/// <summary>
/// The durable mode: a throwaway PostgreSQL (scripts/pg-local), the raw binary COPY rate of the same records into a
/// bare table (the durable-write limit), then the same HTTP benchmark against 2 silo processes and 1 API host in
/// the postgres profile, the subjects' state writes, and a cold start: every silo restarted, each subject read once.
/// </summary>
internal sealed partial class DurableBench(BenchOptions options, CityData data, Action<string> log)
{
    private const string ClusterId = "ruralcredit-bench";

    public DurableResults Results { get; } = new();

    public async Task<HttpResults?> RunAsync(List<string> failures, CancellationToken ct)
    {
        var root = RepositoryRoot();
        var (connectionString, dir) = await StartPostgresAsync(root);
        Results.PostgresDirectory = dir;
        var silos = new List<ApiHostProcess>();
        ApiHostProcess? api = null;
        try
        {
            await RawCopyAsync(connectionString, ct);
            await LedgerAppendAsync(connectionString, ct);
            if (options.LedgerOnly)
            {
                return null;
            }

            var ports = ApiHostProcess.FreePorts(7);
            silos.Add(StartSilo(connectionString, ports[0], ports[1], ports[2], 0));
            using var probe = HttpBench.Client(new Uri("http://127.0.0.1"), TimeSpan.FromSeconds(10));
            await silos[0].WaitHealthyAsync(probe, "/healthz", TimeSpan.FromMinutes(2), ct); // the first silo migrates the schema
            silos.Add(StartSilo(connectionString, ports[3], ports[4], ports[5], 1));
            api = ApiHostProcess.StartDll("RuralCredit.ApiHost.dll", Common(connectionString).Append("--Auth:AllowDevelopmentKeys=true"), ports[6], "durable-api");
            await silos[1].WaitHealthyAsync(probe, "/healthz", TimeSpan.FromMinutes(2), ct);
            await api.WaitReadyAsync(probe, TimeSpan.FromMinutes(2), ct);
            log($"cluster up: silos pid {silos[0].Pid}, {silos[1].Pid}; API host pid {api.Pid} on {api.BaseAddress}");

            var http = await new HttpBench(options, data, log).RunAsync(api, failures, ct);
            if (http.IngestRecordsPerSecond is { } rate && Results.RawCopyRowsPerSecond > 0)
            {
                Results.IngestShareOfRawCopy = Math.Round(rate / Results.RawCopyRowsPerSecond, 3);
            }

            await StateWritesAsync(connectionString, http, ct);
            if (options.ColdClients is 0)
            {
                log("cold start skipped (--cold-clients 0)");
            }
            else
            {
                await ColdStartAsync(connectionString, silos, api, http, ports, probe, failures, ct);
                await SiloDeathAsync(silos, api, http, failures, ct);
            }

            Results.Logs = [.. silos.Select(s => s.LogPath), api.LogPath];
            return http;
        }
        finally
        {
            api?.Dispose();
            foreach (var silo in silos)
            {
                silo.Dispose();
            }

            await RunScriptAsync(root, "stop", dir);
            log("cluster and PostgreSQL stopped");
        }
    }

    private ApiHostProcess StartSilo(string connectionString, int siloPort, int gatewayPort, int dashboardPort, int index) =>
        ApiHostProcess.StartDll("RuralCredit.Silo.dll", Common(connectionString).Concat(
        [
            $"--Orleans:SiloPort={siloPort}",
            $"--Orleans:GatewayPort={gatewayPort}",
            $"--Orleans:DashboardPort={dashboardPort}",
        ]), dashboardPort, $"silo{index}");

    private static IEnumerable<string> Common(string connectionString) =>
    [
        "--RuralCredit:Profile=postgres",
        $"--ConnectionStrings:RuralCredit={connectionString};Maximum Pool Size=50",
        $"--Orleans:ClusterId={ClusterId}",
        $"--Orleans:ServiceId={ClusterId}",
        "--Identity:PersonIdSecret=benchmark-person-id-secret",
        "--Logging:LogLevel:Default=Warning",
        "--Logging:LogLevel:RuralCredit.Grains.VillageGrain=Information",
        "--Logging:LogLevel:RuralCredit.Grains.RegionWakeUp=Information",
    ];

    /// <summary>The durable-write limit: the same rows, one binary COPY on one connection, into a bare table.</summary>
    private async Task RawCopyAsync(string connectionString, CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using (var create = db.CreateCommand("""
            CREATE TABLE bench_raw_copy (
                record_id text PRIMARY KEY, subject text NOT NULL, catalog_code text NOT NULL,
                occurred_at timestamptz NOT NULL, payload jsonb NOT NULL)
            """))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        var records = data.Records;
        var t = Clock.Now;
        await using (var connection = await db.OpenConnectionAsync(ct))
        await using (var writer = await connection.BeginBinaryImportAsync("COPY bench_raw_copy (record_id, subject, catalog_code, occurred_at, payload) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var r in records)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(r.RecordId, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(r.SubjectId ?? r.IdNumber ?? "", NpgsqlDbType.Text, ct);
                await writer.WriteAsync(r.CatalogCode, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(r.OccurredAt.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
                await writer.WriteAsync(r.PayloadJson, NpgsqlDbType.Jsonb, ct);
            }

            await writer.CompleteAsync(ct);
        }

        Results.RawCopySeconds = Math.Round(Clock.Seconds(t, Clock.Now), 2);
        Results.RawCopyRowsPerSecond = Math.Round(records.Count / Math.Max(Results.RawCopySeconds, 0.001));
        log($"raw binary COPY of {records.Count:N0} rows (text primary key, jsonb payload): {Results.RawCopySeconds:N1} s = {Results.RawCopyRowsPerSecond:N0} rows/s");
        await using var drop = db.CreateCommand("DROP TABLE bench_raw_copy");
        await drop.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The ledger alone: the same records appended through the postgres ledger (lookups, advisory lock, COPY into the
    /// indexed table, commit) by as many concurrent appenders as the HTTP run posts, into a database of its own.
    /// </summary>
    private async Task LedgerAppendAsync(string connectionString, CancellationToken ct)
    {
        const string database = "rc_ledger_bench";
        await using (var admin = NpgsqlDataSource.Create(connectionString))
        await using (var create = admin.CreateCommand($"CREATE DATABASE {database}"))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Database = database };
        await using (var db = NpgsqlDataSource.Create(builder.ConnectionString))
        {
            await new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance).MigrateAsync(ct);
            var ledger = new PostgresCreditLedger(db, Options.Create(new LedgerOptions { Partitions = 8 }));
            var now = DateTimeOffset.UtcNow;
            var batches = data.Records.Chunk(options.Batch).Select(chunk => chunk.Select(r => new LedgerEntry
            {
                SubjectId = r.SubjectId ?? r.IdNumber ?? "",
                RecordId = r.RecordId,
                CatalogCode = r.CatalogCode,
                OccurredAt = r.OccurredAt,
                ReceivedAt = now,
                SourceDepartment = "bench",
                PayloadJson = r.PayloadJson,
                ContentHash = RecordIngestGrain.ContentHash(r.CatalogCode, r.SubjectId ?? r.IdNumber ?? "", r.OccurredAt, r.PayloadJson, null),
            }).ToList()).ToList();
            var next = -1;
            var t = Clock.Now;
            await Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Concurrency)).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < batches.Count)
                {
                    await ledger.AppendAsync(batches[i], ct);
                }
            }, ct)));
            Results.LedgerAppendSeconds = Math.Round(Clock.Seconds(t, Clock.Now), 2);
            Results.LedgerAppendEntriesPerSecond = Math.Round(data.Records.Count / Math.Max(Results.LedgerAppendSeconds, 0.001));
            log($"ledger alone: {data.Records.Count:N0} entries appended in {Results.LedgerAppendSeconds:N1} s = {Results.LedgerAppendEntriesPerSecond:N0} entries/s ({options.Concurrency} appenders, batches of {options.Batch})");
        }

        NpgsqlConnection.ClearAllPools();
        await using (var admin = NpgsqlDataSource.Create(connectionString))
        await using (var drop = admin.CreateCommand($"DROP DATABASE {database}"))
        {
            await drop.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>How often subjects wrote their snapshot: the state row's version counts its writes.</summary>
    private async Task StateWritesAsync(string connectionString, HttpResults http, CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        // A subject without a row never wrote a snapshot: the means are over every registered subject.
        await using (var cmd = db.CreateCommand("SELECT count(*), coalesce(max(version), 0), coalesce(sum(version), 0)::float8 FROM orleans_grain_state WHERE state_name = 'subject'"))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            Results.SubjectStateRows = reader.GetInt64(0);
            Results.MaxStateWritesPerSubject = reader.GetInt32(1);
            Results.MeanStateWritesPerSubject = Math.Round(reader.GetDouble(2) / Math.Max(1, http.SubjectsRegistered), 3);
        }

        await using (var count = db.CreateCommand("SELECT count(*) FROM rc_ledger"))
        {
            Results.LedgerRows = (long)(await count.ExecuteScalarAsync(ct))!;
        }

        // Every write is a coalesced snapshot, during or after ingest.
        var seconds = (http.FoldedSeconds ?? http.AckSeconds) + options.AfterSeconds;
        if (Results.MaxStateWritesPerSubject is { } max && seconds > 0)
        {
            Results.MaxStateWritesPerSubjectPerSecond = Math.Round(max / seconds, 3);
        }

        log($"subject state rows {Results.SubjectStateRows:N0}: writes per subject max {Results.MaxStateWritesPerSubject}, mean {Results.MeanStateWritesPerSubject} over ~{seconds:N0} s; ledger rows {Results.LedgerRows:N0}");
    }

    /// <summary>Stops every silo, starts two new ones, then reads each subject once (32 clients).</summary>
    private async Task ColdStartAsync(string connectionString, List<ApiHostProcess> silos, ApiHostProcess api, HttpResults http, int[] ports, HttpClient probe, List<string> failures, CancellationToken ct)
    {
        var t = Clock.Now;
        await Task.WhenAll(silos.Select(s => s.StopAsync(TimeSpan.FromSeconds(90))));
        foreach (var s in silos)
        {
            s.Dispose();
        }

        silos.Clear();
        var fresh = ApiHostProcess.FreePorts(6);
        silos.Add(StartSilo(connectionString, fresh[0], fresh[1], fresh[2], 2));
        silos.Add(StartSilo(connectionString, fresh[3], fresh[4], fresh[5], 3));
        foreach (var s in silos)
        {
            await s.WaitHealthyAsync(probe, "/healthz", TimeSpan.FromMinutes(2), ct);
        }

        await api.WaitReadyAsync(probe, TimeSpan.FromMinutes(2), ct);
        Results.RestartSeconds = Math.Round(Clock.Seconds(t, Clock.Now), 1);
        log($"all silos restarted in {Results.RestartSeconds:N1} s; reading every subject once");

        var ids = http.SubjectIds.OfType<string>().ToArray();
        using var client = HttpBench.Client(api.BaseAddress, TimeSpan.FromSeconds(60));
        var latencies = new double[ids.Length];
        var errors = 0;
        var next = -1;
        var clients = options.ColdClients ?? Math.Max(1, options.Clients);
        var cpu0 = MachineCpu.Sample();
        var t0 = Clock.Now;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < ids.Length; i = Interlocked.Increment(ref next))
            {
                var start = Clock.Now;
                try
                {
                    using var response = await client.GetAsync($"/v1/subjects/{ids[i]}", ct);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }

                latencies[i] = Clock.Ms(start, Clock.Now);
            }
        }, ct)));
        Results.ColdStartSeconds = Math.Round(Clock.Seconds(t0, Clock.Now), 2);
        Results.ColdStartMachineCpuBusy = MachineCpu.BusyBetween(cpu0, MachineCpu.Sample());
        Results.ColdStartClients = clients;
        Results.ColdStartSubjects = ids.Length;
        Results.ColdStartErrors = errors;
        Results.ColdStartSubjectsPerSecond = Math.Round(ids.Length / Math.Max(Results.ColdStartSeconds.Value, 0.001));
        Results.ColdStartReadMs = LatencySummary.From(latencies);
        log($"cold start: {ids.Length:N0} subjects read once by {clients} clients in {Results.ColdStartSeconds:N1} s = {Results.ColdStartSubjectsPerSecond:N0} subjects/s ({errors} errors), p99 {Results.ColdStartReadMs.P99} ms, machine CPU {Results.ColdStartMachineCpuBusy:P0} busy");
        if (errors > 0)
        {
            failures.Add($"cold start: {errors} subject reads failed");
        }
    }

    /// <summary>
    /// Recovery at scale: with every subject active (after the cold start), one of the two silos is killed (SIGKILL). Its
    /// villages come back on the survivor and, not knowing which summaries they lost, ask each of their subjects again;
    /// recovery ends with the last village's reconcile (none for 20 s after it). The city must then count every record.
    /// </summary>
    private async Task SiloDeathAsync(List<ApiHostProcess> silos, ApiHostProcess api, HttpResults http, List<string> failures, CancellationToken ct)
    {
        var survivor = silos[0];
        var villages = 0;
        var subjects = 0L;
        var first = 0L;
        var last = 0L;
        void OnLine(string line)
        {
            if (VillageReconciled().Match(line) is { Success: true } m)
            {
                Interlocked.CompareExchange(ref first, Clock.Now, 0);
                Interlocked.Increment(ref villages);
                Interlocked.Add(ref subjects, long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
                Volatile.Write(ref last, Clock.Now);
            }
        }

        survivor.Line += OnLine;
        try
        {
            var cpu0 = MachineCpu.Sample();
            var t0 = Clock.Now;
            silos[1].Kill();
            log($"silo death: killed silo pid {silos[1].Pid}; waiting for its villages to reconcile on pid {survivor.Pid}");
            var quiet = TimeSpan.FromSeconds(20);
            var bound = TimeSpan.FromMinutes(20);
            var progress = Clock.Now;
            while (true)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
                var now = Clock.Now;
                var seen = Volatile.Read(ref last);
                if (seen != 0 && Clock.Seconds(seen, now) >= quiet.TotalSeconds)
                {
                    break;
                }

                if (Clock.Seconds(t0, now) >= bound.TotalSeconds)
                {
                    failures.Add($"silo death: villages still reconciling (or none did) {bound.TotalMinutes:0} min after the kill ({villages} so far)");
                    break;
                }

                if (Clock.Seconds(progress, now) >= 10)
                {
                    progress = now;
                    log($"silo death: {Volatile.Read(ref villages):N0} villages reconciled, {Interlocked.Read(ref subjects):N0} subjects asked after {Clock.Seconds(t0, now):N0} s");
                }
            }

            var end = Volatile.Read(ref last);
            if (end != 0)
            {
                Results.SiloDeathFirstReconcileSeconds = Math.Round(Clock.Seconds(t0, Volatile.Read(ref first)), 1);
                Results.SiloDeathRecoverySeconds = Math.Round(Clock.Seconds(t0, end), 1);
                Results.SiloDeathMachineCpuBusy = MachineCpu.BusyBetween(cpu0, MachineCpu.Sample());
            }

            Results.SiloDeathVillagesReconciled = villages;
            Results.SiloDeathSubjectsAsked = Interlocked.Read(ref subjects);
            using var client = HttpBench.Client(api.BaseAddress, TimeSpan.FromSeconds(60));
            Results.SiloDeathCityRecords = (await HttpBench.CityAsync(client, ct))?.Records24h;
            log($"silo death: {villages:N0} villages reconciled, asking {Results.SiloDeathSubjectsAsked:N0} subjects, the first {Results.SiloDeathFirstReconcileSeconds:N1} s and the last {Results.SiloDeathRecoverySeconds:N1} s after the kill (machine CPU {Results.SiloDeathMachineCpuBusy:P0} busy); the city counts {Results.SiloDeathCityRecords:N0} of {http.Accepted:N0} records");
            if (Results.SiloDeathCityRecords != http.Accepted)
            {
                failures.Add($"silo death: the city counts {Results.SiloDeathCityRecords} records after recovery, {http.Accepted} were accepted");
            }
        }
        finally
        {
            survivor.Line -= OnLine;
        }
    }

    [GeneratedRegex(@"Village \S+ reconciled after a crash: asked (\d+) subjects")]
    private static partial Regex VillageReconciled();

    private async Task<(string ConnectionString, string Dir)> StartPostgresAsync(string root)
    {
        var output = await RunScriptAsync(root, "start");
        var parts = output.Trim().Split('\'');
        if (parts.Length < 4)
        {
            throw new InvalidOperationException($"scripts/pg-local start printed no connection string: {output}");
        }

        log($"PostgreSQL started ({parts[1]}), data in {parts[3]}, fsync on");
        return (parts[1], parts[3]);
    }

    private static async Task<string> RunScriptAsync(string root, params string[] arguments)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "pg-local"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/pg-local {string.Join(' ', arguments)} failed: {await stderr}");
        }

        return await stdout;
    }

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "RuralCredit.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("run the benchmark from the repository (RuralCredit.sln not found)");
    }
}
