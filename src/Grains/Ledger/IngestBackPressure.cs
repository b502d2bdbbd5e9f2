using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RuralCredit.Ledger;

/// <summary>Options section <c>Ingest</c>: how far ingest may run ahead of the subject grains.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>
    /// Appended entries not yet delivered to their subjects above which a batch waits before it is appended
    /// (0: never wait). Bounds the time from acknowledgement to the aggregates: at saturation it is about this many
    /// entries divided by the fold rate. With 10,000 the ledger ran up to a second ahead of the subjects and the city's
    /// freshness p99 was 2.3-3.0 s at 50 k subjects; with 2,000 it was 1.6-2.4 s at the same ingest rate (embedded and
    /// postgres alike).
    /// </summary>
    public long MaxUndelivered { get; set; } = 2_000;

    /// <summary>Longest a batch waits for room; it is appended after that in any case (the ledger holds it).</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Back-pressure between the ledger and the subject grains (one per silo). A batch is appended only while the ledger
/// holds fewer than <see cref="IngestOptions.MaxUndelivered"/> entries that the stream has not delivered yet; under
/// sustained load integrators are acknowledged at the rate the grains fold instead of filling a backlog that every
/// later record would wait behind. Concurrent batches share one count of the ledger per poll.
/// </summary>
public sealed partial class IngestBackPressure(ICreditLedger ledger, IOptions<IngestOptions> options, TimeProvider time, ILogger<IngestBackPressure> logger)
{
    /// <summary>How often the undelivered entries are counted while batches wait.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly Lock _gate = new();
    private Task<long>? _count;
    private long _countedAt;

    /// <summary>Returns once there is room for a batch, or after <see cref="IngestOptions.MaxWait"/>.</summary>
    public async ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        var max = options.Value.MaxUndelivered;
        if (max <= 0)
        {
            return;
        }

        var started = time.GetTimestamp();
        while (await CountAsync(max, cancellationToken) >= max)
        {
            if (time.GetElapsedTime(started) >= options.Value.MaxWait)
            {
                LogWaitedTooLong(max, options.Value.MaxWait);
                return;
            }

            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    private Task<long> CountAsync(long max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (_count is null || (_count.IsCompleted && time.GetElapsedTime(_countedAt, now) >= PollInterval))
            {
                _countedAt = now;
                _count = ledger.CountUndeliveredAsync(max, CancellationToken.None).AsTask();
            }

            return _count.WaitAsync(cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest waited {MaxWait} for the subject grains to fold below {Max} undelivered ledger entries; appending anyway")]
    private partial void LogWaitedTooLong(long max, TimeSpan maxWait);
}
