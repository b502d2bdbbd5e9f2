using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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

    public virtual ValueTask<IReadOnlyDictionary<string, LedgerRecord>> FindRecordsAsync(IReadOnlyCollection<string> recordIds, CancellationToken cancellationToken = default) =>
        Inner.FindRecordsAsync(recordIds, cancellationToken);

    public virtual ValueTask<long> GetCheckpointAsync(int partition, CancellationToken cancellationToken = default) =>
        Inner.GetCheckpointAsync(partition, cancellationToken);

    public virtual ValueTask SaveCheckpointAsync(int partition, long seq, CancellationToken cancellationToken = default) =>
        Inner.SaveCheckpointAsync(partition, seq, cancellationToken);

    public virtual ValueTask<long> CountUndeliveredAsync(long limit, CancellationToken cancellationToken = default) =>
        Inner.CountUndeliveredAsync(limit, cancellationToken);

    public virtual ValueTask<long> CountAsync(CancellationToken cancellationToken = default) => Inner.CountAsync(cancellationToken);
}

/// <summary>Test hosts that watch or change what their silo's ledger does.</summary>
public static class LedgerTestServices
{
    /// <summary>Makes the silo's ledger <paramref name="wrap"/> of the in-memory ledger.</summary>
    public static IServiceCollection WrapInMemoryLedger(this IServiceCollection services, Func<ICreditLedger, DelegatingLedger> wrap)
    {
        services.RemoveAll<ICreditLedger>();
        services.AddSingleton<InMemoryCreditLedger>();
        return services.AddSingleton<ICreditLedger>(sp => wrap(sp.GetRequiredService<InMemoryCreditLedger>()));
    }
}
