using Microsoft.Extensions.Options;
using Orleans.Placement;
using RuralCredit.Domain;
using RuralCredit.Ledger;
using RuralCredit.Models;

namespace RuralCredit.Grains;

/// <summary>
/// State of a household: the pooled points account's redemptions (written at once). Members and village are kept
/// too but the subject directory is their truth: they are read from it on activation.
/// </summary>
[GenerateSerializer, Alias("rc.HouseholdState")]
public sealed class HouseholdState
{
    [Id(0)] public string? VillageCode { get; set; }
    [Id(1)] public List<string> Members { get; set; } = [];
    [Id(2)] public PointsAccount Points { get; set; } = new();
    [Id(3)] public long Version { get; set; }
}

/// <summary>
/// A household (农户家庭). Its score and flags come from its members' summaries; its points account is the sum of
/// the members' earned points (less what a member spent from its own account before joining) less the household's
/// redemptions. Non-reentrant: a redemption checks and debits in
/// one turn, so concurrent redemptions can never overdraw.
/// </summary>
[PreferLocalPlacement]
public sealed class HouseholdGrain(
    [PersistentState("household", RuralCreditConstants.StorageName)] IPersistentState<HouseholdState> state,
    SubjectArchiveReader archive,
    DomainCache domain,
    TimeProvider time,
    IOptionsMonitor<CreditPolicyOptions> policy) : Grain, IHouseholdGrain
{
    private IGrainTimer? _resend;

    /// <summary>The last send of the redeemed total: done once the village holds it or its failure set the resend timer.</summary>
    private Task _lastSend = Task.CompletedTask;

    /// <summary>Sends of the redeemed total not answered yet (turns of one activation: no two at once).</summary>
    private int _unanswered;

    private HouseholdState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var registered = await archive.ListHouseholdAsync(this.GetPrimaryKeyString());
        if (registered.Count > 0)
        {
            S.Members = registered.Select(m => m.SubjectId).ToList();
            S.VillageCode = registered[0].VillageCode;
        }
    }

    /// <summary>
    /// A member joined, or registered again (in memory: its registration, made durable in the directory, is the record).
    /// A household lives in one village (registration refuses members elsewhere), so a member registered in another
    /// village means the household is moving, all its members in one batch: its redemptions leave the old village's
    /// count and join the new one's.
    /// </summary>
    public async Task AddMemberAsync(string subjectId, string villageCode)
    {
        if (S.Members.Contains(subjectId) && S.VillageCode == villageCode)
        {
            return;
        }

        if (S.VillageCode is { } old && old != villageCode)
        {
            S.Version = SummaryVersion.Next(S.Version);
            await GrainFactory.ByKey<IVillageGrain>(old).UpdateHouseholdRedeemedAsync(this.GetPrimaryKeyString(), 0, S.Version);
        }

        S.VillageCode = villageCode;
        if (!S.Members.Contains(subjectId))
        {
            S.Members.Add(subjectId);
        }

        PublishRedeemed();
    }

    public Task RemoveMemberAsync(string subjectId)
    {
        S.Members.Remove(subjectId);
        return Task.CompletedTask;
    }

    public async Task<HouseholdView?> GetViewAsync(SubjectSummary? caller = null, DateTimeOffset? asOf = null)
    {
        if (S.VillageCode is null)
        {
            return null;
        }

        var members = await MemberSummariesAsync(caller, asOf);
        var status = HouseholdStatus.Compute(members, domain.FarmerModel, policy.CurrentValue.At(asOf ?? time.GetUtcNow()));
        var earned = Pooled(members);
        var redeemed = asOf is { } t ? S.Points.RedeemedAt(t) : S.Points.Redeemed;
        return new HouseholdView
        {
            HouseholdId = this.GetPrimaryKeyString(),
            VillageCode = S.VillageCode,
            Members = S.Members.ToList(),
            Score = status.Score,
            Grade = status.Grade,
            IsCreditHousehold = status.IsCreditHousehold,
            InArrears = status.InArrears,
            HasCreditLine = status.HasCreditLine,
            Points = new PointsBalance(earned, redeemed, earned - redeemed),
        };
    }

    public async Task<RedemptionResult> RedeemAsync(Redemption redemption)
    {
        var earned = Pooled(await MemberSummariesAsync());
        var (result, changed) = S.Points.Redeem("household:" + this.GetPrimaryKeyString(), earned, redemption, time.GetUtcNow());
        if (changed)
        {
            await this.WriteOrDropAsync(state);
            if (result.Error is not null)
            {
                return result; // a refusal, remembered: nothing for the village
            }

            PublishRedeemed();

            // Answered once the village holds the new total (or will be told again a second later): were this silo to
            // die in between, a village that lived would not learn of it until this household's next redemption.
            await _lastSend;
        }

        return result;
    }

    private void PublishRedeemed()
    {
        if (S.VillageCode is null)
        {
            return;
        }

        S.Version = SummaryVersion.Next(S.Version);
        _lastSend = SendRedeemedAsync(S.VillageCode, S.Points.Redeemed, S.Version);
    }

    /// <summary>
    /// Tells the village without holding up this turn (a redemption awaits <see cref="_lastSend"/>; the village asking
    /// this household for its view while it rebuilds after a crash is answered meanwhile: views interleave); never
    /// throws; a call that fails is sent again, with the current total, a second later.
    /// </summary>
    private async Task SendRedeemedAsync(string villageCode, decimal redeemed, long version)
    {
        _unanswered++;
        try
        {
            await GrainFactory.ByKey<IVillageGrain>(villageCode).UpdateHouseholdRedeemedAsync(this.GetPrimaryKeyString(), redeemed, version);
        }
        catch (Exception)
        {
            try
            {
                _resend ??= this.RegisterGrainTimer(static (self, _) =>
                {
                    self._resend?.Dispose();
                    self._resend = null;
                    self.PublishRedeemed();
                    return Task.CompletedTask;
                }, this, new GrainTimerCreationOptions { DueTime = TimeSpan.FromSeconds(1), Period = Timeout.InfiniteTimeSpan, Interleave = false, KeepAlive = true });
            }
            catch (InvalidOperationException)
            {
                // deactivated meanwhile
            }
        }
        finally
        {
            // Every send answered: its finished task need not stay with the activation.
            if (--_unanswered == 0)
            {
                _lastSend = Task.CompletedTask;
            }
        }
    }

    /// <summary>
    /// What the members bring to the pooled account: their earned points less what each spent from its own account
    /// before joining (those points were spent once; the village counts them as the member's redemptions).
    /// </summary>
    private static decimal Pooled(IEnumerable<SubjectSummary> members) => members.Sum(m => m.PointsEarned - m.PointsRedeemed);

    private async Task<List<SubjectSummary>> MemberSummariesAsync(SubjectSummary? known = null, DateTimeOffset? asOf = null)
    {
        var summaries = await Task.WhenAll(S.Members.Select(m => known is not null && m == known.SubjectId
            ? Task.FromResult<SubjectSummary?>(known)
            : asOf is { } t
                ? GrainFactory.ByKey<ISubjectGrain>(m).GetSummaryAsOfAsync(t)
                : GrainFactory.ByKey<ISubjectGrain>(m).GetSummaryAsync()));
        return summaries.OfType<SubjectSummary>().ToList();
    }
}
