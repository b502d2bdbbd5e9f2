using System.Collections.Concurrent;

namespace RuralCredit.Ledger;

/// <summary>Where a subject belongs: what ingest needs to validate a record without activating the subject.</summary>
public sealed record DirectoryEntry(string SubjectType, string VillageCode, string? HouseholdId);

/// <summary>The registry of subject ids (lives beside the ledger: in memory, or in PostgreSQL).</summary>
public interface ISubjectDirectory
{
    /// <summary>The entry of a subject, or null when it is not registered.</summary>
    ValueTask<DirectoryEntry?> FindAsync(string subjectId, CancellationToken cancellationToken = default);

    /// <summary>The entries of those of <paramref name="subjectIds"/> that are registered (one round trip).</summary>
    ValueTask<IReadOnlyDictionary<string, DirectoryEntry>> FindManyAsync(IReadOnlyCollection<string> subjectIds, CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces entries (one round trip); the last of a repeated id wins.</summary>
    ValueTask UpsertManyAsync(IReadOnlyList<(string SubjectId, DirectoryEntry Entry)> entries, CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces an entry; true when it was new.</summary>
    ValueTask<bool> UpsertAsync(string subjectId, DirectoryEntry entry, CancellationToken cancellationToken = default);

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
    private readonly ConcurrentDictionary<string, DirectoryEntry> _entries = new(StringComparer.Ordinal);

    public ValueTask<DirectoryEntry?> FindAsync(string subjectId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_entries.GetValueOrDefault(subjectId));

    public ValueTask<IReadOnlyDictionary<string, DirectoryEntry>> FindManyAsync(IReadOnlyCollection<string> subjectIds, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, DirectoryEntry>(StringComparer.Ordinal);
        foreach (var id in subjectIds)
        {
            if (_entries.TryGetValue(id, out var entry))
            {
                found[id] = entry;
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<string, DirectoryEntry>>(found);
    }

    public ValueTask UpsertManyAsync(IReadOnlyList<(string SubjectId, DirectoryEntry Entry)> entries, CancellationToken cancellationToken = default)
    {
        foreach (var (id, entry) in entries)
        {
            _entries[id] = entry;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> UpsertAsync(string subjectId, DirectoryEntry entry, CancellationToken cancellationToken = default)
    {
        var added = true;
        _entries.AddOrUpdate(subjectId, entry, (_, _) =>
        {
            added = false;
            return entry;
        });
        return ValueTask.FromResult(added);
    }

    public ValueTask<IReadOnlyList<string>> ListByTypeAsync(string subjectType, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<string>>(_entries.Where(kv => kv.Value.SubjectType == subjectType).Select(kv => kv.Key).ToList());

    public ValueTask<IReadOnlyList<string>> ListByVillageAsync(string villageCode, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<string>>(_entries.Where(kv => kv.Value.VillageCode == villageCode).Select(kv => kv.Key).ToList());

    public ValueTask<int> CountAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_entries.Count);
}
