using System.Diagnostics;
using Xunit.Abstractions;

namespace RuralCredit.Tests.Faults;

/// <summary>
/// SPEC §4: PostgreSQL stopped during ingestion: the API answers <c>503 storage_unavailable</c> while it is down,
/// recovers by itself when it is back, and nothing acknowledged is lost. The test runs its own PostgreSQL server, so
/// that stopping it disturbs no other test.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class PostgresOutageTests(ITestOutputHelper output)
{
    private const int Subjects = 1_000;
    private const int Records = 20_000;
    private const int BatchSize = 1_000;
    private const int Clients = 3;

    /// <summary>PostgreSQL stops once this share of the records has been acknowledged.</summary>
    private const double StopAt = 0.30;

    /// <summary>How long PostgreSQL stays down at least.</summary>
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task While_PostgreSQL_is_down_the_API_answers_503_storage_unavailable_and_nothing_acknowledged_is_lost()
    {
        var deadline = new Deadline(TimeSpan.FromMinutes(3));
        var clock = Stopwatch.StartNew();
        using var postgres = await LocalPostgres.StartAsync();
        using var cluster = new ClusterProcesses(postgres.ConnectionString, "pgdown");
        output.WriteLine($"own PostgreSQL in {postgres.Directory}; logs in {cluster.LogDirectory}");
        await cluster.RunAsync(async () =>
        {
            var archive = new DemoArchive(Subjects, Records, seed: 777);
            var silos = new[] { cluster.StartSilo(), cluster.StartSilo() };
            var api = cluster.StartApiHost();
            foreach (var silo in silos)
            {
                await cluster.WaitHealthyAsync(silo, "healthz", deadline.Bound(TimeSpan.FromSeconds(60)));
            }

            await cluster.WaitHealthyAsync(api, "readyz", deadline.Bound(TimeSpan.FromSeconds(60)));
            using var client = ClusterProcesses.Client(api, "dev-operator", TimeSpan.FromSeconds(60));
            var registered = await archive.RegisterAsync(client, concurrency: 6);
            output.WriteLine($"cluster up and {registered.Count} subjects registered at {clock.Elapsed.TotalSeconds:0.0} s");

            using var integrator = ClusterProcesses.Client(api, "dev-integrator", TimeSpan.FromSeconds(60));
            var importer = new RecordImporter([integrator], output);
            var stopThreshold = (int)(archive.Records.Count * StopAt);
            TimeSpan stoppedAt = default, resumedAt = default;
            int acknowledgedAtStop = 0, unavailableWhileDown = 0;
            using var abort = new CancellationTokenSource();
            var outage = Task.Run(async () =>
            {
                while (importer.Acknowledged < stopThreshold)
                {
                    await Task.Delay(10, abort.Token);
                }

                acknowledgedAtStop = importer.Acknowledged;
                await postgres.PauseAsync();
                stoppedAt = importer.Elapsed;
                output.WriteLine($"PostgreSQL stopped at +{stoppedAt.TotalSeconds:0.0} s of the import, {acknowledgedAtStop} records acknowledged");

                // Down for a while, and long enough for the clients to meet it.
                var down = Stopwatch.StartNew();
                while (down.Elapsed < Down || (importer.Unavailable.GetValueOrDefault("storage_unavailable") == 0 && down.Elapsed < TimeSpan.FromSeconds(30)))
                {
                    await Task.Delay(50, abort.Token);
                }

                unavailableWhileDown = importer.Unavailable.GetValueOrDefault("storage_unavailable");
                await postgres.ResumeAsync();
                resumedAt = importer.Elapsed;
                output.WriteLine($"PostgreSQL started again at +{resumedAt.TotalSeconds:0.0} s ({unavailableWhileDown} × 503 storage_unavailable meanwhile)");
            });

            try
            {
                await importer.RunAsync(archive.Batches(BatchSize), Clients, deadline.Bound(TimeSpan.FromSeconds(120)));
            }
            finally
            {
                if (!outage.IsCompleted)
                {
                    await abort.CancelAsync();
                }

                try
                {
                    await outage;
                }
                catch (OperationCanceledException)
                {
                    // the import ended before PostgreSQL was stopped: asserted below
                }
            }

            output.WriteLine($"import: {importer.Summary()}");
            output.WriteLine(importer.Events());
            Assert.True(resumedAt > TimeSpan.Zero, $"PostgreSQL was never stopped: the import ended at {importer.Acknowledged} records before {stopThreshold} were acknowledged");
            Assert.True(unavailableWhileDown > 0, $"no 503 storage_unavailable while PostgreSQL was down; 503s: {string.Join(", ", importer.Unavailable.Select(kv => $"{kv.Value}× {kv.Key}"))}\n{importer.Events()}");
            Assert.All(cluster.Processes, p => Assert.False(p.HasExited, $"{p.Name} exited during the outage"));

            var ledger = await ArchiveVerifier.ReadLedgerAsync(postgres.ConnectionString);
            var sent = archive.Records.Select(r => r.RecordId).ToList();
            var problems = ArchiveVerifier.LedgerProblems(ledger, importer.Acknowledgements, sent);
            Assert.True(problems.Count == 0, string.Join('\n', problems));
            Assert.Equal(sent.Count, importer.Acknowledgements.Count);
            output.WriteLine($"ledger: every acknowledged record exactly once at {clock.Elapsed.TotalSeconds:0.0} s");

            // The engine recovers completely: every record is folded and every aggregate adds up.
            var verifier = new ArchiveVerifier(cluster, client, registered, archive.Regions, output);
            var afterImport = Stopwatch.StartNew();
            await verifier.VerifyAsync(ledger, deadline.Bound(TimeSpan.FromSeconds(60)), deadline.Bound(TimeSpan.FromSeconds(30)));
            output.WriteLine($"profiles and aggregates equal the recomputation {afterImport.Elapsed.TotalSeconds:0.0} s after the import; test took {clock.Elapsed.TotalSeconds:0.0} s");
        });
    }
}
