using Microsoft.Extensions.Options;
using Orleans.Runtime;
using RuralCredit.Ledger;

namespace RuralCredit.Streaming;

/// <summary>
/// Which silo reads each ledger partition: the active silos in a fixed order, partition <c>p</c> on silo
/// <c>p mod count</c>. The queue balancer gives each silo the partitions this assigns it, and subjects are placed on the
/// silo that reads their partition, so the stream delivers a subject's entries without leaving the silo (a delivery to a
/// subject on another silo serializes every entry of it).
/// </summary>
public sealed class LedgerPartitionOwners(IOptions<LedgerOptions> options)
{
    private SiloAddress[] _silos = [];

    /// <summary>Number of ledger partitions.</summary>
    public int Partitions { get; } = options.Value.Partitions;

    /// <summary>The active silos changed (called by the queue balancer on every membership change).</summary>
    public void Update(IEnumerable<SiloAddress> activeSilos) => Volatile.Write(ref _silos, InClusterOrder(activeSilos));

    /// <summary>Silos in the order every silo agrees on, whatever order membership lists them in.</summary>
    public static SiloAddress[] InClusterOrder(IEnumerable<SiloAddress> silos) =>
        [.. silos.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal)];

    /// <summary>The silo reading <paramref name="partition"/>, or null before the first membership view.</summary>
    public SiloAddress? OwnerOfPartition(int partition)
    {
        var silos = Volatile.Read(ref _silos);
        return silos.Length == 0 ? null : silos[partition % silos.Length];
    }

    /// <summary>The silo reading the partition of <paramref name="subjectId"/>'s entries.</summary>
    public SiloAddress? OwnerOfSubject(string subjectId) => OwnerOfPartition(LedgerPartitioner.PartitionOf(subjectId, Partitions));
}
