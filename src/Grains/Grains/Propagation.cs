using RuralCredit.Domain;

namespace RuralCredit.Grains;

/// <summary>
/// Coalesces upward propagation to at most one push per <c>interval</c>. Every push is made on a beat shared by the
/// region's whole level, at the level's phase of the interval (<see cref="PropagationBeat"/>), and on a later beat than
/// the previous push: a township pushes just after its villages did and a county just after its townships, so a change
/// climbs village → township → county → city within about one interval of reaching its village. (A push made off the
/// beat, as soon as a quiet region changes, would put its next push up to a whole interval further off: under sustained
/// change a region would hold a change for up to two intervals.)
/// </summary>
internal sealed class Propagation(Grain grain, TimeSpan interval, Func<TimeSpan> phase, TimeProvider time, Func<Task> push)
{
    private IGrainTimer? _timer;

    /// <summary>The beat (see <see cref="PropagationBeat.Next"/>) of the pending push, or of the last one.</summary>
    private long _beat = long.MinValue / 2;
    private DateTimeOffset _dueAt;
    private int _generation;

    public void Request()
    {
        var now = time.GetUtcNow();
        if (_timer is not null)
        {
            // Under load a timer's tick waits in the grain's queue behind messages like this one: the change that finds
            // the beat already due pushes at once.
            if (now >= _dueAt)
            {
                _ = FireAsync();
            }

            return;
        }

        (_beat, var delay) = PropagationBeat.Next(now, _beat, interval, phase());
        _dueAt = now + delay;
        _timer = grain.RegisterGrainTimer(static (tick, ct) => tick.Self.OnTickAsync(tick.Generation), (Self: this, Generation: ++_generation), new GrainTimerCreationOptions
        {
            DueTime = delay,
            Period = Timeout.InfiniteTimeSpan,
            Interleave = false,
            KeepAlive = true,
        });
    }

    /// <summary>A tick of a timer that an earlier push already replaced is ignored.</summary>
    private Task OnTickAsync(int generation) => generation == _generation && _timer is not null ? FireAsync() : Task.CompletedTask;

    private async Task FireAsync()
    {
        _timer?.Dispose();
        _timer = null;
        await push();
    }
}
