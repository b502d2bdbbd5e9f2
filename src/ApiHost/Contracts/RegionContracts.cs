using System.Text.Json.Serialization;
using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.ApiHost.Contracts;

/// <summary>One region of <c>PUT /v1/regions</c> (set through properties: a refused field is named with its expected type).</summary>
public sealed record RegionInput
{
    public string? Code { get; init; }

    public string? Name { get; init; }

    public string? Level { get; init; }

    public string? ParentCode { get; init; }

    public int? ExpectedHouseholds { get; init; }

    public int? ExpectedSubjects { get; init; }
}

/// <summary>The body of <c>PUT /v1/regions</c> (read item by item; declared for the OpenAPI document).</summary>
public sealed record RegionsRequest(List<RegionInput>? Regions);

public sealed record RegistrationResultItem(
    int Index,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SubjectId,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ErrorBody? Error);

public sealed record ErrorBody(string Code, string Detail);

public sealed record BatchResults(IReadOnlyList<RegistrationResultItem> Results);

public sealed record SubjectCounts(int Total, IReadOnlyDictionary<string, int> ByType, IReadOnlyDictionary<string, int> ByGrade);

public sealed record PointsTotals(decimal Earned, decimal Redeemed);

public sealed record TargetView(string Indicator, string NameZh, double Target, string Deadline);

/// <summary>A region's live aggregate (Appendix A).</summary>
public sealed record RegionResponse
{
    public required string Code { get; init; }
    public required string Name { get; init; }
    public required string Level { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ParentCode { get; init; }
    public required SubjectCounts Subjects { get; init; }
    public int Households { get; init; }
    public int CreditHouseholds { get; init; }
    public double? MeanScore { get; init; }
    public double? ArchiveCoverage { get; init; }
    public required PointsTotals Points { get; init; }
    public int CreditLineHouseholds { get; init; }
    public double? WholeVillageCreditRate { get; init; }
    public double? CreditLoanShare { get; init; }
    public int Records24h { get; init; }
    public int CreditVillages { get; init; }
    public int Villages { get; init; }
    public int PointsVillages { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? IsCreditVillage { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? IsCreditTownship { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? IsCreditCounty { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? CreditTownships { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Townships { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? CreditCounties { get; init; }
    public required IReadOnlyList<TargetView> Targets { get; init; }
    public long Version { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public static RegionResponse From(RegionSummary s) => new()
    {
        Code = s.Info.Code,
        Name = s.Info.Name,
        Level = s.Info.Level,
        ParentCode = s.Info.ParentCode,
        Subjects = new SubjectCounts(s.Subjects, s.ByType, s.ByGrade),
        Households = s.Households,
        CreditHouseholds = s.CreditHouseholds,
        MeanScore = s.Subjects == 0 ? null : (double)s.ScoreSum / s.Subjects,
        ArchiveCoverage = s.CoverageExpected == 0 ? null : (double)s.CoverageSubjects / s.CoverageExpected,
        Points = new PointsTotals(s.PointsEarned, s.PointsRedeemed),
        CreditLineHouseholds = s.CreditLineHouseholds,
        WholeVillageCreditRate = s.Households == 0 ? null : (double)s.CreditLineHouseholds / s.Households,
        CreditLoanShare = s.LoanAmount == 0 ? null : (double)(s.CreditLoanAmount / s.LoanAmount),
        Records24h = s.Records24h,
        CreditVillages = s.CreditVillages,
        Villages = s.Villages,
        PointsVillages = s.PointsVillages,
        IsCreditVillage = s.IsCreditVillage,
        IsCreditTownship = s.IsCreditTownship,
        IsCreditCounty = s.IsCreditCounty,
        CreditTownships = s.Info.Level is RegionLevels.County or RegionLevels.City ? s.CreditTownships : null,
        Townships = s.Info.Level is RegionLevels.County or RegionLevels.City ? s.Townships : null,
        CreditCounties = s.Info.Level == RegionLevels.City ? s.CreditCounties : null,
        Targets = PlanTargets.All.Select(t => new TargetView(t.Indicator, t.NameZh, t.Value, t.Deadline)).ToList(),
        Version = s.Version,
        UpdatedAt = s.UpdatedAt,
    };
}
