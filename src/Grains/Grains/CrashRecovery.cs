namespace RuralCredit.Grains;

/// <summary>
/// Tells a grain whose previous activation was killed (no clean deactivation) from one that stopped cleanly. A
/// clean stop writes <c>ClosedCleanly = true</c>; every activation that finds it set clears it at once, so a crash
/// at any later moment leaves it cleared, and the next activation knows its snapshot may miss recent changes.
/// </summary>
internal static class CrashRecovery
{
    /// <summary>True when the grain should rebuild its entries (registered, and its last activation did not end cleanly).</summary>
    public static async Task<bool> NeedsReconcileAsync<TState>(IPersistentState<TState> state, bool registered, Func<TState, bool> closedCleanly, Action<TState, bool> setClosedCleanly)
    {
        if (!registered)
        {
            return false;
        }

        if (closedCleanly(state.State))
        {
            setClosedCleanly(state.State, false);
            await state.WriteStateAsync();
            return false;
        }

        return true;
    }

    /// <summary>Runs the rebuild right after activation, as a grain turn of its own (activation does not wait for it).</summary>
    public static void RunSoon<TGrain>(TGrain grain, Func<TGrain, CancellationToken, Task> work)
        where TGrain : Grain
    {
        IGrainTimer? timer = null;
        timer = grain.RegisterGrainTimer<TGrain>(async (self, ct) =>
        {
            timer?.Dispose();
            await work(self, ct);
        }, grain, new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = Timeout.InfiniteTimeSpan, Interleave = false, KeepAlive = true });
    }
}
