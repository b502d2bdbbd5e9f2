using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using RuralCredit.Models;
using RuralCredit.Tests.Infrastructure;
using RuralCredit.Tests.Postgres;
using Xunit.Abstractions;

namespace RuralCredit.Tests.Faults;

/// <summary>
/// Every silo of the cluster stopped (gracefully) and two new ones started: profiles and aggregates come back exactly
/// as they were, served by the API host that stayed up.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class SiloRestartTests(ITestOutputHelper output)
{
    private const int Subjects = 1_500;
    private const int Records = 15_000;
    private const int SampleSize = 300;

    /// <summary>Fields that may differ between two reads of equal content.</summary>
    private static readonly string[] Volatile = ["asOf", "updatedAt", "version"];

    [Fact]
    public async Task After_all_silos_restart_profiles_and_aggregates_come_back_identical()
    {
        var deadline = new Deadline(TimeSpan.FromMinutes(3));
        var clock = Stopwatch.StartNew();
        var connectionString = await PostgresServer.CreateDatabaseAsync("faults_restart");
        using var cluster = new ClusterProcesses(connectionString, "restart");
        output.WriteLine($"logs in {cluster.LogDirectory}");
        await cluster.RunAsync(async () =>
        {
            var archive = new DemoArchive(Subjects, Records, seed: 4242);
            var silos = new[] { cluster.StartSilo(), cluster.StartSilo() };
            var api = cluster.StartApiHost();
            foreach (var silo in silos)
            {
                await cluster.WaitHealthyAsync(silo, "healthz", deadline.Bound(TimeSpan.FromSeconds(60)));
            }

            await cluster.WaitHealthyAsync(api, "readyz", deadline.Bound(TimeSpan.FromSeconds(60)));
            using var client = ClusterProcesses.Client(api, "dev-operator", TimeSpan.FromSeconds(60));
            var registered = await archive.RegisterAsync(client, concurrency: 6);
            var importer = new RecordImporter([client], output);
            await importer.RunAsync(archive.Batches(2_000), 3, deadline.Bound(TimeSpan.FromSeconds(90)));
            output.WriteLine($"cluster up, {registered.Count} subjects and {importer.Summary()} at {clock.Elapsed.TotalSeconds:0.0} s");

            var city = archive.Regions.Single(r => r.Level == RegionLevels.City).Code;
            var verifier = new ArchiveVerifier(cluster, client, registered, archive.Regions, output);
            await verifier.WaitForCityAsync(city, archive.Records.Count, deadline.Bound(TimeSpan.FromSeconds(60)));

            // A fixed evaluation instant, so that profiles read before and after the restart are evaluated alike.
            var asOf = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var sample = registered.Keys.Order(StringComparer.Ordinal).Where((_, i) => i % (registered.Count / SampleSize) == 0).Take(SampleSize).ToList();
            var codes = archive.Regions.Select(r => r.Code).ToList();

            // The state to come back: two reads in a row that agree (nothing is still moving).
            Dictionary<string, string>? before = null;
            await cluster.WaitUntilAsync(
                async () =>
                {
                    var read = await ReadAsync(client, sample, codes, asOf);
                    var same = before is not null && Differences(before, read).Count == 0;
                    before = read;
                    return same;
                },
                deadline.Bound(TimeSpan.FromSeconds(30)),
                () => "profiles and aggregates should stop changing before the restart",
                TimeSpan.FromSeconds(1));
            output.WriteLine($"read {sample.Count} profiles and {codes.Count} regions before the restart at {clock.Elapsed.TotalSeconds:0.0} s");

            var stopping = Stopwatch.StartNew();
            await Task.WhenAll(silos.Select(s => s.StopAsync(deadline.Bound(TimeSpan.FromSeconds(60)))));
            output.WriteLine($"both silos stopped gracefully in {stopping.Elapsed.TotalSeconds:0.0} s");

            var restarting = Stopwatch.StartNew();
            var fresh = new[] { cluster.StartSilo(), cluster.StartSilo() };
            foreach (var silo in fresh)
            {
                await cluster.WaitHealthyAsync(silo, "healthz", deadline.Bound(TimeSpan.FromSeconds(60)));
            }

            await cluster.WaitHealthyAsync(api, "readyz", deadline.Bound(TimeSpan.FromSeconds(60)));
            output.WriteLine($"two new silos up and the API host ready again {restarting.Elapsed.TotalSeconds:0.0} s after the stop");

            Dictionary<string, string>? after = null;
            var firstRead = true;
            await cluster.WaitUntilAsync(
                async () =>
                {
                    after = await ReadAsync(client, sample, codes, asOf);
                    var differences = Differences(before!, after);
                    if (firstRead && differences.Count > 0)
                    {
                        output.WriteLine($"first read after the restart: {differences.Count} differences, e.g.\n{string.Join('\n', differences.Take(5))}");
                    }

                    firstRead = false;
                    return differences.Count == 0;
                },
                deadline.Bound(TimeSpan.FromSeconds(45)),
                () =>
                {
                    var differences = after is null ? [] : Differences(before!, after);
                    return $"profiles and aggregates should come back identical after the restart; {differences.Count} differ:\n{string.Join('\n', differences.Take(20))}";
                },
                TimeSpan.FromSeconds(1));
            output.WriteLine($"identical {restarting.Elapsed.TotalSeconds:0.0} s after the stop; test took {clock.Elapsed.TotalSeconds:0.0} s");
        });
    }

    /// <summary>The JSON of the sampled profiles (at <paramref name="asOf"/>) and of every region, volatile fields removed.</summary>
    private static async Task<Dictionary<string, string>> ReadAsync(HttpClient client, IReadOnlyList<string> subjects, IReadOnlyList<string> regions, string asOf)
    {
        var urls = subjects.Select(s => $"/v1/subjects/{s}?asOf={asOf}").Concat(regions.Select(r => $"/v1/regions/{r}")).ToList();
        var read = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(urls, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (url, _) =>
        {
            var response = await client.GetJsonAsync(url);
            if (response.Status != HttpStatusCode.OK)
            {
                throw new HttpRequestException($"GET {url} answered {(int)response.Status}: {response.Body}");
            }

            var json = response.Json.AsObject();
            foreach (var field in Volatile)
            {
                json.Remove(field);
            }

            read[url] = json.ToJsonString();
        });
        return new Dictionary<string, string>(read);
    }

    private static List<string> Differences(Dictionary<string, string> before, Dictionary<string, string> after) =>
        before.Where(kv => !after.TryGetValue(kv.Key, out var now) || now != kv.Value)
            .Select(kv => $"{kv.Key}:\n  before {kv.Value}\n  after  {after.GetValueOrDefault(kv.Key)}")
            .ToList();
}
