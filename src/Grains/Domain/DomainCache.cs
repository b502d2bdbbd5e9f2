using System.Collections.Frozen;
using RuralCredit.Models;

namespace RuralCredit.Domain;

/// <summary>
/// The catalog and the published scoring models as seen by this silo: an immutable snapshot swapped atomically.
/// Starts from the shipped defaults; the catalog and model grains replace it when operators publish, and a
/// background refresher keeps it in step with them across silos.
/// </summary>
public sealed class DomainCache
{
    private volatile Snapshot _snapshot;

    public DomainCache()
    {
        ItemLookup = Item;
        _snapshot = new Snapshot(
            DefaultData.Catalog.ToFrozenDictionary(i => i.Code, StringComparer.Ordinal),
            RuralCreditConstants.SubjectTypes.ToFrozenDictionary(t => t, DefaultData.Model, StringComparer.Ordinal));
    }

    private sealed record Snapshot(FrozenDictionary<string, CatalogItem> Catalog, FrozenDictionary<string, ScoringModel> Models);

    /// <summary>A current catalog item, or null.</summary>
    public CatalogItem? Item(string code) => _snapshot.Catalog.GetValueOrDefault(code);

    /// <summary><see cref="Item"/> as one delegate for the scoring engine (not a new one on every evaluation).</summary>
    public Func<string, CatalogItem?> ItemLookup { get; }

    /// <summary>Every current catalog item.</summary>
    public IEnumerable<CatalogItem> Items => _snapshot.Catalog.Values;

    /// <summary>The published model of a subject type.</summary>
    public ScoringModel Model(string subjectType) => _snapshot.Models[subjectType];

    /// <summary>The farmer model, whose thresholds grade households.</summary>
    public ScoringModel FarmerModel => _snapshot.Models["farmer"];

    /// <summary>Replaces one catalog item (only with a newer or equal version).</summary>
    public void SetItem(CatalogItem item)
    {
        lock (this)
        {
            var s = _snapshot;
            if (s.Catalog.TryGetValue(item.Code, out var held) && held.Version > item.Version)
            {
                return;
            }

            var catalog = new Dictionary<string, CatalogItem>(s.Catalog, StringComparer.Ordinal) { [item.Code] = item };
            _snapshot = s with { Catalog = catalog.ToFrozenDictionary(StringComparer.Ordinal) };
        }
    }

    /// <summary>Replaces a published model (only with a different version).</summary>
    public void SetModel(ScoringModel model)
    {
        lock (this)
        {
            var s = _snapshot;
            if (s.Models.TryGetValue(model.SubjectType, out var held) && held.Version == model.Version)
            {
                return;
            }

            var models = new Dictionary<string, ScoringModel>(s.Models, StringComparer.Ordinal) { [model.SubjectType] = model };
            _snapshot = s with { Models = models.ToFrozenDictionary(StringComparer.Ordinal) };
        }
    }
}
