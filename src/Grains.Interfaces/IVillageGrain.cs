using Orleans.Concurrency;
using RuralCredit.Models;

namespace RuralCredit;

/// <summary>A village (村居/社区), keyed by its 12-digit code: aggregates its subjects and households.</summary>
public interface IVillageGrain : IGrainWithStringKey
{
    /// <summary>Registers or updates the village.</summary>
    Task<bool> RegisterAsync(RegionInfo info);

    /// <summary>Registration, or null when unknown.</summary>
    [AlwaysInterleave, ReadOnly]
    Task<RegionInfo?> GetInfoAsync();

    /// <summary>Replaces each subject's entry whose summary is newer than the one held (in order: the newest wins).</summary>
    /// <remarks>Summaries of many subjects come together (a silo's subjects hand them to its outbox). Not one-way: a
    /// sender must learn that a summary did not arrive (a silo died, a directory partition was lost) and send it again; a
    /// one-way message is dropped silently. Interleaves: a subject awaits it within its delivery, and the village may be
    /// awaiting that subject (daily refresh); it replaces entries without awaiting.</remarks>
    [AlwaysInterleave]
    Task UpdateSubjectsAsync(IReadOnlyList<SubjectSummary> summaries);

    /// <summary>Removes a subject that moved to another village (two-way, so that a lost call is seen).</summary>
    /// <remarks>Interleaves: the mover awaits it, and the village may be awaiting that subject (daily refresh).</remarks>
    [AlwaysInterleave]
    Task RemoveSubjectAsync(string subjectId);

    /// <summary>Replaces a household's redeemed points total when the version is newer (two-way, resent on failure).</summary>
    /// <remarks>Interleaves: a redemption awaits it, and the village may be awaiting, in its daily refresh, a subject
    /// that awaits that household (a member registering): three calls waiting on each other until one timed out. It
    /// replaces one entry without awaiting.</remarks>
    [AlwaysInterleave]
    Task UpdateHouseholdRedeemedAsync(string householdId, decimal redeemed, long version);

    /// <summary>The live aggregate.</summary>
    Task<RegionSummary?> GetSummaryAsync();

    /// <summary>Re-evaluates every subject now (decay, expiry) and reconciles the aggregate with them.</summary>
    Task<int> RefreshAllAsync();
}
