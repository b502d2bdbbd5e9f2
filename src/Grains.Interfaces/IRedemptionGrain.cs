using RuralCredit.Models;

namespace RuralCredit;

/// <summary>
/// One redemption id (积分兑换单号), keyed by it: the first answer given to it, whichever account it debited. A repeated
/// id gets that answer, even when it names another subject (Appendix A: a repeated redemptionId returns the first
/// answer), so one id can never debit two accounts.
/// </summary>
public interface IRedemptionGrain : IGrainWithStringKey
{
    /// <summary>Debits the account <paramref name="subjectId"/> belongs to (its household's, else its own), once per id.</summary>
    Task<RedemptionResult> RedeemAsync(string subjectId, Redemption redemption);
}
