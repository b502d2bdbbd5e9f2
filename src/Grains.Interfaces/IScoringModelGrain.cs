using RuralCredit.Models;

namespace RuralCredit;

/// <summary>The versioned scoring models of one subject type, keyed by subject type.</summary>
public interface IScoringModelGrain : IGrainWithStringKey
{
    /// <summary>The current published model and all versions.</summary>
    Task<ModelCatalogView> GetAsync();

    /// <summary>Stores a new draft version; returns it or a validation error.</summary>
    Task<(ModelVersionInfo? Version, ItemError? Error)> PutDraftAsync(ScoringModel model);

    /// <summary>Publishes a version and starts the background re-score; returns the job id.</summary>
    Task<(string? JobId, ItemError? Error)> PublishAsync(int version);
}
