using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;
using Orleans.Storage;
using Orleans.Streams;
using RuralCredit.Domain;
using RuralCredit.Hosting;
using RuralCredit.Ledger;
using RuralCredit.Streaming;

namespace RuralCredit.Silo.Hosting;

/// <summary>Options section <c>RuralCredit</c>: which runtime profile this process runs.</summary>
public sealed class ProfileOptions
{
    public const string SectionName = "RuralCredit";
    public const string Embedded = "embedded";

    /// <summary><c>embedded</c> (default: one process, in memory) or <c>postgres</c>.</summary>
    public string Profile { get; set; } = Embedded;
}

/// <summary>Configures a silo for RuralCredit: providers, ledger stream, options and domain services.</summary>
public static class RuralCreditSiloExtensions
{
    /// <summary>Development secret for person ids in the embedded profile (never use it in production).</summary>
    public const string DevelopmentPersonIdSecret = "ruralcredit-development-secret-not-for-production";

    public static ISiloBuilder AddRuralCredit(this ISiloBuilder silo, IConfiguration configuration)
    {
        var services = silo.Services;
        services.AddOptions<IdentityOptions>().Bind(configuration.GetSection(IdentityOptions.SectionName))
            .PostConfigure(o => o.PersonIdSecret = string.IsNullOrEmpty(o.PersonIdSecret) ? DevelopmentPersonIdSecret : o.PersonIdSecret)
            .Validate(o => o.PersonIdSecret.Length >= 16, "Identity:PersonIdSecret must have at least 16 characters.")
            .ValidateOnStart();
        services.AddOptions<GrainTimingOptions>().Bind(configuration.GetSection(GrainTimingOptions.SectionName))
            .Validate(o => o.PropagationInterval >= TimeSpan.Zero && o.StateWriteDelay >= TimeSpan.Zero && o.RefreshPeriod >= TimeSpan.FromMinutes(1),
                "Grains timings must not be negative; RefreshPeriod at least one minute.")
            .ValidateOnStart();
        services.AddOptions<CreditPolicyOptions>().Bind(configuration.GetSection(CreditPolicyOptions.SectionName));
        services.AddOptions<LedgerOptions>().Bind(configuration.GetSection(LedgerOptions.SectionName))
            .Validate(o => o.Partitions is >= 1 and <= 256, "Ledger:Partitions must be between 1 and 256.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
        services.AddSingleton<DomainCache>();
        services.AddSingleton<ICreditLedger, InMemoryCreditLedger>();
        services.AddSingleton<ISubjectDirectory, InMemorySubjectDirectory>();

        silo.AddMemoryGrainStorage(RuralCreditConstants.StorageName);
        silo.UseInMemoryReminderService();
        silo.AddPersistentStreams(RuralCreditConstants.LedgerStreamProvider, LedgerQueueAdapterFactory.Create, stream =>
        {
            stream.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
            stream.Configure<SimpleQueueCacheOptions>(ob => ob.Configure(o => o.CacheSize = 8192));
            stream.Configure<StreamPullingAgentOptions>(ob => ob.Configure(o =>
            {
                o.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(20);
                o.BatchContainerBatchSize = 1;
                o.StreamInactivityPeriod = TimeSpan.FromMinutes(2);
            }));
        });
        silo.AddDashboard();
        return silo;
    }
}
