using RuralCredit.Models;

namespace RuralCredit.Ledger;

/// <summary>How an append of one entry ended.</summary>
public enum AppendStatus
{
    Appended,
    Duplicate,
    Conflict,
}

/// <summary>Outcome of one entry of an append: its sequence number when appended or already there.</summary>
public readonly record struct AppendOutcome(AppendStatus Status, long Seq);

/// <summary>What the ledger knows of a record: the entry that created it and its current status.</summary>
public sealed record LedgerRecord(LedgerEntry Entry, string Status);

/// <summary>
/// The append-only credit ledger (信用档案): every record ever received and every status change, in sequence.
/// Partitioned by subject so that one partition is one stream queue; entries of a subject keep their order.
/// </summary>
public interface ICreditLedger
{
    /// <summary>Number of partitions (stream queues).</summary>
    int PartitionCount { get; }

    /// <summary>
    /// Appends entries durably, in order, and returns once they are durable. A record entry whose record id
    /// exists is a duplicate when its content hash matches, else a conflict; neither is appended.
    /// <see cref="LedgerEntry.Seq"/> and <see cref="LedgerEntry.PreviousSubjectSeq"/> are assigned here.
    /// </summary>
    ValueTask<IReadOnlyList<AppendOutcome>> AppendAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>Entries of a partition with sequence greater than <paramref name="afterSeq"/>, in order.</summary>
    ValueTask<IReadOnlyList<LedgerEntry>> ReadPartitionAsync(int partition, long afterSeq, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Entries of a subject with sequence greater than <paramref name="afterSeq"/>, in order.</summary>
    ValueTask<IReadOnlyList<LedgerEntry>> ReadSubjectAsync(string subjectId, long afterSeq, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="ReadSubjectAsync"/> for many subjects at once (one round trip): the result has one list per request,
    /// in the order of the requests.
    /// </summary>
    ValueTask<IReadOnlyList<IReadOnlyList<LedgerEntry>>> ReadSubjectsAsync(IReadOnlyList<(string SubjectId, long AfterSeq)> subjects, CancellationToken cancellationToken = default);

    /// <summary>Records by id with their current status (one round trip): the records found, by id.</summary>
    ValueTask<IReadOnlyDictionary<string, LedgerRecord>> FindRecordsAsync(IReadOnlyCollection<string> recordIds, CancellationToken cancellationToken = default);

    /// <summary>A record by id with its current status, or null.</summary>
    async ValueTask<LedgerRecord?> FindRecordAsync(string recordId, CancellationToken cancellationToken = default) =>
        (await FindRecordsAsync([recordId], cancellationToken)).GetValueOrDefault(recordId);

    /// <summary>The last delivered sequence of a partition (0 when none).</summary>
    ValueTask<long> GetCheckpointAsync(int partition, CancellationToken cancellationToken = default);

    /// <summary>Stores the last delivered sequence of a partition (never moves backwards).</summary>
    ValueTask SaveCheckpointAsync(int partition, long seq, CancellationToken cancellationToken = default);

    /// <summary>
    /// Entries appended but not yet delivered by the ledger stream (past their partition's checkpoint), counted up to
    /// <paramref name="limit"/>: what ingest back-pressure watches.
    /// </summary>
    ValueTask<long> CountUndeliveredAsync(long limit, CancellationToken cancellationToken = default);

    /// <summary>Total entries appended.</summary>
    ValueTask<long> CountAsync(CancellationToken cancellationToken = default);
}

/// <summary>Stable partitioning of subjects (FNV-1a of the subject id, modulo the partition count).</summary>
public static class LedgerPartitioner
{
    public static int PartitionOf(string subjectId, int partitionCount)
    {
        var hash = 2166136261u;
        foreach (var c in subjectId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)partitionCount);
    }
}
