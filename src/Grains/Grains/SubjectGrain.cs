using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;
using RuralCredit.Domain;
using RuralCredit.Hosting;
using RuralCredit.Ledger;
using RuralCredit.Models;
using RuralCredit.Streaming;

namespace RuralCredit.Grains;

/// <summary>A record held in a subject's archive with its status history.</summary>
[GenerateSerializer, Alias("rc.HeldRecord"), SuppressReferenceTracking]
public sealed class HeldRecord
{
    [Id(0)] public required LedgerEntry Entry { get; init; }
    [Id(1)] public string Status { get; set; } = RecordStatus.Active;
    [Id(2)] public List<StatusChange>? History { get; set; }

    /// <summary>The status at <paramref name="t"/>: the last change made at or before it.</summary>
    public string StatusAt(DateTimeOffset t)
    {
        if (History is null)
        {
            return RecordStatus.Active;
        }

        var status = RecordStatus.Active;
        foreach (var change in History)
        {
            if (change.At <= t)
            {
                status = change.Status;
            }
        }

        return status;
    }
}

/// <summary>Snapshot of a subject: basic info, the archive folded so far and the ledger watermark.</summary>
[GenerateSerializer, Alias("rc.SubjectState")]
public sealed class SubjectState
{
    [Id(0)] public SubjectInfo? Info { get; set; }
    [Id(1)] public long LastLedgerSeq { get; set; }
    [Id(2)] public List<HeldRecord> Records { get; set; } = [];
    [Id(3)] public PointsAccount? Points { get; set; }

    /// <summary>
    /// The version of the last summary sent to the village. Kept with the state so that it travels with the subject when
    /// it migrates to another silo: a silo whose clock is behind would otherwise send versions the village takes as older.
    /// </summary>
    [Id(4)] public long SummaryVersion { get; set; }
}

/// <summary>
/// A subject (涉农主体). Folds its ledger entries, delivered at least once by the ledger stream, exactly once
/// (by sequence). On activation it catches up from the ledger past its watermark, so a snapshot written late
/// or never loses nothing. Every delivery that folds something sends the subject's whole summary to its village.
/// </summary>
[ImplicitStreamSubscription(RuralCreditConstants.SubjectRecordsNamespace)]
[LedgerPartitionPlacement]
public sealed partial class SubjectGrain(
    [PersistentState("subject", RuralCreditConstants.StorageName)] IPersistentState<SubjectState> state,
    SubjectArchiveReader archive,
    VillageOutbox villages,
    DomainCache domain,
    TimeProvider time,
    IOptions<GrainTimingOptions> timing,
    LedgerPartitionOwners partitionOwners,
    ILocalSiloDetails silo,
    ILogger<SubjectGrain> logger) : Grain, ISubjectGrain, IStreamSubscriptionObserver, IAsyncBatchObserver<LedgerEntry>
{
    /// <summary>Request context flag set by registration for a subject id the directory does not know yet.</summary>
    public const string FirstRegistrationKey = "rc-first-registration";

    private DeferredWrite<SubjectState>? _writer;
    private int _unsnapshotted;
    private IGrainTimer? _resend;

    /// <summary>Summaries sent to the village and not answered yet (turns of one activation: no two at once).</summary>
    private int _unanswered;

    /// <summary>The last summary's send: done once the village holds it or its failure has set the resend timer.</summary>
    private Task _lastSend = Task.CompletedTask;

    /// <summary>This activation has asked to move to the silo reading its ledger partition.</summary>
    private bool _moving;

    /// <summary>The ledger partition of this subject's entries, computed on the first delivery (-1 before).</summary>
    private int _partition = -1;

    private SubjectState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A first registration activates a subject the directory does not know yet, so it has neither a
        // registration to read nor ledger entries (ingest refuses unregistered subjects): nothing to catch up.
        if (RequestContext.Get(FirstRegistrationKey) is not true)
        {
            // Registered but no snapshot yet (or no snapshots at all): the directory holds the registration. Both
            // reads go out at once: a cold read waits for the slower one, not for their sum.
            var info = S.Info is null ? archive.FindInfoAsync(this.GetPrimaryKeyString()) : null;
            await CatchUpAsync();
            if (info is not null)
            {
                S.Info = await info;
            }
        }

        // The village hears of this activation's summary once, even when nothing was caught up: entries folded here will
        // reach us again through the stream and be skipped as already folded, and the previous activation's last summary
        // may have died with its silo before it reached the village.
        Publish();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_writer is { IsDirty: true })
        {
            await _writer.FlushAsync();
        }

        if ((_resend is not null || _unanswered > 0) && S.Info is { } info)
        {
            // A summary the village has not received yet (its send failed, or has not been answered: a failure arriving
            // after this point could no longer set the resend timer) would wait for this subject's next activation: the
            // resend timer dies with this one, so the current summary goes once more now.
            _resend?.Dispose();
            _resend = null;
            S.SummaryVersion = SummaryVersion.Next(S.SummaryVersion);
            try
            {
                await villages.SendAsync(info.VillageCode, BuildSummary(time.GetUtcNow(), S.SummaryVersion)).WaitAsync(cancellationToken);
            }
            catch (Exception e)
            {
                LogSendFailedOnDeactivation(info.SubjectId, info.VillageCode, e.GetType().Name);
            }
        }
    }

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<LedgerEntry>().ResumeAsync(this);

    /// <summary>
    /// Folds the entries of one delivery (the pulling agent hands over every cached entry of this subject at once, in
    /// ledger order) and sends the summary once.
    /// </summary>
    public async Task OnNextAsync(IList<SequentialItem<LedgerEntry>> items)
    {
        var folded = false;
        foreach (var sequential in items)
        {
            var item = sequential.Item;
            if (item.Seq <= S.LastLedgerSeq)
            {
                continue; // redelivery: already folded
            }

            if (item.PreviousSubjectSeq > S.LastLedgerSeq)
            {
                // The ledger holds this entry and everything before it: catching up folds the rest of the delivery too.
                LogGap(this.GetPrimaryKeyString(), S.LastLedgerSeq, item.PreviousSubjectSeq);
                await CatchUpAsync();
                folded = true;
                break;
            }

            Fold(item);
            folded = true;
        }

        if (folded)
        {
            Publish();
        }

        // The delivery ends (and the partition's checkpoint may pass these entries) only once the village holds the
        // summary counting them, this one or the activation's. Were this silo to die in between, the partition's next
        // reader would start past the entries, the village (alive) would have no reason to ask again, and the change
        // would wait for this subject's next record or read.
        await _lastSend;
        MoveToPartitionReader();
    }

    /// <summary>
    /// A subject activated before its ledger partition moved to another silo (a silo joined or left the cluster) moves to
    /// the partition's new reader once idle, taking its state along, so that its deliveries stay on one silo again. A
    /// delivery is what tells: the partition is read elsewhere now and the entries just crossed silos.
    /// </summary>
    private void MoveToPartitionReader()
    {
        if (_moving)
        {
            return;
        }

        // Once per activation: the key as a string and its hash would otherwise be made again on every delivery.
        if (_partition < 0)
        {
            _partition = LedgerPartitioner.PartitionOf(this.GetPrimaryKeyString(), partitionOwners.Partitions);
        }

        if (partitionOwners.OwnerOfPartition(_partition) is { } owner && !owner.Equals(silo.SiloAddress))
        {
            _moving = true;
            LogMoving(this.GetPrimaryKeyString(), owner);
            MigrateOnIdle();
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    public async Task<bool> RegisterAsync(SubjectInfo info)
    {
        var previous = S.Info;
        if (previous is not null && previous.VillageCode != info.VillageCode)
        {
            // Before the new info is taken: if the old village cannot be told, the registration fails and its retry
            // sees the move again. A summary still on its way there (this activation's first, say) is let arrive
            // first: arriving after the removal, it would count the subject in the old village again.
            await _lastSend;
            await GrainFactory.ByKey<IVillageGrain>(previous.VillageCode).RemoveSubjectAsync(info.SubjectId);
        }

        S.Info = info;
        if (previous is not null && previous != info && (timing.Value.SubjectSnapshotWrites || state.RecordExists))
        {
            // The directory, which the registration writes next, holds the new info; a snapshot holding the old one
            // would win over it on the next activation (a subject without snapshot writes has one too once it has
            // written its points account).
            await this.WriteOrDropAsync(state);
        }

        if (previous?.HouseholdId is { } oldHousehold && oldHousehold != info.HouseholdId)
        {
            await GrainFactory.ByKey<IHouseholdGrain>(oldHousehold).RemoveMemberAsync(info.SubjectId);
        }

        if (info.HouseholdId is { } household)
        {
            await GrainFactory.ByKey<IHouseholdGrain>(household).AddMemberAsync(info.SubjectId, info.VillageCode);
        }

        await PublishConfirmedAsync(); // answered once the village counts the subject
        return previous is null;
    }

    public Task<SubjectInfo?> GetInfoAsync() => Task.FromResult(S.Info);

    public async Task<SubjectProfile?> GetProfileAsync(DateTimeOffset? asOf)
    {
        if (S.Info is not { } info)
        {
            return null;
        }

        var t = asOf ?? time.GetUtcNow();
        var model = domain.Model(info.SubjectType);
        var records = RecordsAt(t);
        var evaluation = ScoringEngine.Evaluate(model, domain.ItemLookup, records, t);
        var facts = SubjectFacts.Compute(domain.ItemLookup, records, t);

        var tags = new List<string>();
        if (facts.SeriousDishonesty)
        {
            tags.Add(SubjectFacts.TagSeriousDishonesty);
        }

        if (facts.Demonstration)
        {
            tags.Add(SubjectFacts.TagDemonstration);
        }

        PointsBalance points;
        if (info.HouseholdId is { } household
            && await GrainFactory.ByKey<IHouseholdGrain>(household).GetViewAsync(Summarize(info, evaluation, facts, t, S.SummaryVersion), asOf) is { } view)
        {
            if (view.IsCreditHousehold)
            {
                tags.Add(SubjectFacts.TagCreditHousehold);
            }

            points = new PointsBalance(facts.PointsEarned, view.Points.Redeemed, view.Points.Balance);
        }
        else
        {
            var redeemed = S.Points?.RedeemedAt(t) ?? 0;
            points = new PointsBalance(facts.PointsEarned, redeemed, facts.PointsEarned - redeemed);
        }

        return new SubjectProfile
        {
            Info = info,
            Score = evaluation.Score,
            Grade = evaluation.Grade,
            Dimensions = evaluation.Dimensions.ToDictionary(d => d.Name, d => d.Value),
            Reasons = evaluation.Reasons,
            Strengths = evaluation.Strengths,
            Tags = tags,
            Points = points,
            ModelVersion = model.Version,
            AsOf = t,
            RecordCount = asOf is null ? S.Records.Count : S.Records.Count(r => r.Entry.OccurredAt <= t), // the archive as of then
            LastLedgerSeq = S.LastLedgerSeq,
        };
    }

    public Task<ScoreExplanation?> ExplainAsync(DateTimeOffset? asOf)
    {
        if (S.Info is not { } info)
        {
            return Task.FromResult<ScoreExplanation?>(null);
        }

        var t = asOf ?? time.GetUtcNow();
        var model = domain.Model(info.SubjectType);
        var records = RecordsAt(t);
        var evaluation = ScoringEngine.Evaluate(model, domain.ItemLookup, records, t);

        // Counting records without a rule are archived and shown with no effect.
        var effects = evaluation.Effects.ToList();
        foreach (var r in records)
        {
            if (!model.Rules.ContainsKey(r.CatalogCode) && ScoringEngine.Counts(r, domain.Item(r.CatalogCode), t))
            {
                effects.Add(new RecordEffect(r.RecordId, r.CatalogCode, r.Status, r.OccurredAt, 0, 1, 0, ""));
            }
        }

        return Task.FromResult<ScoreExplanation?>(new ScoreExplanation
        {
            Score = evaluation.Score,
            Grade = evaluation.Grade,
            Base = model.Base,
            Veto = evaluation.Veto,
            Dimensions = evaluation.Dimensions,
            Records = effects,
            ModelVersion = model.Version,
            AsOf = t,
        });
    }

    public Task<IReadOnlyList<RecordView>> GetRecordsAsync()
    {
        var now = time.GetUtcNow();
        var views = S.Records.Select(r =>
        {
            var item = domain.Item(r.Entry.CatalogCode);
            var status = r.Status == RecordStatus.Active && item?.PublicityDays is { } days && now >= r.Entry.OccurredAt.AddDays(days)
                ? RecordStatus.Expired
                : r.Status;
            return new RecordView
            {
                RecordId = r.Entry.RecordId,
                CatalogCode = r.Entry.CatalogCode,
                NameZh = item?.NameZh,
                Category = item?.Category,
                Status = status,
                OccurredAt = r.Entry.OccurredAt,
                ReceivedAt = r.Entry.ReceivedAt,
                SourceDepartment = r.Entry.SourceDepartment,
                PayloadJson = r.Entry.PayloadJson,
                Supersedes = r.Entry.Supersedes,
                LedgerSeq = r.Entry.Seq,
                History = r.History is null ? [] : [.. r.History], // a copy: the view is immutable, the archive is not
            };
        }).ToList();
        return Task.FromResult<IReadOnlyList<RecordView>>(views);
    }

    public Task<SubjectSummary?> GetSummaryAsync() =>
        Task.FromResult(S.Info is null ? null : BuildSummary(time.GetUtcNow(), S.SummaryVersion));

    public Task<SubjectSummary?> GetSummaryAsOfAsync(DateTimeOffset asOf) =>
        Task.FromResult(S.Info is null ? null : BuildSummary(asOf, S.SummaryVersion));

    public async Task<SubjectSummary?> RescoreAsync(int modelVersion)
    {
        if (S.Info is { } info && domain.Model(info.SubjectType).Version != modelVersion)
        {
            var view = await GrainFactory.GetGrain<IScoringModelGrain>(info.SubjectType).GetAsync();
            domain.SetModel(view.Current);
        }

        return await RefreshAsync();
    }

    public async Task<SubjectSummary?> RefreshAsync()
    {
        await CatchUpAsync();
        return await PublishConfirmedAsync(); // a re-score's progress counts this subject once its village holds it
    }

    public async Task<RedemptionResult> RedeemAsync(Redemption redemption)
    {
        var now = time.GetUtcNow();
        var earned = SubjectFacts.Compute(domain.ItemLookup, RecordsAt(now), now).PointsEarned;
        var (result, changed) = (S.Points ??= new PointsAccount()).Redeem("subject:" + this.GetPrimaryKeyString(), earned, redemption, now);
        if (changed)
        {
            await this.WriteOrDropAsync(state);
            if (result.Error is null)
            {
                await PublishConfirmedAsync();
            }
        }

        return result;
    }

    /// <summary>Reads and folds every ledger entry after the watermark.</summary>
    private async Task CatchUpAsync()
    {
        var missing = await archive.ReadEntriesAsync(this.GetPrimaryKeyString(), S.LastLedgerSeq);
        foreach (var entry in missing)
        {
            Fold(entry);
        }
    }

    private void Fold(LedgerEntry entry)
    {
        if (entry.Seq <= S.LastLedgerSeq)
        {
            return;
        }

        S.LastLedgerSeq = entry.Seq;
        if (++_unsnapshotted >= timing.Value.SnapshotAfterEntries && timing.Value.SubjectSnapshotWrites)
        {
            // The writer exists only in subjects that write snapshots (the postgres profile), once they have a reason to.
            _unsnapshotted = 0;
            (_writer ??= new DeferredWrite<SubjectState>(this, state, timing.Value.StateWriteDelay)).MarkDirty(); // the write takes everything folded until it runs
        }

        if (entry.Kind == LedgerEntryKind.Record)
        {
            if (Find(entry.RecordId) is not null)
            {
                return;
            }

            var held = new HeldRecord { Entry = entry };
            S.Records.Add(held);
            if (entry.Supersedes is { } old && Find(old) is { } superseded)
            {
                // The correction stands in for the original from the moment it counts (its occurredAt, or its receipt
                // if that came first): an evaluation as of any time sees one of the two, never both.
                var from = entry.OccurredAt < entry.ReceivedAt ? entry.OccurredAt : entry.ReceivedAt;
                SetStatus(superseded, new StatusChange(RecordStatus.Revoked, from, entry.SourceDepartment, $"superseded by {entry.RecordId}", entry.Seq));
            }
        }
        else if (entry.NewStatus is { } status && Find(entry.RecordId) is { } target)
        {
            SetStatus(target, new StatusChange(status, entry.ReceivedAt, entry.Actor, entry.Reason, entry.Seq));
        }
    }

    /// <summary>A held record by id. A subject holds tens of records, so a scan beats keeping an index in memory.</summary>
    private HeldRecord? Find(string recordId)
    {
        var records = S.Records;
        for (var i = records.Count - 1; i >= 0; i--)
        {
            if (records[i].Entry.RecordId == recordId)
            {
                return records[i];
            }
        }

        return null;
    }

    private static void SetStatus(HeldRecord record, StatusChange change)
    {
        record.Status = change.Status;
        (record.History ??= []).Add(change);
    }

    /// <summary>Sends the current summary to the village under a new version (the village keeps the newest).</summary>
    private SubjectSummary? Publish()
    {
        if (S.Info is not { } info)
        {
            return null;
        }

        S.SummaryVersion = SummaryVersion.Next(S.SummaryVersion);
        var summary = BuildSummary(time.GetUtcNow(), S.SummaryVersion);
        _lastSend = SendAsync(info.VillageCode, summary);
        return summary;
    }

    /// <summary>
    /// <see cref="Publish"/>, done once the village holds the summary (or its send failed and the resend timer is set):
    /// were this silo to die before, a village that lived would not hear of the change until the subject's next one.
    /// </summary>
    private async Task<SubjectSummary?> PublishConfirmedAsync()
    {
        var summary = Publish();
        await _lastSend;
        return summary;
    }

    /// <summary>
    /// Sends a summary to the village without holding up this turn (turns that must not end before the village holds it
    /// await <see cref="_lastSend"/>); never throws. A send that fails (the village's silo died, its
    /// directory partition was lost, the call timed out) is not the village's to repair, so the subject sends its current
    /// summary again a second later, until one arrives.
    /// </summary>
    private async Task SendAsync(string villageCode, SubjectSummary summary)
    {
        _unanswered++;
        try
        {
            await villages.SendAsync(villageCode, summary);
        }
        catch (Exception e)
        {
            LogSendFailed(this.GetPrimaryKeyString(), villageCode, e.GetType().Name);
            try
            {
                _resend ??= this.RegisterGrainTimer(static (self, _) => self.ResendAsync(), this, new GrainTimerCreationOptions
                {
                    DueTime = TimeSpan.FromSeconds(1),
                    Period = Timeout.InfiniteTimeSpan,
                    Interleave = false,
                    KeepAlive = true,
                });
            }
            catch (InvalidOperationException)
            {
                // deactivated meanwhile: the deactivation sent the current summary (it saw this send unanswered)
            }
        }
        finally
        {
            // Every send answered: the last one is done, and its finished task (with the summary it captured) need not stay
            // with the activation until the next send.
            if (--_unanswered == 0)
            {
                _lastSend = Task.CompletedTask;
            }
        }
    }

    private Task ResendAsync()
    {
        _resend?.Dispose();
        _resend = null;
        Publish();
        return Task.CompletedTask;
    }

    private SubjectSummary BuildSummary(DateTimeOffset t, long version)
    {
        var info = S.Info!;
        var records = RecordsAt(t);
        var evaluation = ScoringEngine.Evaluate(domain.Model(info.SubjectType), domain.ItemLookup, records, t, details: false);
        var facts = SubjectFacts.Compute(domain.ItemLookup, records, t);
        return Summarize(info, evaluation, facts, t, version);
    }

    /// <summary>The summary at <paramref name="t"/> from an evaluation and the facts at that time.</summary>
    private SubjectSummary Summarize(SubjectInfo info, Evaluation evaluation, SubjectFacts facts, DateTimeOffset t, long version)
    {
        // An exact array, and the shared empty one for the usual subject with nothing received in the last day: villages
        // hold every subject's summary.
        var since = t.AddHours(-24);
        var count = 0;
        foreach (var r in S.Records)
        {
            if (r.Entry.ReceivedAt > since)
            {
                count++;
            }
        }

        var recent = count == 0 ? [] : new DateTimeOffset[count];
        if (count > 0)
        {
            var i = 0;
            foreach (var r in S.Records)
            {
                if (r.Entry.ReceivedAt > since)
                {
                    recent[i++] = r.Entry.ReceivedAt;
                }
            }
        }

        return new SubjectSummary
        {
            SubjectId = info.SubjectId,
            SubjectType = info.SubjectType,
            VillageCode = info.VillageCode,
            HouseholdId = info.HouseholdId,
            Score = evaluation.Score,
            Grade = evaluation.Grade,
            Vetoed = evaluation.Veto is not null,
            PointsEarned = facts.PointsEarned,
            PointsRedeemed = S.Points?.RedeemedAt(t) ?? 0, // its own account's: in a household, what it spent before joining
            HasCreditLine = facts.HasCreditLine,
            IsBorrowing = facts.IsBorrowing,
            InArrears = facts.InArrears,
            CreditLoanAmount = facts.CreditLoanAmount,
            LoanAmount = facts.LoanAmount,
            LastGovernanceAt = facts.LastGovernanceAt,
            RecentReceipts = recent,
            Version = version,
            EvaluatedAt = t,
        };
    }

    private List<EvaluationRecord> RecordsAt(DateTimeOffset t)
    {
        var list = new List<EvaluationRecord>(S.Records.Count);
        foreach (var r in S.Records)
        {
            list.Add(new EvaluationRecord(r.Entry.RecordId, r.Entry.CatalogCode, r.Entry.OccurredAt, r.StatusAt(t), r.Entry.PayloadJson));
        }

        return list;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subject {SubjectId}: summary to village {VillageCode} failed ({Error}); sending it again")]
    private partial void LogSendFailed(string subjectId, string villageCode, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subject {SubjectId}: summary to village {VillageCode} failed again on deactivation ({Error}); the next activation sends it")]
    private partial void LogSendFailedOnDeactivation(string subjectId, string villageCode, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Subject {SubjectId}: its ledger partition is read on {Silo} now; moving there")]
    private partial void LogMoving(string subjectId, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subject {SubjectId}: gap after sequence {Watermark} (entry follows {Previous}); catching up from the ledger")]
    private partial void LogGap(string subjectId, long watermark, long previous);
}
