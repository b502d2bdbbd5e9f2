using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RuralCredit.Silo.Postgres;

namespace RuralCredit.Tests.Postgres;

/// <summary>
/// The PostgreSQL server the tests run against: the one named by <c>RURALCREDIT_PG</c> (CI starts it with
/// <c>scripts/pg-local</c>), else a throwaway server this test run starts with the same script and stops at exit.
/// A test that needs PostgreSQL never skips: when no server can be reached it fails with the reason.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<(string ConnectionString, string? Dir)> Server = new(Start);

    /// <summary>Connection string of the server's maintenance database <c>ruralcredit</c>.</summary>
    public static string ConnectionString => Server.Value.ConnectionString;

    /// <summary>The pg-local directory when this test run started the server (fault tests pause/resume it).</summary>
    public static string? LocalDirectory => Server.Value.Dir ?? Environment.GetEnvironmentVariable("RURALCREDIT_PG_DIR");

    /// <summary>Creates a fresh database, migrated to the latest schema, and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix, bool migrate = true)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)].ToLowerInvariant();
        await using (var admin = new NpgsqlConnection(ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
        if (migrate)
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync();
        }

        return connectionString;
    }

    private static (string, string?) Start()
    {
        if (Environment.GetEnvironmentVariable("RURALCREDIT_PG") is { Length: > 0 } given)
        {
            return (given, null);
        }

        var script = Path.Combine(RepositoryRoot(), "scripts", "pg-local");
        var start = new ProcessStartInfo("bash", [script, "start"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"No PostgreSQL for the tests: RURALCREDIT_PG is not set and scripts/pg-local start failed ({process.ExitCode}): {error}");
        }

        // export RURALCREDIT_PG='...' RURALCREDIT_PG_DIR='...'
        var parts = output.Trim().Split('\'');
        var connectionString = parts[1];
        var dir = parts[3];
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            using var stop = Process.Start(new ProcessStartInfo("bash", [script, "stop", dir]) { RedirectStandardError = true });
            stop?.WaitForExit(30_000);
        };
        return (connectionString, dir);
    }

    /// <summary>The repository root (the directory holding RuralCredit.sln).</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RuralCredit.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("RuralCredit.sln not found above the test binaries.");
    }
}
