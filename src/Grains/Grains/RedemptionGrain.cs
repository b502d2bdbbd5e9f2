using RuralCredit.Domain;
using RuralCredit.Ledger;
using RuralCredit.Models;

namespace RuralCredit.Grains;

/// <summary>State of a redemption id: the subject it was first used for and the answer given.</summary>
[GenerateSerializer, Alias("rc.RedemptionState")]
public sealed class RedemptionState
{
    [Id(0)] public string? SubjectId { get; set; }
    [Id(1)] public RedemptionResult? Result { get; set; }
}

/// <summary>
/// A redemption id. Non-reentrant: two uses of one id at the same time are answered one after the other, the second
/// with the first's answer. The account remembers the id too, so a write of this grain that fails after the debit
/// loses nothing: the retry asks the account again and gets its first answer.
/// </summary>
public sealed class RedemptionGrain(
    [PersistentState("redemption", RuralCreditConstants.StorageName)] IPersistentState<RedemptionState> state,
    ISubjectDirectory directory) : Grain, IRedemptionGrain
{
    public async Task<RedemptionResult> RedeemAsync(string subjectId, Redemption redemption)
    {
        if (state.State.Result is { } first)
        {
            return first;
        }

        if (await directory.FindAsync(subjectId) is not { } subject)
        {
            // Nothing happened: not an answer to remember (the subject may be registered later).
            return new RedemptionResult("", 0, new ItemError("unknown_subject", $"subject {IdentityCodes.ForDisplay(subjectId)} is not registered"));
        }

        var result = subject.HouseholdId is { } household
            ? await GrainFactory.ByKey<IHouseholdGrain>(household).RedeemAsync(redemption)
            : await GrainFactory.ByKey<ISubjectGrain>(subjectId).RedeemAsync(redemption);
        state.State.SubjectId = subjectId;
        state.State.Result = result;
        await this.WriteOrDropAsync(state);
        return result;
    }
}
