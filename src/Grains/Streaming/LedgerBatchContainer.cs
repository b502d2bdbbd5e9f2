using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;
using RuralCredit.Models;

namespace RuralCredit.Streaming;

/// <summary>One ledger entry on its way to the subject's stream.</summary>
[GenerateSerializer, Immutable, Alias("rc.LedgerBatchContainer")]
public sealed class LedgerBatchContainer(StreamId streamId, LedgerEntry entry) : IBatchContainer
{
    [Id(0)] public StreamId StreamId { get; } = streamId;

    [Id(1)] public LedgerEntry Entry { get; } = entry;

    [NonSerialized]
    private EventSequenceTokenV2? _token;

    /// <summary>The entry's ledger sequence (made once: the pulling agent asks for it several times per delivery).</summary>
    public StreamSequenceToken SequenceToken => _token ??= new EventSequenceTokenV2(Entry.Seq);

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>() =>
        Entry is T typed ? [Tuple.Create(typed, SequenceToken)] : [];

    public bool ImportRequestContext() => false;
}
