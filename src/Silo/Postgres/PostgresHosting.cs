using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using RuralCredit.Hosting;
using RuralCredit.Ledger;

namespace RuralCredit.Silo.Postgres;

/// <summary>Options section <c>Postgres</c> of the postgres profile.</summary>
public sealed class PostgresOptions
{
    public const string SectionName = "Postgres";

    /// <summary>Name of the connection string (<c>ConnectionStrings:RuralCredit</c>).</summary>
    public const string ConnectionStringName = "RuralCredit";

    /// <summary>Whether a silo applies pending migrations when it starts (safe with several silos).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// How long a grain call may take before the caller gives up (Orleans' default is 30 s). A batch of 10,000
    /// registrations is thousands of durable writes; under a bulk import it may queue longer than that.
    /// </summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How often an API host re-reads the gateways from the membership table (Orleans' default is a minute). A client
    /// binds each grain's calls to a gateway the first time it calls it and keeps that binding while the connection
    /// lives: an API host that started next to the first silo would otherwise send everything it calls in its first
    /// minute (registration, ingest lanes) through that silo alone, however many silos joined since.
    /// </summary>
    public static readonly TimeSpan GatewayListRefreshPeriod = TimeSpan.FromSeconds(5);
}

/// <summary>Wires the postgres profile: ADO.NET clustering, grain storage and reminders, the ledger and directory.</summary>
public static class PostgresHosting
{
    /// <summary>The ADO.NET invariant name of Npgsql, as Orleans' providers know it.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>The connection string of the postgres profile; a clear error when it is missing.</summary>
    public static string ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(PostgresOptions.ConnectionStringName) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                $"The postgres profile needs ConnectionStrings:{PostgresOptions.ConnectionStringName} " +
                "(e.g. --ConnectionStrings:RuralCredit=\"Host=127.0.0.1;Port=5432;Username=postgres;Database=ruralcredit\").");

    /// <summary>Silo side: clustering, grain storage, reminders, the ledger and the subject directory on PostgreSQL.</summary>
    public static ISiloBuilder UsePostgres(this ISiloBuilder silo, IConfiguration configuration)
    {
        // Two pools per silo (Orleans' providers, and the ledger/directory); bounded so that a few silos and API
        // hosts stay well under the server's max_connections. An explicit Maximum Pool Size wins.
        var connectionString = Tuned(ConnectionString(configuration), 24);
        var ledgerConnectionString = Tuned(ConnectionString(configuration), 32);
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = PostgresOptions.ResponseTimeout);
        silo.Configure<GrainCollectionOptions>(o => o.ActivationTimeout = PostgresOptions.ResponseTimeout);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        silo.AddAdoNetGrainStorage(RuralCreditConstants.StorageName, o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        SnapshottingGrainStorage.Decorate(silo.Services, RuralCreditConstants.StorageName);
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });

        var services = silo.Services;
        services.AddSingleton(_ => NpgsqlDataSource.Create(ledgerConnectionString));
        services.AddSingleton<IIncomingGrainCallFilter, StorageOutageFilter>();
        services.AddSingleton<ICreditLedger, PostgresCreditLedger>();
        services.AddSingleton<ISubjectDirectory, PostgresSubjectDirectory>();

        // Snapshots are durable here: subjects write them (coalesced), and catch up from the ledger past them.
        var snapshots = configuration.GetValue($"{GrainTimingOptions.SectionName}:{nameof(GrainTimingOptions.SubjectSnapshotWrites)}", true);
        services.PostConfigure<GrainTimingOptions>(o =>
        {
            o.SubjectSnapshotWrites = snapshots;
            o.ReconcileAfterCrash = true;
        });

        // At the durable rate a subject's entries come seconds to minutes apart: a silo keeps its stream's delivery state
        // for 2 minutes, so that the next entry does not pay a new handshake with the subject. Measured at 200 k subjects /
        // 1 M records, two pairs back to back: 8,340 / 11,124 and 10,574 / 11,680 records/s (10 s / 2 minutes). The embedded profile keeps 10 s: it
        // folds fast enough that entries rarely come 10 s apart, and the kept state would cost ≈ 1 KB per subject.
        var inactivity = configuration.GetValue($"{LedgerOptions.SectionName}:{nameof(LedgerOptions.StreamInactivityPeriod)}", TimeSpan.FromMinutes(2));
        services.PostConfigure<LedgerOptions>(o => o.StreamInactivityPeriod = inactivity);
        return silo;
    }

    /// <summary>
    /// The connection string a pool of this profile uses: <paramref name="size"/> connections at most, a 60 s wait for
    /// one, no session reset, statements prepared automatically. Whatever the given string sets explicitly wins.
    /// </summary>
    public static string Tuned(string connectionString, int size)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Pool Size", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxPoolSize = size;
        }

        // Under a burst (thousands of activations writing at once) a call may queue for a pooled connection
        // longer than Npgsql's default 15 s; that is load, not an outage.
        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.Timeout = 60;
        }

        // Nothing here changes a session's state beyond its transaction (locks are transaction-level), so a pooled
        // connection needs no DISCARD ALL before its next use, and the statements run on every activation, poll and
        // append (a handful of texts) are prepared once per connection instead of parsed and planned every time.
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 32;
        }

        return builder.ConnectionString;
    }

    /// <summary>Client side (API hosts): find the silos' gateways through the membership table.</summary>
    public static IClientBuilder UsePostgres(this IClientBuilder client, IConfiguration configuration)
    {
        var connectionString = Tuned(ConnectionString(configuration), 4);
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = PostgresOptions.ResponseTimeout);
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = PostgresOptions.GatewayListRefreshPeriod);
        client.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        return client;
    }

    /// <summary>Applies pending migrations (the <c>migrate</c> command, and silos on start).</summary>
    public static async Task<IReadOnlyList<int>> MigrateAsync(string connectionString, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        return await new SchemaMigrator(dataSource, loggers.CreateLogger<SchemaMigrator>()).MigrateAsync(cancellationToken);
    }
}
