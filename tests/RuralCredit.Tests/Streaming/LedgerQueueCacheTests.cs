using Orleans.Runtime;
using Orleans.Streams;
using RuralCredit.Models;
using RuralCredit.Streaming;

namespace RuralCredit.Tests.Streaming;

public sealed class LedgerQueueCacheTests
{
    private static LedgerBatchContainer Entry(string subject, long seq) =>
        new(StreamId.Create(RuralCreditConstants.SubjectRecordsNamespace, subject),
            new LedgerEntry { Seq = seq, SubjectId = subject, RecordId = $"r-{seq}" });

    private static List<long> Drain(IQueueCacheCursor cursor)
    {
        var seqs = new List<long>();
#pragma warning disable CS0618 // the pulling agent calls MoveNext through the interface's default MoveNextWithResult
        while (cursor.MoveNext())
#pragma warning restore CS0618
        {
            seqs.Add(((LedgerBatchContainer)cursor.GetCurrent(out _)!).Entry.Seq);
        }

        return seqs;
    }

    /// <summary>What the pulling agent does: takes the stream's entries, delivers them, then comes back for more.</summary>
    private static List<long> Deliver(IQueueCacheCursor cursor)
    {
        var seqs = Drain(cursor);
#pragma warning disable CS0618
        cursor.MoveNext(); // the next request confirms the delivery of everything handed out before it
#pragma warning restore CS0618
        return seqs;
    }

    [Fact]
    public void A_cursor_sees_only_its_own_stream_from_its_token_and_then_new_entries()
    {
        var cache = new LedgerQueueCache(100);
        cache.AddToCache([Entry("A", 1), Entry("B", 2), Entry("A", 3), Entry("B", 4), Entry("A", 5)]);

        using var a = cache.GetCacheCursor(Entry("A", 0).StreamId, Entry("A", 3).SequenceToken);
        Assert.Equal([3L, 5L], Drain(a));

        cache.AddToCache([Entry("B", 6), Entry("A", 7)]);
        Assert.Equal([7L], Drain(a));
    }

    [Fact]
    public void Purge_releases_the_ledger_prefix_whose_streams_have_all_moved_past_it()
    {
        var cache = new LedgerQueueCache(100);
        cache.AddToCache([Entry("A", 1), Entry("B", 2), Entry("A", 3)]);
        var a = cache.GetCacheCursor(Entry("A", 0).StreamId, Entry("A", 1).SequenceToken);
        var b = cache.GetCacheCursor(Entry("B", 0).StreamId, Entry("B", 2).SequenceToken);

        Assert.False(cache.TryPurgeFromCache(out _));

        Deliver(a);
        Assert.True(cache.TryPurgeFromCache(out var purged));
        Assert.Equal([1L], purged.Select(p => ((LedgerBatchContainer)p).Entry.Seq)); // 2 holds the prefix back
        Assert.Equal(2, cache.Size);

        Deliver(b);
        Assert.True(cache.TryPurgeFromCache(out purged));
        Assert.Equal([2L, 3L], purged.Select(p => ((LedgerBatchContainer)p).Entry.Seq));
        Assert.Equal(0, cache.Size);
        a.Dispose();
        b.Dispose();
    }

    [Fact]
    public void Back_pressure_is_reported_by_pressure_not_by_a_zero_add_count()
    {
        var cache = new LedgerQueueCache(16);
        cache.AddToCache(Enumerable.Range(1, 16).Select(i => (IBatchContainer)Entry("A", i)).ToList());
        var pin = cache.GetCacheCursor(Entry("A", 0).StreamId, Entry("A", 1).SequenceToken);

        Assert.True(cache.IsUnderPressure());
        Assert.True(cache.GetMaxAddCount() > 0); // the pulling agent only purges when it reads

        Deliver(pin);
        Assert.True(cache.TryPurgeFromCache(out _));
        Assert.False(cache.IsUnderPressure());
        pin.Dispose();
    }

    [Fact]
    public void Entries_handed_out_for_delivery_stay_until_the_agent_comes_back_for_more()
    {
        // A silo that dies while a delivery is in flight must not have checkpointed it: the partition's next reader
        // reads it again from the ledger. What leaves the cache is what the receiver checkpoints.
        var cache = new LedgerQueueCache(100, deliveryBatchSize: 2);
        cache.AddToCache([Entry("A", 1), Entry("A", 2), Entry("A", 3)]);
        using var a = cache.GetCacheCursor(Entry("A", 0).StreamId, Entry("A", 1).SequenceToken);

#pragma warning disable CS0618
        Assert.True(a.MoveNext());
        Assert.True(a.MoveNext()); // a full batch of 2 is handed out: 1 and 2 are in flight
        Assert.False(cache.TryPurgeFromCache(out _));

        Assert.True(a.MoveNext()); // the agent came back: 1 and 2 were delivered, 3 is in flight
        Assert.True(cache.TryPurgeFromCache(out var purged));
        Assert.Equal([1L, 2L], purged.Select(p => ((LedgerBatchContainer)p).Entry.Seq));

        Assert.False(a.MoveNext()); // the stream has no more: 3 goes out alone
        Assert.False(cache.TryPurgeFromCache(out _));

        Assert.False(a.MoveNext()); // the agent came back: 3 was delivered
#pragma warning restore CS0618
        Assert.True(cache.TryPurgeFromCache(out purged));
        Assert.Equal([3L], purged.Select(p => ((LedgerBatchContainer)p).Entry.Seq));
    }

    [Fact]
    public void A_batch_whose_delivery_failed_is_handed_out_again_and_never_purged_before_it_is_delivered()
    {
        var cache = new LedgerQueueCache(100, deliveryBatchSize: 2);
        cache.AddToCache([Entry("A", 1), Entry("A", 2), Entry("A", 3)]);
        using var a = cache.GetCacheCursor(Entry("A", 0).StreamId, Entry("A", 1).SequenceToken);

#pragma warning disable CS0618
        Assert.True(a.MoveNext());
        Assert.True(a.MoveNext()); // a full batch of 2 is handed out: 1 and 2 are in flight
        a.RecordDeliveryFailure(); // the agent gave up on them
        Assert.False(cache.TryPurgeFromCache(out _));
        Assert.Equal(1, cache.Redeliveries);

        Assert.True(a.MoveNext()); // the agent's next request: the failed batch again, not a confirmation of it
        Assert.Equal(1L, ((LedgerBatchContainer)a.GetCurrent(out _)!).Entry.Seq);
        Assert.False(cache.TryPurgeFromCache(out _));
        Assert.True(a.MoveNext());
        Assert.Equal(2L, ((LedgerBatchContainer)a.GetCurrent(out _)!).Entry.Seq);

        Assert.True(a.MoveNext()); // delivered this time: the agent came back, 3 is in flight
#pragma warning restore CS0618
        Assert.True(cache.TryPurgeFromCache(out var purged));
        Assert.Equal([1L, 2L], purged.Select(p => ((LedgerBatchContainer)p).Entry.Seq));
    }
}
