using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RuralCredit.Ledger;
using RuralCredit.Tests.Infrastructure;

namespace RuralCredit.Tests.Ledger;

/// <summary>A batch is appended only while fewer than the bound of entries wait for delivery, or after the longest wait.</summary>
public sealed class IngestBackPressureTests
{
    [Fact]
    public async Task A_batch_waits_while_the_backlog_is_full_and_goes_on_once_the_grains_caught_up()
    {
        var ledger = new BacklogLedger { Undelivered = 10 };
        var gate = Gate(ledger, max: 10, maxWait: TimeSpan.FromMinutes(1));

        var waiting = gate.WaitForRoomAsync(CancellationToken.None).AsTask();
        await Task.Delay(IngestBackPressure.PollInterval * 5);
        Assert.False(waiting.IsCompleted);
        Assert.True(ledger.Counts >= 2, "the backlog is counted again while the batch waits");
        Assert.Equal(10, ledger.LastLimit);

        ledger.Undelivered = 9;
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Below_the_bound_nothing_waits_and_concurrent_batches_share_one_count()
    {
        var ledger = new BacklogLedger { Undelivered = 3 };
        var gate = Gate(ledger, max: 10, maxWait: TimeSpan.FromMinutes(1));

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => gate.WaitForRoomAsync(CancellationToken.None).AsTask())).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, ledger.Counts);
    }

    [Fact]
    public async Task After_the_longest_wait_the_batch_is_appended_anyway()
    {
        var ledger = new BacklogLedger { Undelivered = 1_000 };
        var gate = Gate(ledger, max: 10, maxWait: TimeSpan.FromMilliseconds(200));
        await gate.WaitForRoomAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(ledger.Counts >= 2);
    }

    [Fact]
    public async Task A_bound_of_zero_never_counts_and_a_cancelled_batch_stops_waiting()
    {
        var ledger = new BacklogLedger { Undelivered = 1_000 };
        await Gate(ledger, max: 0, maxWait: TimeSpan.FromMinutes(1)).WaitForRoomAsync(CancellationToken.None);
        Assert.Equal(0, ledger.Counts);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Gate(ledger, max: 10, maxWait: TimeSpan.FromMinutes(1)).WaitForRoomAsync(cancel.Token).AsTask());
    }

    private static IngestBackPressure Gate(ICreditLedger ledger, long max, TimeSpan maxWait) =>
        new(ledger, Options.Create(new IngestOptions { MaxUndelivered = max, MaxWait = maxWait }), TimeProvider.System, NullLogger<IngestBackPressure>.Instance);

    /// <summary>A ledger whose undelivered backlog the test sets.</summary>
    private sealed class BacklogLedger() : DelegatingLedger(new InMemoryCreditLedger(Options.Create(new LedgerOptions())))
    {
        private int _counts;

        public volatile int Undelivered;

        public int Counts => _counts;

        public long LastLimit { get; private set; }

        public override ValueTask<long> CountUndeliveredAsync(long limit, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _counts);
            LastLimit = limit;
            return ValueTask.FromResult(Math.Min(Undelivered, limit));
        }
    }
}
