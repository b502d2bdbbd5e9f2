using RuralCredit.Models;

namespace RuralCredit.Domain;

/// <summary>
/// A governance points account (积分账户) of a household or a subject without one: redemptions debit it, never
/// below zero, and a repeated redemption id returns the first answer, a refusal too (a retry of a refused
/// redemption is refused again, even once the balance would cover it: the id names one attempt). The caller persists
/// the account whenever it changed.
/// </summary>
[GenerateSerializer, Alias("rc.PointsAccount")]
public sealed class PointsAccount
{
    [Id(0)] public decimal Redeemed { get; set; }
    [Id(1)] public Dictionary<string, RedemptionResult>? Redemptions { get; set; }

    /// <summary>
    /// Debits <paramref name="redemption"/> against <paramref name="earned"/>, or refuses it; true when the account
    /// changed (a debit, or a first answer to remember).
    /// </summary>
    public (RedemptionResult Result, bool Changed) Redeem(string account, decimal earned, Redemption redemption)
    {
        if (Redemptions is not null && Redemptions.TryGetValue(redemption.RedemptionId, out var first))
        {
            return (first, false);
        }

        var balance = earned - Redeemed;
        RedemptionResult result;
        if (redemption.Points > balance)
        {
            result = new RedemptionResult(account, balance, new ItemError("insufficient_points", $"balance {balance} is less than {redemption.Points}"));
        }
        else
        {
            Redeemed += redemption.Points;
            result = new RedemptionResult(account, balance - redemption.Points, null);
        }

        (Redemptions ??= new Dictionary<string, RedemptionResult>(StringComparer.Ordinal))[redemption.RedemptionId] = result;
        return (result, true);
    }
}
