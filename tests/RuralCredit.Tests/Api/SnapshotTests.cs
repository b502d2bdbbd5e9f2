using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using RuralCredit.Grains;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>A host whose subjects write snapshots (as in the postgres profile) after every 3 folded entries.</summary>
public sealed class SnapshotApiFactory : CreditApiFactory
{
    public const int SnapshotAfterEntries = 3;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Grains:SubjectSnapshotWrites", "true");
        builder.UseSetting("Grains:SnapshotAfterEntries", SnapshotAfterEntries.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Grains:StateWriteDelay", "00:00:00.100");
    }
}

/// <summary>
/// Subject snapshots are an optimisation of the catch-up read: a subject writes one only after
/// <c>Grains:SnapshotAfterEntries</c> folded entries (coalesced), a changed registration is written at once, and
/// whatever the snapshot lacks comes from the ledger on activation.
/// </summary>
public sealed class SnapshotTests(SnapshotApiFactory api) : IClassFixture<SnapshotApiFactory>
{
    [Fact]
    public async Task A_subject_writes_its_snapshot_only_after_enough_entries_and_catches_up_past_it()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);

        await api.SubmitAsync(Record(NewRecordId(), "GOV_FAMILY_VIRTUE", farmer, Day(-3), new JsonObject { ["event"] = "a" }));
        await api.SubmitAsync(Record(NewRecordId(), "SKILL_TRAINING", farmer, Day(-2), new JsonObject { ["course"] = "b" }));
        await api.WaitForRecordCountAsync(farmer, 2);
        await Task.Delay(TimeSpan.FromMilliseconds(600)); // six times the write delay
        Assert.Null(await SnapshotAsync(farmer)); // 2 entries < 3: nothing written

        await api.SubmitAsync(Record(NewRecordId(), "VOLUNTEER_SERVICE", farmer, Day(-1), new JsonObject { ["hours"] = 2 }));
        await api.WaitForRecordCountAsync(farmer, 3);
        await WaitUntilAsync(async () => (await SnapshotAsync(farmer))?.Records.Count == 3, Eventually, "the snapshot after the third entry");
        var snapshot = (await SnapshotAsync(farmer))!;
        var ledger = await api.Ledger.ReadSubjectAsync(farmer, 0);
        Assert.Equal(ledger[^1].Seq, snapshot.LastLedgerSeq);

        // A fourth entry is not written (1 < 3), yet a new activation has it: it reads the ledger past the watermark.
        await api.SubmitAsync(Record(NewRecordId(), "GOV_FAMILY_VIRTUE", farmer, Day(), new JsonObject { ["event"] = "d" }));
        var before = await api.WaitForRecordCountAsync(farmer, 4);
        await Task.Delay(TimeSpan.FromMilliseconds(600));
        Assert.Equal(3, (await SnapshotAsync(farmer))!.Records.Count);

        await api.DeactivateSubjectAsync(farmer);
        Assert.Equal(3, (await SnapshotAsync(farmer))!.Records.Count); // deactivation does not write 1 pending entry
        var after = await api.ProfileAsync(farmer);
        Assert.Equal(4, after.Int("recordCount"));
        Assert.Equal(before.Int("score"), after.Int("score"));
        Assert.Equal(before.Num("lastLedgerSeq"), after.Num("lastLedgerSeq"));
    }

    [Fact]
    public async Task A_changed_registration_is_written_at_once_so_that_no_older_snapshot_wins_over_it()
    {
        var village = await api.RegisterVillageAsync();
        var (farmer, idNumber) = (await api.RegisterFarmersAsync(village, 1))[0];
        for (var i = 0; i < SnapshotApiFactory.SnapshotAfterEntries; i++)
        {
            await api.SubmitAsync(Record(NewRecordId(), "GOV_FAMILY_VIRTUE", farmer, Day(-i), new JsonObject { ["event"] = $"e{i}" }));
        }

        await api.WaitForRecordCountAsync(farmer, SnapshotApiFactory.SnapshotAfterEntries);
        await WaitUntilAsync(async () => await SnapshotAsync(farmer) is not null, Eventually, "the first snapshot");
        var displayedBefore = (await api.ProfileAsync(farmer))["displayName"]!.GetValue<string>();

        using var client = api.Client(IntegratorKey);
        var response = await client.PutJsonAsync("/v1/subjects", new JsonObject
        {
            ["subjects"] = new JsonArray(new JsonObject
            {
                ["subjectType"] = "farmer",
                ["name"] = "李四",
                ["idNumber"] = idNumber,
                ["villageCode"] = village,
            }),
        });
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("updated", response.Json["results"]![0]!["status"]!.GetValue<string>());

        var written = (await SnapshotAsync(farmer))!.Info!;
        Assert.Equal("李四", written.Name);
        await api.DeactivateSubjectAsync(farmer);
        var profile = await api.ProfileAsync(farmer);
        Assert.Equal(written.DisplayName, profile["displayName"]!.GetValue<string>());
        Assert.NotEqual(displayedBefore, written.DisplayName);
    }

    /// <summary>The subject's snapshot in grain storage, or null when none was written.</summary>
    private async Task<SubjectState?> SnapshotAsync(string subjectId)
    {
        var storage = api.Services.GetRequiredKeyedService<IGrainStorage>(RuralCreditConstants.StorageName);
        var state = new GrainState<SubjectState>();
        await storage.ReadStateAsync("subject", api.Cluster.GetGrain<ISubjectGrain>(subjectId).GetGrainId(), state);
        return state.RecordExists ? state.State : null;
    }
}
