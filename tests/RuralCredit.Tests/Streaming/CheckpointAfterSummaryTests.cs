using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using RuralCredit.Ledger;
using RuralCredit.Models;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Streaming;

/// <summary>Holds <see cref="IVillageGrain.UpdateSubjectsAsync"/> back for <see cref="DelayMs"/> before the village gets it.</summary>
public sealed class SlowVillage : IIncomingGrainCallFilter
{
    private readonly ConcurrentQueue<(SubjectSummary Summary, long At)> _received = new();

    public volatile int DelayMs;

    /// <summary>Summaries the village has applied, with <see cref="Stopwatch.GetTimestamp"/> when it did.</summary>
    public IReadOnlyCollection<(SubjectSummary Summary, long At)> Received => _received;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name != nameof(IVillageGrain.UpdateSubjectsAsync))
        {
            await context.Invoke();
            return;
        }

        if (DelayMs > 0)
        {
            await Task.Delay(DelayMs);
        }

        await context.Invoke();
        var at = Stopwatch.GetTimestamp();
        foreach (var summary in (IReadOnlyList<SubjectSummary>)context.Request.GetArgument(0)!)
        {
            _received.Enqueue((summary, at));
        }
    }
}

/// <summary>A ledger that records every checkpoint saved: partition, sequence and <see cref="Stopwatch.GetTimestamp"/>.</summary>
public sealed class CheckpointWatchingLedger(ICreditLedger inner) : DelegatingLedger(inner)
{
    private readonly ConcurrentQueue<(int Partition, long Seq, long At)> _saved = new();

    public IReadOnlyCollection<(int Partition, long Seq, long At)> Saved => _saved;

    public override async ValueTask SaveCheckpointAsync(int partition, long seq, CancellationToken cancellationToken = default)
    {
        await Inner.SaveCheckpointAsync(partition, seq, cancellationToken);
        _saved.Enqueue((partition, seq, Stopwatch.GetTimestamp()));
    }
}

/// <summary>A host whose villages answer late and whose ledger records every checkpoint.</summary>
public sealed class SlowVillageApiFactory : CallFilterApiFactory<SlowVillage>
{
    public CheckpointWatchingLedger WatchingLedger => (CheckpointWatchingLedger)Ledger;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.WrapInMemoryLedger(inner => new CheckpointWatchingLedger(inner)));
    }
}

/// <summary>
/// A ledger partition's checkpoint passes an entry only once the subject's village holds the summary that counts it.
/// Otherwise a silo dying between the two loses the change for good: the partition's new reader starts after the
/// checkpoint and never delivers the entry again, the village's silo lived so it has no reason to reconcile, and the
/// subject is not activated again until its next record or read.
/// </summary>
public sealed class CheckpointAfterSummaryTests(SlowVillageApiFactory api) : IClassFixture<SlowVillageApiFactory>
{
    [Fact]
    public Task The_checkpoint_passes_an_entry_only_after_the_village_holds_the_summary_that_counts_it() =>
        CheckpointAfterVillageAsync(deactivateFirst: false);

    /// <summary>
    /// The entry's delivery activates the subject, whose activation folds it from the ledger and sends the summary;
    /// the delivery itself then finds nothing new, and must still wait for that summary.
    /// </summary>
    [Fact]
    public Task The_checkpoint_waits_for_the_summary_sent_by_the_activation_that_the_delivery_caused() =>
        CheckpointAfterVillageAsync(deactivateFirst: true);

    private async Task CheckpointAfterVillageAsync(bool deactivateFirst)
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        await api.WaitForVillageAsync(village, records24h: 0);
        if (deactivateFirst)
        {
            await api.DeactivateSubjectAsync(farmer);
        }

        api.Filter.DelayMs = 2_000;
        try
        {
            var recordId = NewRecordId();
            await api.SubmitAsync(Record(recordId, "GOV_FAMILY_VIRTUE", farmer, Day(), new JsonObject { ["event"] = "孝老爱亲" }));
            var seq = (await api.Ledger.FindRecordAsync(recordId))!.Entry.Seq;
            var partition = LedgerPartitioner.PartitionOf(farmer, api.Ledger.PartitionCount);

            await api.WaitForVillageAsync(village, records24h: 1);
            await WaitUntilAsync(
                () => Task.FromResult(api.WatchingLedger.Saved.Any(s => s.Partition == partition && s.Seq >= seq)),
                Eventually,
                $"partition {partition}'s checkpoint should pass sequence {seq}");

            var passed = api.WatchingLedger.Saved.Where(s => s.Partition == partition && s.Seq >= seq).Min(s => s.At);
            var received = api.Filter.Received.Where(r => r.Summary.SubjectId == farmer && r.Summary.RecentReceipts.Count == 1).Select(r => r.At).Order().ToList();
            Assert.NotEmpty(received);
            Assert.True(
                received[0] <= passed,
                $"the checkpoint passed sequence {seq} {Stopwatch.GetElapsedTime(passed, received[0]).TotalMilliseconds:0} ms before the village received the subject's summary counting it");
        }
        finally
        {
            api.Filter.DelayMs = 0;
        }
    }
}
