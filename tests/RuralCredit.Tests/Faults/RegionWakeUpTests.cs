using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RuralCredit.Models;
using RuralCredit.Tests.Postgres;
using Xunit.Abstractions;

namespace RuralCredit.Tests.Faults;

/// <summary>
/// A village that dies with its silo holding summaries it has not pushed to its township yet comes back by itself and
/// pushes them (<c>RegionWakeUp</c>): nothing but the cluster's own recovery runs after the kill (no record, no read of a
/// subject, village or township), and the city counts every record. Without the wake-up the city stays short of the
/// killed silo's villages' records (measured: 68 villages stranded, the city short after 90 s).
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class RegionWakeUpTests(ITestOutputHelper output)
{
    private const int Subjects = 2_000;

    /// <summary>
    /// Regions push on a beat this far apart, so that the villages of the killed silo still hold the new summaries
    /// (received within the last second or two) when it dies.
    /// </summary>
    private const string PropagationInterval = "00:00:10";

    [Fact]
    public async Task Villages_that_died_with_a_silo_before_pushing_come_back_and_the_city_counts_every_record()
    {
        var deadline = new Deadline(TimeSpan.FromMinutes(4));
        var clock = Stopwatch.StartNew();
        var connectionString = await PostgresServer.CreateDatabaseAsync("faults_wake");
        using var cluster = new ClusterProcesses(connectionString, "wake");
        output.WriteLine($"logs in {cluster.LogDirectory}");
        await cluster.RunAsync(async () =>
        {
            var archive = new DemoArchive(Subjects, Subjects);
            // Regions spread at random: the default, load-based placement may put the whole tree and every village on one
            // silo in a busy minute, leaving no village apart from its ancestors.
            string[] options = [$"--Grains:PropagationInterval={PropagationInterval}", "--Orleans:DefaultPlacement=random"];
            var silos = new[] { cluster.StartSilo(options), cluster.StartSilo(options) };
            foreach (var silo in silos)
            {
                await cluster.WaitHealthyAsync(silo, "healthz", deadline.Bound(TimeSpan.FromSeconds(60)));
            }

            // The API host starts once both silos are active, so that it knows both gateways from its start (a client
            // reads the gateway list again only every minute): its registration calls then go through both.
            using var host = await cluster.StartClientAsync(deadline.Bound(TimeSpan.FromSeconds(30)));
            var management = host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
            await cluster.WaitUntilAsync(
                async () => (await management.GetHosts(onlyActive: true)).Count == 2,
                deadline.Bound(TimeSpan.FromSeconds(60)),
                () => "both silos should be active");
            var api = await cluster.StartApiHostAsync(deadline.Bound(TimeSpan.FromSeconds(60)));
            using var client = ClusterProcesses.Client(api, "dev-operator", TimeSpan.FromSeconds(60));

            // Regions and villages are placed at random (Orleans:DefaultPlacement): about one village in eight lives
            // apart from its township, county and city (with 109 villages, none at all once in about two million runs).
            await DemoArchive.RegisterRegionsAsync(client, archive.Regions.Where(r => r.Level != RegionLevels.Village));
            await DemoArchive.RegisterRegionsAsync(client, archive.Villages);
            var registered = await archive.RegisterSubjectsAsync(client, concurrency: 6);
            var city = archive.Regions.Single(r => r.Level == RegionLevels.City).Code;
            var verifier = new ArchiveVerifier(cluster, client, registered, archive.Regions, output);
            await verifier.WaitForCityAsync(city, 0, deadline.Bound(TimeSpan.FromSeconds(60)));
            output.WriteLine($"{registered.Count} subjects in {archive.Villages.Count()} villages counted by the city at {clock.Elapsed.TotalSeconds:0.0} s");

            // The silo to kill: the one with the most villages whose township, county and city all live on the other
            // one. Nothing calls those after the kill unless the cluster does: a region that comes back after a crash
            // asks its children, so a village under a region that died too would come back through it.
            var where = (await management.GetDetailedGrainStatistics())
                .Where(s => s.GrainId.Type.ToString() is "village" or "region")
                .ToDictionary(s => s.GrainId.Key.ToString()!, s => s.SiloAddress);
            var parents = archive.Regions.ToDictionary(r => r.Code, r => r.ParentCode, StringComparer.Ordinal);
            var stranded = archive.Villages
                .Where(v => where.ContainsKey(v.Code))
                .Select(v => (Village: v.Code, Silo: where[v.Code], Ancestors: Ancestors(v.Code, parents).ToList()))
                .Where(v => v.Ancestors.All(a => where.TryGetValue(a, out var silo) && !silo.Equals(v.Silo)))
                .GroupBy(v => v.Silo)
                .OrderByDescending(g => g.Count())
                .FirstOrDefault();
            var villages = archive.Villages.Select(v => v.Code).ToHashSet(StringComparer.Ordinal);
            var bySilo = string.Join(", ", where.GroupBy(w => w.Value).Select(g => $"{g.Key}: {g.Count(w => villages.Contains(w.Key))} villages, {g.Count(w => !villages.Contains(w.Key))} regions"));
            output.WriteLine($"placement: {bySilo}");
            Assert.True(stranded is not null, $"no village lives apart from all its ancestors ({bySilo}): the test would prove nothing");
            var victim = silos.Single(s => s.SiloPort == stranded.Key.Endpoint.Port);
            output.WriteLine($"{stranded.Count()} villages on {victim.Name} with every ancestor on the other silo");

            // One record for one subject of every village, in one batch.
            var bySubmission = registered.Values.ToDictionary(s => s.SubmittedAs ?? s.SubjectId, StringComparer.Ordinal);
            var records = archive.Records
                .GroupBy(r => bySubmission[r.SubjectId ?? r.IdNumber!].VillageCode, StringComparer.Ordinal)
                .Select(g => g.First())
                .ToList();
            var importer = new RecordImporter([client], output);
            await importer.RunAsync(DemoArchive.Batches(records, records.Count), 1, deadline.Bound(TimeSpan.FromSeconds(30)));
            var ids = records.Select(r => r.RecordId).ToArray();

            // Every entry delivered: each village holds its subject's new summary (a checkpoint passes an entry only then).
            await cluster.WaitUntilAsync(
                () => DeliveredAsync(connectionString, ids),
                deadline.Bound(TimeSpan.FromSeconds(30)),
                () => $"the {ids.Length} records should be delivered (every partition's checkpoint past them)",
                TimeSpan.FromMilliseconds(50));
            victim.Kill();
            var killed = Stopwatch.StartNew();
            output.WriteLine($"{records.Count} records delivered; killed {victim.Name} at {clock.Elapsed.TotalSeconds:0.0} s");

            // Only the city is read until it counts them all.
            await verifier.WaitForCityAsync(city, records.Count, deadline.Bound(TimeSpan.FromSeconds(90)));
            output.WriteLine($"the city counts all {records.Count} records {killed.Elapsed.TotalSeconds:0.0} s after the kill");
            var survivor = silos.Single(s => s != victim);
            Assert.False(survivor.HasExited, $"{survivor.Name} (the survivor) exited");
            var woken = survivor.ReadLog().Split('\n').FirstOrDefault(l => l.Contains(" died: called ", StringComparison.Ordinal));
            Assert.True(woken is not null, $"{survivor.Name} did not log that it called the regions after the kill");
            output.WriteLine(woken);

            var ledger = await ArchiveVerifier.ReadLedgerAsync(connectionString);
            await verifier.ConvergeAsync(ledger, deadline.Bound(TimeSpan.FromSeconds(30)));

            // Each village that came back logged its reconcile (the benchmark's silo-death figures count these lines).
            var reconciled = survivor.ReadLog().Split('\n').Count(l => l.Contains(" reconciled after a crash: asked ", StringComparison.Ordinal));
            Assert.True(reconciled >= stranded.Count(), $"{survivor.Name} logged {reconciled} villages reconciled after the crash, fewer than the {stranded.Count()} stranded ones");
        });
    }

    private static IEnumerable<string> Ancestors(string code, Dictionary<string, string?> parents)
    {
        for (var parent = parents[code]; parent is not null; parent = parents[parent])
        {
            yield return parent;
        }
    }

    /// <summary>Whether the checkpoint of each record's partition has passed the record's entry.</summary>
    private static async Task<bool> DeliveredAsync(string connectionString, string[] recordIds)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            SELECT count(*) FROM rc_ledger l
            JOIN rc_stream_checkpoints c ON c.partition = l.partition AND c.seq >= l.seq
            WHERE l.record_id = ANY(@ids)
            """, connection);
        cmd.Parameters.AddWithValue("ids", recordIds);
        return (long)(await cmd.ExecuteScalarAsync())! == recordIds.Length;
    }
}
