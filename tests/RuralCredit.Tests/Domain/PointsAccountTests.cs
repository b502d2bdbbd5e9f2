using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.Tests.Domain;

public sealed class PointsAccountTests
{
    [Fact]
    public void Redeem_debits_until_the_balance_would_go_negative()
    {
        var account = new PointsAccount();

        var (first, changed1) = account.Redeem("household:H-1", 10m, new Redemption("a", 6m, "soap"));
        var (second, changed2) = account.Redeem("household:H-1", 10m, new Redemption("b", 5m, "oil"));
        var (third, changed3) = account.Redeem("household:H-1", 10m, new Redemption("c", 4m, "rice"));

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
        var (first, _) = account.Redeem("subject:X", 10m, new Redemption("a", 3m, "soap"));

        var (again, changed) = account.Redeem("subject:X", 100m, new Redemption("a", 9m, "something else"));

        Assert.False(changed);
        Assert.Same(first, again);
        Assert.Equal(3m, account.Redeemed);
    }

    [Fact]
    public void A_refused_redemption_id_is_refused_again_even_once_the_balance_would_cover_it()
    {
        var account = new PointsAccount();
        var (refused, changed) = account.Redeem("subject:X", 2m, new Redemption("a", 3m, "soap"));

        var (again, changedAgain) = account.Redeem("subject:X", 100m, new Redemption("a", 3m, "soap"));
        var (other, _) = account.Redeem("subject:X", 100m, new Redemption("b", 3m, "soap"));

        Assert.True(changed);
        Assert.Equal("insufficient_points", refused.Error?.Code);
        Assert.False(changedAgain);
        Assert.Same(refused, again);
        Assert.Null(other.Error);
        Assert.Equal(3m, account.Redeemed);
    }
}
