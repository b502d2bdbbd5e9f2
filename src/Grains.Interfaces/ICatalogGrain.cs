using RuralCredit.Models;

namespace RuralCredit;

/// <summary>The versioned collection catalog (single grain, key <see cref="RuralCreditConstants.CatalogKey"/>).</summary>
public interface ICatalogGrain : IGrainWithStringKey
{
    /// <summary>Every current item.</summary>
    Task<IReadOnlyList<CatalogItem>> GetItemsAsync();

    /// <summary>Adds an item or publishes a new version of it; returns the stored item or a validation error.</summary>
    Task<(CatalogItem? Item, ItemError? Error)> PutItemAsync(CatalogItem item);

    /// <summary>The known source departments.</summary>
    Task<IReadOnlyList<Department>> GetDepartmentsAsync();
}
