using System.Diagnostics.CodeAnalysis;
using Orleans.Runtime;
using Orleans.Streams;

namespace RuralCredit.Streaming;

/// <summary>
/// The cache of one ledger queue, indexed by stream. A ledger queue carries many thousands of subject streams
/// with a handful of entries each, so a cursor must not walk the entries of other streams (as a single linked
/// list cache does): each stream keeps its own list and a cursor is an index into it. Entries leave the cache
/// in ledger order once every cursor of their stream has had them delivered; that prefix is what the receiver
/// checkpoints. An entry handed out is not delivered yet: the pulling agent takes up to
/// <paramref name="deliveryBatchSize"/> entries of a stream (until the stream has no more), delivers them, and only
/// then asks its cursor for more — that next request is what confirms the delivery. Purging at hand-out would let the
/// checkpoint pass entries whose delivery dies with the silo, and a subject that receives nothing later would never
/// fold them.
/// </summary>
public sealed class LedgerQueueCache(int maxSize, int deliveryBatchSize = 1) : IQueueCache
{
    private readonly Queue<Slot> _all = new();
    private readonly Dictionary<StreamId, StreamSlots> _streams = [];

    internal sealed record Slot(IBatchContainer Batch, StreamSlots Stream, long Index);

    /// <summary>The cached entries of one stream; indices are absolute (purged entries keep theirs).</summary>
    internal sealed class StreamSlots(StreamId streamId)
    {
        public StreamId StreamId { get; } = streamId;
        public List<IBatchContainer> Items { get; } = [];
        public long Offset { get; set; }
        public List<Cursor> Cursors { get; } = [];
        public long End => Offset + Items.Count;

        public long MinCursorPosition()
        {
            var min = long.MaxValue;
            foreach (var c in Cursors)
            {
                min = Math.Min(min, c.Delivered);
            }

            return min;
        }
    }

    public int Size => _all.Count;

    /// <summary>Batches whose delivery failed and that were handed out again (a stuck subject keeps counting).</summary>
    public long Redeliveries { get; private set; }

    private void RecordRedelivery() => Redeliveries++;

    /// <summary>
    /// Constant read size: the pulling agent purges only inside a read, and stops before reading when this is
    /// zero, so back-pressure is left to <see cref="IsUnderPressure"/> (checked after the purge).
    /// </summary>
    public int GetMaxAddCount() => Math.Clamp(maxSize / 8, 1, 1024);

    public bool IsUnderPressure() => _all.Count >= maxSize;

    public void AddToCache(IList<IBatchContainer> messages)
    {
        foreach (var batch in messages)
        {
            if (!_streams.TryGetValue(batch.StreamId, out var stream))
            {
                _streams[batch.StreamId] = stream = new StreamSlots(batch.StreamId);
            }

            _all.Enqueue(new Slot(batch, stream, stream.End));
            stream.Items.Add(batch);
        }
    }

    public bool TryPurgeFromCache([MaybeNullWhen(false)] out IList<IBatchContainer> purgedItems)
    {
        List<IBatchContainer>? purged = null;
        while (_all.TryPeek(out var slot) && slot.Stream.MinCursorPosition() > slot.Index)
        {
            _all.Dequeue();
            var stream = slot.Stream;
            stream.Items.RemoveAt(0);
            stream.Offset++;
            if (stream.Items.Count == 0 && stream.Cursors.Count == 0)
            {
                _streams.Remove(stream.StreamId);
            }

            (purged ??= []).Add(slot.Batch);
        }

        purgedItems = purged;
        return purged is not null;
    }

    public IQueueCacheCursor GetCacheCursor(StreamId streamId, StreamSequenceToken? token)
    {
        if (!_streams.TryGetValue(streamId, out var stream))
        {
            _streams[streamId] = stream = new StreamSlots(streamId);
        }

        var position = stream.Offset;
        if (token is not null)
        {
            while (position < stream.End && stream.Items[(int)(position - stream.Offset)].SequenceToken.Older(token))
            {
                position++;
            }
        }

        var cursor = new Cursor(this, stream, position, Math.Max(1, deliveryBatchSize));
        stream.Cursors.Add(cursor);
        return cursor;
    }

    private void Release(Cursor cursor)
    {
        var stream = cursor.Stream;
        stream.Cursors.Remove(cursor);
        if (stream.Items.Count == 0 && stream.Cursors.Count == 0 && _streams.TryGetValue(stream.StreamId, out var held) && ReferenceEquals(held, stream))
        {
            _streams.Remove(stream.StreamId);
        }
    }

    /// <summary>A stream's read position: the next absolute index it will hand out, and how far delivery is confirmed.</summary>
    internal sealed class Cursor(LedgerQueueCache cache, StreamSlots stream, long position, int deliveryBatchSize) : IQueueCacheCursor
    {
        private IBatchContainer? _current;
        private bool _disposed;
        private bool _collecting;
        private int _collected;

        public StreamSlots Stream { get; } = stream;

        /// <summary>Entries before this index have been handed out (or skipped); unset cursors hold none.</summary>
        public long Position { get; private set; } = position;

        /// <summary>Entries before this index have been delivered: the agent came back for more after handing them on.</summary>
        public long Delivered { get; private set; } = position;

        public IBatchContainer? GetCurrent(out Exception? exception)
        {
            exception = null;
            return _current;
        }

        public bool MoveNext()
        {
            if (_disposed)
            {
                return false;
            }

            if (!_collecting)
            {
                // The agent asks for the next batch only once the previous one was delivered (or given up).
                Delivered = Position;
                _collecting = true;
                _collected = 0;
            }

            if (Position < Stream.Offset)
            {
                Position = Delivered = Stream.Offset; // entries purged under us (never for a live cursor; defensive)
            }

            if (Position >= Stream.End)
            {
                _current = null;
                _collecting = false; // the batch is complete: it goes out now
                return false;
            }

            _current = Stream.Items[(int)(Position - Stream.Offset)];
            Position++;
            if (++_collected >= deliveryBatchSize)
            {
                _collecting = false; // a full batch goes out now
            }

            return true;
        }

        public void Refresh(StreamSequenceToken token)
        {
            // The stream's list grows in place: a cursor at its end sees new entries without a refresh.
        }

        /// <summary>
        /// The agent gave up delivering the batch handed out last (the subject could not fold it for longer than the
        /// agent's delivery time: its storage or the ledger unreachable). The batch is handed out again on the agent's
        /// next request instead of counting as delivered: the checkpoint never passes entries no subject has folded,
        /// and an active subject that receives nothing later does not keep a profile without them.
        /// </summary>
        public void RecordDeliveryFailure()
        {
            Position = Delivered;
            _collecting = false;
            _current = null;
            cache.RecordRedelivery();
        }

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _current = null;
            cache.Release(this);
        }
    }
}

/// <summary>Creates a <see cref="LedgerQueueCache"/> per queue.</summary>
public sealed class LedgerQueueAdapterCache(int maxSize, int deliveryBatchSize) : IQueueAdapterCache
{
    public IQueueCache CreateQueueCache(QueueId queueId) => new LedgerQueueCache(maxSize, deliveryBatchSize);
}
