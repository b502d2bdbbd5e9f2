using System.Collections.Concurrent;

namespace RuralCredit.Silo.Postgres;

/// <summary>
/// One shared instance of each short text that repeats across many rows (catalog codes, source departments, statuses).
/// Every entry a subject holds would otherwise carry its own copy of each, read afresh from its row: tens of bytes per
/// record for the life of the subject's activation. Bounded: beyond <paramref name="capacity"/> texts are no longer kept.
/// </summary>
public sealed class TextPool(int capacity = 4096)
{
    private readonly ConcurrentDictionary<string, string> _texts = new(StringComparer.Ordinal);

    /// <summary>The shared instance equal to <paramref name="text"/> (<paramref name="text"/> itself the first time).</summary>
    public string Share(string text) =>
        _texts.TryGetValue(text, out var shared) ? shared
        : _texts.Count < capacity ? _texts.GetOrAdd(text, text)
        : text;
}
