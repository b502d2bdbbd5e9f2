using RuralCredit.Models;

namespace RuralCredit.Domain;

/// <summary>A record as the scoring engine sees it: its status is the status at the evaluation time.</summary>
public readonly record struct EvaluationRecord(
    string RecordId,
    string CatalogCode,
    DateTimeOffset OccurredAt,
    string Status,
    string PayloadJson);

/// <summary>The result of evaluating a subject's records under a model at one time.</summary>
public sealed record Evaluation(
    int Score,
    string Grade,
    VetoRecord? Veto,
    IReadOnlyList<DimensionValue> Dimensions,
    IReadOnlyList<RecordEffect> Effects,
    IReadOnlyList<ScoreContribution> Reasons,
    IReadOnlyList<ScoreContribution> Strengths);

/// <summary>
/// The scoring semantics of SPEC §2.5, exactly: counting records, effects with unit caps and linear decay,
/// clamped dimensions, rounding half away from zero, grades with veto, and reason codes.
/// </summary>
public static class ScoringEngine
{
    private const int MaxReasons = 4;

    /// <summary>True when a record counts at <paramref name="t"/>: active or disputed, occurred, still public.</summary>
    public static bool Counts(in EvaluationRecord record, CatalogItem? item, DateTimeOffset t)
    {
        if (record.Status is not (RecordStatus.Active or RecordStatus.Disputed) || record.OccurredAt > t)
        {
            return false;
        }

        return item?.PublicityDays is not { } days || t < record.OccurredAt.AddDays(days);
    }

    /// <summary>Whole days from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static int WholeDays(DateTimeOffset from, DateTimeOffset to) => (int)Math.Floor((to - from).TotalDays);

    /// <summary>The undecayed effect of a rule on a record: points, or units × rate bounded in magnitude.</summary>
    public static double RawPoints(ScoringRule rule, string payloadJson) => (double)Raw(rule, payloadJson);

    /// <summary>The decay factor of a rule after <paramref name="days"/> whole days.</summary>
    public static double DecayFactor(ScoringRule rule, int days) =>
        rule.Decay == "linear" && rule.DecayDays is { } decayDays and > 0
            ? Math.Max(0, (decayDays - (double)days) / decayDays)
            : 1.0;

    /// <summary>Grade for a score under the thresholds (descending); the last grade when none matches.</summary>
    public static string GradeFor(IReadOnlyList<GradeThreshold> grades, int score)
    {
        foreach (var g in grades)
        {
            if (g.MinScore <= score)
            {
                return g.Grade;
            }
        }

        return grades[^1].Grade;
    }

    /// <summary>Rounds half away from zero and clamps to [0, 1000].</summary>
    public static int ToScore(double value) => ToScore((decimal)value);

    /// <summary>Rounds half away from zero and clamps to [0, 1000].</summary>
    public static int ToScore(decimal value) => (int)Math.Clamp(Math.Round(value, MidpointRounding.AwayFromZero), 0, 1000);

    /// <summary>
    /// <see cref="RawPoints"/> in decimal: the model's numbers and the payload's are decimal literals, and the score is
    /// rounded at exact halves (see <see cref="Decayed"/>).
    /// </summary>
    private static decimal Raw(ScoringRule rule, string payloadJson)
    {
        if (rule.Points is { } points)
        {
            return (decimal)points;
        }

        if (rule.PointsPerUnit is not { } perUnit || rule.UnitField is null)
        {
            return 0;
        }

        var raw = (decimal)perUnit * (decimal)(Payload.GetNumber(payloadJson, rule.UnitField) ?? 0);
        return rule.MaxPoints is { } max && Math.Abs(raw) > Math.Abs((decimal)max) ? (raw < 0 ? -Math.Abs((decimal)max) : Math.Abs((decimal)max)) : raw;
    }

    /// <summary>
    /// The effect of <paramref name="raw"/> after <paramref name="days"/> whole days, in decimal: 45 points decayed 3
    /// days of 10 are exactly 31.5, which rounds to 32 (computed in binary, 45 × 0.7 is 31.499999999999996 and rounds
    /// to 31). The multiplication comes before the division, as SPEC writes it.
    /// </summary>
    private static decimal Decayed(ScoringRule rule, decimal raw, int days) =>
        rule.Decay == "linear" && rule.DecayDays is { } decayDays and > 0
            ? days >= decayDays ? 0 : raw * (decayDays - days) / decayDays
            : raw;

    /// <summary>
    /// Evaluates <paramref name="records"/> under <paramref name="model"/> at <paramref name="t"/>. Without
    /// <paramref name="details"/> only score, grade, veto and dimensions are computed (what a summary needs on
    /// every fold); effects, reasons and strengths stay empty.
    /// </summary>
    public static Evaluation Evaluate(
        ScoringModel model,
        Func<string, CatalogItem?> catalog,
        IReadOnlyList<EvaluationRecord> records,
        DateTimeOffset t,
        bool details = true)
    {
        var raw = new Dictionary<string, decimal>(model.Dimensions.Count, StringComparer.Ordinal);
        foreach (var name in model.Dimensions.Keys)
        {
            raw[name] = 0;
        }

        var effects = details ? new List<RecordEffect>() : null;
        var byItem = details ? new Dictionary<string, decimal>(StringComparer.Ordinal) : null;
        VetoRecord? veto = null;

        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var item = catalog(record.CatalogCode);
            if (!Counts(record, item, t))
            {
                continue;
            }

            if (veto is null && item?.Severity is { } severity && severity == model.VetoSeverity)
            {
                veto = new VetoRecord(record.RecordId, record.CatalogCode);
            }

            if (!model.Rules.TryGetValue(record.CatalogCode, out var rule) || !raw.ContainsKey(rule.Dimension))
            {
                continue;
            }

            var days = WholeDays(record.OccurredAt, t);
            var rawPoints = Raw(rule, record.PayloadJson);
            var effect = Decayed(rule, rawPoints, days);
            raw[rule.Dimension] += effect;
            if (byItem is null)
            {
                continue;
            }

            byItem[record.CatalogCode] = byItem.GetValueOrDefault(record.CatalogCode) + effect;
            effects!.Add(new RecordEffect(record.RecordId, record.CatalogCode, record.Status, record.OccurredAt, (double)rawPoints, DecayFactor(rule, days), (double)effect, rule.Dimension));
        }

        var dimensions = new List<DimensionValue>(model.Dimensions.Count);
        var total = (decimal)model.Base;
        foreach (var (name, range) in model.Dimensions)
        {
            var value = Math.Clamp(raw[name], (decimal)range.Min, (decimal)range.Max);
            total += value;
            dimensions.Add(new DimensionValue(name, (double)raw[name], range.Min, range.Max, (double)value));
        }

        var score = ToScore(total);
        var grade = veto is null ? GradeFor(model.Grades, score) : model.Grades[^1].Grade;

        if (byItem is null)
        {
            return new Evaluation(score, grade, veto, dimensions, [], [], []);
        }

        var reasons = byItem.Where(kv => kv.Value < 0)
            .OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(MaxReasons).Select(kv => Contribution(kv, catalog)).ToList();
        var strengths = byItem.Where(kv => kv.Value > 0)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(MaxReasons).Select(kv => Contribution(kv, catalog)).ToList();

        return new Evaluation(score, grade, veto, dimensions, effects!, reasons, strengths);
    }

    private static ScoreContribution Contribution(KeyValuePair<string, decimal> kv, Func<string, CatalogItem?> catalog) =>
        new(kv.Key, catalog(kv.Key)?.NameZh ?? kv.Key, (double)kv.Value);
}
