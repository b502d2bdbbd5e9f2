using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.Grains;

/// <summary>State of a subject type's models: every version with its lifecycle state.</summary>
[GenerateSerializer, Alias("rc.ScoringModelState")]
public sealed class ScoringModelState
{
    [Id(0)] public List<ScoringModel> Versions { get; set; } = [];
    [Id(1)] public Dictionary<int, string> States { get; set; } = [];
    [Id(2)] public int Current { get; set; }
}

/// <summary>The scoring models (信用积分评价模型) of one subject type: drafts, publication and re-scoring.</summary>
public sealed class ScoringModelGrain(
    [PersistentState("model", RuralCreditConstants.StorageName)] IPersistentState<ScoringModelState> state,
    DomainCache domain) : Grain, IScoringModelGrain
{
    private ScoringModelState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Versions.Count == 0)
        {
            var model = DefaultData.Model(this.GetPrimaryKeyString());
            S.Versions.Add(model);
            S.States[model.Version] = "published";
            S.Current = model.Version;
            await state.WriteStateAsync(cancellationToken);
        }

        domain.SetModel(CurrentModel);
    }

    private ScoringModel CurrentModel => S.Versions.First(v => v.Version == S.Current);

    public Task<ModelCatalogView> GetAsync() =>
        Task.FromResult(new ModelCatalogView(CurrentModel, S.Versions.Select(v => new ModelVersionInfo(v.Version, S.States[v.Version])).ToList()));

    public async Task<(ModelVersionInfo? Version, ItemError? Error)> PutDraftAsync(ScoringModel model)
    {
        if (model.SubjectType != this.GetPrimaryKeyString())
        {
            return (null, new ItemError("validation_failed", "subjectType does not match the route"));
        }

        if (DefinitionRules.ValidateModel(model, domain.Item) is { } problem)
        {
            return (null, new ItemError("validation_failed", problem));
        }

        var version = S.Versions.Max(v => v.Version) + 1;
        S.Versions.Add(model with { Version = version });
        S.States[version] = "draft";
        await this.WriteOrDropAsync(state);
        return (new ModelVersionInfo(version, "draft"), null);
    }

    public async Task<(string? JobId, ItemError? Error)> PublishAsync(int version)
    {
        if (!S.States.TryGetValue(version, out var current))
        {
            return (null, new ItemError("unknown_model_version", $"version {version} does not exist"));
        }

        if (current != "published")
        {
            S.States[S.Current] = "retired";
            S.States[version] = "published";
            S.Current = version;
            await this.WriteOrDropAsync(state);
            domain.SetModel(CurrentModel);
        }

        var jobId = $"rescore-{this.GetPrimaryKeyString()}-v{version}-{Guid.NewGuid():N}";
        await GrainFactory.GetGrain<IRescoreJobGrain>(jobId).StartAsync(this.GetPrimaryKeyString(), version);
        return (jobId, null);
    }
}
