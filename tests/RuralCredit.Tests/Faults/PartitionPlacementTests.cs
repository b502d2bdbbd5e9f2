using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RuralCredit.Ledger;
using RuralCredit.Models;
using RuralCredit.Streaming;
using RuralCredit.Tests.Postgres;
using Xunit.Abstractions;

namespace RuralCredit.Tests.Faults;

/// <summary>
/// In a cluster of two silos each ledger partition is read by exactly one silo, the one <see cref="LedgerPartitionOwners"/>
/// names, and every subject lives on the silo that reads its partition: the stream never carries a subject's entries
/// to another silo.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed partial class PartitionPlacementTests(ITestOutputHelper output)
{
    private const int Subjects = 600;
    private const int Records = 3_000;

    [Fact]
    public async Task Each_partition_is_read_by_its_owner_and_its_subjects_live_there()
    {
        var deadline = new Deadline(TimeSpan.FromMinutes(3));
        var connectionString = await PostgresServer.CreateDatabaseAsync("faults_placement");
        using var cluster = new ClusterProcesses(connectionString, "placement");
        output.WriteLine($"logs in {cluster.LogDirectory}");
        await cluster.RunAsync(async () =>
        {
            var archive = new DemoArchive(Subjects, Records, seed: 77);
            var silos = new[] { await cluster.StartSiloAsync(deadline.Bound(TimeSpan.FromSeconds(60))), await cluster.StartSiloAsync(deadline.Bound(TimeSpan.FromSeconds(60))) };
            var api = await cluster.StartApiHostAsync(deadline.Bound(TimeSpan.FromSeconds(60)));
            using var http = ClusterProcesses.Client(api, "dev-operator", TimeSpan.FromSeconds(60));
            var registered = await archive.RegisterAsync(http, concurrency: 4);
            var importer = new RecordImporter([http], output);
            await importer.RunAsync(archive.Batches(1_000), 2, deadline.Bound(TimeSpan.FromSeconds(60)));
            var city = archive.Regions.Single(r => r.Level == RegionLevels.City).Code;
            await new ArchiveVerifier(cluster, http, registered, archive.Regions, output).WaitForCityAsync(city, archive.Records.Count, deadline.Bound(TimeSpan.FromSeconds(60)));

            using var host = await cluster.StartClientAsync(deadline.Bound(TimeSpan.FromSeconds(30)));
            var management = host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
            var active = (await management.GetHosts(onlyActive: true)).Keys.ToList();
            Assert.Equal(2, active.Count);
            var owners = new LedgerPartitionOwners(Options.Create(new LedgerOptions()));
            owners.Update(active);

            // Readers: the last start or stop of each partition in each silo's log leaves it running on its owner only.
            var reading = silos.ToDictionary(s => s, s => PartitionsRunning(s.ReadLog()));
            for (var p = 0; p < owners.Partitions; p++)
            {
                var readers = reading.Where(kv => kv.Value.Contains(p)).Select(kv => kv.Key.SiloPort).ToList();
                var owner = owners.OwnerOfPartition(p)!;
                Assert.True(readers.Count == 1 && readers[0] == owner.Endpoint.Port, $"partition {p}: read by silos on ports [{string.Join(", ", readers)}], owner {owner}");
            }

            // Subjects: every activation on the silo reading its partition, and both silos hold some.
            var subjects = (await management.GetDetailedGrainStatistics()).Where(s => s.GrainId.Type.ToString() == "subject").ToList();
            Assert.True(subjects.Count >= registered.Count, $"{subjects.Count} subject activations for {registered.Count} subjects");
            var misplaced = subjects.Where(s => !s.SiloAddress.Equals(owners.OwnerOfSubject(s.GrainId.Key.ToString()!))).ToList();
            Assert.True(misplaced.Count == 0, $"{misplaced.Count} of {subjects.Count} subjects not on their partition's silo, e.g. {misplaced.FirstOrDefault()?.GrainId}");
            Assert.Equal(2, subjects.Select(s => s.SiloAddress).Distinct().Count());
            output.WriteLine($"{subjects.Count} subjects, {subjects.Count(s => s.SiloAddress.Equals(active[0]))} on {active[0]}, the rest on {active[1]}");
        });
    }

    [Fact]
    public async Task Subjects_move_to_the_silo_that_reads_their_partition_when_a_silo_joins()
    {
        var deadline = new Deadline(TimeSpan.FromMinutes(4));
        var connectionString = await PostgresServer.CreateDatabaseAsync("faults_placement_join");
        using var cluster = new ClusterProcesses(connectionString, "placement-join");
        output.WriteLine($"logs in {cluster.LogDirectory}");
        await cluster.RunAsync(async () =>
        {
            var archive = new DemoArchive(Subjects, Records, seed: 78);
            var first = await cluster.StartSiloAsync(deadline.Bound(TimeSpan.FromSeconds(60)));
            var api = await cluster.StartApiHostAsync(deadline.Bound(TimeSpan.FromSeconds(60)));
            using var http = ClusterProcesses.Client(api, "dev-operator", TimeSpan.FromSeconds(60));
            var registered = await archive.RegisterAsync(http, concurrency: 4);
            var idOf = registered.Values.ToDictionary(r => r.SubmittedAs!, r => r.SubjectId, StringComparer.Ordinal);
            var half = archive.Records.Count / 2;
            var earlier = archive.Records.Take(half).ToList();
            var later = archive.Records.Skip(half).ToList();
            var importer = new RecordImporter([http], output);
            await importer.RunAsync(DemoArchive.Batches(earlier, 500), 2, deadline.Bound(TimeSpan.FromSeconds(60)));
            var city = archive.Regions.Single(r => r.Level == RegionLevels.City).Code;
            var verifier = new ArchiveVerifier(cluster, http, registered, archive.Regions, output);
            await verifier.WaitForCityAsync(city, earlier.Count, deadline.Bound(TimeSpan.FromSeconds(60)));

            // A second silo joins: it takes over half of the partitions, and the subjects of those stay on the first silo.
            var second = await cluster.StartSiloAsync(deadline.Bound(TimeSpan.FromSeconds(60)));
            using var host = await cluster.StartClientAsync(deadline.Bound(TimeSpan.FromSeconds(30)));
            var management = host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
            var owners = new LedgerPartitionOwners(Options.Create(new LedgerOptions()));
            var until = DateTime.UtcNow + deadline.Bound(TimeSpan.FromSeconds(60));
            while (true)
            {
                owners.Update((await management.GetHosts(onlyActive: true)).Keys);
                var expected = Enumerable.Range(0, owners.Partitions).Where(p => owners.OwnerOfPartition(p)!.Endpoint.Port == second.SiloPort).ToHashSet();
                if (expected.Count > 0 && expected.SetEquals(PartitionsRunning(second.ReadLog())) && expected.Overlaps(PartitionsRunning(first.ReadLog())) is false)
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < until, "the joining silo did not take over its partitions in time");
                await Task.Delay(250);
            }

            var before = await MisplacedAsync(management, owners);
            Assert.True(before.Count > 0, "no subject was left on the first silo by the join: the test proves nothing");

            // Entries for those subjects now cross silos once, then the subjects move to the partition's reader.
            await importer.RunAsync(DemoArchive.Batches(later, 500), 2, deadline.Bound(TimeSpan.FromSeconds(60)));
            await verifier.WaitForCityAsync(city, archive.Records.Count, deadline.Bound(TimeSpan.FromSeconds(60)));
            var delivered = later.Select(r => r.IdNumber is { } idNumber ? idOf[idNumber] : r.SubjectId!).ToHashSet(StringComparer.Ordinal);
            List<DetailedGrainStatistic> stuck;
            until = DateTime.UtcNow + deadline.Bound(TimeSpan.FromSeconds(30));
            while ((stuck = (await MisplacedAsync(management, owners)).Where(s => delivered.Contains(s.GrainId.Key.ToString()!)).ToList()).Count > 0 && DateTime.UtcNow < until)
            {
                await Task.Delay(250);
            }

            var moved = before.Count(s => delivered.Contains(s.GrainId.Key.ToString()!));
            output.WriteLine($"{before.Count} subjects misplaced after the join, {moved} of them received entries since, {stuck.Count} of those still misplaced");
            Assert.True(moved > 0, "no misplaced subject received an entry after the join");
            Assert.True(stuck.Count == 0, $"{stuck.Count} subjects that received entries after the join are still not on their partition's silo, e.g. {stuck.FirstOrDefault()?.GrainId}");

            // Moving lost nothing: every profile equals a recomputation over the ledger, every region the sum of its subjects.
            var ledger = await ArchiveVerifier.ReadLedgerAsync(connectionString);
            Assert.Equal(archive.Records.Count, ledger.Count);
            await verifier.VerifyAsync(ledger, deadline.Bound(TimeSpan.FromSeconds(60)), deadline.Bound(TimeSpan.FromSeconds(30)));
        });
    }

    private static async Task<List<DetailedGrainStatistic>> MisplacedAsync(IManagementGrain management, LedgerPartitionOwners owners) =>
        (await management.GetDetailedGrainStatistics())
            .Where(s => s.GrainId.Type.ToString() == "subject" && !s.SiloAddress.Equals(owners.OwnerOfSubject(s.GrainId.Key.ToString()!)))
            .ToList();

    /// <summary>Partitions a silo's log leaves running: each partition's last "starts" or "stops" line decides.</summary>
    private static HashSet<int> PartitionsRunning(string log)
    {
        var last = new Dictionary<int, bool>();
        foreach (Match m in PartitionLine().Matches(log))
        {
            last[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)] = m.Groups[2].Value == "starts";
        }

        return [.. last.Where(kv => kv.Value).Select(kv => kv.Key)];
    }

    [GeneratedRegex(@"Ledger stream \S+ partition (\d+) (starts|stops) ")]
    private static partial Regex PartitionLine();
}
