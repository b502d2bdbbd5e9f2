using Orleans.Timers;

namespace RuralCredit.Grains;

/// <summary>
/// Coalesces state writes of a grain: many changes within <c>delay</c> become one write. Safe for snapshots
/// that can be rebuilt (subjects catch up from the ledger; regions are re-sent their children's summaries).
/// </summary>
internal sealed class DeferredWrite<TState>(Grain grain, IPersistentState<TState> state, TimeSpan delay)
{
    private IGrainTimer? _timer;

    public bool IsDirty { get; private set; }

    /// <summary>Marks the state changed and makes sure a write is scheduled.</summary>
    public void MarkDirty()
    {
        IsDirty = true;
        if (_timer is not null)
        {
            return;
        }

        _timer = grain.RegisterGrainTimer(static (self, ct) => self.FlushAsync(), this, new GrainTimerCreationOptions
        {
            DueTime = delay,
            Period = Timeout.InfiniteTimeSpan,
            Interleave = false,
            KeepAlive = false,
        });
    }

    /// <summary>Writes now when dirty.</summary>
    public async Task FlushAsync()
    {
        _timer?.Dispose();
        _timer = null;
        if (!IsDirty)
        {
            return;
        }

        IsDirty = false;
        await state.WriteStateAsync();
    }
}

/// <summary>
/// Monotonic versions for summaries: wall-clock ticks, never below the previous version + 1. The machine's clock, not
/// the engine's <see cref="TimeProvider"/>: a version orders the summaries of one grain across its activations (a new
/// activation without a snapshot starts from 0), which a business clock set or frozen for an evaluation must not
/// undo. Subjects keep their last version in their state, so it travels when they migrate.
/// </summary>
internal static class SummaryVersion
{
    public static long Next(long previous) => Math.Max(previous + 1, DateTime.UtcNow.Ticks);
}

/// <summary>Writes of state that a call's answer depends on.</summary>
internal static class StateWrites
{
    /// <summary>
    /// Writes the state the call has just changed in memory. When the write fails the caller is told so (and told
    /// nothing was kept), and this activation, whose memory is now ahead of storage, is dropped once idle: the
    /// caller's retry meets a fresh activation that starts from what storage holds, instead of finding the change
    /// done (a redemption's id already answered, a registration already taken) and answering success for a write that
    /// never happened.
    /// </summary>
    public static async Task WriteOrDropAsync<TState>(this IGrainBase grain, IPersistentState<TState> state)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception)
        {
            grain.GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, "a state write failed: the state in memory is ahead of storage"));
            throw;
        }
    }
}
