namespace RuralCredit.Models;

/// <summary>A subject registration as submitted (raw identity number only in transit, never stored).</summary>
[GenerateSerializer, Immutable, Alias("rc.SubjectRegistration"), SuppressReferenceTracking]
public sealed record SubjectRegistration
{
    [Id(0)] public required string SubjectType { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public string? IdNumber { get; init; }
    [Id(3)] public string? CreditCode { get; init; }
    [Id(4)] public required string VillageCode { get; init; }
    [Id(5)] public string? HouseholdId { get; init; }
}

/// <summary>Basic information of a registered subject, as kept by its grain.</summary>
[GenerateSerializer, Immutable, Alias("rc.SubjectInfo"), SuppressReferenceTracking]
public sealed record SubjectInfo
{
    [Id(0)] public required string SubjectId { get; init; }
    [Id(1)] public required string SubjectType { get; init; }
    [Id(2)] public required string Name { get; init; }
    [Id(3)] public required string DisplayName { get; init; }
    [Id(4)] public required string MaskedId { get; init; }
    [Id(5)] public required string VillageCode { get; init; }
    [Id(6)] public string? HouseholdId { get; init; }
}

/// <summary>Outcome of one registration of a batch.</summary>
[GenerateSerializer, Immutable, Alias("rc.RegistrationOutcome"), SuppressReferenceTracking]
public sealed record RegistrationOutcome(
    [property: Id(0)] int Index,
    [property: Id(1)] string? Key,
    [property: Id(2)] string Status,
    [property: Id(3)] ItemError? Error);

/// <summary>A catalog item's contribution to a score (reason codes).</summary>
[GenerateSerializer, Immutable, Alias("rc.ScoreContribution"), SuppressReferenceTracking]
public sealed record ScoreContribution(
    [property: Id(0)] string CatalogCode,
    [property: Id(1)] string NameZh,
    [property: Id(2)] double Contribution);

/// <summary>Governance points of a subject or account.</summary>
[GenerateSerializer, Immutable, Alias("rc.PointsBalance")]
public sealed record PointsBalance([property: Id(0)] decimal Earned, [property: Id(1)] decimal Redeemed, [property: Id(2)] decimal Balance);

/// <summary>A subject's live credit profile at one evaluation time.</summary>
[GenerateSerializer, Immutable, Alias("rc.SubjectProfile")]
public sealed record SubjectProfile
{
    [Id(0)] public required SubjectInfo Info { get; init; }
    [Id(1)] public int Score { get; init; }
    [Id(2)] public required string Grade { get; init; }
    [Id(3)] public required IReadOnlyDictionary<string, double> Dimensions { get; init; }
    [Id(4)] public required IReadOnlyList<ScoreContribution> Reasons { get; init; }
    [Id(5)] public required IReadOnlyList<ScoreContribution> Strengths { get; init; }
    [Id(6)] public required IReadOnlyList<string> Tags { get; init; }
    [Id(7)] public required PointsBalance Points { get; init; }
    [Id(8)] public int ModelVersion { get; init; }
    [Id(9)] public DateTimeOffset AsOf { get; init; }
    [Id(10)] public int RecordCount { get; init; }
    [Id(11)] public long LastLedgerSeq { get; init; }
}

/// <summary>One record's effect in an explanation.</summary>
[GenerateSerializer, Immutable, Alias("rc.RecordEffect"), SuppressReferenceTracking]
public sealed record RecordEffect(
    [property: Id(0)] string RecordId,
    [property: Id(1)] string CatalogCode,
    [property: Id(2)] string Status,
    [property: Id(3)] DateTimeOffset OccurredAt,
    [property: Id(4)] double RawPoints,
    [property: Id(5)] double DecayFactor,
    [property: Id(6)] double Effect,
    [property: Id(7)] string Dimension);

/// <summary>A dimension before and after clamping.</summary>
[GenerateSerializer, Immutable, Alias("rc.DimensionValue"), SuppressReferenceTracking]
public sealed record DimensionValue(
    [property: Id(0)] string Name,
    [property: Id(1)] double Raw,
    [property: Id(2)] double Min,
    [property: Id(3)] double Max,
    [property: Id(4)] double Value);

/// <summary>The record that forced the lowest grade (一票否决).</summary>
[GenerateSerializer, Immutable, Alias("rc.VetoRecord")]
public sealed record VetoRecord([property: Id(0)] string RecordId, [property: Id(1)] string CatalogCode);

/// <summary>Every counting record and its effect: how a score came about.</summary>
[GenerateSerializer, Immutable, Alias("rc.ScoreExplanation")]
public sealed record ScoreExplanation
{
    [Id(0)] public int Score { get; init; }
    [Id(1)] public required string Grade { get; init; }
    [Id(2)] public double Base { get; init; }
    [Id(3)] public VetoRecord? Veto { get; init; }
    [Id(4)] public required IReadOnlyList<DimensionValue> Dimensions { get; init; }
    [Id(5)] public required IReadOnlyList<RecordEffect> Records { get; init; }
    [Id(6)] public int ModelVersion { get; init; }
    [Id(7)] public DateTimeOffset AsOf { get; init; }
}

/// <summary>A status change in a record's history.</summary>
[GenerateSerializer, Immutable, Alias("rc.StatusChange"), SuppressReferenceTracking]
public sealed record StatusChange(
    [property: Id(0)] string Status,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string? Actor,
    [property: Id(3)] string? Reason,
    [property: Id(4)] long LedgerSeq);

/// <summary>A record as shown in the archive of a subject.</summary>
[GenerateSerializer, Immutable, Alias("rc.RecordView"), SuppressReferenceTracking]
public sealed record RecordView
{
    [Id(0)] public required string RecordId { get; init; }
    [Id(1)] public required string CatalogCode { get; init; }
    [Id(2)] public string? NameZh { get; init; }
    [Id(3)] public string? Category { get; init; }
    [Id(4)] public required string Status { get; init; }
    [Id(5)] public DateTimeOffset OccurredAt { get; init; }
    [Id(6)] public DateTimeOffset ReceivedAt { get; init; }
    [Id(7)] public required string SourceDepartment { get; init; }
    [Id(8)] public required string PayloadJson { get; init; }
    [Id(9)] public string? Supersedes { get; init; }
    [Id(10)] public long LedgerSeq { get; init; }
    [Id(11)] public required IReadOnlyList<StatusChange> History { get; init; }
}

/// <summary>
/// A subject's whole contribution to its village, versioned. The village replaces its entry when a newer
/// version arrives, so aggregates never drift however often a summary is delivered.
/// </summary>
[GenerateSerializer, Immutable, Alias("rc.SubjectSummary"), SuppressReferenceTracking]
public sealed record SubjectSummary
{
    [Id(0)] public required string SubjectId { get; init; }
    [Id(1)] public required string SubjectType { get; init; }
    [Id(2)] public required string VillageCode { get; init; }
    [Id(3)] public string? HouseholdId { get; init; }
    [Id(4)] public int Score { get; init; }
    [Id(5)] public required string Grade { get; init; }
    [Id(6)] public bool Vetoed { get; init; }
    [Id(7)] public decimal PointsEarned { get; init; }
    [Id(8)] public decimal PointsRedeemed { get; init; }
    [Id(9)] public bool HasCreditLine { get; init; }
    [Id(10)] public bool IsBorrowing { get; init; }
    [Id(11)] public bool InArrears { get; init; }
    [Id(12)] public decimal CreditLoanAmount { get; init; }
    [Id(13)] public decimal LoanAmount { get; init; }
    [Id(14)] public DateTimeOffset? LastGovernanceAt { get; init; }
    [Id(15)] public required IReadOnlyList<DateTimeOffset> RecentReceipts { get; init; }
    [Id(16)] public long Version { get; init; }
    [Id(17)] public DateTimeOffset EvaluatedAt { get; init; }
}

/// <summary>A governance points redemption (积分超市兑换).</summary>
[GenerateSerializer, Immutable, Alias("rc.Redemption")]
public sealed record Redemption(
    [property: Id(0)] string RedemptionId,
    [property: Id(1)] decimal Points,
    [property: Id(2)] string Item);

/// <summary>Result of a redemption: the account debited and its balance afterwards.</summary>
[GenerateSerializer, Immutable, Alias("rc.RedemptionResult")]
public sealed record RedemptionResult(
    [property: Id(0)] string Account,
    [property: Id(1)] decimal Balance,
    [property: Id(2)] ItemError? Error);

/// <summary>A household (农户家庭) with its score, flags and pooled points.</summary>
[GenerateSerializer, Immutable, Alias("rc.HouseholdView")]
public sealed record HouseholdView
{
    [Id(0)] public required string HouseholdId { get; init; }
    [Id(1)] public required string VillageCode { get; init; }
    [Id(2)] public required IReadOnlyList<string> Members { get; init; }
    [Id(3)] public int? Score { get; init; }
    [Id(4)] public string? Grade { get; init; }
    [Id(5)] public bool IsCreditHousehold { get; init; }
    [Id(6)] public bool InArrears { get; init; }
    [Id(7)] public bool HasCreditLine { get; init; }
    [Id(8)] public required PointsBalance Points { get; init; }
}
