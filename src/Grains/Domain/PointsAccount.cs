using RuralCredit.Models;

namespace RuralCredit.Domain;

/// <summary>
/// A governance points account (积分账户) of a household or a subject without one: redemptions debit it, never
/// below zero, and a repeated redemption id returns the first answer. The caller persists it after a debit.
/// </summary>
[GenerateSerializer, Alias("rc.PointsAccount")]
public sealed class PointsAccount
{
    [Id(0)] public decimal Redeemed { get; set; }
    [Id(1)] public Dictionary<string, RedemptionResult>? Redemptions { get; set; }

    /// <summary>Debits <paramref name="redemption"/> against <paramref name="earned"/>; true when the account changed.</summary>
    public (RedemptionResult Result, bool Changed) Redeem(string account, decimal earned, Redemption redemption)
    {
        if (Redemptions is not null && Redemptions.TryGetValue(redemption.RedemptionId, out var first))
        {
            return (first, false);
        }

        var balance = earned - Redeemed;
        if (redemption.Points > balance)
        {
            return (new RedemptionResult(account, balance, new ItemError("insufficient_points", $"balance {balance} is less than {redemption.Points}")), false);
        }

        Redeemed += redemption.Points;
        var result = new RedemptionResult(account, balance - redemption.Points, null);
        (Redemptions ??= new Dictionary<string, RedemptionResult>(StringComparer.Ordinal))[redemption.RedemptionId] = result;
        return (result, true);
    }
}
