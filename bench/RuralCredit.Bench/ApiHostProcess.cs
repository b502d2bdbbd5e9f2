using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RuralCredit.Bench;

/// <summary>
/// The real API host (embedded profile) as a child process on loopback: <c>dotnet RuralCredit.ApiHost.dll</c> from
/// the bench output directory, run by the same dotnet host. Its output goes to a log file in the temp directory.
/// </summary>
internal sealed class ApiHostProcess : IDisposable
{
    private const int TailLines = 40;
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Queue<string> _tail = new();
    private readonly Lock _gate = new();
    private bool _killed;

    private ApiHostProcess(Process process, StreamWriter log, string logPath, Uri baseAddress)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    /// <summary>Each line the process prints (on the thread reading its output).</summary>
    public event Action<string>? Line;

    public bool HasExited => _process.HasExited;

    public static ApiHostProcess Start(int httpPort, int siloPort, int gatewayPort) =>
        StartDll("RuralCredit.ApiHost.dll", [$"--Orleans:SiloPort={siloPort}", $"--Orleans:GatewayPort={gatewayPort}"], httpPort, "apihost");

    /// <summary>
    /// The smallest gen0 budget of the processes the benchmark starts, as `dotnet run` starts them (64 MB). Without it
    /// the runtime derives the budget from the CPU's cache size, which this kind of virtual machine does not expose: the
    /// floor (256 KB, at most 6 MB for workstation GC) makes a collection every few megabytes allocated.
    /// </summary>
    public const string Gen0SizeVariable = "DOTNET_GCgen0size", Gen0Size = "0x4000000";

    /// <summary>
    /// Starts <paramref name="dllName"/> (next to the benchmark) with <paramref name="arguments"/>; it serves HTTP on
    /// <paramref name="httpPort"/> (the API, or a silo's dashboard and health probe).
    /// </summary>
    public static ApiHostProcess StartDll(string dllName, IEnumerable<string> arguments, int httpPort, string logName)
    {
        var directory = AppContext.BaseDirectory;
        var dll = Path.Combine(directory, dllName);
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dllName} is not next to the benchmark; build bench/RuralCredit.Bench first", dll);
        }

        var url = $"http://127.0.0.1:{httpPort}";
        var info = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            CreateNoWindow = true,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add($"--Urls={url}");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("ASPNETCORE_URLS");
        info.Environment.Remove("DOTNET_URLS");

        // The GC settings `dotnet run` applies from src/*/Properties/launchSettings.json; an explicit value in the
        // benchmark's environment wins (DOTNET_GCgen0size=0 gives the runtime's default, for comparisons).
        info.Environment.TryAdd(Gen0SizeVariable, Gen0Size);

        var logPath = Path.Combine(Path.GetTempPath(), $"ruralcredit-bench-{logName}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.log");
        var log = new StreamWriter(logPath, append: false) { AutoFlush = false };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var host = new ApiHostProcess(process, log, logPath, new Uri(url));
        process.OutputDataReceived += (_, e) => host.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => host.OnLine(e.Data);
        if (!process.Start())
        {
            log.Dispose();
            throw new InvalidOperationException($"could not start {dllName}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Asks the process to stop (SIGTERM) and waits for it at most <paramref name="bound"/>; kills it after.</summary>
    public async Task StopAsync(TimeSpan bound)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
        {
            term?.WaitForExit(5_000);
        }

        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>Waits for <paramref name="path"/> to answer 200, at most <paramref name="bound"/>.</summary>
    public Task WaitHealthyAsync(HttpClient http, string path, TimeSpan bound, CancellationToken cancellationToken) =>
        WaitForAsync(http, path, bound, cancellationToken);

    /// <summary>Waits for <c>GET /readyz</c> to answer 200, at most <paramref name="bound"/>.</summary>
    public Task WaitReadyAsync(HttpClient http, TimeSpan bound, CancellationToken cancellationToken) =>
        WaitForAsync(http, "/readyz", bound, cancellationToken);

    private async Task WaitForAsync(HttpClient http, string path, TimeSpan bound, CancellationToken cancellationToken)
    {
        var deadline = Clock.Now + (long)(bound.TotalSeconds * Stopwatch.Frequency);
        var attempts = 0;
        while (Clock.Now < deadline && attempts++ < 10_000)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{BaseAddress} exited with code {_process.ExitCode} before it was ready:{Environment.NewLine}{Tail()}");
            }

            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                using var response = await http.GetAsync(new Uri(BaseAddress, path), timeout.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"{BaseAddress}{path} was not ready within {bound.TotalSeconds:0} s:{Environment.NewLine}{Tail()}");
    }

    /// <summary>The child's current working set (bytes).</summary>
    public long WorkingSet()
    {
        _process.Refresh();
        return _process.WorkingSet64;
    }

    /// <summary>CPU time the child has used so far (user and system).</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>The child's peak working set so far (bytes).</summary>
    public long PeakWorkingSet()
    {
        _process.Refresh();
        return _process.PeakWorkingSet64;
    }

    public string Tail()
    {
        lock (_gate)
        {
            return string.Join(Environment.NewLine, _tail);
        }
    }

    /// <summary>Kills the child (and anything it started); idempotent.</summary>
    public void Kill()
    {
        lock (_gate)
        {
            if (_killed)
            {
                return;
            }

            _killed = true;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }

        lock (_gate)
        {
            _log.Flush();
        }
    }

    public void Dispose()
    {
        Kill();
        lock (_gate)
        {
            _log.Dispose();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_tail.Count == TailLines)
            {
                _tail.Dequeue();
            }

            _tail.Enqueue(line);
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        Line?.Invoke(line);
    }

    /// <summary>The dotnet host running this process (the benchmark normally runs through its apphost).</summary>
    private static string DotnetHost()
    {
        var exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var self = Environment.ProcessPath;
        if (self is not null && string.Equals(Path.GetFileName(self), exe, StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/System.Private.CoreLib.dll → <root>/dotnet
        var runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location);
        if (runtimeDirectory is not null)
        {
            var candidate = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", "..", exe));
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk) ? fromSdk : exe;
    }

    /// <summary>Distinct free loopback TCP ports.</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var l = new TcpListener(IPAddress.Loopback, 0);
                l.Start();
                listeners.Add(l);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var l in listeners)
            {
                l.Stop();
                l.Dispose();
            }
        }
    }
}
