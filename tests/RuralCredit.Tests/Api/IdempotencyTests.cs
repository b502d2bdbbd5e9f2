using System.Text.Json.Nodes;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>
/// Folding is idempotent (SPEC §1): a record id is applied once, whatever is delivered again, and a subject grain that is
/// deactivated and activated again catches up from its snapshot and the ledger without doubling anything.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class IdempotencyTests(CreditApiFactory api)
{
    [Fact]
    public async Task A_reactivated_subject_has_the_same_profile_and_counts_nothing_twice()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village, NewHouseholdId());
        var batch = Batch(farmer);
        await api.SubmitAsync(batch);
        var before = await api.WaitForRecordCountAsync(farmer, batch.Length);
        var region = await api.WaitForVillageAsync(village, batch.Length);

        var grain = api.Cluster.GetGrain<ISubjectGrain>(farmer);
        var grainId = grain.GetGrainId();
        var management = api.Cluster.GetGrain<IManagementGrain>(0);
        await api.DeactivateSubjectAsync(farmer, mustBeActive: true);

        var after = await api.ProfileAsync(farmer);

        Assert.Contains(grainId, await management.GetActiveGrains(grainId.Type));
        Assert.Equal(WithoutAsOf(before), WithoutAsOf(after));
        Assert.Equal(batch.Length, after.Int("recordCount"));
        Assert.Equal(577, after.Int("score")); // 600 − 60 + 10 + 15 + 12 (VOLUNTEER_SERVICE 6 h × 2)
        Assert.Equal(11m, after["points"]!.Dec("earned")); // 5 + min(6 × 1, 20)

        var records = await grain.GetRecordsAsync();
        Assert.Equal(batch.Length, records.Count);
        Assert.Equal(batch.Length, records.Select(r => r.RecordId).Distinct().Count());
        var summary = await grain.RefreshAsync();
        Assert.NotNull(summary);
        Assert.Equal(batch.Length, summary.RecentReceipts.Count);
        Assert.Equal(1, await api.Cluster.GetGrain<IVillageGrain>(village).RefreshAllAsync());
        var regionAfter = await api.WaitForVillageAsync(village, batch.Length);
        Assert.Equal(region["subjects"]!.ToJsonString(), regionAfter["subjects"]!.ToJsonString());
        Assert.Equal(region.Num("meanScore"), regionAfter.Num("meanScore"));
        Assert.Equal(region["points"]!.ToJsonString(), regionAfter["points"]!.ToJsonString());
    }

    [Fact]
    public async Task A_record_for_a_deactivated_subject_is_folded_on_activation_and_reaches_the_village()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        await api.SubmitAsync(Record(NewRecordId(), "GOV_FAMILY_VIRTUE", farmer, Day(), new JsonObject { ["event"] = "x" }));
        await api.WaitForRecordCountAsync(farmer, 1);
        await api.WaitForVillageAsync(village, 1);
        await api.DeactivateSubjectAsync(farmer, mustBeActive: true);

        // The stream activates the grain; its activation catches up from the ledger; the village must hear of it.
        await api.SubmitAsync(Record(NewRecordId(), "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "D-1" }));

        var profile = await api.WaitForRecordCountAsync(farmer, 2);
        Assert.Equal(550, profile.Int("score")); // 600 + 10 − 60
        var region = await api.WaitForVillageAsync(village, 2);
        Assert.Equal(550.0, region.Num("meanScore"));
        Assert.Equal(1, region["subjects"]!["byGrade"]!.Int("D"));
    }

    [Fact]
    public async Task The_same_batch_submitted_twice_is_all_duplicates_and_changes_nothing()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        var batch = Batch(farmer);
        var first = await api.SubmitAsync(batch.Select(r => r.DeepClone()).ToArray());
        Assert.Equal(batch.Length, first.Int("accepted"));
        var before = await api.WaitForRecordCountAsync(farmer, batch.Length);
        var ledgerBefore = await api.Ledger.CountAsync();

        var second = await api.SubmitAsync(batch.Select(r => r.DeepClone()).ToArray());

        Assert.Equal((0, batch.Length, 0), (second.Int("accepted"), second.Int("duplicates"), second.Int("rejected")));
        Assert.Equal(
            first.Arr("results").Select(r => r!.Long("ledgerSeq")),
            second.Arr("results").Select(r => r!.Long("ledgerSeq")));
        Assert.Equal(ledgerBefore, await api.Ledger.CountAsync());
        var after = await api.ProfileAsync(farmer);
        Assert.Equal(WithoutAsOf(before), WithoutAsOf(after));
        var region = await api.WaitForVillageAsync(village, batch.Length);
        Assert.Equal(1, region["subjects"]!.Int("total"));
    }

    private static JsonNode[] Batch(string farmer) =>
    [
        Record(NewRecordId(), "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "D-1" }),
        Record(NewRecordId(), "GOV_FAMILY_VIRTUE", farmer, Day(), new JsonObject { ["event"] = "孝老爱亲" }),
        Record(NewRecordId(), "SKILL_TRAINING", farmer, Day(), new JsonObject { ["course"] = "电商" }),
        Record(NewRecordId(), "VOLUNTEER_SERVICE", farmer, Day(), new JsonObject { ["hours"] = 6 }),
        Record(NewRecordId(), "LOAN_ISSUED", farmer, Day(), new JsonObject { ["amount"] = 30000, ["guarantee"] = "credit" }),
    ];

    private static string WithoutAsOf(JsonNode profile)
    {
        var copy = profile.DeepClone().AsObject();
        copy.Remove("asOf");
        return copy.ToJsonString();
    }
}
