using System.Collections.Concurrent;
using RuralCredit.ApiHost.Apis;
using RuralCredit.Models;

namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>
/// The live streams' view of a region, shared by every stream of it on this host: the region grain is asked at most
/// once per <see cref="Period"/> however many dashboards watch it (a city's screens and officials on one region make
/// one call a second, not one each). A region nobody has asked for during <see cref="Idle"/> is forgotten.
/// </summary>
public sealed class RegionWatch(IClusterClient cluster, GatewayLoss gatewayLoss, TimeProvider time)
{
    /// <summary>How old a shared answer may be.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>How long a region no stream asks for is kept.</summary>
    public static readonly TimeSpan Idle = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Watched> _regions = new(StringComparer.Ordinal);

    /// <summary>Regions currently held (for tests and diagnostics).</summary>
    public int Count => _regions.Count;

    /// <summary>The region's summary, asked of its grain unless a stream of it asked less than <see cref="Period"/> ago.</summary>
    public Task<RegionSummary?> CurrentAsync(string code)
    {
        var now = time.GetTimestamp();
        var watched = _regions.GetOrAdd(code, static _ => new Watched());
        lock (watched)
        {
            watched.LastAsked = now;
            if (watched.Answer is { } pending && (!pending.IsCompleted || time.GetElapsedTime(watched.AskedAt, now) < Period) && !pending.IsFaulted)
            {
                return pending;
            }

            watched.AskedAt = now;
            watched.Answer = RegionsApi.SummaryAsync(cluster, code).WithinReadDeadline(gatewayLoss);
            Forget(now);
            return watched.Answer;
        }
    }

    /// <summary>Drops the regions no stream has asked for during <see cref="Idle"/>.</summary>
    private void Forget(long now)
    {
        foreach (var (code, watched) in _regions)
        {
            if (time.GetElapsedTime(watched.LastAsked, now) >= Idle)
            {
                _regions.TryRemove(code, out _);
            }
        }
    }

    private sealed class Watched
    {
        public Task<RegionSummary?>? Answer;
        public long AskedAt;
        public long LastAsked;
    }
}
