using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RuralCredit.Ledger;
using RuralCredit.Models;
using RuralCredit.Streaming;
using RuralCredit.Tests.Infrastructure;
using RuralCredit.Tests.Ledger;

namespace RuralCredit.Tests.Streaming;

/// <summary>
/// A partition's receiver reads the ledger at every ask while entries come or the partition has been empty for less
/// than a second; after that, every <see cref="LedgerOptions.IdlePollInterval"/> until it has entries again. Nothing
/// appended is ever missed, only found later.
/// </summary>
public sealed class LedgerQueueReceiverTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20); // the pulling agents' period

    [Fact]
    public async Task A_partition_quiet_for_a_second_is_read_every_idle_interval_until_entries_come()
    {
        var (ledger, time, receiver) = await StartAsync(TimeSpan.FromMilliseconds(250));

        // Empty, but not yet for a second: read at every ask.
        for (var i = 0; i < 50; i++)
        {
            Assert.Empty(await receiver.GetQueueMessagesAsync(100, CancellationToken.None));
            time.Advance(Poll);
        }

        Assert.Equal(50, ledger.Reads);

        // Quiet for a second now: 50 asks over the next second are 3 reads (the first 250 ms after the last read, in steps of 20 ms).
        for (var i = 0; i < 50; i++)
        {
            Assert.Empty(await receiver.GetQueueMessagesAsync(100, CancellationToken.None));
            time.Advance(Poll);
        }

        Assert.Equal(3, ledger.Reads - 50);

        // A record appended meanwhile is found at the next read, at most one interval later; then every ask reads again.
        await ledger.AppendAsync([CreditLedgerContract.Record("S1", "r-1")]);
        var found = new List<string>();
        for (var i = 0; i < 13 && found.Count == 0; i++)
        {
            found.AddRange((await receiver.GetQueueMessagesAsync(100, CancellationToken.None)).Cast<LedgerBatchContainer>().Select(c => c.Entry.RecordId));
            time.Advance(Poll);
        }

        Assert.Equal(["r-1"], found);
        var reads = ledger.Reads;
        for (var i = 0; i < 10; i++)
        {
            Assert.Empty(await receiver.GetQueueMessagesAsync(100, CancellationToken.None));
            time.Advance(Poll);
        }

        Assert.Equal(reads + 10, ledger.Reads);
    }

    [Fact]
    public async Task With_no_idle_interval_every_ask_reads()
    {
        var (ledger, time, receiver) = await StartAsync(TimeSpan.Zero);
        for (var i = 0; i < 200; i++)
        {
            Assert.Empty(await receiver.GetQueueMessagesAsync(100, CancellationToken.None));
            time.Advance(Poll);
        }

        Assert.Equal(200, ledger.Reads);
    }

    private static async Task<(CountingLedger Ledger, FakeTimeProvider Time, LedgerQueueReceiver Receiver)> StartAsync(TimeSpan idlePollInterval)
    {
        var ledger = new CountingLedger(new InMemoryCreditLedger(Options.Create(new LedgerOptions { Partitions = 1 })));
        var time = new FakeTimeProvider();
        var receiver = new LedgerQueueReceiver(ledger, 0, "ledger", new LedgerQueueIdle(idlePollInterval, time), NullLogger<LedgerQueueReceiver>.Instance);
        await receiver.Initialize(TimeSpan.FromSeconds(5));
        return (ledger, time, receiver);
    }

    private sealed class CountingLedger(ICreditLedger inner) : DelegatingLedger(inner)
    {
        public int Reads { get; private set; }

        public override ValueTask<IReadOnlyList<LedgerEntry>> ReadPartitionAsync(int partition, long afterSeq, int maxCount, CancellationToken cancellationToken = default)
        {
            Reads++;
            return base.ReadPartitionAsync(partition, afterSeq, maxCount, cancellationToken);
        }
    }
}
