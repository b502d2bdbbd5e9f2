using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.Tests.Domain;

public sealed class PointsAccountTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Redeem_debits_until_the_balance_would_go_negative()
    {
        var account = new PointsAccount();

        var (first, changed1) = account.Redeem("household:H-1", 10m, new Redemption("a", 6m, "soap"), At);
        var (second, changed2) = account.Redeem("household:H-1", 10m, new Redemption("b", 5m, "oil"), At);
        var (third, changed3) = account.Redeem("household:H-1", 10m, new Redemption("c", 4m, "rice"), At);

        Assert.True(changed1);
        Assert.Equal(new RedemptionResult("household:H-1", 4m, null), first);
        Assert.True(changed2); // a refusal is a first answer to remember
        Assert.Equal("insufficient_points", second.Error?.Code);
        Assert.Equal(4m, second.Balance);
        Assert.True(changed3);
        Assert.Equal(0m, third.Balance);
        Assert.Equal(10m, account.Redeemed);
    }

    [Fact]
    public void Repeated_redemption_id_returns_the_first_answer_and_changes_nothing()
    {
        var account = new PointsAccount();
        var (first, _) = account.Redeem("subject:X", 10m, new Redemption("a", 3m, "soap"), At);

        var (again, changed) = account.Redeem("subject:X", 100m, new Redemption("a", 9m, "something else"), At);

        Assert.False(changed);
        Assert.Same(first, again);
        Assert.Equal(3m, account.Redeemed);
    }

    [Fact]
    public void A_refused_redemption_id_is_refused_again_even_once_the_balance_would_cover_it()
    {
        var account = new PointsAccount();
        var (refused, changed) = account.Redeem("subject:X", 2m, new Redemption("a", 3m, "soap"), At);

        var (again, changedAgain) = account.Redeem("subject:X", 100m, new Redemption("a", 3m, "soap"), At);
        var (other, _) = account.Redeem("subject:X", 100m, new Redemption("b", 3m, "soap"), At);

        Assert.True(changed);
        Assert.Equal("insufficient_points", refused.Error?.Code);
        Assert.False(changedAgain);
        Assert.Same(refused, again);
        Assert.Null(other.Error);
        Assert.Equal(3m, account.Redeemed);
    }

    [Fact]
    public void What_was_redeemed_at_a_past_time_counts_the_debits_made_by_then()
    {
        var account = new PointsAccount { Redeemed = 2m }; // 2 debited before debits were dated: at any time
        account.Redeem("subject:X", 100m, new Redemption("a", 3m, "soap"), At);
        account.Redeem("subject:X", 100m, new Redemption("b", 5m, "oil"), At.AddDays(10));
        account.Redeem("subject:X", 1m, new Redemption("c", 50m, "refused"), At.AddDays(20));

        Assert.Equal(2m, account.RedeemedAt(At.AddTicks(-1)));
        Assert.Equal(5m, account.RedeemedAt(At));
        Assert.Equal(5m, account.RedeemedAt(At.AddDays(9)));
        Assert.Equal(10m, account.RedeemedAt(At.AddDays(10)));
        Assert.Equal(10m, account.RedeemedAt(At.AddDays(30)));
        Assert.Equal(10m, account.Redeemed);
    }
}
