using System.Collections.Immutable;
using System.Net;
using Orleans.Runtime;
using RuralCredit.Grains;
using static RuralCredit.Tests.Infrastructure.TestSilos;

namespace RuralCredit.Tests.Faults;

/// <summary>When <see cref="RegionWakeUp"/> wakes the regions, and which silo does it.</summary>
public sealed class RegionWakeUpMembershipTests
{
    private static readonly SiloAddress Old = SiloAddress.New(IPAddress.Loopback, 11110, 1);

    private static ClusterMembershipSnapshot Snapshot(long version, params (SiloAddress Silo, SiloStatus Status)[] members) =>
        new(members.ToImmutableDictionary(m => m.Silo, m => new ClusterMember(m.Silo, m.Status, m.Silo.ToString())), new MembershipVersion(version));

    [Fact]
    public void A_silo_that_was_active_and_is_declared_dead_died()
    {
        var before = Snapshot(1, (A, SiloStatus.Active), (B, SiloStatus.Active), (Old, SiloStatus.Dead));
        var after = Snapshot(2, (A, SiloStatus.Active), (B, SiloStatus.Dead), (Old, SiloStatus.Dead));
        Assert.Equal([B], RegionWakeUp.Died(before, after));
    }

    [Fact]
    public void Joining_leaving_gracefully_and_old_dead_entries_are_not_deaths()
    {
        var before = Snapshot(1, (A, SiloStatus.Active), (B, SiloStatus.Active));

        // C joins; B starts shutting down: nothing died.
        var joining = Snapshot(2, (A, SiloStatus.Active), (B, SiloStatus.ShuttingDown), (C, SiloStatus.Joining));
        Assert.Empty(RegionWakeUp.Died(before, joining));

        // A dead entry the silo had never seen (a silo dead before this one started) is no news.
        var stale = Snapshot(3, (A, SiloStatus.Active), (B, SiloStatus.ShuttingDown), (C, SiloStatus.Active), (Old, SiloStatus.Dead));
        Assert.Empty(RegionWakeUp.Died(joining, stale));

        // B stopping (its grains deactivated cleanly) ends as dead too: woken all the same, which costs one call per region.
        var stopped = Snapshot(4, (A, SiloStatus.Active), (B, SiloStatus.Dead), (C, SiloStatus.Active), (Old, SiloStatus.Dead));
        Assert.Equal([B], RegionWakeUp.Died(stale, stopped));
    }

    [Fact]
    public void Every_silo_names_the_same_first_active_silo()
    {
        var one = Snapshot(5, (C, SiloStatus.Active), (A, SiloStatus.Dead), (B, SiloStatus.Active));
        var other = Snapshot(5, (B, SiloStatus.Active), (C, SiloStatus.Active), (A, SiloStatus.Dead));
        Assert.Equal([B, C], RegionWakeUp.ClusterOrder(one));
        Assert.Equal(RegionWakeUp.ClusterOrder(one), RegionWakeUp.ClusterOrder(other));
    }
}
