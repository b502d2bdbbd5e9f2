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
    /// Time from <paramref name="now"/> until the first beat (a moment whose offset into the interval, counted from the
    /// epoch, is <paramref name="phase"/>) that is at least <paramref name="wait"/> away.
    /// </summary>
    public static TimeSpan Until(DateTimeOffset now, TimeSpan wait, TimeSpan interval, TimeSpan phase)
    {
        if (interval <= TimeSpan.Zero)
        {
            return wait;
        }

        var at = now.UtcTicks + wait.Ticks;
        var intoBeat = ((at - phase.Ticks) % interval.Ticks + interval.Ticks) % interval.Ticks;
        return intoBeat == 0 ? wait : wait + TimeSpan.FromTicks(interval.Ticks - intoBeat);
    }
}
