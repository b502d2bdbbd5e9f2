using RuralCredit.Models;

namespace RuralCredit.Grains;

/// <summary>
/// Tells a grain whose previous activation was killed (no clean deactivation) from one that stopped cleanly. A
/// clean stop writes <c>ClosedCleanly = true</c>; every activation that finds it set clears it at once, so a crash
/// at any later moment leaves it cleared, and the next activation knows its snapshot may miss recent changes.
/// </summary>
internal static class CrashRecovery
{
    /// <summary>
    /// On activation: when the previous activation of a registered grain did not end cleanly, runs
    /// <paramref name="reconcile"/> right after activation; otherwise clears the flag at once (durably).
    /// </summary>
    public static async Task ActivateAsync<TGrain, TState>(TGrain grain, IPersistentState<TState> state, bool enabled, Func<TGrain, Task> reconcile)
        where TGrain : Grain
        where TState : ICrashAwareState
    {
        if (!enabled || state.State.Info is null)
        {
            return;
        }

        if (state.State.ClosedCleanly)
        {
            state.State.ClosedCleanly = false;
            await state.WriteStateAsync();
            return;
        }

        RunSoon(grain, (self, _) => reconcile(self));
    }

    /// <summary>On a clean deactivation: writes the state with the flag set.</summary>
    public static Task CloseCleanlyAsync<TState>(IPersistentState<TState> state)
        where TState : ICrashAwareState
    {
        if (state.State.Info is null)
        {
            return Task.CompletedTask;
        }

        state.State.ClosedCleanly = true;
        return state.WriteStateAsync();
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

/// <summary>The state of a village or region: registered when it has info; whether it stopped cleanly.</summary>
public interface ICrashAwareState
{
    RegionInfo? Info { get; }

    bool ClosedCleanly { get; set; }
}
