using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Orleans.Providers.Streams.Common;
using RuralCredit.Ledger;
using RuralCredit.Models;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Streaming;

/// <summary>
/// A host whose ledger never stores a stream checkpoint, so that restarted pulling agents deliver every entry of the
/// ledger again, as after a crash between delivery and checkpoint.
/// </summary>
public sealed class RedeliveryApiFactory : CreditApiFactory
{
    public ForgetfulLedger ForgetfulLedger => (ForgetfulLedger)Ledger;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.WrapInMemoryLedger(inner => new ForgetfulLedger(inner)));
    }
}

/// <summary>A ledger that forgets every checkpoint and counts the entries its partitions hand out.</summary>
public sealed class ForgetfulLedger(ICreditLedger inner) : DelegatingLedger(inner)
{
    private long _entriesRead;

    public long EntriesRead => Interlocked.Read(ref _entriesRead);

    public override async ValueTask<IReadOnlyList<LedgerEntry>> ReadPartitionAsync(int partition, long afterSeq, int maxCount, CancellationToken cancellationToken = default)
    {
        var entries = await Inner.ReadPartitionAsync(partition, afterSeq, maxCount, cancellationToken);
        Interlocked.Add(ref _entriesRead, entries.Count);
        return entries;
    }

    public override ValueTask<long> GetCheckpointAsync(int partition, CancellationToken cancellationToken = default) => ValueTask.FromResult(0L);

    public override ValueTask SaveCheckpointAsync(int partition, long seq, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}

/// <summary>
/// The ledger stream delivers at least once (SPEC §1): entries delivered again, records and status changes alike, in
/// one delivery with new ones or alone, change no profile, no archive and no aggregate.
/// </summary>
public sealed class RedeliveryTests(RedeliveryApiFactory api) : IClassFixture<RedeliveryApiFactory>
{
    [Fact]
    public async Task Every_entry_delivered_again_changes_nothing_and_new_entries_still_fold()
    {
        var village = await api.RegisterVillageAsync();
        var first = await api.RegisterFarmerAsync(village);
        var second = await api.RegisterFarmerAsync(village);
        var penalty = NewRecordId();
        await api.SubmitAsync(
            Record(penalty, "ADMIN_PENALTY", first, Day(), new JsonObject { ["decisionNo"] = "D-1" }),
            Record(NewRecordId(), "GOV_FAMILY_VIRTUE", first, Day(), new JsonObject { ["event"] = "孝老爱亲" }),
            Record(NewRecordId(), "SKILL_TRAINING", first, Day(), new JsonObject { ["course"] = "电商" }),
            Record(NewRecordId(), "VOLUNTEER_SERVICE", first, Day(), new JsonObject { ["hours"] = 6 }),
            Record(NewRecordId(), "LOAN_ISSUED", first, Day(), new JsonObject { ["amount"] = 30000, ["guarantee"] = "credit" }),
            Record(NewRecordId(), "GOV_FAMILY_VIRTUE", second, Day(), new JsonObject { ["event"] = "邻里互助" }));
        using (var client = api.Client(OperatorKey))
        {
            var revoke = await client.PostJsonAsync($"/v1/records/{penalty}/revoke", new JsonObject { ["reason"] = "复议撤销" });
            Assert.Equal(HttpStatusCode.OK, revoke.Status);
        }

        await WaitForAsync(first, p => p.Int("recordCount") == 5 && p.Int("score") == 637, "5 records, the penalty revoked: 600 + 10 + 15 + 12");
        var beforeRecords = await api.Cluster.GetGrain<ISubjectGrain>(first).GetRecordsAsync();
        var ledgerEntries = await api.Ledger.CountAsync();
        Assert.Equal(7, ledgerEntries); // 6 records and the revocation

        // Restarted agents read every partition from the forgotten checkpoint: all 7 entries go out again.
        var readBefore = api.ForgetfulLedger.EntriesRead;
        var management = api.Cluster.GetGrain<IManagementGrain>(0);
        await management.SendControlCommandToProvider<PersistentStreamProvider>(RuralCreditConstants.LedgerStreamProvider, (int)PersistentStreamProviderCommand.StopAgents);
        await management.SendControlCommandToProvider<PersistentStreamProvider>(RuralCreditConstants.LedgerStreamProvider, (int)PersistentStreamProviderCommand.StartAgents);
        await WaitUntilAsync(
            () => Task.FromResult(api.ForgetfulLedger.EntriesRead - readBefore >= ledgerEntries),
            Eventually,
            () => $"the restarted agents should read all {ledgerEntries} entries again; read {api.ForgetfulLedger.EntriesRead - readBefore}");

        // A new entry of each subject follows the old ones on its stream: once it is folded, the old ones were delivered.
        await api.SubmitAsync(
            Record(NewRecordId(), "LOAN_REPAID", first, Day(), new JsonObject { ["amount"] = 30000 }),
            Record(NewRecordId(), "SKILL_TRAINING", second, Day(), new JsonObject { ["course"] = "植保" }));
        var firstAfter = await WaitForAsync(first, p => p.Int("recordCount") == 6, "the new record folded after the redelivered ones");
        var secondAfter = await WaitForAsync(second, p => p.Int("recordCount") == 2, "the new record folded after the redelivered one");

        Assert.Equal(677, firstAfter.Int("score")); // 637 + 40: the revoked penalty stays revoked, nothing counts twice
        Assert.Equal(625, secondAfter.Int("score")); // 600 + 10 + 15
        var afterRecords = await api.Cluster.GetGrain<ISubjectGrain>(first).GetRecordsAsync();
        Assert.Equal(6, afterRecords.Select(r => r.RecordId).Distinct().Count());
        Assert.Equal(
            beforeRecords.Select(r => (r.RecordId, r.Status, r.LedgerSeq, r.History.Count)),
            afterRecords.Take(5).Select(r => (r.RecordId, r.Status, r.LedgerSeq, r.History.Count)));
        Assert.Equal(RecordStatus.Revoked, afterRecords.Single(r => r.RecordId == penalty).Status);

        JsonNode? region = null;
        await WaitUntilAsync(
            async () => (region = await api.RegionAsync(village)).Int("records24h") == 8 && region.Num("meanScore") == 651.0,
            Eventually,
            () => $"village {village} should count 8 records of 2 subjects scoring 677 and 625: {region?.ToJsonString()}");
        Assert.Equal(2, region!["subjects"]!.Int("total"));
    }

    private async Task<JsonNode> WaitForAsync(string subjectId, Func<JsonNode, bool> condition, string what)
    {
        JsonNode? profile = null;
        await WaitUntilAsync(
            async () => condition(profile = await api.ProfileAsync(subjectId)),
            Eventually,
            () => $"subject {subjectId}: {what}; profile: {profile?.ToJsonString()}");
        return profile!;
    }
}
