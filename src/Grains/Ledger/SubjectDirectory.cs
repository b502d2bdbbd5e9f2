using System.Collections.Concurrent;
using RuralCredit.Models;

namespace RuralCredit.Ledger;

/// <summary>Where a subject belongs: what ingest needs to validate a record without activating the subject.</summary>
public sealed record DirectoryEntry(string SubjectType, string VillageCode, string? HouseholdId);

/// <summary>
/// The registry of subjects (lives beside the ledger: in memory, or in PostgreSQL). It is the durable record of a
/// registration: a subject grain that has no snapshot yet takes its info from here, and a household its members.
/// </summary>
public interface ISubjectDirectory
{
    /// <summary>The entry of a subject, or null when it is not registered.</summary>
    ValueTask<DirectoryEntry?> FindAsync(string subjectId, CancellationToken cancellationToken = default);

    /// <summary>The entries of those of <paramref name="subjectIds"/> that are registered (one round trip).</summary>
    ValueTask<IReadOnlyDictionary<string, DirectoryEntry>> FindManyAsync(IReadOnlyCollection<string> subjectIds, CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces registrations (one round trip); the last of a repeated id wins.</summary>
    ValueTask UpsertManyAsync(IReadOnlyList<SubjectInfo> subjects, CancellationToken cancellationToken = default);

    /// <summary>The registrations of subjects (null where not registered), in the order asked (one round trip).</summary>
    ValueTask<IReadOnlyList<SubjectInfo?>> FindInfosAsync(IReadOnlyList<string> subjectIds, CancellationToken cancellationToken = default);

    /// <summary>The members of households as registered (subject id and village), one list per household asked, in order (one round trip).</summary>
    ValueTask<IReadOnlyList<IReadOnlyList<(string SubjectId, string VillageCode)>>> ListByHouseholdsAsync(IReadOnlyList<string> householdIds, CancellationToken cancellationToken = default);

    /// <summary>Every subject id of a type (for re-scoring).</summary>
    ValueTask<IReadOnlyList<string>> ListByTypeAsync(string subjectType, CancellationToken cancellationToken = default);

    /// <summary>Every subject id registered in a village (villages rebuild from it after a crash).</summary>
    ValueTask<IReadOnlyList<string>> ListByVillageAsync(string villageCode, CancellationToken cancellationToken = default);

    /// <summary>Number of registered subjects.</summary>
    ValueTask<int> CountAsync(CancellationToken cancellationToken = default);
}

/// <summary>The subject directory of the embedded profile.</summary>
public sealed class InMemorySubjectDirectory : ISubjectDirectory
{
    // The registrations themselves (the subject grains hold the same instances); a directory entry is made from one when
    // asked, not kept beside it.
    private readonly ConcurrentDictionary<string, SubjectInfo> _infos = new(StringComparer.Ordinal);

    // Members of each household in registration order (households read them on every activation).
    private readonly Dictionary<string, List<string>> _households = new(StringComparer.Ordinal);

    public ValueTask<DirectoryEntry?> FindAsync(string subjectId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_infos.TryGetValue(subjectId, out var info) ? EntryOf(info) : null);

    public ValueTask<IReadOnlyDictionary<string, DirectoryEntry>> FindManyAsync(IReadOnlyCollection<string> subjectIds, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, DirectoryEntry>(StringComparer.Ordinal);
        foreach (var id in subjectIds)
        {
            if (_infos.TryGetValue(id, out var info))
            {
                found[id] = EntryOf(info);
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<string, DirectoryEntry>>(found);
    }

    public ValueTask UpsertManyAsync(IReadOnlyList<SubjectInfo> subjects, CancellationToken cancellationToken = default)
    {
        lock (_households)
        {
            foreach (var info in subjects)
            {
                var previous = _infos.GetValueOrDefault(info.SubjectId)?.HouseholdId;
                _infos[info.SubjectId] = info;
                if (previous == info.HouseholdId)
                {
                    continue;
                }

                if (previous is not null)
                {
                    _households[previous].Remove(info.SubjectId);
                }

                if (info.HouseholdId is { } household)
                {
                    (_households.TryGetValue(household, out var members) ? members : _households[household] = []).Add(info.SubjectId);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<SubjectInfo?>> FindInfosAsync(IReadOnlyList<string> subjectIds, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<SubjectInfo?>>(subjectIds.Select(id => _infos.GetValueOrDefault(id)).ToList());

    public ValueTask<IReadOnlyList<IReadOnlyList<(string SubjectId, string VillageCode)>>> ListByHouseholdsAsync(IReadOnlyList<string> householdIds, CancellationToken cancellationToken = default)
    {
        lock (_households)
        {
            return ValueTask.FromResult<IReadOnlyList<IReadOnlyList<(string, string)>>>(householdIds
                .Select(household => (IReadOnlyList<(string, string)>)(_households.TryGetValue(household, out var members)
                    ? members.Select(id => (id, _infos[id].VillageCode)).ToList()
                    : []))
                .ToList());
        }
    }

    public ValueTask<IReadOnlyList<string>> ListByTypeAsync(string subjectType, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<string>>(_infos.Where(kv => kv.Value.SubjectType == subjectType).Select(kv => kv.Key).ToList());

    public ValueTask<IReadOnlyList<string>> ListByVillageAsync(string villageCode, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<string>>(_infos.Where(kv => kv.Value.VillageCode == villageCode).Select(kv => kv.Key).ToList());

    public ValueTask<int> CountAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_infos.Count);

    private static DirectoryEntry EntryOf(SubjectInfo info) => new(info.SubjectType, info.VillageCode, info.HouseholdId);
}
