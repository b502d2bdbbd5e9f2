using RuralCredit.Models;
using System.Collections.Concurrent;

namespace RuralCredit.Grains;

/// <summary>
/// Summaries on their way from this silo's subjects to their villages. A subject hands its summary over and awaits the
/// task it gets back, done once the village holds the summary, faulted when the call failed (the subject then sends its
/// current summary again). The summaries for one village travel one call at a time: those handed over while a call is
/// out go together in the next, up to <see cref="MaxBatch"/> a call. A lone summary goes at once; during an import, when
/// hundreds of a village's subjects fold at the same moment, the village takes a few calls instead of hundreds, and the
/// silo makes a few instead of one per delivery.
/// </summary>
/// <param name="village">The village grain of a code (made once per village and kept).</param>
public sealed class VillageOutbox(Func<string, IVillageGrain> village)
{
    /// <summary>Most summaries in one call.</summary>
    public const int MaxBatch = 512;

    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <summary>The outbox of a silo, calling its villages through <paramref name="grains"/>.</summary>
    public static VillageOutbox For(IGrainFactory grains) => new(code => grains.ByKey<IVillageGrain>(code));

    /// <summary>Sends <paramref name="summary"/> to its village with the others waiting for it.</summary>
    public Task SendAsync(string villageCode, SubjectSummary summary) =>
        _lanes.GetOrAdd(villageCode, static (code, factory) => new Lane(factory(code)), village).Enqueue(summary);

    /// <summary>The batches waiting for one village, the first of them being sent while <see cref="_sending"/>.</summary>
    private sealed class Lane(IVillageGrain village)
    {
        private readonly Lock _gate = new();
        private readonly List<Batch> _batches = []; // in order; a few at most
        private bool _sending;

        public Task Enqueue(SubjectSummary summary)
        {
            Task done;
            lock (_gate)
            {
                // The first batch is out while sending; a new summary joins the last batch that is not out yet and has room.
                if (_batches.Count == (_sending ? 1 : 0) || _batches[^1].Summaries.Count >= MaxBatch)
                {
                    _batches.Add(new Batch());
                }

                var batch = _batches[^1];
                batch.Summaries.Add(summary);
                done = batch.Delivered.Task;
                if (_sending)
                {
                    return done;
                }

                _sending = true;
            }

            // Not on the subject's turn nor in its execution context: the call is the silo's, not the subject's (no request
            // context of one subject travels with the others' summaries).
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(PumpAsync);
            }

            return done;
        }

        /// <summary>
        /// Sends the batches in order until none is left. While <see cref="_sending"/> the first batch is the one out, so
        /// the lane is never empty then: the batch that has arrived leaves the list and the lane stops sending under one
        /// lock (a summary handed over in between would otherwise find the lane sending with no batch in it).
        /// </summary>
        private async Task PumpAsync()
        {
            while (true)
            {
                Batch batch;
                lock (_gate)
                {
                    batch = _batches[0]; // started with the batch just added, and looping only while one is left
                }

                try
                {
                    await village.UpdateSubjectsAsync(batch.Summaries);
                    batch.Delivered.TrySetResult();
                }
                catch (Exception e)
                {
                    batch.Delivered.TrySetException(e);
                }

                lock (_gate)
                {
                    _batches.RemoveAt(0);
                    if (_batches.Count == 0)
                    {
                        _sending = false;
                        return;
                    }
                }
            }
        }
    }

    private sealed class Batch
    {
        public List<SubjectSummary> Summaries { get; } = [];

        public TaskCompletionSource Delivered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
