using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using RuralCredit.Silo.Hosting;

namespace RuralCredit.Tests.Streaming;

/// <summary>
/// What the ledger stream's pulling agents are configured with in each profile (the host is built, not started: no
/// server is needed to resolve its options).
/// </summary>
public sealed class StreamProfileDefaultsTests
{
    [Theory]
    [InlineData("embedded", null, 10)]
    [InlineData("postgres", null, 120)]
    [InlineData("postgres", "00:00:30", 30)]
    [InlineData("embedded", "00:01:00", 60)]
    public void Each_profile_keeps_a_quiet_subject_stream_for_its_own_period(string profile, string? configured, int expectedSeconds)
    {
        var settings = new Dictionary<string, string?>
        {
            ["RuralCredit:Profile"] = profile,
            ["ConnectionStrings:RuralCredit"] = "Host=127.0.0.1;Port=1;Username=nobody;Database=none",
            ["Ledger:CacheSize"] = "512",
        };
        if (configured is not null)
        {
            settings["Ledger:StreamInactivityPeriod"] = configured;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo.AddRuralCredit(builder.Configuration));
        using var host = builder.Build();

        var agent = host.Services.GetRequiredService<IOptionsMonitor<StreamPullingAgentOptions>>().Get(RuralCreditConstants.LedgerStreamProvider);
        var cache = host.Services.GetRequiredService<IOptionsMonitor<SimpleQueueCacheOptions>>().Get(RuralCreditConstants.LedgerStreamProvider);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), agent.StreamInactivityPeriod);
        Assert.Equal(512, cache.CacheSize);

        // A batch that waits out ingest's back-pressure is still answered within the call's timeout.
        var messaging = host.Services.GetRequiredService<IOptions<SiloMessagingOptions>>().Value;
        var ingest = host.Services.GetRequiredService<IOptions<RuralCredit.Ledger.IngestOptions>>().Value;
        Assert.True(messaging.ResponseTimeout >= ingest.MaxWait + TimeSpan.FromSeconds(20), $"{profile}: response timeout {messaging.ResponseTimeout} against ingest's wait {ingest.MaxWait}");
    }
}
