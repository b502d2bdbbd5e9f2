namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>
/// Tells the requests in flight that a gateway connection was lost (postgres profile, where the API host is a client of
/// the silos). A call sent through a silo that died gets no answer until the engine's response timeout (minutes): a
/// request that passes <see cref="Token"/> into its grain call is cancelled instead as soon as the connection closes,
/// and is answered <c>503 unavailable</c> with <c>Retry-After</c>; the client sends it again, to a live silo. Calls that
/// went through a live gateway at that moment are cancelled too: which gateway a call used is not known here, and a
/// resent batch is harmless (records are idempotent by record id). The embedded profile has no gateway: never signalled.
/// </summary>
public sealed partial class GatewayLoss(ILogger<GatewayLoss> logger) : IClusterConnectionStatusObserver
{
    private CancellationTokenSource _current = new();

    /// <summary>Cancelled when a gateway connection is lost after this was read.</summary>
    public CancellationToken Token => Volatile.Read(ref _current).Token;

    /// <summary>How many times a lost gateway cancelled the calls in flight.</summary>
    public int Signals { get; private set; }

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
        Signals++;
        LogGatewayLost(remaining);

        // Off the connection's thread: the cancelled calls' continuations run on the thread pool.
        _ = lost.CancelAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A gateway connection was lost ({Remaining} left): requests in flight are cancelled and answered 503 so that clients resend them")]
    private partial void LogGatewayLost(int remaining);
}
