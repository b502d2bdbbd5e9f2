using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.Tests.Domain;

/// <summary>Regions push on a beat per level: a change climbs the levels within one interval, never faster than one push per interval.</summary>
public sealed class PropagationBeatTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly DateTimeOffset Noon = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(RegionLevels.Village, 0)]
    [InlineData(RegionLevels.Township, 2_500_000)]
    [InlineData(RegionLevels.County, 5_000_000)]
    [InlineData(RegionLevels.City, 5_000_000)]
    [InlineData(null, 0)]
    public void Each_level_beats_a_quarter_of_an_interval_after_the_one_below(string? level, long phaseTicks) =>
        Assert.Equal(TimeSpan.FromTicks(phaseTicks), PropagationBeat.PhaseOf(level, Second));

    [Fact]
    public void Pushes_on_consecutive_beats_are_one_interval_apart_and_each_level_follows_the_one_below()
    {
        var (beat, delay) = PropagationBeat.Next(Noon.AddMilliseconds(137), long.MinValue / 2, Second, PropagationBeat.PhaseOf(RegionLevels.Village, Second));
        var villageBeat = Noon.AddMilliseconds(137) + delay;
        var next = villageBeat + PropagationBeat.Next(villageBeat, beat, Second, TimeSpan.Zero).Delay;
        Assert.Equal(Noon.AddSeconds(1), villageBeat);
        Assert.Equal(Second, next - villageBeat);

        // A township hearing from the village on its beat pushes a quarter of an interval later, its county a quarter after that.
        var heard = villageBeat.AddMilliseconds(1);
        var township = heard + PropagationBeat.Next(heard, long.MinValue / 2, Second, PropagationBeat.PhaseOf(RegionLevels.Township, Second)).Delay;
        heard = township.AddMilliseconds(1);
        var county = heard + PropagationBeat.Next(heard, long.MinValue / 2, Second, PropagationBeat.PhaseOf(RegionLevels.County, Second)).Delay;
        Assert.Equal(TimeSpan.FromMilliseconds(250), township - villageBeat);
        Assert.Equal(TimeSpan.FromMilliseconds(500), county - villageBeat);
    }

    [Theory]
    // now (ms past noon), beat of the previous push (ms past noon; -1: none yet), phase (ms) → next push (ms past noon)
    [InlineData(300, -1, 0, 1000)] // a quiet village's first change waits for the village beat, not longer
    [InlineData(300, -1, 250, 1250)] // a quiet township's first change waits for the township beat
    [InlineData(1000, -1, 0, 1000)] // a change on the beat goes at once
    [InlineData(1300, 1000, 0, 2000)] // pushed on the last beat: the next one
    [InlineData(1950, 1250, 250, 2250)] // township pushed at 1.25 s: the next push at 2.25 s
    [InlineData(1300, -9000, 0, 2000)] // pushed long ago: the next beat
    [InlineData(1250, 1250, 250, 2250)] // just pushed on this beat: one interval later, never twice on one beat
    [InlineData(2400, 1000, 0, 3000)] // the push due at 1.0 s went out late: the next beat still comes next
    public void Every_push_is_on_a_later_beat_of_the_level_than_the_previous_one(int nowMs, int lastBeatMs, int phaseMs, int nextMs)
    {
        var lastBeat = lastBeatMs == -1 ? long.MinValue / 2 : BeatOf(Noon.AddMilliseconds(lastBeatMs), TimeSpan.FromMilliseconds(phaseMs));
        var now = Noon.AddMilliseconds(nowMs);
        var (beat, delay) = PropagationBeat.Next(now, lastBeat, Second, TimeSpan.FromMilliseconds(phaseMs));
        Assert.Equal(Noon.AddMilliseconds(nextMs), now + delay);
        Assert.Equal(BeatOf(now + delay, TimeSpan.FromMilliseconds(phaseMs)), beat);
    }

    [Fact]
    public void Under_sustained_change_a_region_holds_a_change_at_most_one_interval_and_pushes_once_per_interval()
    {
        // Changes every 7 ms for 20 s at a township, each scheduling from the wall clock with sub-millisecond offsets: every
        // push lands exactly on a township beat, pushes are exactly an interval apart, and no change waits an interval.
        var phase = PropagationBeat.PhaseOf(RegionLevels.Township, Second);
        var pushes = new List<DateTimeOffset>();
        var lastBeat = long.MinValue / 2;
        DateTimeOffset? pending = null, firstUnpushed = null;
        var longestHold = TimeSpan.Zero;
        for (var t = Noon.AddTicks(1_234); t < Noon.AddSeconds(20); t = t.AddTicks(70_001))
        {
            if (pending is { } due && due <= t)
            {
                pushes.Add(due);
                longestHold = longestHold > due - firstUnpushed!.Value ? longestHold : due - firstUnpushed.Value;
                pending = firstUnpushed = null;
            }

            firstUnpushed ??= t;
            if (pending is null)
            {
                (lastBeat, var delay) = PropagationBeat.Next(t, lastBeat, Second, phase);
                pending = t + delay;
            }
        }

        Assert.Equal(20, pushes.Count);
        Assert.All(pushes, p => Assert.Equal(phase.Ticks, (p - Noon).Ticks % Second.Ticks));
        Assert.All(pushes.Zip(pushes.Skip(1)), pair => Assert.Equal(Second, pair.Second - pair.First));
        Assert.True(longestHold <= Second, $"a change waited {longestHold}");
    }

    private static long BeatOf(DateTimeOffset at, TimeSpan phase) => (at.UtcTicks - phase.Ticks) / Second.Ticks;

    [Fact]
    public void Without_an_interval_a_push_goes_at_once() =>
        Assert.Equal(TimeSpan.Zero, PropagationBeat.Next(Noon.AddMilliseconds(300), 7, TimeSpan.Zero, TimeSpan.Zero).Delay);
}
