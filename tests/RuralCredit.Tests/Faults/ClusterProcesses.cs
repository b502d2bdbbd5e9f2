using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using RuralCredit.Tests.Postgres;
using Xunit.Sdk;
using RuralCredit.Tests.Infrastructure;

namespace RuralCredit.Tests.Faults;

/// <summary>
/// The fault tests run against real processes: silos (src/Silo) and API hosts (src/ApiHost) of the postgres profile,
/// as built beside the test assembly. They never run in parallel with each other, nor with any other test (the
/// machine they are measured on has two cores).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection
{
    public const string Name = "faults";
}

/// <summary>One child process: a silo or an API host, its ports and its log file (stdout and stderr).</summary>
public sealed class NodeProcess
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly object _gate = new();

    internal NodeProcess(string name, string kind, Process process, string logPath, StreamWriter log, int httpPort, int? siloPort, int? gatewayPort)
    {
        Name = name;
        Kind = kind;
        _process = process;
        LogPath = logPath;
        _log = log;
        HttpPort = httpPort;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        Started = DateTimeOffset.UtcNow;
    }

    /// <summary>e.g. <c>silo-1</c>, <c>api-2</c>.</summary>
    public string Name { get; }

    /// <summary><c>silo</c> or <c>api</c>.</summary>
    public string Kind { get; }

    public string LogPath { get; }

    /// <summary>The HTTP port: the API's for an API host, the dashboard and health port for a silo.</summary>
    public int HttpPort { get; }

    public int? SiloPort { get; }

    public int? GatewayPort { get; }

    public DateTimeOffset Started { get; }

    public int Pid => _process.Id;

    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}/");

    public bool HasExited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    internal void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // the process ended and its log was closed
            }
        }
    }

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Linux): no shutdown code runs.</summary>
    public void Kill()
    {
        if (!HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        Note($"killed (SIGKILL) by the test at {DateTimeOffset.UtcNow:HH:mm:ss.fff}");
    }

    /// <summary>SIGTERM, then waits for the process to end by itself (a graceful stop); fails after <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (HasExited)
        {
            return;
        }

        Note($"SIGTERM sent by the test at {DateTimeOffset.UtcNow:HH:mm:ss.fff}");
        if (Native.kill(_process.Id, Native.SIGTERM) != 0)
        {
            throw new XunitException($"{Name}: kill(SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}");
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new XunitException($"{Name} (pid {Pid}) did not stop within {timeout.TotalSeconds:0} s of SIGTERM.\n{Tail()}");
        }

        Note($"exited with code {_process.ExitCode} at {DateTimeOffset.UtcNow:HH:mm:ss.fff}");
    }

    /// <summary>Kills the process if it still runs (the harness's cleanup).</summary>
    internal void EnsureKilled()
    {
        try
        {
            if (!HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        lock (_gate)
        {
            _log.Dispose();
        }

        _process.Dispose();
    }

    /// <summary>The whole log so far (what the process wrote, flushed first).</summary>
    public string ReadLog()
    {
        lock (_gate)
        {
            try
            {
                _log.Flush();
            }
            catch (ObjectDisposedException)
            {
                // closed: the file is complete
            }

            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of the log.</summary>
    public string Tail(int lines = 40)
    {
        string[] all;
        try
        {
            all = ReadLog().Split('\n');
        }
        catch (IOException e)
        {
            return $"--- {Name}: log {LogPath} unreadable: {e.Message}";
        }

        var state = HasExited ? "exited" : "running";
        var tail = all.Skip(Math.Max(0, all.Length - lines)).Select(l => l.Length > 400 ? l[..400] + " …" : l);
        return $"--- {Name} (pid {Pid}, {state}, http {HttpPort}) last {lines} lines of {LogPath}:\n{string.Join('\n', tail)}";
    }

    private void Note(string text) => Append($"[fault test] {text}");

    private static class Native
    {
        public const int SIGTERM = 15;

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int kill(int pid, int sig);
    }
}

/// <summary>
/// Starts, stops and kills silos and API hosts of one cluster (one PostgreSQL database, one cluster id) on free ports,
/// each with its stdout and stderr in a log file under <see cref="LogDirectory"/>; every wait is bounded and fails with
/// the tail of every log. <see cref="Dispose"/> kills whatever still runs.
/// </summary>
public sealed class ClusterProcesses : IDisposable
{
    /// <summary>The person id secret of every silo of the fault tests.</summary>
    public const string PersonIdSecret = "fault-tests-person-id-secret";

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly List<NodeProcess> _all = [];
    private bool _passed;
    private int _silos;
    private int _apis;

    public ClusterProcesses(string connectionString, string name)
    {
        ConnectionString = connectionString;
        ClusterId = $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 9, 40)];
        LogDirectory = Directory.CreateTempSubdirectory($"ruralcredit-{name}-").FullName;
        Configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!)!;
        var root = PostgresServer.RepositoryRoot();
        SiloDirectory = Path.Combine(root, "src", "Silo", "bin", Configuration, "net10.0");
        ApiDirectory = Path.Combine(root, "src", "ApiHost", "bin", Configuration, "net10.0");
        foreach (var (dir, dll) in new[] { (SiloDirectory, "RuralCredit.Silo.dll"), (ApiDirectory, "RuralCredit.ApiHost.dll") })
        {
            if (!File.Exists(Path.Combine(dir, dll)))
            {
                throw new XunitException($"{dll} is not built at {dir} (configuration {Configuration}): build tests/RuralCredit.Tests first.");
            }
        }

        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public string ConnectionString { get; }

    public string ClusterId { get; }

    /// <summary>Where the processes' logs are (kept when the test fails, for diagnosis; removed when it passes).</summary>
    public string LogDirectory { get; }

    /// <summary>Debug or Release: the configuration the test assembly was built in.</summary>
    public string Configuration { get; }

    public string SiloDirectory { get; }

    public string ApiDirectory { get; }

    public IReadOnlyList<NodeProcess> Processes
    {
        get
        {
            lock (_all)
            {
                return _all.ToList();
            }
        }
    }

    public IReadOnlyList<NodeProcess> RunningSilos => Processes.Where(p => p.Kind == "silo" && !p.HasExited).ToList();

    /// <summary>Starts a silo (it migrates the schema, joins the cluster) and waits until its health probe answers.</summary>
    public async Task<NodeProcess> StartSiloAsync(TimeSpan timeout)
    {
        var silo = StartSilo();
        await WaitHealthyAsync(silo, "healthz", timeout);
        return silo;
    }

    /// <summary>Single-line, timestamped console logs: each process's log file reads as one timeline.</summary>
    private static readonly string[] ConsoleArguments =
    [
        "--Logging:Console:FormatterName=simple",
        "--Logging:Console:FormatterOptions:SingleLine=true",
        "--Logging:Console:FormatterOptions:TimestampFormat=HH:mm:ss.fff ",
    ];

    /// <summary>What silos and API hosts share: the postgres profile, this cluster's database and ids.</summary>
    private string[] ClusterArguments() =>
    [
        "--RuralCredit:Profile=postgres",
        $"--ConnectionStrings:RuralCredit={ConnectionString}",
        $"--Orleans:ClusterId={ClusterId}",
        $"--Orleans:ServiceId={ClusterId}",
    ];

    /// <summary>Starts a silo without waiting; <paramref name="settings"/> (<c>--Key=value</c>) override the defaults.</summary>
    public NodeProcess StartSilo(params string[] settings)
    {
        var n = Interlocked.Increment(ref _silos);
        int siloPort = TestPorts.Free(), gatewayPort = TestPorts.Free(), dashboardPort = TestPorts.Free();
        string[] args =
        [
            Path.Combine(SiloDirectory, "RuralCredit.Silo.dll"),
            .. ClusterArguments(),
            $"--Orleans:SiloPort={siloPort}",
            $"--Orleans:GatewayPort={gatewayPort}",
            $"--Orleans:DashboardPort={dashboardPort}",
            $"--Identity:PersonIdSecret={PersonIdSecret}",
            "--Grains:PropagationInterval=00:00:00.200",
            "--Grains:StateWriteDelay=00:00:01",
            "--Logging:LogLevel:Default=Information",
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
            "--Logging:LogLevel:Orleans=Warning",
            "--Logging:LogLevel:Orleans.Runtime.MembershipService=Information",
            "--Logging:LogLevel:Orleans.Runtime.Silo=Information",
            "--Logging:LogLevel:Polly=Warning",
            .. ConsoleArguments,
            .. settings,
        ];
        return Start($"silo-{n}", "silo", SiloDirectory, args, dashboardPort, siloPort, gatewayPort);
    }

    /// <summary>Starts an Orleans client of this cluster in the test process (for the management grain: where grains live).</summary>
    public async Task<IHost> StartClientAsync(TimeSpan timeout)
    {
        var host = BuildClient(ConnectionString, ClusterId, ClusterId);
        using var cts = new CancellationTokenSource(timeout);
        await host.StartAsync(cts.Token);
        return host;
    }

    /// <summary>A host with an Orleans client of the cluster that the PostgreSQL database at <paramref name="connectionString"/> lists.</summary>
    public static IHost BuildClient(string connectionString, string clusterId, string serviceId)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
        });
        return builder.Build();
    }

    /// <summary>Starts an API host (an Orleans client of this cluster) and waits until <c>/readyz</c> answers 200.</summary>
    public async Task<NodeProcess> StartApiHostAsync(TimeSpan timeout)
    {
        var api = StartApiHost();
        await WaitHealthyAsync(api, "readyz", timeout);
        return api;
    }

    /// <summary>Starts an API host without waiting.</summary>
    public NodeProcess StartApiHost()
    {
        var n = Interlocked.Increment(ref _apis);
        var port = TestPorts.Free();
        string[] args =
        [
            Path.Combine(ApiDirectory, "RuralCredit.ApiHost.dll"),
            "--urls", $"http://127.0.0.1:{port}",
            .. ClusterArguments(),
            "--Auth:AllowDevelopmentKeys=true",
            "--Logging:LogLevel:RuralCredit.Access=Warning",
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
            .. ConsoleArguments,
        ];
        return Start($"api-{n}", "api", ApiDirectory, args, port, null, null);
    }

    /// <summary>Waits until <c>GET /{path}</c> of the process answers 200; fails at once when the process exits.</summary>
    public Task WaitHealthyAsync(NodeProcess node, string path, TimeSpan timeout) =>
        WaitUntilAsync(
            async () =>
            {
                if (node.HasExited)
                {
                    throw new DiagnosedException($"{node.Name} exited while the test waited for /{path}.\n{Diagnostics()}");
                }

                using var response = await Probe.GetAsync(new Uri(node.BaseAddress, path));
                return response.StatusCode == HttpStatusCode.OK;
            },
            timeout,
            () => $"{node.Name} should answer 200 on /{path}");

    /// <summary>An HTTP client of an API host with an API key (the development keys are allowed in the fault tests).</summary>
    public static HttpClient Client(NodeProcess api, string apiKey, TimeSpan? timeout = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = api.BaseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>
    /// Polls <paramref name="condition"/> (every <paramref name="interval"/>, 250 ms by default) until it holds; after
    /// <paramref name="timeout"/> fails with <paramref name="message"/>, the last exception the condition threw and the
    /// tail of every log. An <see cref="XunitException"/> thrown by the condition fails at once.
    /// </summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> message, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }

                last = null;
            }
            catch (XunitException)
            {
                throw;
            }
            catch (Exception e)
            {
                last = e;
            }

            if (clock.Elapsed > timeout)
            {
                var error = last is null ? "" : $"\nlast error: {last.GetType().Name}: {last.Message}";
                throw new DiagnosedException($"Not reached within {timeout.TotalSeconds:0.#} s: {message()}{error}\n{Diagnostics()}");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>The tail of every process's log and what the database's sessions are doing, for failure messages.</summary>
    public string Diagnostics(int lines = 30) =>
        $"Logs in {LogDirectory}:\n" + string.Join("\n", Processes.Select(p => p.Tail(lines))) + "\n" + DatabaseSessions();

    /// <summary>The database's busy sessions (state, wait, age, statement): shows a lock or a statement that hangs.</summary>
    public string DatabaseSessions()
    {
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { Timeout = 3, CommandTimeout = 3, Pooling = false };
            using var connection = new Npgsql.NpgsqlConnection(builder.ConnectionString);
            connection.Open();
            using var cmd = new Npgsql.NpgsqlCommand(
                """
                SELECT pid, state, coalesce(wait_event_type || ':' || wait_event, '-'), round(extract(epoch FROM now() - query_start)::numeric, 1),
                       left(regexp_replace(query, '\s+', ' ', 'g'), 160)
                FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
                ORDER BY query_start
                """, connection);
            using var reader = cmd.ExecuteReader();
            var text = new StringBuilder("--- database sessions not idle:\n");
            while (reader.Read())
            {
                text.Append($"  pid {reader.GetInt32(0)} {reader.GetString(1)} wait {reader.GetString(2)} for {reader.GetValue(3)} s: {reader.GetString(4)}\n");
            }

            return text.ToString();
        }
        catch (Exception e)
        {
            return $"--- database sessions: unavailable ({e.GetType().Name}: {e.Message})";
        }
    }

    /// <summary>Runs a test body; any failure carries the tail of every log (and the logs are kept).</summary>
    public async Task RunAsync(Func<Task> body)
    {
        try
        {
            await body();
            _passed = true;
        }
        catch (Exception e) when (e is not DiagnosedException)
        {
            throw new DiagnosedException($"{e.Message}\n\n{Diagnostics()}", e);
        }
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        foreach (var p in Processes)
        {
            p.EnsureKilled();
        }

        if (_passed)
        {
            try
            {
                Directory.Delete(LogDirectory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // kept: harmless
            }
        }
    }

    private NodeProcess Start(string name, string kind, string workingDirectory, string[] args, int httpPort, int? siloPort, int? gatewayPort)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment.Remove("RURALCREDIT_PG");

        var logPath = Path.Combine(LogDirectory, name + ".log");
        var log = new StreamWriter(new FileStream(logPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete), new UTF8Encoding(false)) { AutoFlush = true };
        log.WriteLine($"[fault test] {DateTimeOffset.UtcNow:HH:mm:ss.fff} starting {name}: {string.Join(' ', args.Select(a => a.StartsWith("--ConnectionStrings", StringComparison.Ordinal) ? "--ConnectionStrings:RuralCredit=…" : a))}");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        if (!process.Start())
        {
            throw new XunitException($"{name} did not start: {start.FileName} {string.Join(' ', args)}");
        }

        var node = new NodeProcess(name, kind, process, logPath, log, httpPort, siloPort, gatewayPort);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_all)
        {
            _all.Add(node);
        }

        return node;
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        foreach (var p in Processes)
        {
            p.EnsureKilled();
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>A port the OS considers free now (it may be taken again before the child binds it; unlikely).</summary>
}

/// <summary>A failure whose message already carries the tail of every log.</summary>
public sealed class DiagnosedException : XunitException
{
    public DiagnosedException(string message)
        : base(message)
    {
    }

    public DiagnosedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>A test's overall time budget: every wait is bounded by what is left of it.</summary>
public sealed class Deadline(TimeSpan budget)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public TimeSpan Budget { get; } = budget;

    public TimeSpan Elapsed => _clock.Elapsed;

    public TimeSpan Remaining => Budget - _clock.Elapsed > TimeSpan.Zero ? Budget - _clock.Elapsed : TimeSpan.Zero;

    /// <summary><paramref name="wanted"/>, or what is left of the budget when that is less.</summary>
    public TimeSpan Bound(TimeSpan wanted) => wanted < Remaining ? wanted : Remaining;

    /// <summary>Fails when the budget is spent.</summary>
    public void Check(string doing)
    {
        if (Remaining <= TimeSpan.Zero)
        {
            throw new XunitException($"The test exceeded its overall deadline of {Budget.TotalSeconds:0} s while {doing}.");
        }
    }
}
