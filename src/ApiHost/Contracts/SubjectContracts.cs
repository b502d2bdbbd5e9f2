using System.Text.Json;
using System.Text.Json.Serialization;
using RuralCredit.Models;

namespace RuralCredit.ApiHost.Contracts;

/// <summary>One subject of <c>PUT /v1/subjects</c> (set through properties: a refused field is named with its expected type).</summary>
public sealed record SubjectInput
{
    public string? SubjectType { get; init; }

    public string? Name { get; init; }

    public string? IdNumber { get; init; }

    public string? CreditCode { get; init; }

    public string? VillageCode { get; init; }

    public string? HouseholdId { get; init; }
}

/// <summary>The body of <c>PUT /v1/subjects</c> (read item by item; declared for the OpenAPI document).</summary>
public sealed record SubjectsRequest(List<SubjectInput>? Subjects);

public sealed record ContributionView(string CatalogCode, string NameZh, double Contribution);

public sealed record SubjectPointsView(decimal Earned, decimal Balance);

/// <summary>A subject's profile (Appendix A).</summary>
public sealed record SubjectProfileResponse
{
    public required string SubjectId { get; init; }
    public required string SubjectType { get; init; }
    public required string DisplayName { get; init; }
    public required string MaskedId { get; init; }
    public required string VillageCode { get; init; }
    public string? HouseholdId { get; init; }
    public int Score { get; init; }
    public required string Grade { get; init; }
    public required IReadOnlyDictionary<string, double> Dimensions { get; init; }
    public required IReadOnlyList<ContributionView> Reasons { get; init; }
    public required IReadOnlyList<ContributionView> Strengths { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }
    public required SubjectPointsView Points { get; init; }
    public int ModelVersion { get; init; }
    public DateTimeOffset AsOf { get; init; }
    public int RecordCount { get; init; }
    public long LastLedgerSeq { get; init; }

    public static SubjectProfileResponse From(SubjectProfile p) => new()
    {
        SubjectId = p.Info.SubjectId,
        SubjectType = p.Info.SubjectType,
        DisplayName = p.Info.DisplayName,
        MaskedId = p.Info.MaskedId,
        VillageCode = p.Info.VillageCode,
        HouseholdId = p.Info.HouseholdId,
        Score = p.Score,
        Grade = p.Grade,
        Dimensions = p.Dimensions,
        Reasons = p.Reasons.Select(r => new ContributionView(r.CatalogCode, r.NameZh, r.Contribution)).ToList(),
        Strengths = p.Strengths.Select(r => new ContributionView(r.CatalogCode, r.NameZh, r.Contribution)).ToList(),
        Tags = p.Tags,
        Points = new SubjectPointsView(p.Points.Earned, p.Points.Balance),
        ModelVersion = p.ModelVersion,
        AsOf = p.AsOf,
        RecordCount = p.RecordCount,
        LastLedgerSeq = p.LastLedgerSeq,
    };
}

public sealed record DimensionView(string Name, double Raw, double Min, double Max, double Value);

public sealed record EffectView(string RecordId, string CatalogCode, string Status, DateTimeOffset OccurredAt, double RawPoints, double DecayFactor, double Effect, string Dimension);

public sealed record VetoView(string RecordId, string CatalogCode);

/// <summary>How a score came about (Appendix A).</summary>
public sealed record ExplainResponse(int Score, string Grade, double Base, VetoView? Veto, IReadOnlyList<DimensionView> Dimensions, IReadOnlyList<EffectView> Records, int ModelVersion, DateTimeOffset AsOf)
{
    public static ExplainResponse From(ScoreExplanation e) => new(
        e.Score, e.Grade, e.Base, e.Veto is null ? null : new VetoView(e.Veto.RecordId, e.Veto.CatalogCode),
        e.Dimensions.Select(d => new DimensionView(d.Name, d.Raw, d.Min, d.Max, d.Value)).ToList(),
        e.Records.Select(r => new EffectView(r.RecordId, r.CatalogCode, r.Status, r.OccurredAt, r.RawPoints, r.DecayFactor, r.Effect, r.Dimension)).ToList(),
        e.ModelVersion, e.AsOf);
}

public sealed record StatusChangeView(string Status, DateTimeOffset At, string? Actor, string? Reason, long LedgerSeq);

public sealed record RecordResponse(
    string RecordId, string CatalogCode, string? NameZh, string? Category, string Status, DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt,
    string SourceDepartment, JsonElement Payload, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Supersedes,
    long LedgerSeq, IReadOnlyList<StatusChangeView> History)
{
    public static RecordResponse From(RecordView r)
    {
        using var doc = JsonDocument.Parse(r.PayloadJson);
        return new RecordResponse(r.RecordId, r.CatalogCode, r.NameZh, r.Category, r.Status, r.OccurredAt, r.ReceivedAt, r.SourceDepartment,
            doc.RootElement.Clone(), r.Supersedes, r.LedgerSeq,
            r.History.Select(h => new StatusChangeView(h.Status, h.At, h.Actor, h.Reason, h.LedgerSeq)).ToList());
    }
}

public sealed record RecordsListResponse(string SubjectId, IReadOnlyList<RecordResponse> Records);

public sealed record HouseholdPointsView(decimal Earned, decimal Redeemed, decimal Balance);

public sealed record HouseholdResponse(string HouseholdId, string VillageCode, IReadOnlyList<string> Members, int? Score, string? Grade,
    bool IsCreditHousehold, bool InArrears, bool HasCreditLine, HouseholdPointsView Points)
{
    public static HouseholdResponse From(HouseholdView h) => new(h.HouseholdId, h.VillageCode, h.Members, h.Score, h.Grade,
        h.IsCreditHousehold, h.InArrears, h.HasCreditLine, new HouseholdPointsView(h.Points.Earned, h.Points.Redeemed, h.Points.Balance));
}

public sealed record RedemptionRequest(string? RedemptionId, string? SubjectId, decimal? Points, string? Item);

public sealed record RedemptionResponse(string Account, decimal Balance);
