using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
/// </summary>
public sealed partial class VillageGrain(
    [PersistentState("village", RuralCreditConstants.StorageName)] IPersistentState<VillageState> state,
    ISubjectDirectory directory,
    DomainCache domain,
    TimeProvider time,
    IOptions<GrainTimingOptions> timing,
    IOptionsMonitor<CreditPolicyOptions> policy,
    ILogger<VillageGrain> logger) : Grain, IVillageGrain, IRemindable
{
    /// <summary>How many times <see cref="ReconcileAsync"/> asks a subject or household that does not answer.</summary>
    public const int ReconcileAttempts = 5;

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
    /// that moved away is dropped; each household account's redeemed points are read again. One that does not answer
    /// (its silo died too, or the call timed out in the rush after a silo's death) does not leave the rest unasked, and
    /// is asked again by a later timer (1, 2, 3… s later, up to <see cref="ReconcileAttempts"/> times in all), so that
    /// the village keeps serving meanwhile. One still silent then keeps the summary held here until its next change,
    /// read or daily refresh.
    /// </summary>
    private async Task ReconcileAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var code = this.GetPrimaryKeyString();
        var ids = (await directory.ListByVillageAsync(code)).Union(S.Subjects.Keys, StringComparer.Ordinal).ToList();
        var households = S.Subjects.Values.Select(s => s.HouseholdId).OfType<string>().Union(S.Households.Keys, StringComparer.Ordinal).ToList();
        var silent = await AskAsync(ids, households);
        LogReconciled(code, ids.Count, households.Count, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, silent.Subjects.Count + silent.Households.Count);
        AskAgainLater(silent, attempt: 1);
    }

    /// <summary>Asks subjects, then households (those of the subjects that answered too), 200 at a time; returns the silent ones.</summary>
    private async Task<(List<string> Subjects, List<string> Households)> AskAsync(IReadOnlyList<string> subjects, IReadOnlyList<string> households)
    {
        var code = this.GetPrimaryKeyString();
        var householdsToAsk = households.ToHashSet(StringComparer.Ordinal);
        var silentSubjects = await CrashRecovery.AskEachAsync(subjects, id => GrainFactory.ByKey<ISubjectGrain>(id).GetSummaryAsync(), (id, summary) =>
        {
            if (summary is null || summary.VillageCode != code)
            {
                S.Subjects.Remove(id);
                return;
            }

            if (!S.Subjects.TryGetValue(summary.SubjectId, out var held) || held.Version <= summary.Version)
            {
                S.Subjects[summary.SubjectId] = summary;
            }

            if (summary.HouseholdId is { } household)
            {
                householdsToAsk.Add(household);
            }
        });
        var silentHouseholds = await CrashRecovery.AskEachAsync(householdsToAsk.ToList(), id => GrainFactory.ByKey<IHouseholdGrain>(id).GetViewAsync(), (id, view) =>
        {
            if (view is not null && view.VillageCode == code)
            {
                S.Households[id] = new HouseholdRedeemed(view.Points.Redeemed, S.Households.GetValueOrDefault(id)?.Version ?? 0);
            }
        });

        Changed();
        return (silentSubjects, silentHouseholds);
    }

    /// <summary>Asks the silent ones of attempt <paramref name="attempt"/> again, <paramref name="attempt"/> seconds later, in a turn of its own.</summary>
    private void AskAgainLater((List<string> Subjects, List<string> Households) silent, int attempt)
    {
        var count = silent.Subjects.Count + silent.Households.Count;
        if (count == 0)
        {
            return;
        }

        var code = this.GetPrimaryKeyString();
        if (attempt >= ReconcileAttempts)
        {
            LogStillSilent(code, silent.Subjects.Count, silent.Households.Count, attempt);
            return;
        }

        LogAskAgain(code, count, attempt);
        CrashRecovery.RunSoon(this, async (self, _) => self.AskAgainLater(await self.AskAsync(silent.Subjects, silent.Households), attempt + 1), TimeSpan.FromSeconds(attempt));
    }

    public async Task<bool> RegisterAsync(RegionInfo info)
    {
        var created = S.Info is null;
        S.Info = info;
        await this.WriteOrDropAsync(state);
        await this.RegisterOrUpdateReminder(RuralCreditConstants.DailyRefreshReminder, timing.Value.RefreshPeriod, timing.Value.RefreshPeriod);
        Changed();
        return created;
    }

    public Task<RegionInfo?> GetInfoAsync() => Task.FromResult(S.Info);

    public Task UpdateSubjectsAsync(IReadOnlyList<SubjectSummary> summaries)
    {
        var changed = false;
        foreach (var summary in summaries)
        {
            if (summary.VillageCode != this.GetPrimaryKeyString())
            {
                // Registered elsewhere now (the summary left before a move): the subject is no longer counted here.
                changed |= S.Subjects.Remove(summary.SubjectId);
                continue;
            }

            if (S.Subjects.TryGetValue(summary.SubjectId, out var held) && held.Version > summary.Version)
            {
                continue; // older than what we hold
            }

            S.Subjects[summary.SubjectId] = summary;
            changed = true;
        }

        if (changed)
        {
            Changed();
        }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Village {Code} reconciled after a crash: asked {Subjects} subjects and {Households} households in {Ms} ms ({Silent} did not answer)")]
    private partial void LogReconciled(string code, int subjects, int households, long ms, int silent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Village {Code} reconciling after a crash: {Silent} subjects and households did not answer (attempt {Attempt}); asking them again")]
    private partial void LogAskAgain(string code, int silent, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Village {Code} reconciling after a crash: {Subjects} subjects and {Households} households did not answer {Attempts} times; each counts again at its next change, read or daily refresh")]
    private partial void LogStillSilent(string code, int subjects, int households, int attempts);
}
