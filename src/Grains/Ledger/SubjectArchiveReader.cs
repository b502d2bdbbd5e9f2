using RuralCredit.Models;

namespace RuralCredit.Ledger;

/// <summary>
/// What subject and household grains read on activation (a subject's registration and its ledger entries past the
/// snapshot's watermark, a household's members), batched across the grains that activate at the same time on this
/// silo: a cold start of many subjects costs a few round trips per batch, not one per read. A read that finds
/// nothing else in flight goes out at once.
/// </summary>
public sealed class SubjectArchiveReader(ICreditLedger ledger, ISubjectDirectory directory)
{
    private readonly ReadBatcher<(string SubjectId, long AfterSeq), IReadOnlyList<LedgerEntry>> _entries =
        new((batch, ct) => ledger.ReadSubjectsAsync(batch, ct));

    private readonly ReadBatcher<string, SubjectInfo?> _infos =
        new((batch, ct) => directory.FindInfosAsync(batch, ct));

    private readonly ReadBatcher<string, IReadOnlyList<(string SubjectId, string VillageCode)>> _members =
        new((batch, ct) => directory.ListByHouseholdsAsync(batch, ct));

    /// <summary>The subject's ledger entries with sequence greater than <paramref name="afterSeq"/>, in order.</summary>
    public Task<IReadOnlyList<LedgerEntry>> ReadEntriesAsync(string subjectId, long afterSeq) => _entries.ReadAsync((subjectId, afterSeq));

    /// <summary>The subject's registration, or null.</summary>
    public Task<SubjectInfo?> FindInfoAsync(string subjectId) => _infos.ReadAsync(subjectId);

    /// <summary>The members of a household as registered (subject id and village).</summary>
    public Task<IReadOnlyList<(string SubjectId, string VillageCode)>> ListHouseholdAsync(string householdId) => _members.ReadAsync(householdId);
}

/// <summary>
/// Coalesces single reads into batched reads: at most <c>maxInFlight</c> batches run at once; requests that arrive
/// meanwhile wait for the next batch (at most <c>maxBatch</c> each). Results come back in request order.
/// </summary>
internal sealed class ReadBatcher<TRequest, TResult>(
    Func<IReadOnlyList<TRequest>, CancellationToken, ValueTask<IReadOnlyList<TResult>>> readMany,
    int maxInFlight = 4,
    int maxBatch = 256)
{
    private readonly Lock _gate = new();
    private readonly Queue<(TRequest Request, TaskCompletionSource<TResult> Result)> _pending = new();
    private int _inFlight;

    public Task<TResult> ReadAsync(TRequest request)
    {
        var result = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _pending.Enqueue((request, result));
            start = _inFlight < maxInFlight;
            if (start)
            {
                _inFlight++;
            }
        }

        if (start)
        {
            _ = Task.Run(DrainAsync);
        }

        return result.Task;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<(TRequest Request, TaskCompletionSource<TResult> Result)> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _inFlight--;
                    return;
                }

                batch = new(Math.Min(_pending.Count, maxBatch));
                while (batch.Count < maxBatch && _pending.TryDequeue(out var next))
                {
                    batch.Add(next);
                }
            }

            try
            {
                var results = await readMany(batch.Select(b => b.Request).ToList(), CancellationToken.None);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Result.TrySetResult(results[i]);
                }
            }
            catch (Exception e)
            {
                foreach (var (_, result) in batch)
                {
                    result.TrySetException(e);
                }
            }
        }
    }
}
