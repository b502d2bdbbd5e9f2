using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace RuralCredit.Streaming;

/// <summary>Places a grain keyed by subject id on the silo that reads the ledger partition of that subject.</summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("rc.LedgerPartitionPlacement")]
public sealed class LedgerPartitionPlacement : PlacementStrategy;

/// <summary>Marks a grain class for <see cref="LedgerPartitionPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class LedgerPartitionPlacementAttribute() : PlacementAttribute(new LedgerPartitionPlacement());

/// <summary>
/// The silo <see cref="LedgerPartitionOwners"/> names when it is compatible; otherwise (no membership view yet, or the
/// owner just left) the local silo, as <c>PreferLocalPlacement</c> would: the grain still works, its deliveries cross
/// silos until it is activated again.
/// </summary>
public sealed class LedgerPartitionPlacementDirector(LedgerPartitionOwners owners) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        if (owners.OwnerOfSubject(target.GrainIdentity.Key.ToString()!) is { } owner && Array.IndexOf(compatible, owner) >= 0)
        {
            return Task.FromResult(owner);
        }

        return Task.FromResult(context.LocalSiloStatus == SiloStatus.Active && Array.IndexOf(compatible, context.LocalSilo) >= 0
            ? context.LocalSilo
            : compatible[Random.Shared.Next(compatible.Length)]);
    }
}
