using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Storage;
using RuralCredit.Silo.Postgres;
using RuralCredit.Tests.Faults;
using RuralCredit.Tests.Infrastructure;

namespace RuralCredit.Tests.Postgres;

/// <summary>
/// Orleans' own ADO.NET providers (clustering, grain persistence, reminders) with the invariant <c>Npgsql</c>, against
/// real PostgreSQL migrated with this project's <c>0001_orleans.sql</c>; and the migrator under concurrent hosts.
/// </summary>
public sealed class OrleansProvidersTests
{
    /// <summary>The grain storage the test grains use.</summary>
    public const string Store = "orleans-test";

    private const string DeletingStore = "orleans-test-deleting";
    private const string Invariant = "Npgsql";
    private const string ServiceId = "ruralcredit-tests";

    /// <summary>Bound of every wait for the cluster to reach a state.</summary>
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    /// <summary>Bound of a host start or stop.</summary>
    private static readonly TimeSpan HostTimeout = TimeSpan.FromSeconds(60);

    private static readonly string[] QueryKeys =
    [
        "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey", "InsertMembershipKey",
        "UpdateMembershipKey", "UpdateIAmAlivetimeKey", "GatewaysQueryKey", "CleanupDefunctSiloEntriesKey",
        "DeleteMembershipTableEntriesKey",
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey",
        "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "UpsertReminderRowKey",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    [Fact]
    public async Task Migrations_run_once_when_three_hosts_migrate_at_once()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("orl", migrate: false);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var migrator = new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance);
        var shipped = SchemaMigrator.All.Select(m => m.Version).ToList();
        Assert.Contains(1, shipped);
        using var timeout = new CancellationTokenSource(Within);

        var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => migrator.MigrateAsync(timeout.Token))));

        Assert.Equal(shipped, Assert.Single(runs, r => r.Count > 0));
        Assert.Equal(2, runs.Count(r => r.Count == 0));
        Assert.Equal(shipped, await migrator.AppliedAsync(timeout.Token));
        Assert.Empty(await migrator.MigrateAsync(timeout.Token));
        Assert.Equal(shipped, await migrator.AppliedAsync(timeout.Token));
    }

    [Fact]
    public async Task OrleansQuery_holds_every_key_the_three_providers_read()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("orl");

        var keys = await QueryAsync(connectionString, "SELECT QueryKey FROM OrleansQuery", r => r.GetString(0));

        Assert.Equal(QueryKeys.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Clustering_two_silos_see_each_other_a_client_connects_and_a_stopped_silo_is_marked_dead()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("orl");
        const string clusterId = "cluster-membership";
        await using var first = await StartSiloAsync(connectionString, clusterId);
        await using var second = await StartSiloAsync(connectionString, clusterId);
        var firstAddress = AddressOf(first);
        var secondAddress = AddressOf(second);

        var management = first.Grains.GetGrain<IManagementGrain>(0);
        await Eventually(async () => (await management.GetHosts(onlyActive: true)).Count == 2, "both silos active in the first silo's view");
        Assert.Equal(2L, await ScalarAsync<long>(connectionString,
            "SELECT count(*) FROM orleans_membership WHERE deployment_id = $1 AND status = $2", clusterId, (int)SiloStatus.Active));

        // A client finds the gateways in the table and reaches the cluster.
        await using (var client = await StartClientAsync(connectionString, clusterId))
        {
            var cluster = client.Services.GetRequiredService<IClusterClient>();
            var silo = await cluster.GetGrain<IOrleansProbeGrain>("probe").WhereAmI();
            Assert.Contains(silo, new[] { firstAddress.ToString(), secondAddress.ToString() });
            Assert.Equal(2, (await cluster.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count);
        }

        // The table version guards membership writes: a stale version changes nothing, the current one wins and moves on.
        // (The provider hands out the table version as every row's ETag and sends it as @Version.)
        var table = first.Services.GetRequiredService<IMembershipTable>();
        using var timeout = new CancellationTokenSource(HostTimeout);
        var snapshot = await table.ReadAllAsync(timeout.Token);
        var (mine, mineETag) = snapshot.Members.Single(m => m.Item1.SiloAddress.Equals(firstAddress));
        Assert.Equal(snapshot.Version.VersionEtag, mineETag);
        var stale = (snapshot.Version.Version - 1).ToString(CultureInfo.InvariantCulture);
        Assert.False(await table.UpdateRowAsync(mine, stale, new TableVersion(snapshot.Version.Version - 1, stale), timeout.Token));
        await Eventually(async () =>
        {
            var current = await table.ReadAllAsync(timeout.Token);
            var (entry, etag) = current.Members.Single(m => m.Item1.SiloAddress.Equals(firstAddress));
            return await table.UpdateRowAsync(entry, etag, current.Version.Next(), timeout.Token)
                && (await table.ReadAllAsync(timeout.Token)).Version.Version > current.Version.Version;
        }, "a membership update at the current table version succeeds and bumps the version");

        // One row, or none, plus the table version.
        var row = await table.ReadRowAsync(firstAddress, timeout.Token);
        Assert.Equal(firstAddress, Assert.Single(row.Members).Item1.SiloAddress);
        var unknown = await table.ReadRowAsync(SiloAddress.New(IPAddress.Loopback, 1, 1), timeout.Token);
        Assert.Empty(unknown.Members);
        Assert.Equal(row.Version.Version, unknown.Version.Version);

        // A silo that shuts down marks itself dead; the survivor sees it go; dead rows can be cleaned up.
        await second.StopAsync();
        await Eventually(async () => await ScalarAsync<int>(connectionString,
            "SELECT status FROM orleans_membership WHERE deployment_id = $1 AND port = $2 AND generation = $3",
            clusterId, secondAddress.Endpoint.Port, secondAddress.Generation) == (int)SiloStatus.Dead, "the stopped silo marked dead");
        await Eventually(async () => (await management.GetHosts(onlyActive: true)).Count == 1, "one silo active after the stop");

        // I-am-alive: a plain update of the row, checked on the stopped silo's row (a running silo writes its own heartbeat
        // to its row at any moment).
        var (stopped, _) = Assert.Single((await table.ReadRowAsync(secondAddress, timeout.Token)).Members);
        var alive = DateTime.UtcNow;
        stopped.IAmAliveTime = alive;
        await table.UpdateIAmAliveAsync(stopped, timeout.Token);
        var stored = await ScalarAsync<DateTime>(connectionString,
            "SELECT i_am_alive_time FROM orleans_membership WHERE deployment_id = $1 AND port = $2 AND generation = $3",
            clusterId, secondAddress.Endpoint.Port, secondAddress.Generation);
        Assert.Equal(alive, stored, TimeSpan.FromMilliseconds(1));

        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddMinutes(1), timeout.Token);
        Assert.Equal(1L, await ScalarAsync<long>(connectionString,
            "SELECT count(*) FROM orleans_membership WHERE deployment_id = $1", clusterId));

        // With the cluster down, its entries can be deleted altogether.
        await first.StopAsync();
        await table.DeleteMembershipTableEntriesAsync(clusterId, timeout.Token);
        Assert.Equal(0L, await ScalarAsync<long>(connectionString,
            "SELECT (SELECT count(*) FROM orleans_membership) + (SELECT count(*) FROM orleans_membership_version)"));
    }

    [Fact]
    public async Task Grain_storage_writes_reads_back_after_deactivation_clears_and_rejects_a_stale_etag()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("orl");
        await using var silo = await StartSiloAsync(connectionString, "cluster-storage", s => s
            .AddAdoNetGrainStorage(Store, o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
            })
            .AddAdoNetGrainStorage(DeletingStore, o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
                o.DeleteStateOnClear = true;
            }));

        // Through a grain: the state outlives the activation, and a clear empties it.
        var counter = silo.Grains.GetGrain<IStoredCounterGrain>("farmer-1");
        await counter.Set(5);
        await counter.Set(7);
        await counter.Deactivate();
        Assert.Equal(7, await counter.Get());
        Assert.Equal(2, await ScalarAsync<int>(connectionString, "SELECT version FROM orleans_grain_state WHERE grain_key = '0:0+farmer-1'"));
        await counter.Clear();
        await counter.Deactivate();
        Assert.Equal(0, await counter.Get());
        Assert.True(await ScalarAsync<bool>(connectionString, "SELECT payload IS NULL FROM orleans_grain_state WHERE grain_key = '0:0+farmer-1'"));

        // Two copies of one state: whoever writes with an outdated ETag is refused.
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(Store);
        var id = GrainId.Create("stale-probe", "subject-9");
        var mine = new GrainState<CounterState>(new CounterState());
        var theirs = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("counter", id, mine);
        await storage.ReadStateAsync("counter", id, theirs);
        Assert.Null(mine.ETag);
        Assert.False(mine.RecordExists);

        mine.State = new CounterState { Value = 1 };
        await storage.WriteStateAsync("counter", id, mine);
        theirs.State = new CounterState { Value = 2 };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", id, theirs));

        await storage.ReadStateAsync("counter", id, theirs);
        Assert.Equal(mine.ETag, theirs.ETag);
        Assert.Equal(1, theirs.State?.Value);
        mine.State = new CounterState { Value = 3 };
        await storage.WriteStateAsync("counter", id, mine);
        theirs.State = new CounterState { Value = 4 };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", id, theirs));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("counter", id, theirs));

        await storage.ClearStateAsync("counter", id, mine);
        Assert.False(mine.RecordExists);
        await storage.ReadStateAsync("counter", id, theirs);
        Assert.Equal(mine.ETag, theirs.ETag);
        Assert.False(theirs.RecordExists);
        Assert.Equal(0, theirs.State?.Value);

        // Every shape of grain key is a distinct state.
        var guid = Guid.NewGuid();
        var type = GrainType.Create("key-probe");
        GrainId[] keys =
        [
            GrainId.Create(type, "subject-1"),
            GrainId.Create(type, GrainIdKeyExtensions.CreateIntegerKey(42)),
            GrainId.Create(type, GrainIdKeyExtensions.CreateIntegerKey(42, "a")),
            GrainId.Create(type, GrainIdKeyExtensions.CreateGuidKey(guid)),
            GrainId.Create(type, GrainIdKeyExtensions.CreateGuidKey(guid, "a")),
        ];
        for (var i = 0; i < keys.Length; i++)
        {
            await storage.WriteStateAsync("counter", keys[i], new GrainState<CounterState>(new CounterState { Value = 100 + i }));
        }

        for (var i = 0; i < keys.Length; i++)
        {
            var state = new GrainState<CounterState>(new CounterState());
            await storage.ReadStateAsync("counter", keys[i], state);
            Assert.Equal(100 + i, state.State?.Value);
        }

        // Orleans' ADO.NET provider keys a state by service, state name and grain key: not by grain type.
        var sameKeyOtherType = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("counter", GrainId.Create("another-type", "subject-1"), sameKeyOtherType);
        Assert.Equal(100, sameKeyOtherType.State?.Value);

        // A string key that parses as a hexadecimal number is stored as that number: "00ff" and "FF" are one state.
        await storage.WriteStateAsync("counter", GrainId.Create(type, "00ff"), new GrainState<CounterState>(new CounterState { Value = 255 }));
        var sameNumber = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("counter", GrainId.Create(type, "FF"), sameNumber);
        Assert.Equal(255, sameNumber.State?.Value);

        // DeleteStateOnClear: the row goes away and the state starts over.
        var deleting = silo.Services.GetRequiredKeyedService<IGrainStorage>(DeletingStore);
        var doomedId = GrainId.Create("delete-probe", "subject-7");
        var doomed = new GrainState<CounterState>(new CounterState { Value = 5 });
        await deleting.WriteStateAsync("counter", doomedId, doomed);
        await deleting.ClearStateAsync("counter", doomedId, doomed);
        Assert.Null(doomed.ETag);
        Assert.Equal(0L, await ScalarAsync<long>(connectionString, "SELECT count(*) FROM orleans_grain_state WHERE grain_key = '0:0+subject-7'"));
        doomed.State = new CounterState { Value = 6 };
        await deleting.WriteStateAsync("counter", doomedId, doomed);
        Assert.Equal("1", doomed.ETag);
    }

    [Fact]
    public async Task Reminders_register_fire_read_and_unregister()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("orl");
        await using var silo = await StartSiloAsync(connectionString, "cluster-reminders", s => s.UseAdoNetReminderService(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        }));

        var grain = silo.Grains.GetGrain<IReminderProbeGrain>("reminder-probe");
        await grain.Register("tick", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.True(await grain.IsRegistered("tick"));
        await Eventually(async () => await grain.Ticks("tick") >= 1, "the reminder fired");

        // Registering again updates the row and moves its version (the reminder's ETag) on.
        await grain.Register("tick", TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2));
        Assert.Equal((1, 120_000L), await SingleAsync(connectionString,
            "SELECT version, period FROM orleans_reminders WHERE reminder_name = 'tick'", r => (r.GetInt32(0), r.GetInt64(1))));

        // Reads by grain, by name and by ranges of the hash ring (begin exclusive, end inclusive).
        var table = silo.Services.GetRequiredService<IReminderTable>();
        var grainId = grain.GetGrainId();
        Assert.Equal("tick", Assert.Single((await table.ReadRows(grainId)).Reminders).ReminderName);
        var entry = await table.ReadRow(grainId, "tick");
        Assert.NotNull(entry);
        Assert.Equal(TimeSpan.FromMinutes(2), entry.Period);
        Assert.Equal("1", entry.ETag);
        Assert.Null(await table.ReadRow(grainId, "no-such-reminder"));
        var hash = grainId.GetUniformHashCode();
        async Task<bool> InRange(uint begin, uint end) => (await table.ReadRows(begin, end)).Reminders.Any(r => r.GrainId == grainId);
        unchecked
        {
            // (begin, end] with begin < end as signed integers: ReadRangeRows1Key.
            Assert.True((int)(hash - 1) < (int)hash && (int)hash < (int)(hash + 1));
            Assert.True(await InRange(hash - 1, hash));
            Assert.False(await InRange(hash, hash + 1));

            // A range that wraps around the ring: ReadRangeRows2Key.
            Assert.True(await InRange(hash + 1, hash));
            Assert.False(await InRange(hash, hash - 1));
        }

        await grain.Unregister("tick");
        Assert.False(await grain.IsRegistered("tick"));
        Assert.Equal(0L, await ScalarAsync<long>(connectionString, "SELECT count(*) FROM orleans_reminders"));

        // A delete with an outdated ETag is refused.
        var otherId = silo.Grains.GetGrain<IReminderProbeGrain>("direct").GetGrainId();
        var row = new ReminderEntry { GrainId = otherId, ReminderName = "direct", StartAt = DateTime.UtcNow.AddHours(1), Period = TimeSpan.FromHours(1) };
        var firstETag = await table.UpsertRow(row);
        var secondETag = await table.UpsertRow(row);
        Assert.NotEqual(firstETag, secondETag);
        Assert.False(await table.RemoveRow(otherId, "direct", firstETag!));
        Assert.True(await table.RemoveRow(otherId, "direct", secondETag!));
        Assert.Null(await table.ReadRow(otherId, "direct"));
    }

    private static SiloAddress AddressOf(RunningHost silo) => silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    private static Task<RunningHost> StartSiloAsync(string connectionString, string clusterId, Action<ISiloBuilder>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = ServiceId;
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, TestPorts.Free(), TestPorts.Free());
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
            });
            configure?.Invoke(silo);
        });
        return RunningHost.StartAsync(builder.Build());
    }

    private static Task<RunningHost> StartClientAsync(string connectionString, string clusterId) =>
        RunningHost.StartAsync(ClusterProcesses.BuildClient(connectionString, clusterId, ServiceId));

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after <see cref="Within"/>.</summary>
    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {Within.TotalSeconds} s: {what}.");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<List<T>> QueryAsync<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read, params object[] args)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg });
        }

        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static async Task<T> SingleAsync<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read, params object[] args) =>
        Assert.Single(await QueryAsync(connectionString, sql, read, args));

    private static Task<T> ScalarAsync<T>(string connectionString, string sql, params object[] args) =>
        SingleAsync(connectionString, sql, r => r.GetFieldValue<T>(0), args);


    /// <summary>A started host (silo or client) that stops within <see cref="HostTimeout"/> when disposed.</summary>
    private sealed class RunningHost : IAsyncDisposable
    {
        private readonly IHost _host;
        private bool _stopped;

        private RunningHost(IHost host) => _host = host;

        public IServiceProvider Services => _host.Services;

        public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

        public static async Task<RunningHost> StartAsync(IHost host)
        {
            var running = new RunningHost(host);
            try
            {
                using var timeout = new CancellationTokenSource(HostTimeout);
                await host.StartAsync(timeout.Token);
                return running;
            }
            catch
            {
                await running.DisposeAsync();
                throw;
            }
        }

        public async Task StopAsync()
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            using var timeout = new CancellationTokenSource(HostTimeout);
            await _host.StopAsync(timeout.Token);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await StopAsync();
            }
            finally
            {
                _host.Dispose();
            }
        }
    }
}
