using Microsoft.Extensions.Options;
using RuralCredit.Models;

namespace RuralCredit.Ledger;

/// <summary>Options section <c>Ledger</c>.</summary>
public sealed class LedgerOptions
{
    public const string SectionName = "Ledger";

    /// <summary>Number of partitions, i.e. stream queues (fixed for the life of a ledger).</summary>
    public int Partitions { get; set; } = 8;

    /// <summary>
    /// Entries each partition's stream cache holds between reading them and their delivery to every subject: the
    /// bound on fold work queued in a silo (a read waits behind what is queued).
    /// </summary>
    public int CacheSize { get; set; } = 8192;

    /// <summary>
    /// How long a silo keeps the delivery state of a subject's stream after its last entry. A subject's stream is sparse
    /// (a record now and then): forgotten, the next entry costs a new handshake with the subject; kept, it costs memory
    /// for every subject that received anything within the period.
    /// </summary>
    public TimeSpan StreamInactivityPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a partition found empty for <see cref="LedgerQueueIdle.After"/> is read (the pulling agents ask every
    /// 20 ms). An idle cluster then reads its partitions a few times a second instead of fifty (in the postgres profile,
    /// a query each); the first record after a quiet second waits up to this long. Zero reads at every ask.
    /// </summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>The ledger of the embedded profile: in process memory, nothing is durable across restarts.</summary>
public sealed class InMemoryCreditLedger(IOptions<LedgerOptions> options) : ICreditLedger
{
    private readonly Lock _gate = new();
    private readonly List<LedgerEntry>[] _partitions = Enumerable.Range(0, options.Value.Partitions).Select(_ => new List<LedgerEntry>()).ToArray();
    private readonly long[] _checkpoints = new long[options.Value.Partitions];
    private readonly Dictionary<string, List<LedgerEntry>> _bySubject = new(StringComparer.Ordinal);

    /// <summary>Each record's entry and current status, held inline (no object per record).</summary>
    private readonly Dictionary<string, (LedgerEntry Entry, string Status)> _records = new(StringComparer.Ordinal);
    private long _seq;

    public int PartitionCount => _partitions.Length;

    public ValueTask<IReadOnlyList<AppendOutcome>> AppendAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default)
    {
        var outcomes = new AppendOutcome[entries.Count];
        lock (_gate)
        {
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                if (entry.Kind == LedgerEntryKind.Record && _records.TryGetValue(entry.RecordId, out var existing))
                {
                    outcomes[i] = existing.Entry.ContentHash == entry.ContentHash
                        ? new AppendOutcome(AppendStatus.Duplicate, existing.Entry.Seq)
                        : new AppendOutcome(AppendStatus.Conflict, existing.Entry.Seq);
                    continue;
                }

                if (!_bySubject.TryGetValue(entry.SubjectId, out var subjectEntries))
                {
                    _bySubject[entry.SubjectId] = subjectEntries = [];
                }

                var stored = entry with
                {
                    Seq = ++_seq,
                    PreviousSubjectSeq = subjectEntries.Count == 0 ? 0 : subjectEntries[^1].Seq,
                    SubjectId = subjectEntries.Count == 0 ? entry.SubjectId : subjectEntries[0].SubjectId, // one copy per subject
                };
                subjectEntries.Add(stored);
                _partitions[LedgerPartitioner.PartitionOf(entry.SubjectId, _partitions.Length)].Add(stored);
                ApplyStatus(stored);
                outcomes[i] = new AppendOutcome(AppendStatus.Appended, stored.Seq);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<AppendOutcome>>(outcomes);
    }

    private void ApplyStatus(LedgerEntry stored)
    {
        if (stored.Kind == LedgerEntryKind.Record)
        {
            _records[stored.RecordId] = (stored, RecordStatus.Active);
            if (stored.Supersedes is { } old && _records.TryGetValue(old, out var superseded))
            {
                _records[old] = (superseded.Entry, RecordStatus.Revoked);
            }
        }
        else if (stored.NewStatus is { } status && _records.TryGetValue(stored.RecordId, out var target))
        {
            _records[stored.RecordId] = (target.Entry, status);
        }
    }

    public ValueTask<IReadOnlyList<LedgerEntry>> ReadPartitionAsync(int partition, long afterSeq, int maxCount, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var list = _partitions[partition];
            var start = FirstAfter(list, afterSeq);
            var count = Math.Min(maxCount, list.Count - start);
            return ValueTask.FromResult<IReadOnlyList<LedgerEntry>>(count <= 0 ? [] : list.GetRange(start, count));
        }
    }

    public async ValueTask<IReadOnlyList<IReadOnlyList<LedgerEntry>>> ReadSubjectsAsync(IReadOnlyList<(string SubjectId, long AfterSeq)> subjects, CancellationToken cancellationToken = default)
    {
        var results = new IReadOnlyList<LedgerEntry>[subjects.Count];
        for (var i = 0; i < subjects.Count; i++)
        {
            results[i] = await ReadSubjectAsync(subjects[i].SubjectId, subjects[i].AfterSeq, cancellationToken);
        }

        return results;
    }

    public ValueTask<IReadOnlyList<LedgerEntry>> ReadSubjectAsync(string subjectId, long afterSeq, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_bySubject.TryGetValue(subjectId, out var list))
            {
                return ValueTask.FromResult<IReadOnlyList<LedgerEntry>>([]);
            }

            var start = FirstAfter(list, afterSeq);
            return ValueTask.FromResult<IReadOnlyList<LedgerEntry>>(list.GetRange(start, list.Count - start));
        }
    }

    public ValueTask<IReadOnlyDictionary<string, LedgerRecord>> FindRecordsAsync(IReadOnlyCollection<string> recordIds, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, LedgerRecord>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var id in recordIds)
            {
                if (_records.TryGetValue(id, out var record))
                {
                    found[id] = new LedgerRecord(record.Entry, record.Status);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<string, LedgerRecord>>(found);
    }

    public ValueTask<long> GetCheckpointAsync(int partition, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_checkpoints[partition]);
        }
    }

    public ValueTask SaveCheckpointAsync(int partition, long seq, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _checkpoints[partition] = Math.Max(_checkpoints[partition], seq);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<long> CountUndeliveredAsync(long limit, CancellationToken cancellationToken = default)
    {
        long count = 0;
        lock (_gate)
        {
            for (var p = 0; p < _partitions.Length && count < limit; p++)
            {
                count += _partitions[p].Count - FirstAfter(_partitions[p], _checkpoints[p]);
            }
        }

        return ValueTask.FromResult(Math.Min(count, limit));
    }

    public ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_seq);
        }
    }

    /// <summary>Index of the first entry with sequence greater than <paramref name="afterSeq"/> (entries are in order).</summary>
    private static int FirstAfter(List<LedgerEntry> list, long afterSeq)
    {
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid].Seq <= afterSeq)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
