using RuralCredit.Models;

namespace RuralCredit.Domain;

/// <summary>Validation of catalog items and scoring models submitted by operators.</summary>
public static class DefinitionRules
{
    /// <summary>
    /// The longest publicity, repair or decay period: a century (a date that far out is still a date; an operator's
    /// slip of the keyboard would otherwise put records beyond the calendar).
    /// </summary>
    public const int MaxPeriodDays = 36_500;

    public static readonly IReadOnlySet<string> Categories = new HashSet<string>(StringComparer.Ordinal)
    {
        "基础信息", "监管信息", "土地信息", "示范信息", "志愿服务", "农业保险", "农资", "财政补助", "行政许可", "行政处罚",
        "行政检查", "行政奖励", "司法信息", "信贷信息", "乡村治理", "政务诚信",
    };

    public static readonly IReadOnlySet<string> Cycles = new HashSet<string>(StringComparer.Ordinal)
    {
        "realtime", "daily", "monthly", "quarterly", "yearly",
    };

    public static readonly IReadOnlySet<string> Severities = new HashSet<string>(StringComparer.Ordinal) { "minor", "general", "serious" };

    /// <summary>Returns null when the catalog item is valid, else the reason.</summary>
    public static string? ValidateItem(CatalogItem item)
    {
        if (string.IsNullOrWhiteSpace(item.Code) || item.Code.Length > 64 || !item.Code.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            return "code must be 1–64 characters of A–Z, 0–9 and _";
        }

        if (string.IsNullOrWhiteSpace(item.NameZh))
        {
            return "nameZh is required";
        }

        if (!Categories.Contains(item.Category))
        {
            return $"category must be one of {string.Join(", ", Categories)}";
        }

        if (string.IsNullOrWhiteSpace(item.SourceDepartment))
        {
            return "sourceDepartment is required";
        }

        if (!Cycles.Contains(item.CollectionCycle))
        {
            return "collectionCycle must be realtime, daily, monthly, quarterly or yearly";
        }

        if (item.SubjectTypes is null || item.SubjectTypes.Count == 0 || item.SubjectTypes.Any(t => !RuralCreditConstants.SubjectTypes.Contains(t)))
        {
            return "subjectTypes must be a non-empty list of known subject types";
        }

        if (item.Severity is not null && !Severities.Contains(item.Severity))
        {
            return "severity must be minor, general, serious or null";
        }

        if (item.PublicityDays is < 1 or > MaxPeriodDays || item.RepairMinDays is < 0 or > MaxPeriodDays)
        {
            return $"publicityDays must be between 1 and {MaxPeriodDays} and repairMinDays between 0 and {MaxPeriodDays}";
        }

        if (item.PayloadSchema is null)
        {
            return "payloadSchema is required";
        }

        foreach (var (field, type) in item.PayloadSchema)
        {
            if (string.IsNullOrWhiteSpace(field) || type is null || !Payload.IsKnownType(type))
            {
                return $"payloadSchema.{field}: type must be string, number, integer, boolean or date (optionally with ?)";
            }
        }

        if (item.Role is not null && !CatalogRoles.All.Contains(item.Role))
        {
            return $"role must be null or one of {string.Join(", ", CatalogRoles.All)}";
        }

        if (item.GovernancePoints is { } gp)
        {
            var fixedPoints = gp.Points is not null;
            var perUnit = gp.PointsPerUnit is not null && gp.UnitField is not null && gp.MaxPoints is not null;
            if (fixedPoints == perUnit)
            {
                return "governancePoints needs either points, or pointsPerUnit with unitField and maxPoints";
            }

            if (perUnit && !IsNumericField(item, gp.UnitField!))
            {
                return "governancePoints.unitField must be a number or integer field of payloadSchema";
            }
        }

        return item.Role switch
        {
            CatalogRoles.CreditLine when !IsNumericField(item, "amount") || !HasField(item, "expiresAt", "date") =>
                "a creditLine item needs payload fields amount (number) and expiresAt (date)",
            CatalogRoles.Loan when !IsNumericField(item, "amount") || !HasField(item, "guarantee", "string") =>
                "a loan item needs payload fields amount (number) and guarantee (string)",
            _ => null,
        };
    }

    /// <summary>Returns null when the model is valid against the catalog, else the reason.</summary>
    public static string? ValidateModel(ScoringModel model, Func<string, CatalogItem?> catalog)
    {
        if (!RuralCreditConstants.SubjectTypes.Contains(model.SubjectType))
        {
            return "subjectType is unknown";
        }

        if (!InModelRange(model.Base))
        {
            return $"base must be a number between -{MaxModelMagnitude:0} and {MaxModelMagnitude:0}";
        }

        if (model.Dimensions is null || model.Dimensions.Count == 0)
        {
            return "dimensions must name at least one dimension";
        }

        foreach (var (name, range) in model.Dimensions)
        {
            if (range is null || !InModelRange(range.Min) || !InModelRange(range.Max) || range.Min > range.Max)
            {
                return $"dimensions.{name}: min must not exceed max (both within ±{MaxModelMagnitude:0})";
            }
        }

        if (model.Grades is null || model.Grades.Count == 0 || model.Grades.Any(g => g is null || string.IsNullOrWhiteSpace(g.Grade)))
        {
            return "grades must list at least one grade, each with a name and a minScore";
        }

        for (var i = 1; i < model.Grades.Count; i++)
        {
            if (model.Grades[i].MinScore >= model.Grades[i - 1].MinScore)
            {
                return "grades must be in descending minScore order";
            }
        }

        if (!Severities.Contains(model.VetoSeverity))
        {
            return "vetoSeverity must be minor, general or serious";
        }

        foreach (var (code, rule) in model.Rules ?? new Dictionary<string, ScoringRule>())
        {
            var item = catalog(code);
            if (item is null)
            {
                return $"rules.{code}: unknown catalog item";
            }

            if (rule?.Dimension is null || !model.Dimensions.ContainsKey(rule.Dimension))
            {
                return $"rules.{code}: dimension must be one of the model's dimensions";
            }

            if ((rule.Points is { } p && !InModelRange(p)) || (rule.PointsPerUnit is { } u && !InModelRange(u)) || (rule.MaxPoints is { } m && !InModelRange(m)))
            {
                return $"rules.{code}: points, pointsPerUnit and maxPoints must be within ±{MaxModelMagnitude:0}";
            }

            var perUnit = rule.PointsPerUnit is not null && rule.UnitField is not null && rule.MaxPoints is not null;
            if ((rule.Points is not null) == perUnit)
            {
                return $"rules.{code}: needs either points, or pointsPerUnit with unitField and maxPoints";
            }

            if (perUnit && !IsNumericField(item, rule.UnitField!))
            {
                return $"rules.{code}: unitField must be a number or integer field of the item's payload";
            }

            if (rule.Decay is not ("none" or "linear") || (rule.Decay == "linear" && rule.DecayDays is not (> 0 and <= MaxPeriodDays)))
            {
                return $"rules.{code}: decay must be none, or linear with decayDays between 1 and {MaxPeriodDays}";
            }
        }

        return null;
    }

    /// <summary>
    /// The largest magnitude of a model's numbers (base, dimension bounds, points): scores run from 0 to 1000, and
    /// within this range the engine's exact decimal arithmetic cannot overflow.
    /// </summary>
    public const double MaxModelMagnitude = 1_000_000;

    private static bool InModelRange(double value) => double.IsFinite(value) && Math.Abs(value) <= MaxModelMagnitude;

    private static bool IsNumericField(CatalogItem item, string field) =>
        item.PayloadSchema.TryGetValue(field, out var type) && type.TrimEnd('?') is "number" or "integer";

    private static bool HasField(CatalogItem item, string field, string type) =>
        item.PayloadSchema.TryGetValue(field, out var t) && t.TrimEnd('?') == type;
}
