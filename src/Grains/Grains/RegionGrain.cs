using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RuralCredit.Domain;
using RuralCredit.Hosting;
using RuralCredit.Models;

namespace RuralCredit.Grains;

/// <summary>State of a township, county or the city: registration, children and their latest summaries.</summary>
[GenerateSerializer, Alias("rc.RegionState")]
public sealed class RegionState : ICrashAwareState
{
    [Id(0)] public RegionInfo? Info { get; set; }
    [Id(1)] public List<string> Children { get; set; } = [];
    [Id(2)] public Dictionary<string, RegionSummary> ChildSummaries { get; set; } = new(StringComparer.Ordinal);
    [Id(3)] public long Version { get; set; }
    [Id(4)] public bool ClosedCleanly { get; set; }
}

/// <summary>
/// A township (乡镇/街道), county (县区) or the city. Replaces a child's entry when a newer summary arrives and
/// recomputes its aggregate from all entries, so it always equals the sum of its children.
/// </summary>
public sealed partial class RegionGrain(
    [PersistentState("region", RuralCreditConstants.StorageName)] IPersistentState<RegionState> state,
    DomainCache domain,
    TimeProvider time,
    IOptions<GrainTimingOptions> timing,
    IOptionsMonitor<CreditPolicyOptions> policy,
    ILogger<RegionGrain> logger) : Grain, IRegionGrain
{
    private RegionSummaryPublisher<RegionState>? _publisher;

    private RegionState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _publisher = new RegionSummaryPublisher<RegionState>(this, GrainFactory, state, timing.Value, time, Aggregate, () => S.Info?.ParentCode, () => S.Info?.Level);
        await CrashRecovery.ActivateAsync(this, state, timing.Value.ReconcileAfterCrash, static self => self.ReconcileAsync());
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        CrashRecovery.CloseCleanlyAsync(state);

    /// <summary>
    /// After a crash: every child is asked for its current summary, and each answer is taken as it comes. A child that
    /// does not answer (its silo died too, a call timed out) is asked again 1, 2, 3… s later, up to
    /// <see cref="VillageGrain.ReconcileAttempts"/> times in all: a quiet child would otherwise never push again
    /// until its next change.
    /// </summary>
    private async Task ReconcileAsync() => AskAgainLater(await AskChildrenAsync(S.Children.ToList()), attempt: 1);

    /// <summary>Asks <paramref name="children"/> for their summaries, keeps each newer one; returns those that did not answer.</summary>
    private async Task<List<string>> AskChildrenAsync(IReadOnlyList<string> children)
    {
        var silent = await CrashRecovery.AskEachAsync(children, code => code.Length == 12
            ? GrainFactory.ByKey<IVillageGrain>(code).GetSummaryAsync()
            : GrainFactory.ByKey<IRegionGrain>(code).GetSummaryAsync(), (_, summary) =>
        {
            if (summary is not null && (!S.ChildSummaries.TryGetValue(summary.Info.Code, out var held) || held.Version <= summary.Version))
            {
                S.ChildSummaries[summary.Info.Code] = summary;
            }
        });
        Changed();
        return silent;
    }

    private void AskAgainLater(List<string> silent, int attempt)
    {
        if (silent.Count == 0)
        {
            return;
        }

        var code = this.GetPrimaryKeyString();
        if (attempt >= VillageGrain.ReconcileAttempts)
        {
            LogStillSilent(code, silent.Count, attempt);
            return;
        }

        LogAskAgain(code, silent.Count, attempt);
        CrashRecovery.RunSoon(this, async (self, _) => self.AskAgainLater(await self.AskChildrenAsync(silent), attempt + 1), TimeSpan.FromSeconds(attempt));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Region {Code} reconciling after a crash: {Silent} children did not answer (attempt {Attempt}); asking them again")]
    private partial void LogAskAgain(string code, int silent, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Region {Code} reconciling after a crash: {Silent} children did not answer {Attempts} times; each counts again at its next push or daily refresh")]
    private partial void LogStillSilent(string code, int silent, int attempts);

    public async Task<bool> RegisterAsync(RegionInfo info)
    {
        var created = S.Info is null;
        S.Info = info;
        await this.WriteOrDropAsync(state);
        Changed();
        return created;
    }

    public Task<RegionInfo?> GetInfoAsync() => Task.FromResult(S.Info);

    public async Task AddChildAsync(string childCode)
    {
        if (!S.Children.Contains(childCode))
        {
            S.Children.Add(childCode);
            await this.WriteOrDropAsync(state);
        }
    }

    public Task<IReadOnlyList<string>> GetChildrenAsync() => Task.FromResult<IReadOnlyList<string>>(S.Children.ToList());

    public Task UpdateChildAsync(RegionSummary summary)
    {
        if (S.ChildSummaries.TryGetValue(summary.Info.Code, out var held) && held.Version > summary.Version)
        {
            return Task.CompletedTask;
        }

        S.ChildSummaries[summary.Info.Code] = summary;
        Changed();
        return Task.CompletedTask;
    }

    public Task<RegionSummary?> GetSummaryAsync() => Task.FromResult(S.Info is null ? null : _publisher!.Current());

    private void Changed() => _publisher!.Changed();

    private RegionSummary Aggregate(DateTimeOffset now)
    {
        S.Version = SummaryVersion.Next(S.Version);
        return RegionAggregator.Parent(S.Info!, S.ChildSummaries.Values, policy.CurrentValue.At(now), now, S.Version,
            domain.FarmerModel.Grades.Select(g => g.Grade));
    }
}
