using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using RuralCredit.Demo;
using RuralCredit.Models;
using RuralCredit.Tests.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;
using RegionInfo = RuralCredit.Models.RegionInfo;

namespace RuralCredit.Tests.Faults;

/// <summary>A registered subject as the fault tests know it: its id, type, village and household.</summary>
public sealed record RegisteredSubject(string SubjectId, string SubjectType, string VillageCode, string? HouseholdId, string? SubmittedAs = null);

/// <summary>One batch of <c>POST /v1/records</c>: its body, sent byte for byte the same on every retry, and its record ids.</summary>
public sealed record RecordBatch(int Index, string Body, IReadOnlyList<string> RecordIds);

/// <summary>
/// The deterministic demo city (src/Grains/Demo) as API JSON: regions, subjects and records (shuffled across subjects,
/// so that every batch touches many subjects), registered through the API.
/// </summary>
public sealed class DemoArchive
{
    public DemoArchive(int subjects, int records, int seed = 20231)
    {
        City = new DemoCity(DemoScale.ForSubjects(subjects, records, seed), DateTimeOffset.UtcNow);
        Regions = City.Regions();
        Subjects = City.Subjects().ToList();
        var all = City.Records().ToList();
        var random = new Random(seed);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(all));
        Records = all;
    }

    public DemoCity City { get; }

    public IReadOnlyList<RegionInfo> Regions { get; }

    public IReadOnlyList<SubjectRegistration> Subjects { get; }

    public IReadOnlyList<RecordSubmission> Records { get; }

    public IEnumerable<RegionInfo> Villages => Regions.Where(r => r.Level == RegionLevels.Village);

    /// <summary>Registers every region (one batch, parents first) and every subject (concurrent batches); returns the subjects by id.</summary>
    public async Task<Dictionary<string, RegisteredSubject>> RegisterAsync(HttpClient client, int batchSize = 250, int concurrency = 4)
    {
        await RegisterRegionsAsync(client, Regions);
        return await RegisterSubjectsAsync(client, batchSize, concurrency);
    }

    /// <summary>Registers regions in one batch (parents first or already registered); each must be new.</summary>
    public static async Task RegisterRegionsAsync(HttpClient client, IEnumerable<RegionInfo> batch)
    {
        var regions = new JsonArray();
        foreach (var r in batch)
        {
            regions.Add(new JsonObject
            {
                ["code"] = r.Code,
                ["name"] = r.Name,
                ["level"] = r.Level,
                ["parentCode"] = r.ParentCode,
                ["expectedHouseholds"] = r.ExpectedHouseholds,
                ["expectedSubjects"] = r.ExpectedSubjects,
            });
        }

        var response = await client.PutJsonAsync("/v1/regions", new JsonObject { ["regions"] = regions });
        if (response.Status != HttpStatusCode.OK || response.Json.Arr("results").Any(x => x!.Str("status") != "created"))
        {
            throw new XunitException($"PUT /v1/regions answered {(int)response.Status}: {Truncate(response.Body)}");
        }
    }

    /// <summary>Registers every subject (concurrent batches; their regions registered); returns them by id.</summary>
    public async Task<Dictionary<string, RegisteredSubject>> RegisterSubjectsAsync(HttpClient client, int batchSize = 250, int concurrency = 4)
    {
        var registered = new ConcurrentDictionary<string, RegisteredSubject>(StringComparer.Ordinal);
        var chunks = Subjects.Chunk(batchSize).ToList();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (chunk, _) =>
        {
            var body = new JsonArray();
            foreach (var s in chunk)
            {
                body.Add(new JsonObject
                {
                    ["subjectType"] = s.SubjectType,
                    ["name"] = s.Name,
                    ["idNumber"] = s.IdNumber,
                    ["creditCode"] = s.CreditCode,
                    ["villageCode"] = s.VillageCode,
                    ["householdId"] = s.HouseholdId,
                });
            }

            var answer = await client.PutJsonAsync("/v1/subjects", new JsonObject { ["subjects"] = body });
            if (answer.Status != HttpStatusCode.OK)
            {
                throw new XunitException($"PUT /v1/subjects answered {(int)answer.Status}: {Truncate(answer.Body)}");
            }

            var results = answer.Json.Arr("results");
            for (var i = 0; i < chunk.Length; i++)
            {
                var result = results[i]!;
                if (result.Str("status") != "created")
                {
                    throw new XunitException($"subject registration {i} of a batch was {result.ToJsonString()}");
                }

                var s = chunk[i];
                var id = result.Str("subjectId");
                registered[id] = new RegisteredSubject(id, s.SubjectType, s.VillageCode, s.HouseholdId, s.IdNumber ?? s.CreditCode);
            }
        });

        if (registered.Count != Subjects.Count)
        {
            throw new XunitException($"{Subjects.Count} subjects registered, but {registered.Count} distinct subject ids came back");
        }

        return new Dictionary<string, RegisteredSubject>(registered, StringComparer.Ordinal);
    }

    /// <summary>The records as batches of <c>POST /v1/records</c>.</summary>
    public List<RecordBatch> Batches(int size) => Batches(Records, size);

    public static List<RecordBatch> Batches(IReadOnlyList<RecordSubmission> records, int size)
    {
        var batches = new List<RecordBatch>();
        foreach (var chunk in records.Chunk(size))
        {
            var array = new JsonArray();
            foreach (var r in chunk)
            {
                array.Add(RecordJson(r));
            }

            batches.Add(new RecordBatch(batches.Count, new JsonObject { ["records"] = array }.ToJsonString(), chunk.Select(r => r.RecordId).ToList()));
        }

        return batches;
    }

    /// <summary>A record in the format of <c>POST /v1/records</c>.</summary>
    public static JsonObject RecordJson(RecordSubmission r)
    {
        var record = new JsonObject
        {
            ["recordId"] = r.RecordId,
            ["catalogCode"] = r.CatalogCode,
            ["occurredAt"] = r.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["payload"] = JsonNode.Parse(r.PayloadJson),
        };
        if (r.SubjectId is not null)
        {
            record["subjectId"] = r.SubjectId;
        }

        if (r.IdNumber is not null)
        {
            record["idNumber"] = r.IdNumber;
        }

        return record;
    }

    private static string Truncate(string text) => text.Length > 2000 ? text[..2000] + " …" : text;
}

/// <summary>How a record was acknowledged: the status of its item in a <c>202</c> answer and its ledger sequence.</summary>
public sealed record Acknowledgement(string Status, long LedgerSeq, int Batch);

/// <summary>
/// Sends record batches through the API from a few concurrent client tasks. A batch that gets a <c>503</c>, a
/// connection error or a timeout is sent again, the same body with the same record ids, until it is answered
/// <c>202</c>; any other answer fails the import. Every item of a <c>202</c> answer must be accepted or duplicate;
/// those are the acknowledged records.
/// </summary>
public sealed class RecordImporter(IReadOnlyList<HttpClient> clients, ITestOutputHelper output)
{
    private readonly ConcurrentDictionary<string, Acknowledgement> _acks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _unavailable = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(TimeSpan At, string What)> _events = new();
    private readonly Stopwatch _clock = new();
    private int _acknowledged;
    private int _retries;
    private int _connectionErrors;
    private int _timeouts;

    /// <summary>Records acknowledged so far (items of 202 answers, accepted or duplicate).</summary>
    public int Acknowledged => Volatile.Read(ref _acknowledged);

    public IReadOnlyDictionary<string, Acknowledgement> Acknowledgements => _acks;

    /// <summary>503 answers by problem code.</summary>
    public IReadOnlyDictionary<string, int> Unavailable => _unavailable;

    public int Retries => _retries;

    public int ConnectionErrors => _connectionErrors;

    public int Timeouts => _timeouts;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Items acknowledged as accepted / duplicate.</summary>
    public int AcceptedCount => _acks.Values.Count(a => a.Status == "accepted");

    public int DuplicateCount => _acks.Values.Count(a => a.Status == "duplicate");

    /// <summary>Longest time between two consecutive 202 answers (how long the import stalled).</summary>
    public TimeSpan LongestStall { get; private set; }

    /// <summary>Sends every batch; <paramref name="concurrency"/> tasks take batches in order. Fails after <paramref name="timeout"/>.</summary>
    public async Task RunAsync(IReadOnlyList<RecordBatch> batches, int concurrency, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        _clock.Start();
        var lastAnswer = TimeSpan.Zero;
        var gate = new object();
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var client = clients[w % clients.Count];
            int index;
            while ((index = Interlocked.Increment(ref next)) < batches.Count)
            {
                await SendAsync(client, batches[index], cts.Token);
                lock (gate)
                {
                    var now = _clock.Elapsed;
                    if (now - lastAnswer > LongestStall)
                    {
                        LongestStall = now - lastAnswer;
                    }

                    lastAnswer = now;
                }
            }
        })).ToList();

        try
        {
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new XunitException(
                $"The import did not complete within {timeout.TotalSeconds:0} s: {Acknowledged} records acknowledged, " +
                $"{_retries} retries, 503s {Describe(_unavailable)}, {_connectionErrors} connection errors, {_timeouts} timeouts.\n{Events()}");
        }
        finally
        {
            _clock.Stop();
        }
    }

    /// <summary>What happened besides 202s (503s, connection errors, timeouts), with the time since the import started.</summary>
    public string Events(int max = 30) =>
        string.Join('\n', _events.Take(max).Select(e => $"  +{e.At.TotalSeconds:0.000}s {e.What}")) + (_events.Count > max ? $"\n  … {_events.Count - max} more" : "");

    public string Summary() =>
        $"{Acknowledged} records acknowledged ({AcceptedCount} accepted, {DuplicateCount} duplicate) in {Elapsed.TotalSeconds:0.0} s " +
        $"= {Acknowledged / Math.Max(0.001, Elapsed.TotalSeconds):0} records/s; {_retries} retried batches; 503s {Describe(_unavailable)}; " +
        $"{_connectionErrors} connection errors; {_timeouts} timeouts; longest stall between two 202s {LongestStall.TotalSeconds:0.0} s";

    private async Task SendAsync(HttpClient client, RecordBatch batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (attempt > 1)
            {
                Interlocked.Increment(ref _retries);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * attempt)), cancellationToken);
            }

            ApiResponse response;
            try
            {
                response = await HttpJson.SendRawAsync(client, HttpMethod.Post, "/v1/records", batch.Body).WaitAsync(cancellationToken);
            }
            catch (HttpRequestException e)
            {
                Interlocked.Increment(ref _connectionErrors);
                Note($"batch {batch.Index} attempt {attempt}: connection error {e.HttpRequestError}: {e.Message}");
                continue;
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _timeouts);
                Note($"batch {batch.Index} attempt {attempt}: timed out ({e.Message})");
                continue;
            }

            if (response.Status == HttpStatusCode.ServiceUnavailable)
            {
                var code = response.Code ?? "(no code)";
                _unavailable.AddOrUpdate(code, 1, (_, n) => n + 1);
                Note($"batch {batch.Index} attempt {attempt}: 503 {code}");
                continue;
            }

            if (response.Status != HttpStatusCode.Accepted)
            {
                throw new XunitException($"batch {batch.Index} attempt {attempt}: POST /v1/records answered {(int)response.Status}: {(response.Body.Length > 2000 ? response.Body[..2000] : response.Body)}");
            }

            var results = response.Json.Arr("results");
            if (results.Count != batch.RecordIds.Count)
            {
                throw new XunitException($"batch {batch.Index}: {results.Count} results for {batch.RecordIds.Count} records");
            }

            for (var i = 0; i < results.Count; i++)
            {
                var item = results[i]!;
                var status = item.Str("status");
                if (item.Str("recordId") != batch.RecordIds[i] || item.Int("index") != i)
                {
                    throw new XunitException($"batch {batch.Index} item {i}: answered for {item.ToJsonString()}, sent {batch.RecordIds[i]}");
                }

                if (status is not ("accepted" or "duplicate") || item["ledgerSeq"] is null)
                {
                    throw new XunitException($"batch {batch.Index} item {i} was not acknowledged: {item.ToJsonString()}");
                }

                if (!_acks.TryAdd(batch.RecordIds[i], new Acknowledgement(status, item.Long("ledgerSeq"), batch.Index)))
                {
                    throw new XunitException($"record {batch.RecordIds[i]} was sent in two batches");
                }
            }

            Interlocked.Add(ref _acknowledged, results.Count);
            if (attempt > 1)
            {
                Note($"batch {batch.Index} acknowledged at attempt {attempt}: {response.Json.Int("accepted")} accepted, {response.Json.Int("duplicates")} duplicates");
            }

            return;
        }
    }

    private void Note(string what)
    {
        _events.Enqueue((_clock.Elapsed, what));
        if (_events.Count <= 200)
        {
            output.WriteLine($"  +{_clock.Elapsed.TotalSeconds:0.000}s {what}");
        }
    }

    private static string Describe(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.Select(kv => $"{kv.Value}× {kv.Key}"));
}
