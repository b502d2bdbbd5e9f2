using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Runtime;
using RuralCredit.Domain;
using RuralCredit.Hosting;
using RuralCredit.Ledger;
using RuralCredit.Models;

namespace RuralCredit.Grains;

/// <summary>State of a village: its registration and the latest summary of each subject and household account.</summary>
[GenerateSerializer, Alias("rc.VillageState")]
public sealed class VillageState : ICrashAwareState
{
    [Id(0)] public RegionInfo? Info { get; set; }
    [Id(1)] public Dictionary<string, SubjectSummary> Subjects { get; set; } = new(StringComparer.Ordinal);
    [Id(2)] public Dictionary<string, HouseholdRedeemed> Households { get; set; } = new(StringComparer.Ordinal);
    [Id(3)] public long Version { get; set; }
    [Id(4)] public bool ClosedCleanly { get; set; }
}

/// <summary>Redeemed points of a household account, versioned.</summary>
[GenerateSerializer, Immutable, Alias("rc.HouseholdRedeemed")]
public sealed record HouseholdRedeemed([property: Id(0)] decimal Redeemed, [property: Id(1)] long Version);

/// <summary>
/// A village (村居/社区). Holds each subject's whole versioned summary (never a delta) and recomputes its
/// aggregate from them; sends its own summary to the township at most once per propagation interval.
/// Placed at random: its subjects live on every silo (by ledger partition) and its township anywhere, so no silo is
/// nearer to it than another, and spreading regions evenly by count keeps one silo's death from taking most of them at
/// once (a load-based placement may put every region activated in a busy minute on the same silo).
/// </summary>
[RandomPlacement]
public sealed partial class VillageGrain(
    [PersistentState("village", RuralCreditConstants.StorageName)] IPersistentState<VillageState> state,
    ISubjectDirectory directory,
    DomainCache domain,
    TimeProvider time,
    IOptions<GrainTimingOptions> timing,
    IOptionsMonitor<CreditPolicyOptions> policy,
    ILogger<VillageGrain> logger) : Grain, IVillageGrain, IRemindable
{
    private RegionSummaryPublisher<VillageState>? _publisher;

    private VillageState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _publisher = new RegionSummaryPublisher<VillageState>(this, GrainFactory, state, timing.Value, time, Aggregate, () => S.Info?.ParentCode, static () => RegionLevels.Village);
        await CrashRecovery.ActivateAsync(this, state, timing.Value.ReconcileAfterCrash, static self => self.ReconcileAsync());
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        CrashRecovery.CloseCleanlyAsync(state);

    /// <summary>
    /// After a crash: every subject registered here (and every one held) sends its current summary again; a subject
    /// that moved away is dropped; each household account's redeemed points are read again.
    /// </summary>
    private async Task ReconcileAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var code = this.GetPrimaryKeyString();
        var ids = (await directory.ListByVillageAsync(code)).Union(S.Subjects.Keys, StringComparer.Ordinal).ToList();
        foreach (var chunk in ids.Chunk(200))
        {
            var summaries = await Task.WhenAll(chunk.Select(id => GrainFactory.ByKey<ISubjectGrain>(id).GetSummaryAsync()));
            for (var i = 0; i < chunk.Length; i++)
            {
                if (summaries[i] is not { } summary || summary.VillageCode != code)
                {
                    S.Subjects.Remove(chunk[i]);
                }
                else if (!S.Subjects.TryGetValue(summary.SubjectId, out var held) || held.Version <= summary.Version)
                {
                    S.Subjects[summary.SubjectId] = summary;
                }
            }
        }

        var households = S.Subjects.Values.Select(s => s.HouseholdId).OfType<string>().Union(S.Households.Keys, StringComparer.Ordinal).ToList();
        foreach (var householdId in households)
        {
            if (await GrainFactory.ByKey<IHouseholdGrain>(householdId).GetViewAsync() is { } view && view.VillageCode == code)
            {
                S.Households[householdId] = new HouseholdRedeemed(view.Points.Redeemed, S.Households.GetValueOrDefault(householdId)?.Version ?? 0);
            }
        }

        Changed();
        LogReconciled(code, ids.Count, households.Count, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public async Task<bool> RegisterAsync(RegionInfo info)
    {
        var created = S.Info is null;
        S.Info = info;
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(RuralCreditConstants.DailyRefreshReminder, timing.Value.RefreshPeriod, timing.Value.RefreshPeriod);
        Changed();
        return created;
    }

    public Task<RegionInfo?> GetInfoAsync() => Task.FromResult(S.Info);

    public Task UpdateSubjectAsync(SubjectSummary summary)
    {
        if (S.Subjects.TryGetValue(summary.SubjectId, out var held) && held.Version > summary.Version)
        {
            return Task.CompletedTask; // older than what we hold
        }

        S.Subjects[summary.SubjectId] = summary;
        Changed();
        return Task.CompletedTask;
    }

    public Task RemoveSubjectAsync(string subjectId)
    {
        if (S.Subjects.Remove(subjectId))
        {
            Changed();
        }

        return Task.CompletedTask;
    }

    public Task UpdateHouseholdRedeemedAsync(string householdId, decimal redeemed, long version)
    {
        if (S.Households.TryGetValue(householdId, out var held) && held.Version > version)
        {
            return Task.CompletedTask;
        }

        S.Households[householdId] = new HouseholdRedeemed(redeemed, version);
        Changed();
        return Task.CompletedTask;
    }

    public Task<RegionSummary?> GetSummaryAsync() => Task.FromResult(S.Info is null ? null : _publisher!.Current());

    public async Task<int> RefreshAllAsync()
    {
        var ids = S.Subjects.Keys.ToList();
        var summaries = await Task.WhenAll(ids.Select(id => GrainFactory.ByKey<ISubjectGrain>(id).RefreshAsync()));
        foreach (var summary in summaries)
        {
            // A newer summary may have arrived while this waited (updates interleave).
            if (summary is not null && summary.VillageCode == S.Info?.Code
                && (!S.Subjects.TryGetValue(summary.SubjectId, out var held) || held.Version <= summary.Version))
            {
                S.Subjects[summary.SubjectId] = summary;
            }
        }

        Changed();
        return ids.Count;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == RuralCreditConstants.DailyRefreshReminder)
        {
            await RefreshAllAsync();
        }
    }

    private void Changed() => _publisher!.Changed();

    private RegionSummary Aggregate(DateTimeOffset now)
    {
        S.Version = SummaryVersion.Next(S.Version);
        return RegionAggregator.Village(S.Info!, S.Subjects.Values, S.Households.ToDictionary(kv => kv.Key, kv => kv.Value.Redeemed),
            domain.FarmerModel, policy.CurrentValue.At(now), now, S.Version);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Village {Code} reconciled after a crash: asked {Subjects} subjects and {Households} households in {Ms} ms")]
    private partial void LogReconciled(string code, int subjects, int households, long ms);
}
