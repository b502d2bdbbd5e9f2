using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RuralCredit.Hosting;

namespace RuralCredit.Domain;

/// <summary>
/// Keeps this silo's <see cref="DomainCache"/> in step with the catalog and model grains, which live on one silo
/// each: reads them as soon as the cluster answers, then every <see cref="GrainTimingOptions.DomainRefreshInterval"/>.
/// A re-score after a publish does not wait for it (subjects fetch the published model themselves).
/// </summary>
public sealed partial class DomainRefresher(IGrainFactory grains, DomainCache domain, IOptions<GrainTimingOptions> timing, ILogger<DomainRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                await RefreshAsync();
                failures = 0;
                wait = timing.Value.DomainRefreshInterval;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The silo is starting or the cluster is busy: try again soon, say so now and then.
                if (++failures % 10 == 1)
                {
                    LogRetry(e.GetType().Name, e.Message);
                }

                wait = TimeSpan.FromSeconds(1);
            }

            try
            {
                await Task.Delay(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reads every current catalog item and every published model into the cache.</summary>
    public async Task RefreshAsync()
    {
        foreach (var item in await grains.GetGrain<ICatalogGrain>(RuralCreditConstants.CatalogKey).GetItemsAsync())
        {
            domain.SetItem(item);
        }

        foreach (var type in RuralCreditConstants.SubjectTypes)
        {
            domain.SetModel((await grains.GetGrain<IScoringModelGrain>(type).GetAsync()).Current);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Catalog and models not read yet ({Error}: {Message}); retrying")]
    private partial void LogRetry(string error, string message);
}
