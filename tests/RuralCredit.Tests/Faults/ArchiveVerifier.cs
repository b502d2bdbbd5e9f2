using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using RuralCredit.Domain;
using RuralCredit.Models;
using RuralCredit.Tests.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;
using RegionInfo = RuralCredit.Models.RegionInfo;

namespace RuralCredit.Tests.Faults;

/// <summary>One row of <c>rc_ledger</c> as the checks need it.</summary>
public sealed record LedgerRow(long Seq, string SubjectId, short Kind, string RecordId, string CatalogCode, DateTimeOffset OccurredAt, string PayloadJson, string Status);

/// <summary>
/// Checks a cluster's archive against its ledger (<c>rc_ledger</c>, read straight from PostgreSQL): acknowledged records
/// are in the ledger exactly once; every subject's profile equals a from-scratch recomputation over its ledger entries
/// (record count, last sequence, score, grade, dimensions, with <see cref="ScoringEngine"/> and the default catalog and
/// models); every village equals its subjects' profiles and households' views; every township, county and the city
/// equals the sum of its children.
/// </summary>
public sealed class ArchiveVerifier(
    ClusterProcesses cluster,
    HttpClient operatorClient,
    IReadOnlyDictionary<string, RegisteredSubject> subjects,
    IReadOnlyList<RegionInfo> regions,
    ITestOutputHelper output)
{
    private static readonly Dictionary<string, CatalogItem> Catalog = DefaultData.Catalog.ToDictionary(i => i.Code, StringComparer.Ordinal);
    private readonly Dictionary<string, ScoringModel> _models = subjects.Values.Select(s => s.SubjectType).Distinct().ToDictionary(t => t, DefaultData.Model);

    /// <summary>Every row of the ledger, in sequence order.</summary>
    public static async Task<List<LedgerRow>> ReadLedgerAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT seq, subject_id, kind, record_id, catalog_code, occurred_at, payload::text, status FROM rc_ledger ORDER BY seq", connection);
        var rows = new List<LedgerRow>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new LedgerRow(
                reader.GetInt64(0), reader.GetString(1), reader.GetInt16(2), reader.GetString(3), reader.GetString(4),
                new DateTimeOffset(reader.GetDateTime(5), TimeSpan.Zero), reader.GetString(6), reader.GetString(7)));
        }

        return rows;
    }

    /// <summary>
    /// Every acknowledged record is in the ledger exactly once, at the sequence its acknowledgement named; the ledger
    /// holds as many records as distinct record ids were sent, and none that was not sent.
    /// </summary>
    public static List<string> LedgerProblems(IReadOnlyList<LedgerRow> rows, IReadOnlyDictionary<string, Acknowledgement> acks, IReadOnlyCollection<string> sent)
    {
        var problems = new List<string>();
        var records = rows.Where(r => r.Kind == 0).ToList();
        var byId = new Dictionary<string, LedgerRow>(StringComparer.Ordinal);
        foreach (var row in records)
        {
            if (!byId.TryAdd(row.RecordId, row))
            {
                problems.Add($"record {row.RecordId} is in the ledger twice (seq {byId[row.RecordId].Seq} and {row.Seq})");
            }
        }

        var missing = acks.Where(a => !byId.ContainsKey(a.Key)).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"{missing.Count} acknowledged records are not in the ledger, e.g. {string.Join(", ", missing.Take(10).Select(m => $"{m.Key} ({m.Value.Status} seq {m.Value.LedgerSeq}, batch {m.Value.Batch})"))}");
        }

        var moved = acks.Where(a => byId.TryGetValue(a.Key, out var row) && row.Seq != a.Value.LedgerSeq).ToList();
        if (moved.Count > 0)
        {
            problems.Add($"{moved.Count} records are in the ledger at another sequence than acknowledged, e.g. {string.Join(", ", moved.Take(10).Select(m => $"{m.Key} acknowledged {m.Value.Status} at {m.Value.LedgerSeq}, ledger {byId[m.Key].Seq}"))}");
        }

        var distinctSent = sent.Distinct(StringComparer.Ordinal).Count();
        if (byId.Count != distinctSent)
        {
            problems.Add($"the ledger holds {byId.Count} records, but {distinctSent} distinct record ids were sent ({acks.Count} acknowledged)");
        }

        var sentSet = sent.ToHashSet(StringComparer.Ordinal);
        var unknown = byId.Keys.Where(id => !sentSet.Contains(id)).ToList();
        if (unknown.Count > 0)
        {
            problems.Add($"{unknown.Count} ledger records were never sent, e.g. {string.Join(", ", unknown.Take(10))}");
        }

        return problems;
    }

    /// <summary>Waits until the city counts every ledger record and subject and stops changing for two seconds.</summary>
    public async Task WaitForCityAsync(string cityCode, int records, TimeSpan timeout)
    {
        string? previous = null;
        var stableSince = Stopwatch.StartNew();
        JsonNode? city = null;
        await cluster.WaitUntilAsync(
            async () =>
            {
                city = await RegionAsync(cityCode);
                if (city.Int("records24h") != records || city["subjects"]!.Int("total") != subjects.Count)
                {
                    previous = null;
                    return false;
                }

                var obj = city.AsObject();
                obj.Remove("version");
                obj.Remove("updatedAt");
                var text = obj.ToJsonString();
                if (text != previous)
                {
                    previous = text;
                    stableSince.Restart();
                    return false;
                }

                return stableSince.Elapsed >= TimeSpan.FromSeconds(2);
            },
            timeout,
            () => $"the city should count {records} records and {subjects.Count} subjects and stop changing; last read: {city?.ToJsonString()}",
            TimeSpan.FromMilliseconds(500));
    }

    /// <summary>
    /// Waits (up to <paramref name="cityTimeout"/>) until the city counts every ledger record and is stable, then runs
    /// <see cref="CheckAsync"/> until everything matches (up to <paramref name="checkTimeout"/>). When the city does not
    /// get there, one detailed pass still runs, so that the failure says which subjects and regions differ.
    /// </summary>
    public async Task VerifyAsync(IReadOnlyList<LedgerRow> ledger, TimeSpan cityTimeout, TimeSpan checkTimeout)
    {
        var city = regions.Single(r => r.Level == RegionLevels.City).Code;
        var clock = Stopwatch.StartNew();
        try
        {
            await WaitForCityAsync(city, ledger.Count(r => r.Kind == 0), cityTimeout);
            output.WriteLine($"the city counts every record and subject and is stable after {clock.Elapsed.TotalSeconds:0.0} s");
        }
        catch (DiagnosedException e)
        {
            output.WriteLine(e.Message.Split('\n')[0]);
            await ConvergeAsync(ledger, TimeSpan.FromSeconds(10), e.Message.Split('\n')[0]);
            throw;
        }

        await ConvergeAsync(ledger, checkTimeout);
    }

    /// <summary>
    /// Runs <see cref="CheckAsync"/> until it finds nothing (profiles and aggregates converge) or <paramref name="timeout"/>
    /// passes; then fails with what differs.
    /// </summary>
    public async Task ConvergeAsync(IReadOnlyList<LedgerRow> ledger, TimeSpan timeout, string? context = null)
    {
        var clock = Stopwatch.StartNew();
        for (var round = 1; ; round++)
        {
            List<string> problems;
            try
            {
                problems = await CheckAsync(ledger);
            }
            catch (HttpRequestException e)
            {
                problems = [$"a read failed: {e.Message}"];
            }

            output.WriteLine($"verification round {round} after {clock.Elapsed.TotalSeconds:0.0} s: {problems.Count} differences");
            if (problems.Count == 0)
            {
                return;
            }

            foreach (var p in problems.Take(5))
            {
                output.WriteLine("  " + p);
            }

            if (clock.Elapsed > timeout)
            {
                throw new XunitException(
                    (context is null ? "" : context + "\n") +
                    $"Profiles and aggregates did not converge to the recomputation over the ledger within {timeout.TotalSeconds:0} s " +
                    $"({round} rounds); {problems.Count} differences:\n{string.Join('\n', problems.Take(60))}");
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>One pass over every subject and region; the differences found (empty when everything holds).</summary>
    public async Task<List<string>> CheckAsync(IReadOnlyList<LedgerRow> ledger)
    {
        var asOf = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var asOfText = asOf.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var problems = new ConcurrentQueue<string>();
        var bySubject = ledger.ToLookup(r => r.SubjectId, StringComparer.Ordinal);
        foreach (var stranger in bySubject.Select(g => g.Key).Where(id => !subjects.ContainsKey(id)))
        {
            problems.Enqueue($"the ledger has entries of subject {stranger}, which was never registered");
        }

        var profiles = new ConcurrentDictionary<string, JsonNode>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(subjects.Values, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (s, _) =>
        {
            var response = await operatorClient.GetJsonAsync($"/v1/subjects/{s.SubjectId}?asOf={asOfText}");
            if (response.Status != HttpStatusCode.OK)
            {
                throw new HttpRequestException($"GET /v1/subjects/{s.SubjectId} answered {(int)response.Status}: {response.Body}");
            }

            profiles[s.SubjectId] = response.Json;
            foreach (var p in ProfileProblems(s, response.Json, bySubject[s.SubjectId].ToList(), asOf))
            {
                problems.Enqueue(p);
            }
        });

        var households = new ConcurrentDictionary<string, JsonNode>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(subjects.Values.Select(s => s.HouseholdId).OfType<string>().Distinct(), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (h, _) =>
        {
            var response = await operatorClient.GetJsonAsync($"/v1/households/{h}");
            if (response.Status != HttpStatusCode.OK)
            {
                throw new HttpRequestException($"GET /v1/households/{h} answered {(int)response.Status}: {response.Body}");
            }

            households[h] = response.Json;
        });

        var views = new ConcurrentDictionary<string, JsonNode>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(regions, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (r, _) => views[r.Code] = await RegionAsync(r.Code));

        var members = subjects.Values.ToLookup(s => s.VillageCode, StringComparer.Ordinal);
        foreach (var village in regions.Where(r => r.Level == RegionLevels.Village))
        {
            var list = members[village.Code].Select(m => new RegionChecks.Member(m.SubjectId, m.SubjectType, m.HouseholdId)).ToList();
            foreach (var p in RegionChecks.VillageProblems(village.Code, views[village.Code], list, profiles, households, allRecordsRecent: true))
            {
                problems.Enqueue(p);
            }
        }

        var children = regions.Where(r => r.ParentCode is not null).ToLookup(r => r.ParentCode!, StringComparer.Ordinal);
        foreach (var parent in regions.Where(r => r.Level != RegionLevels.Village))
        {
            foreach (var p in RegionChecks.SumProblems(views[parent.Code], children[parent.Code].Select(c => views[c.Code]).ToList()))
            {
                problems.Enqueue(p);
            }
        }

        var city = regions.Single(r => r.Level == RegionLevels.City).Code;
        var recordCount = ledger.Count(r => r.Kind == 0);
        if (views[city].Int("records24h") != recordCount)
        {
            problems.Enqueue($"the city counts {views[city].Int("records24h")} records received in 24 h; the ledger holds {recordCount}");
        }

        if (views[city]["subjects"]!.Int("total") != subjects.Count)
        {
            problems.Enqueue($"the city counts {views[city]["subjects"]!.Int("total")} subjects; {subjects.Count} were registered");
        }

        return problems.ToList();
    }

    /// <summary>A profile against the recomputation over the subject's ledger entries at <paramref name="asOf"/>.</summary>
    private List<string> ProfileProblems(RegisteredSubject subject, JsonNode profile, List<LedgerRow> entries, DateTimeOffset asOf)
    {
        var problems = new List<string>();
        var records = entries.Where(e => e.Kind == 0).OrderBy(e => e.Seq)
            .Select(e => new EvaluationRecord(e.RecordId, e.CatalogCode, e.OccurredAt, e.Status, e.PayloadJson)).ToList();
        var expected = ScoringEngine.Evaluate(_models[subject.SubjectType], code => Catalog.GetValueOrDefault(code), records, asOf);
        var lastSeq = entries.Count == 0 ? 0 : entries.Max(e => e.Seq);
        var id = subject.SubjectId;

        void Check(bool holds, string what)
        {
            if (!holds)
            {
                problems.Add($"subject {id} ({subject.SubjectType}, village {subject.VillageCode}): {what}");
            }
        }

        Check(profile.Int("recordCount") == records.Count, $"recordCount {profile.Int("recordCount")} ≠ ledger {records.Count}");
        Check(profile.Long("lastLedgerSeq") == lastSeq, $"lastLedgerSeq {profile.Long("lastLedgerSeq")} ≠ ledger {lastSeq}");
        Check(profile.Int("score") == expected.Score, $"score {profile.Int("score")} ≠ recomputed {expected.Score}");
        Check(profile.Str("grade") == expected.Grade, $"grade {profile.Str("grade")} ≠ recomputed {expected.Grade}");
        Check(profile.Int("modelVersion") == 1, $"modelVersion {profile.Int("modelVersion")} ≠ 1");
        var dimensions = profile.Obj("dimensions");
        foreach (var d in expected.Dimensions)
        {
            var value = dimensions[d.Name]?.GetValue<double>();
            Check(value == d.Value, $"dimension {d.Name} {value} ≠ recomputed {d.Value}");
        }

        Check(dimensions.Count == expected.Dimensions.Count, $"{dimensions.Count} dimensions ≠ recomputed {expected.Dimensions.Count}");
        Check(profile.Str("villageCode") == subject.VillageCode, $"villageCode {profile.Str("villageCode")} ≠ registered {subject.VillageCode}");
        return problems;
    }

    private async Task<JsonNode> RegionAsync(string code)
    {
        var response = await operatorClient.GetJsonAsync($"/v1/regions/{code}");
        return response.Status == HttpStatusCode.OK
            ? response.Json
            : throw new HttpRequestException($"GET /v1/regions/{code} answered {(int)response.Status}: {response.Body}");
    }
}
