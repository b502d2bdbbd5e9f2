using System.Diagnostics;
using RuralCredit.Tests.Postgres;
using Xunit.Abstractions;

namespace RuralCredit.Tests.Faults;

/// <summary>
/// SPEC §4: a silo killed (SIGKILL) during a bulk import loses no acknowledged record, and afterwards every profile and
/// aggregate equals a from-scratch recomputation over the ledger.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class SiloKillTests(ITestOutputHelper output)
{
    /// <summary>
    /// The import's size: the issue's 200 k records, over ≈ 10 k subjects of the demo city (registering them is set-up, not
    /// the fault; 20 k subjects add a minute). About 2½–3½ minutes on a two-core machine; its budget of 8 minutes leaves room
    /// for a machine shared with other work (6 minutes measured at a load average of 50). <c>RURALCREDIT_FAULTS_RECORDS</c>
    /// and <c>RURALCREDIT_FAULTS_SUBJECTS</c> change it (e.g. 60000 and 5000 for a quicker local run); the budget grows with
    /// larger sizes.
    /// </summary>
    private static readonly int Subjects = FromEnvironment("RURALCREDIT_FAULTS_SUBJECTS", 10_000);

    private static readonly int Records = FromEnvironment("RURALCREDIT_FAULTS_RECORDS", 200_000);

    private const int BatchSize = 2_000;
    private const int Clients = 4;
    private const int Readers = 8;

    /// <summary>The kill comes once this share of the records has been acknowledged (the test requires 30–50 %).</summary>
    private const double KillAt = 0.35;

    [Fact]
    public async Task A_silo_killed_during_a_bulk_import_loses_no_acknowledged_record_and_profiles_and_aggregates_equal_the_recomputation()
    {
        var scale = Math.Max(1.0, Records / 200_000.0);
        var deadline = new Deadline(TimeSpan.FromMinutes(8) * scale);
        var clock = Stopwatch.StartNew();
        var connectionString = await PostgresServer.CreateDatabaseAsync("faults_kill");
        using var cluster = new ClusterProcesses(connectionString, "kill");
        output.WriteLine($"logs in {cluster.LogDirectory}");
        await cluster.RunAsync(async () =>
        {
            var archive = new DemoArchive(Subjects, Records);
            output.WriteLine($"demo city: {archive.Regions.Count} regions, {archive.Subjects.Count} subjects, {archive.Records.Count} records (generated in {clock.Elapsed.TotalSeconds:0.0} s)");

            var silos = new[] { cluster.StartSilo(), cluster.StartSilo() };
            var api = cluster.StartApiHost();
            foreach (var silo in silos)
            {
                await cluster.WaitHealthyAsync(silo, "healthz", deadline.Bound(TimeSpan.FromSeconds(60)));
            }

            await cluster.WaitHealthyAsync(api, "readyz", deadline.Bound(TimeSpan.FromSeconds(60)));
            output.WriteLine($"two silos and an API host up at {clock.Elapsed.TotalSeconds:0.0} s");

            using var operatorClient = ClusterProcesses.Client(api, "dev-operator", TimeSpan.FromSeconds(120));
            var registered = await archive.RegisterAsync(operatorClient, concurrency: 6);
            output.WriteLine($"registered {registered.Count} subjects at {clock.Elapsed.TotalSeconds:0.0} s");
            deadline.Check("registering the demo city");

            // A request in flight through the killed silo's gateway is cancelled by the API host when the connection
            // closes and answered 503, which the importer resends; without that it would wait for the engine's response
            // timeout (minutes). The client's own timeout is longer than any wait of a healthy post (back-pressure waits
            // at most 30 s), so a timeout here means a post hung on the dead silo.
            using var integrator = ClusterProcesses.Client(api, "dev-integrator", TimeSpan.FromSeconds(75));
            var importer = new RecordImporter([integrator], output);
            var batches = archive.Batches(BatchSize);
            var killThreshold = (int)(archive.Records.Count * KillAt);
            int acknowledgedAtKill = 0;
            TimeSpan killedAt = default;
            using var stopKiller = new CancellationTokenSource();
            var killer = Task.Run(async () =>
            {
                while (importer.Acknowledged < killThreshold)
                {
                    await Task.Delay(10, stopKiller.Token);
                }

                silos[0].Kill();
                acknowledgedAtKill = importer.Acknowledged;
                killedAt = importer.Elapsed;
                output.WriteLine($"killed {silos[0].Name} (pid {silos[0].Pid}) at +{killedAt.TotalSeconds:0.0} s of the import, {acknowledgedAtKill} records acknowledged");
            });

            // Profiles are read throughout the import, as banks would: every answer is 200 or 503 (resend), none other.
            using var reader = ClusterProcesses.Client(api, "dev-operator", TimeSpan.FromSeconds(75));
            var readers = new ProfileReaders(reader, registered.Keys.ToArray());
            using var stopReaders = new CancellationTokenSource();
            var reading = readers.RunAsync(Readers, stopReaders.Token);

            var importTimeout = deadline.Bound(TimeSpan.FromSeconds(240) * scale);
            try
            {
                await importer.RunAsync(batches, Clients, importTimeout);
            }
            finally
            {
                await stopReaders.CancelAsync();
                await reading;
                await stopKiller.CancelAsync();
                try
                {
                    await killer;
                }
                catch (OperationCanceledException)
                {
                    // the import ended before the kill: asserted below
                }
            }

            output.WriteLine($"import: {importer.Summary()}");
            output.WriteLine(importer.Events());
            Assert.True(silos[0].HasExited, $"{silos[0].Name} was not killed: the import ended at {importer.Acknowledged} records before {killThreshold} were acknowledged");
            var share = (double)acknowledgedAtKill / archive.Records.Count;
            Assert.True(share is >= 0.30 and <= 0.50, $"the kill came at {share:P0} of the import, not within 30–50 %");
            Assert.False(silos[1].HasExited, $"{silos[1].Name} (the survivor) exited");
            Assert.True(importer.Timeouts == 0, $"{importer.Timeouts} posts got no answer within 75 s after the kill:\n{importer.Events()}");
            output.WriteLine($"profile reads during the import: {readers.Summary()}");
            Assert.True(readers.Unexpected.IsEmpty, $"profile reads answered unexpectedly: {string.Join("; ", readers.Unexpected.Take(5))}");
            // Reads in flight when the gateway is lost are answered at once (7 hung without that); a read that gets no
            // answer (one forwarded to the dead silo before the cluster declared it dead) is answered 503 after
            // Api:ReadTimeout (10 s), well within the client's 75 s.
            Assert.True(readers.Timeouts == 0, $"{readers.Timeouts} profile reads got no answer within 75 s: {readers.Summary()}");

            var ledger = await ArchiveVerifier.ReadLedgerAsync(connectionString);
            var sent = archive.Records.Select(r => r.RecordId).ToList();
            var ledgerProblems = ArchiveVerifier.LedgerProblems(ledger, importer.Acknowledgements, sent);
            Assert.True(ledgerProblems.Count == 0, string.Join('\n', ledgerProblems));
            Assert.Equal(sent.Count, importer.Acknowledgements.Count);
            output.WriteLine($"ledger: {ledger.Count} entries, every acknowledged record exactly once, at {clock.Elapsed.TotalSeconds:0.0} s");

            var verifier = new ArchiveVerifier(cluster, operatorClient, registered, archive.Regions, output);
            var importEnd = Stopwatch.StartNew();
            await verifier.VerifyAsync(ledger, deadline.Bound(TimeSpan.FromSeconds(150) * scale), deadline.Bound(TimeSpan.FromSeconds(60)));
            output.WriteLine(
                $"every profile and aggregate equals the recomputation {importEnd.Elapsed.TotalSeconds:0.0} s after the import ended; " +
                $"test took {clock.Elapsed.TotalSeconds:0.0} s");
        });
    }

    private static int FromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : fallback;
}

/// <summary>Reads random subjects' profiles from a few concurrent tasks until stopped; counts answers, 503s and timeouts.</summary>
internal sealed class ProfileReaders(HttpClient client, IReadOnlyList<string> subjectIds)
{
    private int _ok;
    private int _unavailable;
    private int _timeouts;

    public int Timeouts => Volatile.Read(ref _timeouts);

    /// <summary>Answers other than 200, 503 or a timeout (none expected).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Unexpected { get; } = new();

    public string Summary() => $"{Volatile.Read(ref _ok)} answered 200, {Volatile.Read(ref _unavailable)} answered 503, {Timeouts} timed out, {Unexpected.Count} unexpected";

    public Task RunAsync(int concurrency, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var id = subjectIds[Random.Shared.Next(subjectIds.Count)];
                try
                {
                    using var response = await client.GetAsync($"/v1/subjects/{id}", CancellationToken.None);
                    switch (response.StatusCode)
                    {
                        case System.Net.HttpStatusCode.OK:
                            Interlocked.Increment(ref _ok);
                            break;
                        case System.Net.HttpStatusCode.ServiceUnavailable:
                            Interlocked.Increment(ref _unavailable);
                            break;
                        default:
                            Unexpected.Enqueue($"{id}: {(int)response.StatusCode}");
                            break;
                    }
                }
                catch (TaskCanceledException)
                {
                    Interlocked.Increment(ref _timeouts);
                }
                catch (HttpRequestException e)
                {
                    Unexpected.Enqueue($"{id}: {e.HttpRequestError}");
                }

                await Task.Delay(20, CancellationToken.None);
            }
        })));
}

