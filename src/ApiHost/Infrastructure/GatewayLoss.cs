namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>
/// Tells the requests in flight that a gateway connection was lost (postgres profile, where the API host is a client of
/// the silos). A call sent through a silo that died gets no answer until the engine's response timeout (minutes):
/// instead, a request stops waiting as soon as the connection closes, and is answered <c>503 unavailable</c> with
/// <c>Retry-After</c>; the client sends it again, to a live silo. Record batches pass <see cref="Token"/> into the
/// grain call (Orleans then also tells the callee); other calls stop waiting through
/// <see cref="GatewayLossExtensions.UntilGatewayLost{T}"/>. Calls that went through a live gateway at that moment stop
/// too: which gateway a call used is not known here. Only reads and writes that are safe to resend stop waiting
/// (records by record id, registrations by key, redemptions by redemption id, revocations, publishing a model
/// version); a catalog item or model draft, which makes a new version on every call, waits for its answer. The
/// embedded profile has no gateway: never signalled.
/// <para>
/// Reads also stop waiting after <see cref="ReadTimeout"/> (<see cref="GatewayLossExtensions.WithinReadDeadline{T}"/>):
/// the engine waits minutes for an answer (its response timeout is sized for bulk writes), and a read forwarded by a
/// live silo to an activation on a silo that has just died, before the cluster declares it dead, may get none.
/// </para>
/// </summary>
public sealed partial class GatewayLoss(ILogger<GatewayLoss> logger, bool observing, TimeSpan readTimeout) : IClusterConnectionStatusObserver
{
    /// <summary>Configuration key of <see cref="ReadTimeout"/>.</summary>
    public const string ReadTimeoutKey = "Api:ReadTimeout";

    /// <summary>Default <see cref="ReadTimeout"/>: far above any healthy read (cold reads after a restart: p99 under 0.2 s).</summary>
    public static readonly TimeSpan DefaultReadTimeout = TimeSpan.FromSeconds(10);

    private CancellationTokenSource _current = new();

    /// <summary>How long a read waits for the engine before it is answered <c>503 unavailable</c> (validated at start).</summary>
    public TimeSpan ReadTimeout { get; } = readTimeout;

    /// <summary>
    /// Cancelled when a gateway connection is lost after this was read; <see cref="CancellationToken.None"/> when no
    /// cluster client reports to this (<paramref name="observing"/> false: the embedded profile), so that calls there
    /// are not wrapped at all.
    /// </summary>
    public CancellationToken Token => observing ? Volatile.Read(ref _current).Token : CancellationToken.None;

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways < previousNumberOfGateways)
        {
            Signal(currentNumberOfGateways);
        }
    }

    public void NotifyClusterConnectionLost() => Signal(0);

    private void Signal(int remaining)
    {
        var lost = Interlocked.Exchange(ref _current, new CancellationTokenSource());
        LogGatewayLost(remaining);

        // Off the connection's thread: the cancelled calls' continuations run on the thread pool.
        _ = lost.CancelAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A gateway connection was lost ({Remaining} left): requests in flight are cancelled and answered 503 so that clients resend them")]
    private partial void LogGatewayLost(int remaining);
}

/// <summary>Stops waiting for a grain call when a gateway is lost.</summary>
public static class GatewayLossExtensions
{
    /// <summary>
    /// The call's result, or an <see cref="OperationCanceledException"/> (answered 503) when <paramref name="lost"/> is
    /// cancelled first; the abandoned call's eventual failure is observed here.
    /// </summary>
    public static Task<T> UntilGatewayLost<T>(this Task<T> call, CancellationToken lost) =>
        lost.CanBeCanceled && !call.IsCompleted ? WaitAsync(call, Timeout.InfiniteTimeSpan, lost) : call;

    /// <summary>
    /// A read's result, or an exception answered 503 when a gateway is lost first (<see cref="OperationCanceledException"/>)
    /// or no answer came within <see cref="GatewayLoss.ReadTimeout"/> (<see cref="TimeoutException"/>). Reads change
    /// nothing: the client reads again.
    /// </summary>
    public static Task<T> WithinReadDeadline<T>(this Task<T> call, GatewayLoss loss) =>
        call.IsCompleted ? call : WaitAsync(call, loss.ReadTimeout, loss.Token);

    private static async Task<T> WaitAsync<T>(Task<T> call, TimeSpan timeout, CancellationToken lost)
    {
        try
        {
            return await call.WaitAsync(timeout, lost);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException && !call.IsCompleted)
        {
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }
}
