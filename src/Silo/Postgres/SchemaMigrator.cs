using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace RuralCredit.Silo.Postgres;

/// <summary>One versioned migration: <c>Migrations/NNNN_name.sql</c>, embedded in this assembly.</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// Applies the project's versioned SQL migrations to a PostgreSQL database. Idempotent (applied versions are
/// recorded in <c>rc_schema_migrations</c>) and safe when several hosts start at once: everything runs in one
/// transaction holding a transaction-level advisory lock, so concurrent runs queue and the later ones find nothing
/// left to do.
/// </summary>
public sealed partial class SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger)
{
    /// <summary>Advisory lock key of the migration step ("RCMIGRAT" as an integer).</summary>
    private const long LockKey = 0x52434D4947524154;

    /// <summary>Every migration shipped with this build, in version order.</summary>
    public static IReadOnlyList<Migration> All { get; } = Load();

    /// <summary>Applies the pending migrations; returns the versions applied by this call.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, tx, $"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
        await Execute(connection, tx, """
            CREATE TABLE IF NOT EXISTS rc_schema_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, cancellationToken);

        var applied = new HashSet<int>();
        await using (var read = new NpgsqlCommand("SELECT version FROM rc_schema_migrations", connection, tx))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        var done = new List<int>();
        foreach (var migration in All.Where(m => !applied.Contains(m.Version)))
        {
            LogApplying(migration.Version, migration.Name);
            await Execute(connection, tx, migration.Sql, cancellationToken);
            await using var record = new NpgsqlCommand("INSERT INTO rc_schema_migrations (version, name) VALUES ($1, $2)", connection, tx);
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Name });
            await record.ExecuteNonQueryAsync(cancellationToken);
            done.Add(migration.Version);
        }

        await tx.CommitAsync(cancellationToken);
        LogDone(done.Count, All.Count == 0 ? 0 : All[^1].Version);
        return done;
    }

    /// <summary>Versions recorded as applied (empty when the database was never migrated).</summary>
    public async Task<IReadOnlyList<int>> AppliedAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand(
            "SELECT version FROM rc_schema_migrations WHERE to_regclass('rc_schema_migrations') IS NOT NULL ORDER BY version", connection);
        try
        {
            var versions = new List<int>();
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                versions.Add(reader.GetInt32(0));
            }

            return versions;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return [];
        }
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<Migration> Load()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        const string prefix = "RuralCredit.Silo.Migrations.";
        var migrations = new List<Migration>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var file = name[prefix.Length..];
            var match = FileName().Match(file);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Migration {file} is not named NNNN_name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException($"Two migrations have version {migrations[i].Version}.");
            }
        }

        return migrations;
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying migration {Version} {Name}")]
    private partial void LogApplying(int version, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema up to date: {Count} migration(s) applied now, latest version {Latest}")]
    private partial void LogDone(int count, int latest);
}
