using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.Grains;

/// <summary>State of the catalog: every version of every item.</summary>
[GenerateSerializer, Alias("rc.CatalogState")]
public sealed class CatalogState
{
    [Id(0)] public Dictionary<string, List<CatalogItem>> Items { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The versioned collection catalog (涉农信用信息归集目录). Seeds itself from the shipped defaults.</summary>
public sealed class CatalogGrain(
    [PersistentState("catalog", RuralCreditConstants.StorageName)] IPersistentState<CatalogState> state,
    DomainCache domain) : Grain, ICatalogGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Items.Count == 0)
        {
            foreach (var item in DefaultData.Catalog)
            {
                state.State.Items[item.Code] = [item];
            }

            await state.WriteStateAsync(cancellationToken);
        }

        foreach (var versions in state.State.Items.Values)
        {
            domain.SetItem(versions[^1]);
        }
    }

    public Task<IReadOnlyList<CatalogItem>> GetItemsAsync() =>
        Task.FromResult<IReadOnlyList<CatalogItem>>(state.State.Items.Values.Select(v => v[^1]).OrderBy(i => i.Code, StringComparer.Ordinal).ToList());

    public async Task<(CatalogItem? Item, ItemError? Error)> PutItemAsync(CatalogItem item)
    {
        if (DefinitionRules.ValidateItem(item) is { } problem)
        {
            return (null, new ItemError("validation_failed", problem));
        }

        var versions = state.State.Items.TryGetValue(item.Code, out var list) ? list : state.State.Items[item.Code] = [];
        var stored = item with { Version = versions.Count == 0 ? 1 : versions[^1].Version + 1 };
        versions.Add(stored);
        await this.WriteOrDropAsync(state);
        domain.SetItem(stored);
        return (stored, null);
    }

    public Task<IReadOnlyList<Department>> GetDepartmentsAsync() => Task.FromResult(DefaultData.Departments);
}
