using Microsoft.Extensions.Options;
using Orleans.Runtime;
using RuralCredit.Ledger;
using RuralCredit.Streaming;
using static RuralCredit.Tests.Infrastructure.TestSilos;

namespace RuralCredit.Tests.Ledger;

/// <summary>Which silo reads each ledger partition (and hosts the partition's subjects).</summary>
public sealed class LedgerPartitionOwnersTests
{
    [Fact]
    public void No_owner_before_the_first_membership_view()
    {
        var owners = new LedgerPartitionOwners(Options.Create(new LedgerOptions { Partitions = 8 }));
        Assert.Null(owners.OwnerOfPartition(0));
        Assert.Null(owners.OwnerOfSubject("P123"));
    }

    [Fact]
    public void Partitions_are_shared_evenly_and_every_silo_computes_the_same_assignment()
    {
        var one = new LedgerPartitionOwners(Options.Create(new LedgerOptions { Partitions = 8 }));
        var other = new LedgerPartitionOwners(Options.Create(new LedgerOptions { Partitions = 8 }));
        one.Update([A, B, C]);
        other.Update([C, A, B]); // membership in another order

        var assignment = Enumerable.Range(0, 8).Select(p => one.OwnerOfPartition(p)).ToList();
        Assert.Equal(assignment, Enumerable.Range(0, 8).Select(p => other.OwnerOfPartition(p)));
        Assert.Equal([3, 3, 2], assignment.GroupBy(s => s).Select(g => g.Count()).OrderDescending());
    }

    [Fact]
    public void A_subject_belongs_to_the_owner_of_its_partition_and_moves_when_membership_changes()
    {
        var owners = new LedgerPartitionOwners(Options.Create(new LedgerOptions { Partitions = 8 }));
        owners.Update([A, B]);
        var subjects = Enumerable.Range(0, 200).Select(i => $"P{i:D20}").ToList();
        Assert.All(subjects, s => Assert.Equal(owners.OwnerOfPartition(LedgerPartitioner.PartitionOf(s, 8)), owners.OwnerOfSubject(s)));
        Assert.Equal(2, subjects.Select(owners.OwnerOfSubject).Distinct().Count());

        owners.Update([B]); // A left: B reads everything
        Assert.All(subjects, s => Assert.Equal(B, owners.OwnerOfSubject(s)));
    }
}
