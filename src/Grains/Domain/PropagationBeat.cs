using RuralCredit.Models;

namespace RuralCredit.Domain;

/// <summary>
/// The beat on which regions send their summaries upward under sustained change: once per interval, at a phase of
/// the clock that depends on the level, so that each level sends just after the level below it did.
/// </summary>
public static class PropagationBeat
{
    /// <summary>
    /// The phase of a level's beat within the interval: villages 0, townships ⅓, counties ⅔ (the city sends nowhere).
    /// A third of an interval is what a summary has to reach the level above before that level's beat.
    /// </summary>
    public static TimeSpan PhaseOf(string? level, TimeSpan interval) => level switch
    {
        RegionLevels.Township => interval / 3,
        RegionLevels.County or RegionLevels.City => interval * 2 / 3,
        _ => TimeSpan.Zero,
    };

    /// <summary>
    /// The beat a region pushes on next, counted in intervals since the epoch, and the time from <paramref name="now"/>
    /// until it: the first beat at <paramref name="phase"/> not before now and after <paramref name="lastBeat"/>, the
    /// beat of its previous push. Every push is on a beat and on a later beat than the one before, so a region pushes at
    /// most once per interval, and under sustained change holds a change at most an interval. Whole beats are counted,
    /// not times added up, so no rounding can move a push to the beat after.
    /// </summary>
    public static (long Beat, TimeSpan Delay) Next(DateTimeOffset now, long lastBeat, TimeSpan interval, TimeSpan phase)
    {
        if (interval <= TimeSpan.Zero)
        {
            return (lastBeat, TimeSpan.Zero);
        }

        var sincePhase = now.UtcTicks - phase.Ticks;
        var beat = Math.Max(lastBeat + 1, (sincePhase + interval.Ticks - 1) / interval.Ticks);
        return (beat, TimeSpan.FromTicks(beat * interval.Ticks - sincePhase));
    }
}
