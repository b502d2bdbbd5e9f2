using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;
using RuralCredit.Ledger;

namespace RuralCredit.Streaming;

/// <summary>
/// A persistent stream provider whose queue is the ledger: each partition is a queue; a receiver reads
/// entries after the partition's checkpoint and moves the checkpoint once they have been delivered.
/// Producers never write through the stream: records enter by being appended to the ledger.
/// </summary>
public sealed class LedgerQueueAdapterFactory(
    string name,
    ICreditLedger ledger,
    SimpleQueueCacheOptions cacheOptions,
    StreamPullingAgentOptions agentOptions,
    LedgerQueueIdle idle,
    ILoggerFactory loggerFactory) : IQueueAdapterFactory, IQueueAdapter
{
    private readonly LedgerQueueMapper _mapper = new(name, ledger.PartitionCount);
    private readonly LedgerQueueAdapterCache _cache = new(cacheOptions.CacheSize, agentOptions.BatchContainerBatchSize);

    public static LedgerQueueAdapterFactory Create(IServiceProvider services, string name) =>
        new(name,
            services.GetRequiredService<ICreditLedger>(),
            services.GetOptionsByName<SimpleQueueCacheOptions>(name),
            services.GetOptionsByName<StreamPullingAgentOptions>(name),
            new LedgerQueueIdle(services.GetRequiredService<IOptions<LedgerOptions>>().Value.IdlePollInterval, TimeProvider.System),
            services.GetRequiredService<ILoggerFactory>());

    public string Name => name;

    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadOnly;

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IQueueAdapter> CreateAdapter() => Task.FromResult<IQueueAdapter>(this);

    public Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken) => Task.FromResult<IQueueAdapter>(this);

    public IQueueAdapterCache GetQueueAdapterCache() => _cache;

    public IStreamQueueMapper GetStreamQueueMapper() => _mapper;

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new LedgerDeliveryFailureHandler(loggerFactory.CreateLogger<LedgerDeliveryFailureHandler>()));

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) =>
        new LedgerQueueReceiver(ledger, LedgerQueueMapper.PartitionOf(queueId), name, idle, loggerFactory.CreateLogger<LedgerQueueReceiver>());

    public Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext) =>
        throw new NotSupportedException("Records enter the ledger stream by being appended to the ledger.");
}

/// <summary>
/// Logs a subject's delivery that the pulling agent gave up on; the subscription stays (the cache hands the entries out
/// again, see <see cref="LedgerQueueCache.Cursor.RecordDeliveryFailure"/>), so a subject that cannot fold holds its
/// partition's checkpoint back and says so, instead of missing records in silence.
/// </summary>
public sealed partial class LedgerDeliveryFailureHandler(ILogger<LedgerDeliveryFailureHandler> logger) : IStreamFailureHandler
{
    public bool ShouldFaultSubsriptionOnError => false;

    public Task OnDeliveryFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken)
    {
        LogDeliveryFailed(streamIdentity.GetKeyAsString(), sequenceToken?.ToString());
        return Task.CompletedTask;
    }

    public Task OnSubscriptionFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken)
    {
        LogSubscriptionFailed(streamIdentity.GetKeyAsString());
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery to subject {SubjectId} failed past the delivery time (at {Token}); its entries are delivered again, its ledger partition's checkpoint waits")]
    private partial void LogDeliveryFailed(string subjectId, string? token);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing subject {SubjectId} to its ledger stream failed; it is retried")]
    private partial void LogSubscriptionFailed(string subjectId);
}

/// <summary>
/// When a partition that has been empty for <see cref="After"/> is read again: at most every <see cref="PollInterval"/>
/// (zero: at every ask of its pulling agent). <see cref="Time"/> is the machine's clock, not the engine's
/// <see cref="TimeProvider"/>: polling is paced in real time even where the engine's time is set.
/// </summary>
public sealed record LedgerQueueIdle(TimeSpan PollInterval, TimeProvider Time)
{
    /// <summary>How long a partition stays empty before it is read less often: longer than any pause within an import.</summary>
    public static readonly TimeSpan After = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Reads one ledger partition in sequence order from its checkpoint. A partition found empty for
/// <see cref="LedgerQueueIdle.After"/> is read every <see cref="LedgerQueueIdle.PollInterval"/> until it has entries again.
/// </summary>
public sealed partial class LedgerQueueReceiver(ICreditLedger ledger, int partition, string providerName, LedgerQueueIdle idle, ILogger<LedgerQueueReceiver> logger) : IQueueAdapterReceiver
{
    private long _position;

    /// <summary>When the partition was first found empty in the current run of empty reads (null: it was not).</summary>
    private long? _emptySince;

    /// <summary>When the partition was last read.</summary>
    private long _lastRead;

    public async Task Initialize(TimeSpan timeout)
    {
        _position = await ledger.GetCheckpointAsync(partition);
        LogStarted(providerName, partition, _position);
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        var now = idle.Time.GetTimestamp();
        if (_emptySince is { } since && idle.Time.GetElapsedTime(since, now) >= LedgerQueueIdle.After && idle.Time.GetElapsedTime(_lastRead, now) < idle.PollInterval)
        {
            return []; // quiet: not read again yet
        }

        _lastRead = now;
        var count = maxCount is <= 0 or > 4096 ? 4096 : maxCount;
        var entries = await ledger.ReadPartitionAsync(partition, _position, count, cancellationToken);
        if (entries.Count == 0)
        {
            _emptySince ??= now;
            return [];
        }

        _emptySince = null;

        var batch = new List<IBatchContainer>(entries.Count);
        foreach (var entry in entries)
        {
            batch.Add(new LedgerBatchContainer(StreamId.Create(RuralCreditConstants.SubjectRecordsNamespace, entry.SubjectId), entry));
        }

        _position = entries[^1].Seq;
        return batch;
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);

    public async Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken)
    {
        long max = 0;
        foreach (var m in messages)
        {
            if (m is LedgerBatchContainer c && c.Entry.Seq > max)
            {
                max = c.Entry.Seq;
            }
        }

        if (max > 0)
        {
            await ledger.SaveCheckpointAsync(partition, max, cancellationToken);
        }
    }

    public Task Shutdown(TimeSpan timeout)
    {
        LogStopped(providerName, partition, _position);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ledger stream {Provider} partition {Partition} starts after sequence {Position}")]
    private partial void LogStarted(string provider, int partition, long position);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ledger stream {Provider} partition {Partition} stops here after sequence {Position}")]
    private partial void LogStopped(string provider, int partition, long position);
}
