using Orleans.Runtime;
using RuralCredit.Domain;
using RuralCredit.Hosting;
using RuralCredit.Models;

namespace RuralCredit.Grains;

/// <summary>
/// What villages and regions share: a summary cached until the next change (or until the hour moves, because
/// records24h slides), coalesced snapshot writes, and propagation of the summary to the parent region at most once
/// per interval.
/// </summary>
internal sealed class RegionSummaryPublisher<TState>
{
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly Func<DateTimeOffset, RegionSummary> _aggregate;
    private readonly Func<string?> _parentCode;
    private readonly DeferredWrite<TState> _writer;
    private readonly Propagation _propagation;
    private RegionSummary? _summary;

    public RegionSummaryPublisher(
        Grain grain,
        IGrainFactory grains,
        IPersistentState<TState> state,
        GrainTimingOptions timing,
        TimeProvider time,
        Func<DateTimeOffset, RegionSummary> aggregate,
        Func<string?> parentCode,
        Func<string?> level)
    {
        _grains = grains;
        _time = time;
        _aggregate = aggregate;
        _parentCode = parentCode;
        _writer = new DeferredWrite<TState>(grain, state, timing.StateWriteDelay);
        _propagation = new Propagation(grain, timing.PropagationInterval, () => PropagationBeat.PhaseOf(level(), timing.PropagationInterval), time, PushAsync);
    }

    /// <summary>The state changed: recompute on the next read, write it soon, tell the parent.</summary>
    public void Changed()
    {
        _summary = null;
        _writer.MarkDirty();
        _propagation.Request();
    }

    /// <summary>The current summary.</summary>
    public RegionSummary Current()
    {
        var now = _time.GetUtcNow();
        if (_summary is not { } cached || RegionAggregator.HourOf(cached.UpdatedAt) != RegionAggregator.HourOf(now))
        {
            _summary = _aggregate(now);
        }

        return _summary;
    }

    /// <summary>Writes a pending snapshot (on deactivation).</summary>
    public Task FlushAsync() => _writer.IsDirty ? _writer.FlushAsync() : Task.CompletedTask;

    private Task PushAsync()
    {
        if (_parentCode() is { } parent)
        {
            _ = ConfirmAsync(_grains.ByKey<IRegionGrain>(parent).UpdateChildAsync(Current()));
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// A push that fails (the parent's silo died, its directory partition was lost, the call timed out) is pushed again
    /// after the propagation interval: the parent holds no other copy of this region's summary to repair it from.
    /// </summary>
    private async Task ConfirmAsync(Task call)
    {
        try
        {
            await call;
        }
        catch (Exception)
        {
            try
            {
                _propagation.Request();
            }
            catch (InvalidOperationException)
            {
                // deactivated meanwhile
            }
        }
    }
}
