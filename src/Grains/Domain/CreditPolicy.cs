namespace RuralCredit.Domain;

/// <summary>三信 thresholds (policy values with an effective date). Defaults are SPEC §2.7's.</summary>
public sealed record CreditPolicy
{
    public DateTimeOffset EffectiveFrom { get; init; } = DateTimeOffset.MinValue;

    /// <summary>A credit household's grade is one of this many highest grades of the farmer model.</summary>
    public int CreditHouseholdTopGrades { get; init; } = 2;

    /// <summary>A credit village has at least this share of credit households.</summary>
    public double CreditVillageHouseholdShare { get; init; } = 0.70;

    /// <summary>... and more than this share of its borrowing households without an overdue loan.</summary>
    public double CreditVillageRepaymentShare { get; init; } = 0.85;

    /// <summary>A credit township has at least this share of credit villages.</summary>
    public double CreditTownshipVillageShare { get; init; } = 0.50;

    /// <summary>A credit county has at least this share of credit villages.</summary>
    public double CreditCountyVillageShare { get; init; } = 0.60;

    /// <summary>A village runs the points system when a points record occurred within this many days.</summary>
    public int PointsVillageWindowDays { get; init; } = 365;
}

/// <summary>Options section <c>CreditPolicy</c>: policy versions; the latest effective one applies.</summary>
public sealed class CreditPolicyOptions
{
    public const string SectionName = "CreditPolicy";

    public List<CreditPolicy> Versions { get; set; } = [];

    /// <summary>The policy in force at <paramref name="t"/>.</summary>
    public CreditPolicy At(DateTimeOffset t) =>
        Versions.Where(v => v.EffectiveFrom <= t).OrderByDescending(v => v.EffectiveFrom).FirstOrDefault() ?? new CreditPolicy();
}

/// <summary>Targets of the city plan shown beside the live figures.</summary>
public static class PlanTargets
{
    public sealed record Target(string Indicator, string NameZh, double Value, string Deadline);

    public static readonly IReadOnlyList<Target> All =
    [
        new("wholeVillageCreditRate", "整村授信覆盖率", 0.95, "2023-12-31"),
        new("wholeVillageCreditRate", "整村授信覆盖率", 1.00, "2024-12-31"),
        new("creditLoanShare", "农户信用贷款占比", 0.30, "2025-12-31"),
        new("pointsVillages", "推行积分制管理的村（个）", 350, "2024-12-31"),
        new("pointsVillageShare", "推行积分制管理的村占比", 0.30, "2025-12-31"),
    ];
}
