using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace RuralCredit.Streaming;

/// <summary>
/// Shares the ledger partitions among the active silos as <see cref="LedgerPartitionOwners"/> assigns them. When a silo
/// joins or leaves, every silo's pulling agents stop the partitions they lost and start the ones they gained from
/// the partition's checkpoint (entries delivered twice meanwhile are skipped by sequence).
/// </summary>
public sealed class LedgerQueueBalancer(IServiceProvider services, LedgerPartitionOwners owners, ILogger<LedgerQueueBalancer> logger)
    : QueueBalancerBase(services, logger)
{
    private QueueId[] _queues = [];

    public override Task Initialize(IStreamQueueMapper queueMapper)
    {
        _queues = [.. queueMapper.GetAllQueues()];
        return base.Initialize(queueMapper);
    }

    public override IEnumerable<QueueId> GetMyQueues() =>
        _queues.Where(q => owners.OwnerOfPartition(LedgerQueueMapper.PartitionOf(q)) == SiloAddress);

    protected override void OnClusterMembershipChange(HashSet<SiloAddress> activeSilos)
    {
        owners.Update(activeSilos);
        _ = NotifyListeners().ContinueWith(
            static (t, state) => ((ILogger)state!).LogWarning(t.Exception, "Pulling agents were not all told of the new partition assignment"),
            Logger, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }
}
