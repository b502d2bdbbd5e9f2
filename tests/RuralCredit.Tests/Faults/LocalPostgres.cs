using System.Diagnostics;
using RuralCredit.Tests.Postgres;
using Xunit.Sdk;

namespace RuralCredit.Tests.Faults;

/// <summary>
/// A throwaway PostgreSQL server of its own (<c>scripts/pg-local</c>), for a test that stops and starts it without
/// disturbing the databases of the other tests. Removed on dispose.
/// </summary>
public sealed class LocalPostgres : IDisposable
{
    private LocalPostgres(string directory, string connectionString)
    {
        Directory = directory;
        ConnectionString = connectionString;
    }

    /// <summary>The pg-local directory (data, port, server log).</summary>
    public string Directory { get; }

    /// <summary>Connection string of the server's database <c>ruralcredit</c>.</summary>
    public string ConnectionString { get; }

    /// <summary>Starts a fresh server; fails with the script's output when it cannot.</summary>
    public static async Task<LocalPostgres> StartAsync()
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("ruralcredit-faults-pg-").FullName;
        var (code, stdout, stderr) = await RunAsync("start", dir, TimeSpan.FromSeconds(120));
        var parts = stdout.Trim().Split('\'');
        if (code != 0 || parts.Length < 2)
        {
            throw new XunitException($"scripts/pg-local start {dir} failed ({code}): {stdout}\n{stderr}");
        }

        return new LocalPostgres(dir, parts[1]);
    }

    /// <summary>Stops the server, keeping its data (PostgreSQL is down).</summary>
    public Task PauseAsync() => ScriptAsync("pause");

    /// <summary>Starts the server again on the same port.</summary>
    public Task ResumeAsync() => ScriptAsync("resume");

    /// <summary>The tail of the server's log.</summary>
    public string Tail(int lines = 20)
    {
        var path = Path.Combine(Directory, "server.log");
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines)) : "(no server log)";
    }

    public void Dispose()
    {
        RunAsync("stop", Directory, TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
    }

    private async Task ScriptAsync(string command)
    {
        var (code, stdout, stderr) = await RunAsync(command, Directory, TimeSpan.FromSeconds(90));
        if (code != 0)
        {
            throw new XunitException($"scripts/pg-local {command} {Directory} failed ({code}): {stdout}\n{stderr}\n{Tail()}");
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string command, string dir, TimeSpan timeout)
    {
        var script = Path.Combine(PostgresServer.RepositoryRoot(), "scripts", "pg-local");
        var start = new ProcessStartInfo("bash", [script, command, dir]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new XunitException("bash did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new XunitException($"scripts/pg-local {command} {dir} did not finish within {timeout.TotalSeconds:0} s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
