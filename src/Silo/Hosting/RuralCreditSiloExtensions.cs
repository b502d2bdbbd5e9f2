using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.Streams;
using RuralCredit.Domain;
using RuralCredit.Grains;
using RuralCredit.Hosting;
using RuralCredit.Ledger;
using RuralCredit.Silo.Postgres;
using RuralCredit.Streaming;

namespace RuralCredit.Silo.Hosting;

/// <summary>Options section <c>RuralCredit</c>: which runtime profile this process runs.</summary>
public sealed class ProfileOptions
{
    public const string SectionName = "RuralCredit";
    public const string Embedded = "embedded";
    public const string Postgres = "postgres";

    /// <summary><c>embedded</c> (default: one process, in memory) or <c>postgres</c> (durable, any number of silos).</summary>
    public string Profile { get; set; } = Embedded;

    public bool IsPostgres => Profile == Postgres;

    /// <summary>The profile named in configuration; a clear error for an unknown one.</summary>
    public static ProfileOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(SectionName).Get<ProfileOptions>() ?? new ProfileOptions();
        return options.Profile is Embedded or Postgres
            ? options
            : throw new InvalidOperationException($"RuralCredit:Profile must be '{Embedded}' or '{Postgres}', not '{options.Profile}'.");
    }
}

/// <summary>Options section <c>Orleans</c>: cluster identity and this silo's endpoints.</summary>
public sealed class ClusterEndpointOptions
{
    public const string SectionName = "Orleans";

    public string ClusterId { get; set; } = "ruralcredit";
    public string ServiceId { get; set; } = "ruralcredit";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos and clients reach this silo at.</summary>
    public string AdvertisedIP { get; set; } = "127.0.0.1";

    public static ClusterEndpointOptions From(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<ClusterEndpointOptions>() ?? new ClusterEndpointOptions();
}

/// <summary>Configures a silo for RuralCredit: providers, ledger stream, options and domain services.</summary>
public static class RuralCreditSiloExtensions
{
    /// <summary>Development secret for person ids in the embedded profile (never use it in production).</summary>
    public const string DevelopmentPersonIdSecret = "ruralcredit-development-secret-not-for-production";

    /// <summary>
    /// Everything a RuralCredit silo needs, for the profile named in configuration: embedded (localhost clustering,
    /// memory storage, in-memory ledger) or postgres (ADO.NET clustering, storage and reminders, PostgreSQL ledger).
    /// </summary>
    public static ISiloBuilder AddRuralCredit(this ISiloBuilder silo, IConfiguration configuration)
    {
        var profile = ProfileOptions.From(configuration);
        var endpoints = ClusterEndpointOptions.From(configuration);
        if (profile.IsPostgres)
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = endpoints.ClusterId;
                o.ServiceId = endpoints.ServiceId;
            });
            silo.ConfigureEndpoints(System.Net.IPAddress.Parse(endpoints.AdvertisedIP), endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: false);
            silo.UsePostgres(configuration);
        }
        else
        {
            silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort);

            // Longer than ingest's back-pressure wait (Ingest:MaxWait, 30 s) and its lookups: a batch that waits it all
            // is appended and answered, not timed out at Orleans' default 30 s and retried as duplicates.
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(1));

            // One silo: every grain is local, and a cache of where grains live only holds an entry per activation.
            silo.Configure<GrainDirectoryOptions>(o => o.CachingStrategy = GrainDirectoryOptions.CachingStrategyType.None);
            silo.Services.AddSingleton<ICreditLedger, InMemoryCreditLedger>();
            silo.Services.AddSingleton<ISubjectDirectory, InMemorySubjectDirectory>();
            silo.AddMemoryGrainStorage(RuralCreditConstants.StorageName);
            silo.UseInMemoryReminderService();
        }

        var services = silo.Services;
        services.AddOptions<IdentityOptions>().Bind(configuration.GetSection(IdentityOptions.SectionName))
            .PostConfigure(o => o.PersonIdSecret = string.IsNullOrEmpty(o.PersonIdSecret) ? DevelopmentPersonIdSecret : o.PersonIdSecret)
            .Validate(o => !profile.IsPostgres || o.AllowDevelopmentSecret || o.PersonIdSecret != DevelopmentPersonIdSecret,
                "The postgres profile needs a secret of its own in Identity:PersonIdSecret: person subject ids are keyed hashes of identity numbers, " +
                "and with the public development secret anyone could reverse them. Set Identity:AllowDevelopmentSecret=true for a local trial only.")
            .Validate(o => o.PersonIdSecret.Length >= 16, "Identity:PersonIdSecret must have at least 16 characters.")
            .ValidateOnStart();
        services.AddOptions<GrainTimingOptions>().Bind(configuration.GetSection(GrainTimingOptions.SectionName))
            .Validate(o => o.PropagationInterval >= TimeSpan.Zero && o.StateWriteDelay >= TimeSpan.Zero && o.RefreshPeriod >= TimeSpan.FromMinutes(1) && o.DomainRefreshInterval > TimeSpan.Zero && o.SnapshotAfterEntries >= 1,
                "Grains timings must not be negative; RefreshPeriod at least one minute; SnapshotAfterEntries at least 1.")
            .ValidateOnStart();
        services.AddOptions<CreditPolicyOptions>().Bind(configuration.GetSection(CreditPolicyOptions.SectionName));
        services.AddOptions<LedgerOptions>().Bind(configuration.GetSection(LedgerOptions.SectionName))
            .Validate(o => o.Partitions is >= 1 and <= 256, "Ledger:Partitions must be between 1 and 256.")
            .Validate(o => o.CacheSize is >= 64 and <= 1_000_000, "Ledger:CacheSize must be between 64 and 1,000,000.")
            .Validate(o => o.StreamInactivityPeriod >= TimeSpan.FromSeconds(1), "Ledger:StreamInactivityPeriod must be at least 1 second.")
            .Validate(o => o.IdlePollInterval >= TimeSpan.Zero && o.IdlePollInterval <= TimeSpan.FromSeconds(10), "Ledger:IdlePollInterval must be between 0 and 10 seconds.")
            .ValidateOnStart();

        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.SectionName))
            .Validate(o => o.MaxUndelivered >= 0 && o.MaxWait >= TimeSpan.Zero, "Ingest:MaxUndelivered and Ingest:MaxWait must not be negative.")
            .ValidateOnStart();
        GrainInterfaceTypeCache.AddTo(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IngestBackPressure>();
        services.AddSingleton<SubjectArchiveReader>();
        services.AddSingleton(sp => VillageOutbox.For(sp.GetRequiredService<IGrainFactory>()));
        services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
        services.AddSingleton<DomainCache>();
        services.AddHostedService<DomainRefresher>();
        services.AddHostedService<RegionWakeUp>();

        // Each silo reads the partitions LedgerPartitionOwners assigns it, and subjects live on the silo reading theirs.
        services.AddSingleton<LedgerPartitionOwners>();
        silo.AddPlacementDirector<LedgerPartitionPlacement, LedgerPartitionPlacementDirector>();

        // Grains without a placement of their own (regions, villages, catalog, models, jobs) follow Orleans' default,
        // load-based placement. Fault tests that need regions spread over the silos whatever their load set
        // Orleans:DefaultPlacement=random (measured: random regions cost durable ingest ≈ 15 %).
        if (string.Equals(configuration["Orleans:DefaultPlacement"], "random", StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<PlacementStrategy, RandomPlacement>();
        }
        silo.AddPersistentStreams(RuralCreditConstants.LedgerStreamProvider, LedgerQueueAdapterFactory.Create, stream =>
        {
            stream.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
            stream.ConfigurePartitionBalancing(static (services, _) => ActivatorUtilities.CreateInstance<LedgerQueueBalancer>(services));
            stream.Configure<SimpleQueueCacheOptions>(ob => ob.Configure<IOptions<LedgerOptions>>((o, ledger) => o.CacheSize = ledger.Value.CacheSize));
            stream.Configure<StreamPullingAgentOptions>(ob => ob.Configure<IOptions<LedgerOptions>>((o, ledger) =>
            {
                o.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(20);
                // Every cached entry of a subject goes out in one delivery (one grain call, one summary), up to this many.
                o.BatchContainerBatchSize = 64;
                o.StreamInactivityPeriod = ledger.Value.StreamInactivityPeriod;
            }));
        });
        DashboardCounters.Apply(configuration);
        silo.AddDashboard();
        return silo;
    }
}
