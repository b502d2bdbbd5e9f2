using Orleans.Timers;

namespace RuralCredit.Grains;

/// <summary>
/// Coalesces upward propagation: the first change after a quiet interval is sent at once (next turn), later
/// changes at most once per <c>interval</c>.
/// </summary>
internal sealed class Propagation(Grain grain, TimeSpan interval, Func<Task> push)
{
    private IGrainTimer? _timer;
    private long _lastPushTicks = long.MinValue / 2;

    public void Request()
    {
        if (_timer is not null)
        {
            return;
        }

        var elapsed = TimeSpan.FromTicks(Environment.TickCount64 * TimeSpan.TicksPerMillisecond - _lastPushTicks);
        var due = elapsed >= interval ? TimeSpan.Zero : interval - elapsed;
        _timer = grain.RegisterGrainTimer(static (self, ct) => self.FireAsync(), this, new GrainTimerCreationOptions
        {
            DueTime = due,
            Period = Timeout.InfiniteTimeSpan,
            Interleave = false,
            KeepAlive = true,
        });
    }

    private async Task FireAsync()
    {
        _timer?.Dispose();
        _timer = null;
        _lastPushTicks = Environment.TickCount64 * TimeSpan.TicksPerMillisecond;
        await push();
    }
}
