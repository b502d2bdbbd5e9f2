namespace RuralCredit.Models;

/// <summary>Kinds of ledger entry: a credit record, or a status change of an earlier record.</summary>
public enum LedgerEntryKind
{
    Record = 0,
    StatusChange = 1,
}

/// <summary>Record statuses (§2.4).</summary>
public static class RecordStatus
{
    public const string Active = "active";
    public const string Revoked = "revoked";
    public const string Repaired = "repaired";
    public const string Disputed = "disputed";
    public const string Expired = "expired";
}

/// <summary>
/// One entry of the append-only credit ledger (信用档案). Entries are immutable; status changes are entries of
/// their own. <see cref="PreviousSubjectSeq"/> chains a subject's entries so that a consumer can tell a gap.
/// </summary>
[GenerateSerializer, Immutable, Alias("rc.LedgerEntry"), SuppressReferenceTracking]
public sealed record LedgerEntry
{
    [Id(0)] public long Seq { get; init; }
    [Id(1)] public long PreviousSubjectSeq { get; init; }
    [Id(2)] public LedgerEntryKind Kind { get; init; }
    [Id(3)] public required string SubjectId { get; init; }
    [Id(4)] public required string RecordId { get; init; }
    [Id(5)] public string CatalogCode { get; init; } = "";
    [Id(6)] public int CatalogVersion { get; init; }
    [Id(7)] public DateTimeOffset OccurredAt { get; init; }
    [Id(8)] public DateTimeOffset ReceivedAt { get; init; }
    [Id(9)] public string SourceDepartment { get; init; } = "";
    [Id(10)] public string PayloadJson { get; init; } = "{}";
    [Id(11)] public string? Supersedes { get; init; }
    [Id(12)] public string? NewStatus { get; init; }
    [Id(13)] public string? Actor { get; init; }
    [Id(14)] public string? Reason { get; init; }

    // Id 15 held the content hash as 24 hex characters (70 bytes a record on the heap); snapshots that still carry it
    // are read with that field skipped. Grains never look at the hash: only ingest and the ledger compare it.
    [Id(16)] public RecordHash ContentHash { get; init; }
}

/// <summary>
/// The identity of a record's content (the first 12 bytes of a SHA-256, see <c>RecordIngestGrain.ContentHash</c>), held
/// inline in each ledger entry rather than as a string. Written and read as 24 upper-case hex characters.
/// </summary>
[GenerateSerializer, Immutable, Alias("rc.RecordHash")]
public readonly record struct RecordHash([property: Id(0)] ulong High, [property: Id(1)] uint Low)
{
    /// <summary>Number of hash bytes kept.</summary>
    public const int Length = 12;

    /// <summary>The first <see cref="Length"/> bytes of <paramref name="bytes"/>, big-endian.</summary>
    public static RecordHash FromBytes(ReadOnlySpan<byte> bytes) =>
        new(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]));

    /// <summary>Parses the 24 hex characters <see cref="ToString"/> writes.</summary>
    /// <exception cref="FormatException">Not 24 hex characters.</exception>
    public static RecordHash Parse(string hex)
    {
        Span<byte> bytes = stackalloc byte[Length];
        if (hex.Length != Length * 2 || Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Length)
        {
            throw new FormatException($"a record hash is {Length * 2} hex characters");
        }

        return FromBytes(bytes);
    }

    /// <summary>24 upper-case hex characters, the form the ledger stores.</summary>
    public override string ToString() => $"{High:X16}{Low:X8}";
}

/// <summary>A record as submitted, after parsing and before it is durable.</summary>
[GenerateSerializer, Immutable, Alias("rc.RecordSubmission"), SuppressReferenceTracking]
public sealed record RecordSubmission
{
    [Id(0)] public required string RecordId { get; init; }
    [Id(1)] public required string CatalogCode { get; init; }
    [Id(2)] public string? SubjectId { get; init; }
    [Id(3)] public string? IdNumber { get; init; }
    [Id(4)] public DateTimeOffset OccurredAt { get; init; }
    [Id(5)] public required string PayloadJson { get; init; }
    [Id(6)] public string? Supersedes { get; init; }
}

/// <summary>A stable problem code and a human readable detail.</summary>
[GenerateSerializer, Immutable, Alias("rc.ItemError"), SuppressReferenceTracking]
public sealed record ItemError([property: Id(0)] string Code, [property: Id(1)] string Detail);

/// <summary>Outcome of one record of a batch.</summary>
[GenerateSerializer, Immutable, Alias("rc.RecordOutcome"), SuppressReferenceTracking]
public sealed record RecordOutcome(
    [property: Id(0)] int Index,
    [property: Id(1)] string RecordId,
    [property: Id(2)] string Status,
    [property: Id(3)] long? LedgerSeq,
    [property: Id(4)] ItemError? Error);

/// <summary>Who submits: the departments an integrator holds (<c>*</c> for all).</summary>
[GenerateSerializer, Immutable, Alias("rc.Submitter")]
public sealed record Submitter(
    [property: Id(0)] string Actor,
    [property: Id(1)] bool IsOperator,
    [property: Id(2)] IReadOnlyList<string> Departments)
{
    public bool Holds(string department) =>
        IsOperator || Departments.Contains("*") || Departments.Contains(department);
}

/// <summary>Result of a revoke request.</summary>
[GenerateSerializer, Immutable, Alias("rc.RevokeOutcome")]
public sealed record RevokeOutcome([property: Id(0)] string RecordId, [property: Id(1)] string Status, [property: Id(2)] ItemError? Error);
