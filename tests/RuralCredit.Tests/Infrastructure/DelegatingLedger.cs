using RuralCredit.Ledger;
using RuralCredit.Models;

namespace RuralCredit.Tests.Infrastructure;

/// <summary>A ledger that passes every call to another one; tests override what they need to watch or change.</summary>
public abstract class DelegatingLedger(ICreditLedger inner) : ICreditLedger
{
    protected ICreditLedger Inner { get; } = inner;

    public int PartitionCount => Inner.PartitionCount;

    public virtual ValueTask<IReadOnlyList<AppendOutcome>> AppendAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default) =>
        Inner.AppendAsync(entries, cancellationToken);

    public virtual ValueTask<IReadOnlyList<LedgerEntry>> ReadPartitionAsync(int partition, long afterSeq, int maxCount, CancellationToken cancellationToken = default) =>
        Inner.ReadPartitionAsync(partition, afterSeq, maxCount, cancellationToken);

    public virtual ValueTask<IReadOnlyList<LedgerEntry>> ReadSubjectAsync(string subjectId, long afterSeq, CancellationToken cancellationToken = default) =>
        Inner.ReadSubjectAsync(subjectId, afterSeq, cancellationToken);

    public virtual ValueTask<IReadOnlyList<IReadOnlyList<LedgerEntry>>> ReadSubjectsAsync(IReadOnlyList<(string SubjectId, long AfterSeq)> subjects, CancellationToken cancellationToken = default) =>
        Inner.ReadSubjectsAsync(subjects, cancellationToken);

    public virtual ValueTask<LedgerRecord?> FindRecordAsync(string recordId, CancellationToken cancellationToken = default) =>
        Inner.FindRecordAsync(recordId, cancellationToken);

    public virtual ValueTask<long> GetCheckpointAsync(int partition, CancellationToken cancellationToken = default) =>
        Inner.GetCheckpointAsync(partition, cancellationToken);

    public virtual ValueTask SaveCheckpointAsync(int partition, long seq, CancellationToken cancellationToken = default) =>
        Inner.SaveCheckpointAsync(partition, seq, cancellationToken);

    public virtual ValueTask<long> CountUndeliveredAsync(long limit, CancellationToken cancellationToken = default) =>
        Inner.CountUndeliveredAsync(limit, cancellationToken);

    public virtual ValueTask<long> CountAsync(CancellationToken cancellationToken = default) => Inner.CountAsync(cancellationToken);
}
