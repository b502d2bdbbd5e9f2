using System.Net;
using System.Text.Json.Nodes;
using RuralCredit.Models;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>
/// Region aggregates on small, hand-computed cases (SPEC §2.6, §2.7, Appendix A): the response shape at every level,
/// households and 三信, archive coverage, and subjects that move.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RegionTests(CreditApiFactory api)
{
    private static readonly string[] CommonFields =
    [
        "code", "name", "level", "subjects", "households", "creditHouseholds", "meanScore", "archiveCoverage", "points",
        "creditLineHouseholds", "wholeVillageCreditRate", "creditLoanShare", "records24h", "creditVillages", "villages",
        "pointsVillages", "version", "updatedAt",
    ];

    [Fact]
    public async Task Every_level_has_the_fields_of_appendix_A_even_when_empty()
    {
        var (township, villages) = await api.RegisterTownshipAsync(1);
        var (emptyTownship, _) = await api.RegisterTownshipAsync(0);
        await WaitUntilAsync(async () => (await api.RegionAsync(township)).Int("villages") == 1, Eventually, $"township {township} should count its village");
        var views = new Dictionary<string, JsonNode>();
        foreach (var code in new[] { villages[0], township, CountyCode, CityCode, emptyTownship })
        {
            views[code] = await api.RegionAsync(code);
        }

        foreach (var (code, view) in views)
        {
            Assert.All(CommonFields, f => Assert.True(view.AsObject().ContainsKey(f), $"region {code} lacks {f}: {view.ToJsonString()}"));
            Assert.Equal(code, view.Str("code"));
            var subjects = view.Obj("subjects");
            Assert.True(subjects.ContainsKey("total") && subjects.ContainsKey("byType"), $"region {code}: {subjects.ToJsonString()}");
            Assert.True(
                new[] { "A", "B", "C", "D" }.All(g => subjects["byGrade"]?[g] is not null),
                $"region {code} ({view.Str("level")}{(code == emptyTownship ? ", no villages yet" : "")}) should count every grade A, B, C, D in subjects.byGrade: {subjects.ToJsonString()}");
            Assert.True(view.Obj("points").ContainsKey("earned") && view.Obj("points").ContainsKey("redeemed"), $"region {code} points");
        }

        Assert.Equal("village", views[villages[0]].Str("level"));
        Assert.False(views[villages[0]]["isCreditVillage"]!.GetValue<bool>());
        Assert.Null(views[villages[0]]["meanScore"]);
        Assert.Null(views[villages[0]]["wholeVillageCreditRate"]);
        Assert.Null(views[villages[0]]["creditLoanShare"]);
        Assert.Equal("township", views[township].Str("level"));
        Assert.NotNull(views[township]["isCreditTownship"]);
        Assert.Equal(township, views[villages[0]].Str("parentCode"));
        foreach (var code in new[] { CountyCode, CityCode })
        {
            Assert.NotNull(views[code]["creditTownships"]);
        }
    }

    [Fact]
    public async Task A_village_of_credit_households_is_a_credit_village_and_its_township_a_credit_township()
    {
        var (township, villages) = await api.RegisterTownshipAsync(1);
        var village = villages[0];
        var household = NewHouseholdId();
        var farmer = await api.RegisterFarmerAsync(village, household);
        var records = new List<JsonNode>();
        records.AddRange(Enumerable.Range(0, 4).Select(_ => Record(NewRecordId(), "LOAN_REPAID", farmer, Day(), new JsonObject { ["amount"] = 10000 })));
        records.AddRange(Enumerable.Range(0, 4).Select(_ => Record(NewRecordId(), "CREDIT_RED_LIST", farmer, Day(), new JsonObject { ["listName"] = "红名单", ["year"] = 2025 })));
        records.Add(Record(NewRecordId(), "CREDIT_LINE_GRANTED", farmer, Day(), new JsonObject { ["amount"] = 200000, ["expiresAt"] = Day(365) }));
        records.Add(Record(NewRecordId(), "LOAN_ISSUED", farmer, Day(), new JsonObject { ["amount"] = 30000, ["guarantee"] = "credit" }));
        records.Add(Record(NewRecordId(), "LOAN_ISSUED", farmer, Day(), new JsonObject { ["amount"] = 10000, ["guarantee"] = "mortgage" }));
        await api.SubmitAsync(records.ToArray());
        var profile = await api.WaitForRecordCountAsync(farmer, records.Count);
        Assert.Equal((850, "A"), (profile.Int("score"), profile.Str("grade"))); // 600 + finance 150 (160 clamped) + honors 100 (160 clamped)
        Assert.Equal(new[] { "信用户" }, profile.Arr("tags").Select(t => t!.GetValue<string>()));

        JsonNode? view = null;
        await WaitUntilAsync(
            async () => (view = await api.RegionAsync(township)).Int("records24h") == records.Count,
            Eventually,
            () => $"township {township} should count the {records.Count} records: {view?.ToJsonString()}");
        var v = await api.RegionAsync(village);
        Assert.Equal((1, 1, 1), (v.Int("households"), v.Int("creditHouseholds"), v.Int("creditLineHouseholds")));
        Assert.Equal(1.0, v.Num("wholeVillageCreditRate"));
        Assert.Equal(0.75, v.Num("creditLoanShare"));
        Assert.Equal(850.0, v.Num("meanScore"));
        Assert.True(v["isCreditVillage"]!.GetValue<bool>(), "one household, a credit household, borrowing without overdue: a credit village");
        Assert.Equal((1, 1, 0), (v.Int("villages"), v.Int("creditVillages"), v.Int("pointsVillages")));
        var t = view!;
        Assert.True(t["isCreditTownship"]!.GetValue<bool>(), "its only village is a credit village: a credit township");
        Assert.Equal((1, 1), (t.Int("villages"), t.Int("creditVillages")));
        Assert.Equal(0.75, t.Num("creditLoanShare"));
        Assert.Equal(1, t["subjects"]!["byGrade"]!.Int("A"));
    }

    [Fact]
    public async Task A_members_veto_does_not_spread_to_the_household_but_arrears_do()
    {
        var village = await api.RegisterVillageAsync();
        var vetoed = NewHouseholdId();
        var arrears = NewHouseholdId();
        var members = await api.RegisterFarmersAsync(village, 2, vetoed);
        var (a, b) = (members[0].SubjectId, members[1].SubjectId);
        var c = await api.RegisterFarmerAsync(village, arrears);
        var records = new List<JsonNode> { Record(NewRecordId(), "COURT_DEFAULTER", a, Day(), new JsonObject { ["caseNo"] = "执1" }) };
        foreach (var farmer in new[] { a, b, c })
        {
            records.AddRange(Enumerable.Range(0, 4).Select(_ => Record(NewRecordId(), "LOAN_REPAID", farmer, Day(), new JsonObject { ["amount"] = 10000 })));
            records.AddRange(Enumerable.Range(0, 4).Select(_ => Record(NewRecordId(), "CREDIT_RED_LIST", farmer, Day(), new JsonObject { ["listName"] = "红名单", ["year"] = 2025 })));
        }

        records.AddRange(Enumerable.Range(0, 15).Select(_ => Record(NewRecordId(), "GOV_FAMILY_VIRTUE", a, Day(), new JsonObject { ["event"] = "孝老爱亲" })));
        records.AddRange(Enumerable.Range(0, 7).Select(_ => Record(NewRecordId(), "LAND_CONTRACT_RIGHT", a, Day(), new JsonObject { ["certificateNo"] = "C", ["area"] = 1 })));
        records.Add(Record(NewRecordId(), "LOAN_OVERDUE", c, Day(), new JsonObject { ["amount"] = 5000, ["days"] = 10 }));
        await api.SubmitAsync(records.ToArray());
        var pa = await api.WaitForRecordCountAsync(a, 31);
        var pb = await api.WaitForRecordCountAsync(b, 8);
        var pc = await api.WaitForRecordCountAsync(c, 9);

        // a: 600 − 300 + 150 + 100 + 150 + 100 = 800, vetoed to D; b: 600 + 150 + 100 = 850 (A); c: 600 + 140 + 100 = 840 (A).
        Assert.Equal((800, "D"), (pa.Int("score"), pa.Str("grade")));
        Assert.Equal((850, "A"), (pb.Int("score"), pb.Str("grade")));
        Assert.Equal((840, "A"), (pc.Int("score"), pc.Str("grade")));
        using var client = api.Client(OperatorKey);
        var h1 = (await client.GetJsonAsync($"/v1/households/{vetoed}")).Json;
        Assert.Equal((825, "A"), (h1.Int("score"), h1.Str("grade"))); // (800 + 850) / 2 = 825: the veto does not spread
        Assert.True(h1["isCreditHousehold"]!.GetValue<bool>());
        Assert.False(h1["inArrears"]!.GetValue<bool>());
        var h2 = (await client.GetJsonAsync($"/v1/households/{arrears}")).Json;
        Assert.Equal((840, "A"), (h2.Int("score"), h2.Str("grade")));
        Assert.True(h2["inArrears"]!.GetValue<bool>());
        Assert.False(h2["isCreditHousehold"]!.GetValue<bool>());

        Assert.Equal(new[] { "严重失信", "信用户" }.Order(), pa.Arr("tags").Select(x => x!.GetValue<string>()).Order());
        Assert.Equal(new[] { "信用户" }, pb.Arr("tags").Select(x => x!.GetValue<string>()));
        Assert.Empty(pc.Arr("tags"));

        JsonNode? view = null;
        await WaitUntilAsync(
            async () => (view = await api.RegionAsync(village)).Int("records24h") == records.Count,
            Eventually,
            () => $"village {village} should count the {records.Count} records: {view?.ToJsonString()}");
        var v = view!;
        Assert.Equal((2, 1), (v.Int("households"), v.Int("creditHouseholds")));
        Assert.False(v["isCreditVillage"]!.GetValue<bool>()); // 1 of 2 households is below 70 %
        Assert.Equal((2, 1), (v["subjects"]!["byGrade"]!.Int("A"), v["subjects"]!["byGrade"]!.Int("D")));
        Assert.Equal((800 + 850 + 840) / 3.0, v.Num("meanScore"));
        Assert.Equal(75m, v["points"]!.Dec("earned"));
        Assert.Equal(1, v.Int("pointsVillages"));
    }

    [Fact]
    public async Task Archive_coverage_sums_over_the_regions_that_declare_an_expectation()
    {
        var (township, _) = await api.RegisterTownshipAsync(0);
        var declared = township + "001";
        var undeclared = township + "002";
        using var client = api.Client(OperatorKey);
        var put = await client.PutJsonAsync("/v1/regions", new JsonObject
        {
            ["regions"] = new JsonArray(
                new JsonObject { ["code"] = declared, ["name"] = "有底数村", ["level"] = "village", ["parentCode"] = township, ["expectedSubjects"] = 4, ["expectedHouseholds"] = 2 },
                new JsonObject { ["code"] = undeclared, ["name"] = "无底数村", ["level"] = "village", ["parentCode"] = township }),
        });
        Assert.Equal(HttpStatusCode.OK, put.Status);
        await api.RegisterFarmersAsync(declared, 1);
        await api.RegisterFarmersAsync(undeclared, 3);

        JsonNode? view = null;
        await WaitUntilAsync(
            async () => (view = await api.RegionAsync(township))["subjects"]!.Int("total") == 4,
            Eventually,
            () => $"township {township} should count 4 subjects: {view?.ToJsonString()}");
        Assert.Equal(0.25, (await api.RegionAsync(declared)).Num("archiveCoverage"));
        Assert.Null((await api.RegionAsync(undeclared))["archiveCoverage"]);
        Assert.Equal(0.25, view!.Num("archiveCoverage")); // 1 registered ÷ 4 expected, over the declaring village only
    }

    [Fact]
    public async Task A_subject_that_moves_to_another_village_is_counted_once_in_the_new_one()
    {
        var (townshipA, villagesA) = await api.RegisterTownshipAsync(1);
        var (townshipB, villagesB) = await api.RegisterTownshipAsync(1);
        var id = NewIdNumber();
        var farmer = (await api.RegisterSubjectsAsync(new JsonArray(new JsonObject { ["subjectType"] = "farmer", ["name"] = "吴九", ["idNumber"] = id, ["villageCode"] = villagesA[0] })))[0];
        await api.SubmitAsync(Record(NewRecordId(), "GOV_FAMILY_VIRTUE", farmer, Day(), new JsonObject { ["event"] = "x" }));
        await api.WaitForRecordCountAsync(farmer, 1);
        await WaitUntilAsync(async () => (await api.RegionAsync(townshipA)).Int("records24h") == 1, Eventually, $"township {townshipA} should count the record");

        using var integrator = api.Client(IntegratorKey);
        var moved = await integrator.PutJsonAsync("/v1/subjects", new JsonObject
        {
            ["subjects"] = new JsonArray(new JsonObject { ["subjectType"] = "farmer", ["name"] = "吴九", ["idNumber"] = id, ["villageCode"] = villagesB[0] }),
        });
        Assert.Equal("updated", moved.Json.Arr("results")[0]!.Str("status"));

        JsonNode? a = null, b = null;
        await WaitUntilAsync(
            async () =>
            {
                a = await api.RegionAsync(townshipA);
                b = await api.RegionAsync(townshipB);
                return a["subjects"]!.Int("total") == 0 && b["subjects"]!.Int("total") == 1 && b.Int("records24h") == 1;
            },
            Eventually,
            () => $"the subject should move from {townshipA} to {townshipB}: {a?.ToJsonString()} {b?.ToJsonString()}");
        Assert.Equal(0, (await api.RegionAsync(villagesA[0]))["subjects"]!.Int("total"));
        var (left, joined) = (a!, b!);
        Assert.Equal((0, 0m), (left.Int("records24h"), left["points"]!.Dec("earned")));
        Assert.Equal(5m, joined["points"]!.Dec("earned"));
        Assert.Equal(villagesB[0], (await api.ProfileAsync(farmer)).Str("villageCode"));
    }

    [Fact]
    public async Task A_subject_that_redeemed_points_and_then_moved_stays_moved_after_deactivation()
    {
        var (_, villagesA) = await api.RegisterTownshipAsync(1);
        var (_, villagesB) = await api.RegisterTownshipAsync(1);
        var id = NewIdNumber();
        var farmer = (await api.RegisterSubjectsAsync(new JsonArray(new JsonObject { ["subjectType"] = "farmer", ["name"] = "郑十", ["idNumber"] = id, ["villageCode"] = villagesA[0] })))[0];
        await api.SubmitAsync(Record(NewRecordId(), "GOV_FAMILY_VIRTUE", farmer, Day(), new JsonObject { ["event"] = "x" }));
        await api.WaitForRecordCountAsync(farmer, 1);
        using (var clerk = api.Client(OperatorKey))
        {
            var redeemed = await clerk.PostJsonAsync("/v1/points/redemptions", new JsonObject { ["redemptionId"] = "rd-" + farmer, ["subjectId"] = farmer, ["points"] = 1, ["item"] = "盐" });
            Assert.Equal(HttpStatusCode.OK, redeemed.Status); // the subject's state is written: it has a snapshot now
        }

        using var integrator = api.Client(IntegratorKey);
        var moved = await integrator.PutJsonAsync("/v1/subjects", new JsonObject
        {
            ["subjects"] = new JsonArray(new JsonObject { ["subjectType"] = "farmer", ["name"] = "郑十", ["idNumber"] = id, ["villageCode"] = villagesB[0] }),
        });
        Assert.Equal("updated", moved.Json.Arr("results")[0]!.Str("status"));
        await api.DeactivateSubjectAsync(farmer);

        var profile = await api.ProfileAsync(farmer);
        Assert.Equal(villagesB[0], profile.Str("villageCode"));
        Assert.Equal(4m, profile["points"]!.Dec("balance"));
        JsonNode? a = null, b = null;
        await WaitUntilAsync(
            async () => (a = await api.RegionAsync(villagesA[0]))["subjects"]!.Int("total") == 0 && (b = await api.RegionAsync(villagesB[0]))["subjects"]!.Int("total") == 1,
            Eventually,
            () => $"the subject should be counted in {villagesB[0]} only: {a?.ToJsonString()} {b?.ToJsonString()}");
    }

    [Fact]
    public async Task A_village_drops_a_subject_whose_summary_names_another_village()
    {
        var (_, villages) = await api.RegisterTownshipAsync(2);
        var farmer = await api.RegisterFarmerAsync(villages[0]);
        await WaitUntilAsync(async () => (await api.RegionAsync(villages[0]))["subjects"]!.Int("total") == 1, Eventually, $"village {villages[0]} should count the farmer");
        var village = api.Cluster.GetGrain<IVillageGrain>(villages[0]);

        // A summary that left the subject after it moved (its version is the newest): the old village stops counting it.
        await village.UpdateSubjectsAsync([new SubjectSummary
        {
            SubjectId = farmer, SubjectType = "farmer", VillageCode = villages[1], Grade = "C", RecentReceipts = [], Version = long.MaxValue, EvaluatedAt = DateTimeOffset.UtcNow,
        }]);

        await WaitUntilAsync(async () => (await api.RegionAsync(villages[0]))["subjects"]!.Int("total") == 0, Eventually, $"village {villages[0]} should no longer count the farmer");
    }
}
