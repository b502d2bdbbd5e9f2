using Orleans.Concurrency;
using RuralCredit.Models;

namespace RuralCredit;

/// <summary>A township, county or the city, keyed by its code: aggregates its children's summaries.</summary>
public interface IRegionGrain : IGrainWithStringKey
{
    /// <summary>Registers or updates the region.</summary>
    Task<bool> RegisterAsync(RegionInfo info);

    /// <summary>Registration, or null when unknown.</summary>
    [AlwaysInterleave, ReadOnly]
    Task<RegionInfo?> GetInfoAsync();

    /// <summary>Adds a child region code.</summary>
    Task AddChildAsync(string childCode);

    /// <summary>The child region codes.</summary>
    [AlwaysInterleave, ReadOnly]
    Task<IReadOnlyList<string>> GetChildrenAsync();

    /// <summary>Replaces a child's entry when the summary is newer than the one held.</summary>
    /// <remarks>Not one-way: a sender must learn that a summary did not arrive (a silo died, a directory partition was
    /// lost) and send it again; a one-way message is dropped silently.</remarks>
    Task UpdateChildAsync(RegionSummary summary);

    /// <summary>The live aggregate.</summary>
    Task<RegionSummary?> GetSummaryAsync();
}
