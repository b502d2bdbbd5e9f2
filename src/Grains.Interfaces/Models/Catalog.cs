namespace RuralCredit.Models;

/// <summary>Governance points (乡村治理积分) earned by a record of a catalog item.</summary>
[GenerateSerializer, Immutable, Alias("rc.GovernancePoints")]
public sealed record GovernancePoints
{
    [Id(0)] public decimal? Points { get; init; }
    [Id(1)] public decimal? PointsPerUnit { get; init; }
    [Id(2)] public string? UnitField { get; init; }
    [Id(3)] public decimal? MaxPoints { get; init; }
}

/// <summary>One item of the collection catalog (涉农信用信息归集目录), at one version.</summary>
[GenerateSerializer, Immutable, Alias("rc.CatalogItem")]
public sealed record CatalogItem
{
    [Id(0)] public required string Code { get; init; }
    [Id(1)] public required string NameZh { get; init; }
    [Id(2)] public required string Category { get; init; }
    [Id(3)] public required string SourceDepartment { get; init; }
    [Id(4)] public required string CollectionCycle { get; init; }
    [Id(5)] public required IReadOnlyList<string> SubjectTypes { get; init; }
    [Id(6)] public string? Severity { get; init; }
    [Id(7)] public int? PublicityDays { get; init; }
    [Id(8)] public int? RepairMinDays { get; init; }
    [Id(9)] public required IReadOnlyDictionary<string, string> PayloadSchema { get; init; }
    [Id(10)] public GovernancePoints? GovernancePoints { get; init; }
    [Id(11)] public string? Role { get; init; }
    [Id(12)] public int Version { get; init; }
}

/// <summary>A source department (数源部门).</summary>
[GenerateSerializer, Immutable, Alias("rc.Department")]
public sealed record Department([property: Id(0)] string Code, [property: Id(1)] string NameZh);

/// <summary>Well-known catalog roles: how aggregates and tags find their records.</summary>
public static class CatalogRoles
{
    public const string CreditLine = "creditLine";
    public const string Loan = "loan";
    public const string LoanOverdue = "loanOverdue";
    public const string Demonstration = "demonstration";
    public const string Commitment = "commitment";
    public const string CommitmentFulfilled = "commitmentFulfilled";
    public const string CommitmentBreached = "commitmentBreached";
    public const string ArrearsOpened = "arrearsOpened";
    public const string ArrearsCleared = "arrearsCleared";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        CreditLine, Loan, LoanOverdue, Demonstration, Commitment, CommitmentFulfilled, CommitmentBreached,
        ArrearsOpened, ArrearsCleared,
    };
}
