namespace RuralCredit.Models;

/// <summary>Administrative levels (城市 → 县区 → 乡镇/街道 → 村居/社区).</summary>
public static class RegionLevels
{
    public const string City = "city";
    public const string County = "county";
    public const string Township = "township";
    public const string Village = "village";

    /// <summary>The level a child of <paramref name="level"/> has, or null for villages.</summary>
    public static string? ChildOf(string level) => level switch
    {
        City => County,
        County => Township,
        Township => Village,
        _ => null,
    };
}

/// <summary>A region as registered.</summary>
[GenerateSerializer, Immutable, Alias("rc.RegionInfo")]
public sealed record RegionInfo
{
    [Id(0)] public required string Code { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public required string Level { get; init; }
    [Id(3)] public string? ParentCode { get; init; }
    [Id(4)] public int? ExpectedHouseholds { get; init; }
    [Id(5)] public int? ExpectedSubjects { get; init; }
}

/// <summary>
/// A region's whole aggregate (village, township, county or city), versioned. A parent replaces its child's
/// entry when a newer version arrives and recomputes its own from all entries: sums never drift.
/// </summary>
[GenerateSerializer, Immutable, Alias("rc.RegionSummary")]
public sealed record RegionSummary
{
    [Id(0)] public required RegionInfo Info { get; init; }
    [Id(1)] public long Version { get; init; }
    [Id(2)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(3)] public int Subjects { get; init; }
    [Id(4)] public required IReadOnlyDictionary<string, int> ByType { get; init; }
    [Id(5)] public required IReadOnlyDictionary<string, int> ByGrade { get; init; }
    [Id(6)] public long ScoreSum { get; init; }
    [Id(7)] public int Households { get; init; }
    [Id(8)] public int CreditHouseholds { get; init; }
    [Id(9)] public int CreditLineHouseholds { get; init; }
    [Id(10)] public int BorrowingHouseholds { get; init; }
    [Id(11)] public int BorrowingHouseholdsWithoutOverdue { get; init; }
    [Id(12)] public long CoverageSubjects { get; init; }
    [Id(13)] public long CoverageExpected { get; init; }
    [Id(14)] public decimal PointsEarned { get; init; }
    [Id(15)] public decimal PointsRedeemed { get; init; }
    [Id(16)] public decimal CreditLoanAmount { get; init; }
    [Id(17)] public decimal LoanAmount { get; init; }
    /// <summary>Records received per hour (key: hours since the Unix epoch), for the last 24 hours.</summary>
    [Id(18)] public required IReadOnlyDictionary<long, int> ReceivedByHour { get; init; }
    [Id(19)] public int Villages { get; init; }
    [Id(20)] public int CreditVillages { get; init; }
    [Id(21)] public int PointsVillages { get; init; }
    [Id(22)] public int Townships { get; init; }
    [Id(23)] public int CreditTownships { get; init; }
    [Id(24)] public int Counties { get; init; }
    [Id(25)] public int CreditCounties { get; init; }
    [Id(26)] public bool? IsCreditVillage { get; init; }
    [Id(27)] public bool? IsCreditTownship { get; init; }
    [Id(28)] public bool? IsCreditCounty { get; init; }
    [Id(29)] public int Records24h { get; init; }
}

/// <summary>Progress of a background job (e.g. re-scoring after a model is published).</summary>
[GenerateSerializer, Immutable, Alias("rc.JobStatus")]
public sealed record JobStatus
{
    [Id(0)] public required string JobId { get; init; }
    [Id(1)] public required string Kind { get; init; }
    [Id(2)] public required string State { get; init; }
    [Id(3)] public int Done { get; init; }
    [Id(4)] public int Total { get; init; }
    [Id(5)] public DateTimeOffset StartedAt { get; init; }
    [Id(6)] public DateTimeOffset? FinishedAt { get; init; }
    [Id(7)] public string? Error { get; init; }
}
