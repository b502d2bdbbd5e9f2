namespace RuralCredit.Models;

/// <summary>Bounds of one scoring dimension.</summary>
[GenerateSerializer, Immutable, Alias("rc.DimensionRange")]
public sealed record DimensionRange([property: Id(0)] double Min, [property: Id(1)] double Max);

/// <summary>A grade and the lowest score that earns it.</summary>
[GenerateSerializer, Immutable, Alias("rc.GradeThreshold")]
public sealed record GradeThreshold([property: Id(0)] string Grade, [property: Id(1)] double MinScore);

/// <summary>How records of one catalog item move one dimension.</summary>
[GenerateSerializer, Immutable, Alias("rc.ScoringRule")]
public sealed record ScoringRule
{
    [Id(0)] public required string Dimension { get; init; }
    [Id(1)] public double? Points { get; init; }
    [Id(2)] public double? PointsPerUnit { get; init; }
    [Id(3)] public string? UnitField { get; init; }
    [Id(4)] public double? MaxPoints { get; init; }
    [Id(5)] public string Decay { get; init; } = "none";
    [Id(6)] public int? DecayDays { get; init; }
}

/// <summary>A scoring model (信用积分评价模型) for one subject type, at one version.</summary>
[GenerateSerializer, Immutable, Alias("rc.ScoringModel")]
public sealed record ScoringModel
{
    [Id(0)] public required string SubjectType { get; init; }
    [Id(1)] public int Version { get; init; }
    [Id(2)] public double Base { get; init; }
    [Id(3)] public required IReadOnlyDictionary<string, DimensionRange> Dimensions { get; init; }
    [Id(4)] public required IReadOnlyList<GradeThreshold> Grades { get; init; }
    [Id(5)] public string VetoSeverity { get; init; } = "serious";
    [Id(6)] public required IReadOnlyDictionary<string, ScoringRule> Rules { get; init; }
}

/// <summary>A model version and its lifecycle state (draft, published, retired).</summary>
[GenerateSerializer, Immutable, Alias("rc.ModelVersionInfo")]
public sealed record ModelVersionInfo([property: Id(0)] int Version, [property: Id(1)] string State);

/// <summary>The current published model and the list of versions.</summary>
[GenerateSerializer, Immutable, Alias("rc.ModelCatalogView")]
public sealed record ModelCatalogView(
    [property: Id(0)] ScoringModel Current,
    [property: Id(1)] IReadOnlyList<ModelVersionInfo> Versions);
