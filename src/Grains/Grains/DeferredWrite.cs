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

/// <summary>Monotonic versions for summaries: wall-clock ticks, never below the previous version + 1.</summary>
internal static class SummaryVersion
{
    public static long Next(long previous) => Math.Max(previous + 1, DateTime.UtcNow.Ticks);
}
