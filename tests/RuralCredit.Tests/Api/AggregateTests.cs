using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using RuralCredit.Tests.Infrastructure;
using Xunit.Abstractions;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>
/// Region aggregates equal a recomputation (SPEC §1, §2.7): after a random bulk ingest, every village equals what its
/// subjects' and households' own views add up to, and every township, the county and the city equal the sum of their
/// children for every count field.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class AggregateTests(CreditApiFactory api, ITestOutputHelper output)
{
    private const int Subjects = 2_000;
    private const int Organisations = 200;
    private const int Records = 50_000;
    private const int BatchSize = 5_000;

    private static readonly string[] OrganisationTypes = ["family_farm", "cooperative", "enterprise", "service_org", "agri_input", "grain_enterprise"];
    private static readonly string[] Guarantees = ["credit", "mortgage", "guarantee", "other"];

    /// <summary>Items used by the generator, with a weight and a payload maker (schemas as in catalog.json).</summary>
    private static readonly (string Code, int Weight, Func<Random, JsonObject> Payload)[] Items =
    [
        ("ADMIN_PENALTY", 3, r => new JsonObject { ["decisionNo"] = $"D-{r.Next(100000)}" }),
        ("GOV_FAMILY_VIRTUE", 5, _ => new JsonObject { ["event"] = "孝老爱亲" }),
        ("VOLUNTEER_SERVICE", 3, r => new JsonObject { ["hours"] = r.Next(1, 60) / 2m }),
        ("SKILL_TRAINING", 3, _ => new JsonObject { ["course"] = "植保" }),
        ("LAND_CONTRACT_RIGHT", 2, r => new JsonObject { ["certificateNo"] = $"C-{r.Next(100000)}", ["area"] = r.Next(1, 40) / 4m }),
        ("CREDIT_RED_LIST", 2, _ => new JsonObject { ["listName"] = "诚信红名单", ["year"] = 2025 }),
        ("LOAN_REPAID", 3, r => new JsonObject { ["amount"] = r.Next(1, 50) * 1000 }),
        ("LOAN_ISSUED", 2, r => new JsonObject { ["amount"] = r.Next(1, 50) * 1000, ["guarantee"] = Guarantees[r.Next(Guarantees.Length)] }),
        ("LOAN_OVERDUE", 1, r => new JsonObject { ["amount"] = r.Next(1, 20) * 1000, ["days"] = r.Next(1, 90) }),
        ("CREDIT_LINE_GRANTED", 2, r => new JsonObject { ["amount"] = r.Next(1, 30) * 10000, ["expiresAt"] = Day(r.Next(-100, 700)) }),
        ("ANNUAL_REPORT_FILED", 2, _ => new JsonObject { ["year"] = 2024 }),
        ("INSPECTION_PASSED", 2, r => new JsonObject { ["inspectionNo"] = $"I-{r.Next(100000)}" }),
        ("CHARITY_DONATION", 1, r => new JsonObject { ["amount"] = r.Next(1, 100) * 10 }),
        ("COURT_DEFAULTER", 1, r => new JsonObject { ["caseNo"] = $"(2025)苏1322执{r.Next(1000)}号" }),
    ];

    private sealed record Subject(string Id, string Type, string Village, string? Household);

    private sealed record Generated(string SubjectId, string Code, int DaysAgo, JsonObject Payload);

    [Fact]
    public async Task Every_region_equals_the_recomputation_from_its_subjects_and_children()
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(20_250_601);
        var (townshipA, villagesA) = await api.RegisterTownshipAsync(10);
        var (townshipB, villagesB) = await api.RegisterTownshipAsync(10);
        var villages = villagesA.Concat(villagesB).ToList();
        var subjects = await RegisterSubjectsAsync(random, villages);
        output.WriteLine($"registered {subjects.Count} subjects in {clock.Elapsed}");

        var applicable = await ApplicableItemsAsync();
        var generated = new List<Generated>(Records);
        var ledgerBefore = await api.Ledger.CountAsync();
        using var integrator = api.Client(IntegratorKey);
        for (var start = 0; start < Records; start += BatchSize)
        {
            var batch = new JsonArray();
            for (var i = start; i < start + BatchSize; i++)
            {
                var subject = subjects[random.Next(subjects.Count)];
                var (code, payload) = Pick(random, applicable[subject.Type]);
                var daysAgo = random.Next(0, 400);
                generated.Add(new Generated(subject.Id, code, daysAgo, payload));
                batch.Add(Record($"agg-{i}-{Guid.NewGuid():N}", code, subject.Id, Day(-daysAgo), payload.DeepClone().AsObject()));
            }

            var response = await integrator.PostJsonAsync("/v1/records", new JsonObject { ["records"] = batch });
            Assert.Equal(HttpStatusCode.Accepted, response.Status);
            Assert.True(BatchSize == response.Json.Int("accepted"), $"batch at {start}: {response.Json.Arr("results").FirstOrDefault(r => r!.Str("status") != "accepted")?.ToJsonString()}");
        }

        Assert.Equal(ledgerBefore + Records, await api.Ledger.CountAsync());
        output.WriteLine($"ingested {Records} records in {clock.Elapsed}");

        // Wait until every record is folded and propagated, then until the upper levels stop changing.
        JsonNode? a = null, b = null;
        await WaitUntilAsync(
            async () =>
            {
                a = await api.RegionAsync(townshipA);
                b = await api.RegionAsync(townshipB);
                return a.Int("records24h") + b.Int("records24h") == Records && a["subjects"]!.Int("total") + b["subjects"]!.Int("total") == Subjects;
            },
            TimeSpan.FromSeconds(60),
            () => $"the two townships should count {Records} records and {Subjects} subjects: {a?.ToJsonString()} {b?.ToJsonString()}");
        output.WriteLine($"folded and propagated in {clock.Elapsed}");
        await WaitUntilStableAsync([CityCode, CountyCode, townshipA, townshipB]);
        output.WriteLine($"stable in {clock.Elapsed}");

        using var operatorClient = api.Client(OperatorKey);
        var profiles = new ConcurrentDictionary<string, JsonNode>();
        await Parallel.ForEachAsync(subjects, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (s, _) =>
        {
            var response = await operatorClient.GetJsonAsync($"/v1/subjects/{s.Id}");
            Assert.Equal(HttpStatusCode.OK, response.Status);
            profiles[s.Id] = response.Json;
        });
        var households = new ConcurrentDictionary<string, JsonNode>();
        await Parallel.ForEachAsync(subjects.Where(s => s.Household is not null).Select(s => s.Household!).Distinct(), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (h, _) =>
        {
            var response = await operatorClient.GetJsonAsync($"/v1/households/{h}");
            Assert.Equal(HttpStatusCode.OK, response.Status);
            households[h] = response.Json;
        });
        output.WriteLine($"read {profiles.Count} profiles and {households.Count} households in {clock.Elapsed}");

        var recordsBySubject = generated.ToLookup(g => g.SubjectId);
        Assert.All(subjects, s => Assert.Equal(recordsBySubject[s.Id].Count(), profiles[s.Id].Int("recordCount")));

        var villageViews = new Dictionary<string, JsonNode>();
        foreach (var village in villages)
        {
            var members = subjects.Where(s => s.Village == village).ToList();
            var view = villageViews[village] = await api.RegionAsync(village);
            AssertVillage(village, view, members, profiles, households, recordsBySubject);
        }

        var townshipViews = new Dictionary<string, JsonNode>
        {
            [townshipA] = await api.RegionAsync(townshipA),
            [townshipB] = await api.RegionAsync(townshipB),
        };
        RegionChecks.AssertSum(townshipViews[townshipA], villagesA.Select(v => villageViews[v]).ToList());
        RegionChecks.AssertSum(townshipViews[townshipB], villagesB.Select(v => villageViews[v]).ToList());
        Assert.Equal(10, townshipViews[townshipA].Int("villages"));
        foreach (var (code, view) in townshipViews)
        {
            var mine = subjects.Where(s => s.Village.StartsWith(code, StringComparison.Ordinal)).Select(s => s.Id).ToHashSet();
            Assert.Equal(ExpectedCreditLoanShare(generated.Where(g => mine.Contains(g.SubjectId))), view["creditLoanShare"]?.GetValue<double>());
        }

        // The county and the city against their children as they report themselves now.
        foreach (var code in new[] { CountyCode, CityCode })
        {
            var parent = await api.RegionAsync(code);
            var children = (await operatorClient.GetJsonAsync($"/v1/regions/{code}/children")).Json.AsArray().Select(c => c!).ToList();
            Assert.NotEmpty(children);
            RegionChecks.AssertSum(parent, children);
        }

        output.WriteLine($"asserted in {clock.Elapsed}");
    }

    private async Task<List<Subject>> RegisterSubjectsAsync(Random random, IReadOnlyList<string> villages)
    {
        var subjects = new List<Subject>(Subjects);
        var body = new JsonArray();
        var household = 0;
        var tag = Guid.NewGuid().ToString("N")[..8];
        var farmersPerVillage = (Subjects - Organisations) / villages.Count;
        foreach (var village in villages)
        {
            var farmers = 0;
            while (farmers < farmersPerVillage)
            {
                var size = Math.Min(random.Next(1, 5), farmersPerVillage - farmers);
                var householdId = $"H-{tag}-{household++}";
                for (var m = 0; m < size; m++, farmers++)
                {
                    var idNumber = NewIdNumber();
                    body.Add(new JsonObject { ["subjectType"] = "farmer", ["name"] = "刘大", ["idNumber"] = idNumber, ["villageCode"] = village, ["householdId"] = householdId });
                    subjects.Add(new Subject("", "farmer", village, householdId));
                }
            }

            for (var o = 0; o < Organisations / villages.Count; o++)
            {
                var type = OrganisationTypes[random.Next(OrganisationTypes.Length)];
                var code = NewCreditCode();
                body.Add(new JsonObject { ["subjectType"] = type, ["name"] = "测试主体", ["creditCode"] = code, ["villageCode"] = village });
                subjects.Add(new Subject(code, type, village, null));
            }
        }

        Assert.Equal(Subjects, subjects.Count);
        var ids = await api.RegisterSubjectsAsync(body);
        return subjects.Select((s, i) => s with { Id = ids[i] }).ToList();
    }

    /// <summary>The generator's items each subject type may receive, as the live catalog says.</summary>
    private async Task<Dictionary<string, List<(string Code, int Weight, Func<Random, JsonObject> Payload)>>> ApplicableItemsAsync()
    {
        using var client = api.Client(OperatorKey);
        var catalog = (await client.GetJsonAsync("/v1/catalog")).Json.Arr("items")
            .ToDictionary(i => i!.Str("code"), i => i!.Arr("subjectTypes").Select(t => t!.GetValue<string>()).ToHashSet());
        return OrganisationTypes.Append("farmer").ToDictionary(
            type => type,
            type => Items.Where(i => catalog[i.Code].Contains(type)).ToList());
    }

    private static (string Code, JsonObject Payload) Pick(Random random, List<(string Code, int Weight, Func<Random, JsonObject> Payload)> items)
    {
        var roll = random.Next(items.Sum(i => i.Weight));
        foreach (var item in items)
        {
            if (roll < item.Weight)
            {
                return (item.Code, item.Payload(random));
            }

            roll -= item.Weight;
        }

        throw new InvalidOperationException("unreachable");
    }

    private static void AssertVillage(
        string village,
        JsonNode view,
        IReadOnlyList<Subject> members,
        IReadOnlyDictionary<string, JsonNode> profiles,
        IReadOnlyDictionary<string, JsonNode> households,
        ILookup<string, Generated> records)
    {
        RegionChecks.AssertVillage(
            village,
            view,
            members.Select(m => new RegionChecks.Member(m.Id, m.Type, m.Household)).ToList(),
            profiles,
            households,
            allRecordsRecent: true);
        var earned = view["points"]!.Dec("earned");
        Assert.Equal(members.Sum(m => records[m.Id].Sum(GovernancePoints)), earned);
        Assert.Equal(0m, view["points"]!.Dec("redeemed"));
        Assert.Equal(members.Sum(m => records[m.Id].Count()), view.Int("records24h"));
        Assert.Equal(ExpectedCreditLoanShare(members.SelectMany(m => records[m.Id])), view["creditLoanShare"]?.GetValue<double>());
        var runsPoints = members.Any(m => records[m.Id].Any(r => GovernancePoints(r) != 0 && r.DaysAgo < 365));
        Assert.Equal(runsPoints ? 1 : 0, view.Int("pointsVillages"));

        // 信用村: ≥ 70 % credit households, and > 85 % of borrowing households without an overdue loan.
        var householdIds = members.Where(m => m.Household is not null).Select(m => m.Household!).Distinct().ToList();
        var borrowing = householdIds.Where(h => members.Any(m => m.Household == h && records[m.Id].Any(r => r.Code == "LOAN_ISSUED"))).ToList();
        var clean = borrowing.Count(h => !households[h]["inArrears"]!.GetValue<bool>());
        var credit = view.Int("creditHouseholds");
        var isCreditVillage = householdIds.Count > 0 && credit >= 0.70 * householdIds.Count && (borrowing.Count == 0 || clean > 0.85 * borrowing.Count);
        Assert.Equal(isCreditVillage, view["isCreditVillage"]!.GetValue<bool>());
        Assert.Equal(isCreditVillage ? 1 : 0, view.Int("creditVillages"));
        Assert.Equal(1, view.Int("villages"));
        Assert.Null(view["archiveCoverage"]);
    }

    private static decimal GovernancePoints(Generated record) => record.Code switch
    {
        "GOV_FAMILY_VIRTUE" => 5m,
        "CHARITY_DONATION" => 5m,
        "VOLUNTEER_SERVICE" => Math.Min(Number(record.Payload, "hours"), 20m),
        _ => 0m,
    };

    private static double? ExpectedCreditLoanShare(IEnumerable<Generated> records)
    {
        decimal credit = 0, all = 0;
        foreach (var loan in records.Where(r => r.Code == "LOAN_ISSUED"))
        {
            var amount = Number(loan.Payload, "amount");
            all += amount;
            credit += loan.Payload.Str("guarantee") == "credit" ? amount : 0;
        }

        return all == 0 ? null : (double)(credit / all);
    }

    /// <summary>A number of a payload built here (values created from .NET numbers, not parsed).</summary>
    private static decimal Number(JsonObject payload, string field) =>
        decimal.Parse(payload[field]!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits until two reads of the regions, at least a second apart, are equal (versions and times aside).</summary>
    private async Task WaitUntilStableAsync(IReadOnlyList<string> codes)
    {
        string? previous = null;
        var previousAt = Stopwatch.StartNew();
        string current = "";
        await WaitUntilAsync(
            async () =>
            {
                var views = new List<string>();
                foreach (var code in codes)
                {
                    var view = (await api.RegionAsync(code)).AsObject();
                    view.Remove("version");
                    view.Remove("updatedAt");
                    views.Add(view.ToJsonString());
                }

                current = string.Join("\n", views);
                if (current != previous)
                {
                    previous = current;
                    previousAt.Restart();
                    return false;
                }

                return previousAt.Elapsed >= TimeSpan.FromSeconds(1);
            },
            Eventually,
            () => $"regions {string.Join(", ", codes)} should stop changing; last read: {current}");
    }
}
