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
    [InlineData(RegionLevels.Township, 3_333_333)]
    [InlineData(RegionLevels.County, 6_666_667)]
    [InlineData(RegionLevels.City, 6_666_667)]
    [InlineData(null, 0)]
    public void Each_level_beats_a_third_of_an_interval_after_the_one_below(string? level, long phaseTicks) =>
        Assert.Equal(TimeSpan.FromTicks(phaseTicks), PropagationBeat.PhaseOf(level, Second));

    [Theory]
    // now (ms past noon), wait (ms), phase (ms) → due (ms)
    [InlineData(300, 500, 0, 700)] // earliest 0.8 s → next village beat at 1.0 s
    [InlineData(300, 500, 250, 950)] // earliest 0.8 s → next township beat at 1.25 s
    [InlineData(300, 950, 250, 950)] // earliest lands on the beat: no further wait
    [InlineData(300, 960, 250, 1950)] // just past the beat: the next one
    [InlineData(1250, 1000, 250, 1000)] // pushed on the beat: the next push one interval later
    [InlineData(0, 0, 500, 500)]
    [InlineData(999, 2, 0, 1001)] // earliest 1.001 s → 2.0 s
    public void The_next_beat_is_the_first_at_the_level_phase_not_before_the_earliest_moment(int nowMs, int waitMs, int phaseMs, int dueMs)
    {
        var due = PropagationBeat.Until(Noon.AddMilliseconds(nowMs), TimeSpan.FromMilliseconds(waitMs), Second, TimeSpan.FromMilliseconds(phaseMs));
        Assert.Equal(TimeSpan.FromMilliseconds(dueMs), due);
    }

    [Fact]
    public void Pushes_on_consecutive_beats_are_one_interval_apart_and_each_level_follows_the_one_below()
    {
        var villageBeat = Noon.AddMilliseconds(137);
        villageBeat += PropagationBeat.Until(villageBeat, TimeSpan.Zero, Second, PropagationBeat.PhaseOf(RegionLevels.Village, Second));
        var next = villageBeat + PropagationBeat.Until(villageBeat, Second, Second, TimeSpan.Zero);
        Assert.Equal(Second, next - villageBeat);

        // A township hearing from the village on its beat pushes a third of an interval later, its county a third after that.
        var township = villageBeat + PropagationBeat.Until(villageBeat, TimeSpan.FromMilliseconds(1), Second, PropagationBeat.PhaseOf(RegionLevels.Township, Second));
        var county = township + PropagationBeat.Until(township, TimeSpan.FromMilliseconds(1), Second, PropagationBeat.PhaseOf(RegionLevels.County, Second));
        Assert.Equal(TimeSpan.FromTicks(3_333_333), township - villageBeat);
        Assert.Equal(TimeSpan.FromTicks(6_666_667), county - villageBeat);
    }

    [Fact]
    public void Without_an_interval_nothing_waits_for_a_beat() =>
        Assert.Equal(TimeSpan.FromMilliseconds(30), PropagationBeat.Until(Noon, TimeSpan.FromMilliseconds(30), TimeSpan.Zero, TimeSpan.Zero));
}
