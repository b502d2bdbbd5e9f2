using RuralCredit.Domain;

namespace RuralCredit.Grains;

/// <summary>
/// Coalesces upward propagation to at most one push per <c>interval</c>. The first change after a quiet interval is
/// pushed at once (next turn). Under sustained change a region pushes on a beat shared by its whole level, at the
/// level's phase of the interval (<see cref="PropagationBeat"/>), so that a township pushes just after its villages
/// did and a county just after its townships: a change climbs village → township → county → city within about one
/// interval instead of waiting a whole interval at each level.
/// </summary>
internal sealed class Propagation(Grain grain, TimeSpan interval, Func<TimeSpan> phase, TimeProvider time, Func<Task> push)
{
    private IGrainTimer? _timer;

    /// <summary>When the last push was due (monotonic ticks): the next one is due an interval later.</summary>
    private long _lastDue = long.MinValue / 2;
    private int _generation;

    public void Request()
    {
        if (_timer is not null)
        {
            // Under load a timer's tick waits in the grain's queue behind messages like this one: the change that finds
            // the beat already due pushes at once.
            if (time.GetTimestamp() >= _lastDue)
            {
                _ = FireAsync();
            }

            return;
        }

        var now = time.GetTimestamp();
        var earliest = _lastDue + (long)(interval.TotalSeconds * time.TimestampFrequency);
        TimeSpan due;
        if (now >= earliest || interval <= TimeSpan.Zero)
        {
            due = TimeSpan.Zero;
            _lastDue = now;
        }
        else
        {
            due = PropagationBeat.Until(time.GetUtcNow(), time.GetElapsedTime(now, earliest), interval, phase());
            _lastDue = now + (long)(due.TotalSeconds * time.TimestampFrequency);
        }

        _timer = grain.RegisterGrainTimer(static (tick, ct) => tick.Self.OnTickAsync(tick.Generation), (Self: this, Generation: ++_generation), new GrainTimerCreationOptions
        {
            DueTime = due,
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
        _lastDue = Math.Min(_lastDue, time.GetTimestamp()); // a clock that stands still must not push the beat away
        await push();
    }
}
