using Orleans.Concurrency;
using RuralCredit.Models;

namespace RuralCredit;

/// <summary>A household (农户家庭), keyed by household id: its members and pooled points account.</summary>
public interface IHouseholdGrain : IGrainWithStringKey
{
    /// <summary>Adds a member (idempotent); the first member fixes the village.</summary>
    Task AddMemberAsync(string subjectId, string villageCode);

    /// <summary>Removes a member that moved to another household.</summary>
    Task RemoveMemberAsync(string subjectId);

    /// <summary>
    /// The household view, or null when no member ever named it. Views interleave with each other and with the other
    /// calls: they change nothing, so the members of a household read at the same time do not queue behind each
    /// other's member reads (a redemption still checks and debits in one turn). A member asking for the view of its
    /// own household passes its summary (<paramref name="caller"/>), which the view then does not ask for. With
    /// <paramref name="asOf"/> the view is the household's at that past time: its members' summaries, the policy and the
    /// redemptions as of then (the caller's summary must be of that time too).
    /// </summary>
    [AlwaysInterleave]
    Task<HouseholdView?> GetViewAsync(SubjectSummary? caller = null, DateTimeOffset? asOf = null);

    /// <summary>Debits the pooled account atomically; never below zero; idempotent by redemption id.</summary>
    Task<RedemptionResult> RedeemAsync(Redemption redemption);
}
