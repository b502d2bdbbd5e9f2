using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Streaming;

/// <summary>The embedded host with each partition's stream cache at the given size (<c>Ledger:CacheSize</c>).</summary>
public class StreamCacheApiFactory(int cacheSize, string? inactivityPeriod = null, string? idlePollInterval = null) : CreditApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Ledger:CacheSize", cacheSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (inactivityPeriod is not null)
        {
            builder.UseSetting("Ledger:StreamInactivityPeriod", inactivityPeriod);
        }

        if (idlePollInterval is not null)
        {
            builder.UseSetting("Ledger:IdlePollInterval", idlePollInterval);
        }
    }
}

/// <summary>The stream cache at its smallest allowed size.</summary>
public sealed class SmallStreamCacheApiFactory() : StreamCacheApiFactory(CacheSize)
{
    public const int CacheSize = 64;
}

/// <summary>
/// <c>Ledger:CacheSize</c> bounds the entries a partition's stream holds between reading and delivery: the stream
/// takes the configured size, a cache far smaller than a batch still delivers every entry once, and a size out of range
/// stops the host at start.
/// </summary>
public sealed class StreamCacheSizeTests(SmallStreamCacheApiFactory api) : IClassFixture<SmallStreamCacheApiFactory>
{
    private const int Farmers = 60;
    private const int RecordsEach = 10;

    [Fact]
    public async Task A_cache_far_smaller_than_the_batches_folds_every_record_once()
    {
        var cacheOptions = api.Services.GetRequiredService<IOptionsMonitor<SimpleQueueCacheOptions>>().Get(RuralCreditConstants.LedgerStreamProvider);
        Assert.Equal(SmallStreamCacheApiFactory.CacheSize, cacheOptions.CacheSize);

        var village = await api.RegisterVillageAsync();
        var farmers = await api.RegisterFarmersAsync(village, Farmers);
        var records = farmers
            .SelectMany(f => Enumerable.Range(0, RecordsEach).Select(i =>
                (JsonNode)Record(NewRecordId(), "VOLUNTEER_SERVICE", f.SubjectId, Day(-1 - i), new JsonObject { ["hours"] = 2 })))
            .ToArray();
        foreach (var batch in records.Chunk(300))
        {
            var outcome = await api.SubmitAsync(batch);
            Assert.Equal(batch.Length, outcome["accepted"]!.GetValue<int>());
        }

        JsonNode? region = null;
        await WaitUntilAsync(
            async () => (region = await api.RegionAsync(village))["records24h"]!.GetValue<int>() == Farmers * RecordsEach
                && region["subjects"]!["total"]!.GetValue<int>() == Farmers
                && await AllFoldedAsync(farmers),
            Eventually,
            () => $"every farmer should fold {RecordsEach} records through a cache of {SmallStreamCacheApiFactory.CacheSize}: {region?.ToJsonString()}");

        // Exactly once: no farmer holds more, and a second look after the stream has settled changes nothing.
        await Task.Delay(TimeSpan.FromSeconds(1));
        foreach (var (subjectId, _) in farmers)
        {
            Assert.Equal(RecordsEach, (await api.ProfileAsync(subjectId))["recordCount"]!.GetValue<int>());
        }
    }

    private async Task<bool> AllFoldedAsync(IReadOnlyList<(string SubjectId, string IdNumber)> farmers)
    {
        foreach (var (subjectId, _) in farmers)
        {
            if ((await api.ProfileAsync(subjectId))["recordCount"]!.GetValue<int>() != RecordsEach)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Stream settings out of range are a clear error when the host starts, not a silo that folds nothing.</summary>
public sealed class StreamSettingsValidationTests
{
    [Fact]
    public void A_cache_size_out_of_range_stops_the_host_at_start()
    {
        using var api = new StreamCacheApiFactory(8);
        var error = Assert.ThrowsAny<Exception>(() => api.Server);
        Assert.Contains("Ledger:CacheSize must be between 64 and 1,000,000.", error.ToString());
    }

    [Fact]
    public void A_stream_inactivity_period_under_a_second_stops_the_host_at_start()
    {
        using var api = new StreamCacheApiFactory(SmallStreamCacheApiFactory.CacheSize, "00:00:00.500");
        var error = Assert.ThrowsAny<Exception>(() => api.Server);
        Assert.Contains("Ledger:StreamInactivityPeriod must be at least 1 second.", error.ToString());
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("00:00:11")]
    public void An_idle_poll_interval_out_of_range_stops_the_host_at_start(string interval)
    {
        using var api = new StreamCacheApiFactory(SmallStreamCacheApiFactory.CacheSize, idlePollInterval: interval);
        var error = Assert.ThrowsAny<Exception>(() => api.Server);
        Assert.Contains("Ledger:IdlePollInterval must be between 0 and 10 seconds.", error.ToString());
    }
}
