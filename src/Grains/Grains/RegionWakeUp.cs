using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using RuralCredit.Hosting;
using RuralCredit.Streaming;

namespace RuralCredit.Grains;

/// <summary>
/// Brings back at once the villages and regions that died with a silo. One that comes back after a crash reconciles
/// with its children (<see cref="CrashRecovery"/>), but only a call brings it back: a village whose subjects are quiet
/// would leave its township without the summaries it had received and not yet pushed, until its next record or read.
/// So when a silo is declared dead, the first active silo (in <see cref="ClusterOrder"/>) walks the region tree from
/// the city, level by level, and calls every region and village once.
/// </summary>
public sealed partial class RegionWakeUp(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IGrainFactory grains,
    IOptions<GrainTimingOptions> timing,
    ILogger<RegionWakeUp> logger) : BackgroundService
{
    /// <summary>Calls to one level's regions in flight at once.</summary>
    private const int InFlight = 64;

    /// <summary>Attempts per region: a call made while the directory still names the dead silo fails and is made again.</summary>
    private const int Attempts = 5;

    /// <summary>The active silos in the order every silo agrees on (the ledger partitions' order).</summary>
    public static IEnumerable<SiloAddress> ClusterOrder(ClusterMembershipSnapshot snapshot) =>
        LedgerPartitionOwners.InClusterOrder(snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress));

    /// <summary>The silos that the update from <paramref name="previous"/> to <paramref name="current"/> declares dead.</summary>
    public static IReadOnlyList<SiloAddress> Died(ClusterMembershipSnapshot previous, ClusterMembershipSnapshot current) =>
        current.CreateUpdate(previous).Changes
            .Where(m => m.Status == SiloStatus.Dead && previous.GetSiloStatus(m.SiloAddress) is not (SiloStatus.Dead or SiloStatus.None))
            .Select(m => m.SiloAddress)
            .ToList();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!timing.Value.ReconcileAfterCrash)
        {
            return; // one silo, nothing reconciles after a crash (embedded profile)
        }

        try
        {
            ClusterMembershipSnapshot? previous = null;
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var died = previous is null ? [] : Died(previous, snapshot);
                previous = snapshot;
                if (died.Count > 0 && ClusterOrder(snapshot).FirstOrDefault() is { } first && first.Equals(silo.SiloAddress))
                {
                    try
                    {
                        await WakeAllAsync(died, stoppingToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // Never the host's end: the regions still come back at their next call.
                        LogWakeAllFailed(e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Calls the city, its counties, their townships and their villages, one level at a time.</summary>
    private async Task WakeAllAsync(IReadOnlyList<SiloAddress> died, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        int regions = 0, failed = 0;
        IReadOnlyList<string> level = [RuralCreditConstants.CityCode];
        while (level.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            var next = new List<string>();
            foreach (var chunk in level.Chunk(InFlight))
            {
                foreach (var children in await Task.WhenAll(chunk.Select(code => WakeAsync(code, cancellationToken))))
                {
                    if (children is null)
                    {
                        failed++;
                    }
                    else
                    {
                        next.AddRange(children);
                    }
                }
            }

            regions += level.Count;
            level = next;
        }

        LogWoken(string.Join(", ", died), regions, failed, (long)clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>Calls one region (its children) or village (nothing); null when every attempt failed.</summary>
    private async Task<IReadOnlyList<string>?> WakeAsync(string code, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (code.Length == 12)
                {
                    await grains.ByKey<IVillageGrain>(code).GetInfoAsync();
                    return [];
                }

                return await grains.ByKey<IRegionGrain>(code).GetChildrenAsync();
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                if (attempt == Attempts)
                {
                    LogWakeFailed(code, attempt, e.GetType().Name);
                    return null;
                }

                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Died} died: called {Regions} regions and villages so that those that died with it come back and reconcile ({Failed} failed) in {Ms} ms")]
    private partial void LogWoken(string died, int regions, int failed, long ms);

    [LoggerMessage(Level = LogLevel.Error, Message = "Calling the regions after a silo died failed")]
    private partial void LogWakeAllFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Region {Code} did not answer after {Attempts} attempts ({Error}); it comes back at its next call")]
    private partial void LogWakeFailed(string code, int attempts, string error);
}
