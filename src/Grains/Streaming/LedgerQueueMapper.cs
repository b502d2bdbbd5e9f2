using Orleans.Runtime;
using Orleans.Streams;
using RuralCredit.Ledger;

namespace RuralCredit.Streaming;

/// <summary>Maps a subject's stream to its ledger partition: one queue per partition.</summary>
public sealed class LedgerQueueMapper : IConsistentRingStreamQueueMapper
{
    private readonly QueueId[] _queues;

    public LedgerQueueMapper(string providerName, int partitions)
    {
        var step = uint.MaxValue / (uint)partitions;
        _queues = Enumerable.Range(0, partitions)
            .Select(i => QueueId.GetQueueId(providerName, (uint)i, (uint)i * step))
            .ToArray();
    }

    public IEnumerable<QueueId> GetAllQueues() => _queues;

    /// <summary>The queues whose hash lies in a silo's range of the consistent ring (how silos share queues).</summary>
    public IEnumerable<QueueId> GetQueuesForRange(IRingRange range) => _queues.Where(q => range.InRange(q.GetUniformHashCode()));

    public QueueId GetQueueForStream(StreamId streamId) =>
        _queues[LedgerPartitioner.PartitionOf(streamId.GetKeyAsString(), _queues.Length)];

    /// <summary>The ledger partition a queue reads.</summary>
    public static int PartitionOf(QueueId queueId) => (int)queueId.GetNumericId();
}
