using System.Diagnostics;
using System.Net;
using RuralCredit.Tests.Infrastructure;
using RuralCredit.Tests.Postgres;
using Xunit.Abstractions;

namespace RuralCredit.Tests.Faults;

/// <summary>
/// Two API hosts (each an Orleans client of the same cluster) receive the same batch at the same moment: each record
/// is accepted once, by one of them, and is a duplicate for the other; the ledger holds it once.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ConcurrentApiHostsTests(ITestOutputHelper output)
{
    private const int Subjects = 500;
    private const int Records = 8_000;
    private const int BatchSize = 2_000;

    [Fact]
    public async Task The_same_batch_sent_to_two_API_hosts_at_once_is_accepted_once_and_duplicate_once()
    {
        var deadline = new Deadline(TimeSpan.FromMinutes(2));
        var clock = Stopwatch.StartNew();
        var connectionString = await PostgresServer.CreateDatabaseAsync("faults_twoapis");
        using var cluster = new ClusterProcesses(connectionString, "twoapis");
        output.WriteLine($"logs in {cluster.LogDirectory}");
        await cluster.RunAsync(async () =>
        {
            var archive = new DemoArchive(Subjects, Records, seed: 99);
            var silos = new[] { cluster.StartSilo(), cluster.StartSilo() };
            var apis = new[] { cluster.StartApiHost(), cluster.StartApiHost() };
            foreach (var silo in silos)
            {
                await cluster.WaitHealthyAsync(silo, "healthz", deadline.Bound(TimeSpan.FromSeconds(60)));
            }

            foreach (var api in apis)
            {
                await cluster.WaitHealthyAsync(api, "readyz", deadline.Bound(TimeSpan.FromSeconds(60)));
            }

            using var operatorClient = ClusterProcesses.Client(apis[0], "dev-operator");
            await archive.RegisterAsync(operatorClient, concurrency: 6);
            output.WriteLine($"two silos, two API hosts, {archive.Subjects.Count} subjects at {clock.Elapsed.TotalSeconds:0.0} s");

            var clients = apis.Select(a => ClusterProcesses.Client(a, "dev-integrator")).ToList();
            try
            {
                // Warm both paths (ingest grains, directory, ledger) so that the race below is between two appends.
                foreach (var c in clients)
                {
                    var warm = await c.GetJsonAsync("/readyz");
                    Assert.Equal(HttpStatusCode.OK, warm.Status);
                }

                var batches = archive.Batches(BatchSize);
                var firsts = new int[2];
                foreach (var batch in batches)
                {
                    deadline.Check($"sending batch {batch.Index}");
                    using var go = new SemaphoreSlim(0, 2);
                    var sends = clients.Select(c => Task.Run(async () =>
                    {
                        await go.WaitAsync();
                        var started = Stopwatch.GetTimestamp();
                        var response = await HttpJson.SendRawAsync(c, HttpMethod.Post, "/v1/records", batch.Body);
                        return (Response: response, Started: started, Ended: Stopwatch.GetTimestamp());
                    })).ToList();
                    go.Release(2);
                    var answers = await Task.WhenAll(sends);

                    for (var h = 0; h < 2; h++)
                    {
                        Assert.True(answers[h].Response.Status == HttpStatusCode.Accepted,
                            $"batch {batch.Index} on {apis[h].Name}: {(int)answers[h].Response.Status} {answers[h].Response.Body[..Math.Min(2000, answers[h].Response.Body.Length)]}");
                    }

                    var overlap = Math.Min(answers[0].Ended, answers[1].Ended) - Math.Max(answers[0].Started, answers[1].Started);
                    Assert.True(overlap > 0, $"batch {batch.Index}: the two requests did not overlap in time");

                    var results = answers.Select(a => a.Response.Json.Arr("results")).ToList();
                    for (var i = 0; i < batch.RecordIds.Count; i++)
                    {
                        var a = results[0][i]!;
                        var b = results[1][i]!;
                        var id = batch.RecordIds[i];
                        Assert.Equal(id, a.Str("recordId"));
                        Assert.Equal(id, b.Str("recordId"));
                        var statuses = new[] { a.Str("status"), b.Str("status") }.Order().ToArray();
                        Assert.True(statuses is ["accepted", "duplicate"], $"batch {batch.Index} record {id}: {apis[0].Name} {a.ToJsonString()}, {apis[1].Name} {b.ToJsonString()}");
                        Assert.True(a.Long("ledgerSeq") == b.Long("ledgerSeq"), $"record {id}: the two answers name different ledger entries: {a.ToJsonString()} {b.ToJsonString()}");
                        if (i == 0)
                        {
                            firsts[a.Str("status") == "accepted" ? 0 : 1]++;
                        }
                    }

                    output.WriteLine(
                        $"batch {batch.Index}: {apis[0].Name} {answers[0].Response.Json.Int("accepted")} accepted / {answers[0].Response.Json.Int("duplicates")} duplicates, " +
                        $"{apis[1].Name} {answers[1].Response.Json.Int("accepted")} / {answers[1].Response.Json.Int("duplicates")}; requests overlapped {Stopwatch.GetElapsedTime(0, overlap).TotalMilliseconds:0} ms");
                }

                var ledger = await ArchiveVerifier.ReadLedgerAsync(connectionString);
                var records = ledger.Where(r => r.Kind == 0).ToList();
                Assert.Equal(archive.Records.Count, records.Count);
                Assert.Equal(archive.Records.Count, records.Select(r => r.RecordId).Distinct().Count());
                Assert.True(archive.Records.Select(r => r.RecordId).ToHashSet().SetEquals(records.Select(r => r.RecordId)), "the ledger holds other records than those sent");
                output.WriteLine($"first record accepted by {apis[0].Name} in {firsts[0]} batches, by {apis[1].Name} in {firsts[1]}; ledger holds each of {records.Count} records once; test took {clock.Elapsed.TotalSeconds:0.0} s");
            }
            finally
            {
                clients.ForEach(c => c.Dispose());
            }
        });
    }
}
