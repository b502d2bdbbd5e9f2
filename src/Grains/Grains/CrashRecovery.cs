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

    /// <summary>
    /// Runs <paramref name="work"/> once, after <paramref name="delay"/> (none: right after the current turn), as a grain
    /// turn of its own: the rebuild after activation (activation does not wait for it), a later attempt of it.
    /// </summary>
    public static void RunSoon<TGrain>(TGrain grain, Func<TGrain, CancellationToken, Task> work, TimeSpan delay = default)
        where TGrain : Grain
    {
        IGrainTimer? timer = null;
        timer = grain.RegisterGrainTimer<TGrain>(async (self, ct) =>
        {
            timer?.Dispose();
            await work(self, ct);
        }, grain, new GrainTimerCreationOptions { DueTime = delay, Period = Timeout.InfiniteTimeSpan, Interleave = false, KeepAlive = true });
    }

    /// <summary>
    /// Asks each id (200 at a time) and applies each answer as it comes; returns the ids whose call failed (their silo
    /// died too, the call timed out), for a later attempt.
    /// </summary>
    public static async Task<List<string>> AskEachAsync<T>(IReadOnlyList<string> ids, Func<string, Task<T>> ask, Action<string, T> apply)
    {
        var silent = new List<string>();
        foreach (var chunk in ids.Chunk(200))
        {
            var answers = await Task.WhenAll(chunk.Select(async id =>
            {
                try
                {
                    return (Answered: true, Value: await ask(id));
                }
                catch (Exception)
                {
                    return (Answered: false, Value: default(T)!);
                }
            }));
            for (var i = 0; i < chunk.Length; i++)
            {
                if (answers[i].Answered)
                {
                    apply(chunk[i], answers[i].Value);
                }
                else
                {
                    silent.Add(chunk[i]);
                }
            }
        }

        return silent;
    }
}

/// <summary>The state of a village or region: registered when it has info; whether it stopped cleanly.</summary>
public interface ICrashAwareState
{
    RegionInfo? Info { get; }

    bool ClosedCleanly { get; set; }
}
