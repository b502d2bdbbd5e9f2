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

    /// <summary>Each debit with its time, for balances as of a past time (debits made before times were kept are not here: they count at any time).</summary>
    [Id(2)] public List<PointsDebit>? Debits { get; set; }

    /// <summary>What had been redeemed at <paramref name="t"/>.</summary>
    public decimal RedeemedAt(DateTimeOffset t)
    {
        var redeemed = Redeemed;
        if (Debits is not null)
        {
            foreach (var debit in Debits)
            {
                if (debit.At > t)
                {
                    redeemed -= debit.Points;
                }
            }
        }

        return redeemed;
    }

    /// <summary>
    /// Debits <paramref name="redemption"/> against <paramref name="earned"/>, or refuses it; true when the account
    /// changed (a debit, or a first answer to remember).
    /// </summary>
    public (RedemptionResult Result, bool Changed) Redeem(string account, decimal earned, Redemption redemption, DateTimeOffset at)
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
            (Debits ??= []).Add(new PointsDebit(at, redemption.Points));
            result = new RedemptionResult(account, balance - redemption.Points, null);
        }

        (Redemptions ??= new Dictionary<string, RedemptionResult>(StringComparer.Ordinal))[redemption.RedemptionId] = result;
        return (result, true);
    }
}

/// <summary>A debit of a points account at a time.</summary>
[GenerateSerializer, Immutable, Alias("rc.PointsDebit")]
public sealed record PointsDebit([property: Id(0)] DateTimeOffset At, [property: Id(1)] decimal Points);
