using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.Tests.Domain;

/// <summary>
/// SPEC §2.5, clause by clause, against a small hand-built model:
/// base 600; dimensions compliance [−100, 50], finance [−200, 100], governance [−100, 100], honors [0, 30];
/// grades A ≥ 800, B ≥ 700, C ≥ 600, D ≥ 0; veto severity serious. Evaluation time T = 2025-06-01T00:00Z;
/// record ages are given in minutes before T (1 day = 1440, 10 days = 14400).
/// </summary>
public sealed class ScoringEngineTests
{
    private static readonly DateTimeOffset T = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly IReadOnlyDictionary<string, CatalogItem> Items = new Dictionary<string, CatalogItem>
    {
        ["PENALTY"] = Item("PENALTY", "general"),
        ["PENALTY_DECAY"] = Item("PENALTY_DECAY"),
        ["PUBLIC10"] = Item("PUBLIC10", "minor", publicityDays: 10),
        ["SERIOUS"] = Item("SERIOUS", "serious"),
        ["SERIOUS_NORULE"] = Item("SERIOUS_NORULE", "serious"),
        ["SERIOUS_PUBLIC10"] = Item("SERIOUS_PUBLIC10", "serious", publicityDays: 10),
        ["NOTE"] = Item("NOTE"),
        ["REPAID"] = Item("REPAID"),
        ["OVERDUE"] = Item("OVERDUE", "general"),
        ["VOLUNTEER"] = Item("VOLUNTEER"),
        ["HALF_UP"] = Item("HALF_UP"),
        ["HALF_DOWN"] = Item("HALF_DOWN"),
        ["AWARD"] = Item("AWARD"),
        ["DEMERIT"] = Item("DEMERIT"),
        ["TIE_DECAY"] = Item("TIE_DECAY"),
        ["TIE_UNIT"] = Item("TIE_UNIT"),
    };

    private static readonly IReadOnlyDictionary<string, ScoringRule> Rules = new Dictionary<string, ScoringRule>
    {
        ["PENALTY"] = Fixed("compliance", -40),
        ["PENALTY_DECAY"] = Fixed("compliance", -40, decayDays: 4),
        ["PUBLIC10"] = Fixed("compliance", -10),
        ["SERIOUS"] = Fixed("compliance", -60),
        ["REPAID"] = Fixed("finance", 20),
        ["OVERDUE"] = PerUnit("finance", -2, "days", 120),
        ["VOLUNTEER"] = PerUnit("governance", 2, "hours", 40),
        ["HALF_UP"] = Fixed("governance", 0.5),
        ["HALF_DOWN"] = Fixed("governance", -0.5),
        ["AWARD"] = Fixed("honors", 25),
        ["DEMERIT"] = Fixed("honors", -5),
        ["TIE_DECAY"] = Fixed("governance", 45, decayDays: 10),
        ["TIE_UNIT"] = PerUnit("governance", 0.7, "units", 100),
    };

    private static ScoringModel Model(double @base = 600, string vetoSeverity = "serious") => new()
    {
        SubjectType = "farmer",
        Version = 1,
        Base = @base,
        Dimensions = new Dictionary<string, DimensionRange>
        {
            ["compliance"] = new(-100, 50),
            ["finance"] = new(-200, 100),
            ["governance"] = new(-100, 100),
            ["honors"] = new(0, 30),
        },
        Grades = [new("A", 800), new("B", 700), new("C", 600), new("D", 0)],
        VetoSeverity = vetoSeverity,
        Rules = Rules,
    };

    private static CatalogItem? Catalog(string code) => Items.GetValueOrDefault(code);

    private static CatalogItem Item(string code, string? severity = null, int? publicityDays = null) => new()
    {
        Code = code,
        NameZh = "事项" + code,
        Category = "行政处罚",
        SourceDepartment = "test",
        CollectionCycle = "daily",
        SubjectTypes = ["farmer"],
        Severity = severity,
        PublicityDays = publicityDays,
        PayloadSchema = new Dictionary<string, string>(),
    };

    private static ScoringRule Fixed(string dimension, double points, int? decayDays = null) => new()
    {
        Dimension = dimension,
        Points = points,
        Decay = decayDays is null ? "none" : "linear",
        DecayDays = decayDays,
    };

    private static ScoringRule PerUnit(string dimension, double perUnit, string field, double max) => new()
    {
        Dimension = dimension,
        PointsPerUnit = perUnit,
        UnitField = field,
        MaxPoints = max,
    };

    private static EvaluationRecord Rec(string code, int ageMinutes = 1440, string status = RecordStatus.Active, string payload = "{}", string? id = null) =>
        new(id ?? code + "-" + ageMinutes, code, T.AddMinutes(-ageMinutes), status, payload);

    // ---- counting ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(RecordStatus.Active, 1440, null, true)]
    [InlineData(RecordStatus.Disputed, 1440, null, true)]
    [InlineData(RecordStatus.Revoked, 1440, null, false)]
    [InlineData(RecordStatus.Repaired, 1440, null, false)]
    [InlineData(RecordStatus.Expired, 1440, null, false)]
    [InlineData(RecordStatus.Active, 0, null, true)] // occurredAt = t
    [InlineData(RecordStatus.Active, -1, null, false)] // occurredAt one minute after t
    [InlineData(RecordStatus.Active, 10_000_000, null, true)] // no publicity limit: counts for ever
    [InlineData(RecordStatus.Active, 12960, 10, true)] // 9 days into a 10 day publicity
    [InlineData(RecordStatus.Active, 14399, 10, true)] // occurredAt + 10 days − 1 minute
    [InlineData(RecordStatus.Active, 14400, 10, false)] // exactly occurredAt + 10 days
    [InlineData(RecordStatus.Disputed, 14400, 10, false)]
    [InlineData(RecordStatus.Active, 0, 1, true)]
    [InlineData(RecordStatus.Active, 1439, 1, true)]
    [InlineData(RecordStatus.Active, 1440, 1, false)]
    public void Counts_follows_status_occurrence_and_publicity(string status, int ageMinutes, int? publicityDays, bool expected)
    {
        var item = Item("X", publicityDays: publicityDays);
        var record = new EvaluationRecord("r1", "X", T.AddMinutes(-ageMinutes), status, "{}");

        Assert.Equal(expected, ScoringEngine.Counts(record, item, T));
    }

    [Fact]
    public void Counts_a_record_whose_item_is_unknown_without_a_publicity_limit()
    {
        var record = new EvaluationRecord("r1", "GONE", T.AddDays(-5000), RecordStatus.Active, "{}");

        Assert.True(ScoringEngine.Counts(record, null, T));
    }

    // ---- effects -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(10.0, null, null, null, "{}", 10.0)]
    [InlineData(-20.0, null, null, null, "{\"days\":5}", -20.0)] // fixed points ignore the payload
    [InlineData(null, 2.0, "hours", 40.0, "{\"hours\":5}", 10.0)]
    [InlineData(null, 2.0, "hours", 40.0, "{\"hours\":20}", 40.0)] // exactly the cap
    [InlineData(null, 2.0, "hours", 40.0, "{\"hours\":25}", 40.0)] // 50 capped to 40
    [InlineData(null, 1.5, "hours", 40.0, "{\"hours\":3}", 4.5)]
    [InlineData(null, 2.0, "hours", 40.0, "{\"hours\":2.5}", 5.0)]
    [InlineData(null, -2.0, "days", 120.0, "{\"days\":30}", -60.0)]
    [InlineData(null, -2.0, "days", 120.0, "{\"days\":60}", -120.0)]
    [InlineData(null, -2.0, "days", 120.0, "{\"days\":100}", -120.0)] // −200: the cap bounds the magnitude
    [InlineData(null, -2.0, "days", -120.0, "{\"days\":100}", -120.0)] // a negative cap bounds the magnitude too
    [InlineData(null, -2.0, "days", -120.0, "{\"days\":10}", -20.0)]
    [InlineData(null, 2.0, "hours", 40.0, "{\"days\":5}", 0.0)] // unit field missing
    public void RawPoints_is_points_or_units_times_rate_bounded_in_magnitude(
        double? points, double? perUnit, string? unitField, double? maxPoints, string payload, double expected)
    {
        var rule = new ScoringRule { Dimension = "d", Points = points, PointsPerUnit = perUnit, UnitField = unitField, MaxPoints = maxPoints };

        Assert.Equal(expected, ScoringEngine.RawPoints(rule, payload));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(1439, 0)] // 23 h 59 min is day 0
    [InlineData(1440, 1)]
    [InlineData(2879, 1)]
    [InlineData(2880, 2)]
    [InlineData(525600, 365)]
    public void WholeDays_floors(int minutes, int expected)
    {
        Assert.Equal(expected, ScoringEngine.WholeDays(T, T.AddMinutes(minutes)));
    }

    [Theory]
    [InlineData("linear", 4, 0, 1.0)]
    [InlineData("linear", 4, 1, 0.75)]
    [InlineData("linear", 4, 2, 0.5)]
    [InlineData("linear", 4, 3, 0.25)]
    [InlineData("linear", 4, 4, 0.0)] // d = decayDays
    [InlineData("linear", 4, 5, 0.0)] // d > decayDays: never negative
    [InlineData("linear", 4, 400, 0.0)]
    [InlineData("linear", 365, 73, 0.8)] // (365 − 73) / 365
    [InlineData("none", null, 0, 1.0)]
    [InlineData("none", null, 100000, 1.0)]
    [InlineData("none", 4, 10, 1.0)] // decayDays is ignored without linear decay
    public void DecayFactor_is_linear_to_zero(string decay, int? decayDays, int days, double expected)
    {
        var rule = new ScoringRule { Dimension = "d", Points = 1, Decay = decay, DecayDays = decayDays };

        Assert.Equal(expected, ScoringEngine.DecayFactor(rule, days));
    }

    // ---- score and grade ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1000, "A")]
    [InlineData(800, "A")] // exactly minScore
    [InlineData(799, "B")]
    [InlineData(700, "B")]
    [InlineData(699, "C")]
    [InlineData(600, "C")]
    [InlineData(599, "D")]
    [InlineData(0, "D")]
    public void GradeFor_is_the_first_grade_whose_minScore_is_reached(int score, string expected)
    {
        Assert.Equal(expected, ScoringEngine.GradeFor([new("A", 800), new("B", 700), new("C", 600), new("D", 0)], score));
    }

    [Fact]
    public void GradeFor_falls_back_to_the_last_grade()
    {
        Assert.Equal("B", ScoringEngine.GradeFor([new("A", 800), new("B", 700)], 100));
    }

    [Theory]
    [InlineData(600.0, 600)]
    [InlineData(600.5, 601)] // banker's rounding would give 600
    [InlineData(599.5, 600)]
    [InlineData(600.4, 600)]
    [InlineData(600.6, 601)]
    [InlineData(2.5, 3)] // banker's rounding would give 2
    [InlineData(1.5, 2)]
    [InlineData(0.4, 0)]
    [InlineData(-0.4, 0)]
    [InlineData(-0.5, 0)] // −1 after rounding, clamped
    [InlineData(-250.0, 0)]
    [InlineData(999.5, 1000)]
    [InlineData(1000.5, 1000)]
    [InlineData(1200.0, 1000)]
    public void ToScore_rounds_half_away_from_zero_and_clamps(double value, int expected)
    {
        Assert.Equal(expected, ScoringEngine.ToScore(value));
    }

    // ---- Evaluate: one record ----------------------------------------------------------------------------------

    [Theory]
    // no records of a rule: the base
    [InlineData("NOTE", RecordStatus.Active, 1440, "{}", 600, "C")] // counts, but its item has no rule
    // statuses: active and disputed count; revoked, repaired and expired do not
    [InlineData("PENALTY", RecordStatus.Active, 1440, "{}", 560, "D")] // 600 − 40
    [InlineData("PENALTY", RecordStatus.Disputed, 1440, "{}", 560, "D")]
    [InlineData("PENALTY", RecordStatus.Revoked, 1440, "{}", 600, "C")]
    [InlineData("PENALTY", RecordStatus.Repaired, 1440, "{}", 600, "C")]
    [InlineData("PENALTY", RecordStatus.Expired, 1440, "{}", 600, "C")]
    // occurredAt <= t
    [InlineData("PENALTY", RecordStatus.Active, 0, "{}", 560, "D")]
    [InlineData("PENALTY", RecordStatus.Active, -1, "{}", 600, "C")]
    // publicity 10 days: counts until occurredAt + 10 days, exclusive
    [InlineData("PUBLIC10", RecordStatus.Active, 12960, "{}", 590, "D")] // 9 days
    [InlineData("PUBLIC10", RecordStatus.Active, 14399, "{}", 590, "D")] // 10 days − 1 minute
    [InlineData("PUBLIC10", RecordStatus.Active, 14400, "{}", 600, "C")] // 10 days
    [InlineData("PUBLIC10", RecordStatus.Active, 20000, "{}", 600, "C")]
    // −40 decaying linearly over 4 days: factor (4 − d) / 4, d = whole days
    [InlineData("PENALTY_DECAY", RecordStatus.Active, 0, "{}", 560, "D")] // d 0: −40
    [InlineData("PENALTY_DECAY", RecordStatus.Active, 1439, "{}", 560, "D")] // 23 h 59 min is still d 0
    [InlineData("PENALTY_DECAY", RecordStatus.Active, 1440, "{}", 570, "D")] // d 1: −40 × 0.75 = −30
    [InlineData("PENALTY_DECAY", RecordStatus.Active, 2880, "{}", 580, "D")] // d 2: −20
    [InlineData("PENALTY_DECAY", RecordStatus.Active, 5759, "{}", 590, "D")] // d 3: −10
    [InlineData("PENALTY_DECAY", RecordStatus.Active, 5760, "{}", 600, "C")] // d 4 = decayDays: 0
    [InlineData("PENALTY_DECAY", RecordStatus.Active, 14400, "{}", 600, "C")] // d 10 > decayDays: 0
    // fixed points
    [InlineData("REPAID", RecordStatus.Active, 1440, "{}", 620, "C")]
    [InlineData("AWARD", RecordStatus.Active, 1440, "{}", 625, "C")]
    // per unit with a cap, negative and positive
    [InlineData("OVERDUE", RecordStatus.Active, 1440, "{\"days\":0}", 600, "C")]
    [InlineData("OVERDUE", RecordStatus.Active, 1440, "{\"days\":30}", 540, "D")] // −60
    [InlineData("OVERDUE", RecordStatus.Active, 1440, "{\"days\":60}", 480, "D")] // −120
    [InlineData("OVERDUE", RecordStatus.Active, 1440, "{\"days\":100}", 480, "D")] // −200 bounded to −120
    [InlineData("VOLUNTEER", RecordStatus.Active, 1440, "{\"hours\":2.5}", 605, "C")]
    [InlineData("VOLUNTEER", RecordStatus.Active, 1440, "{\"hours\":5}", 610, "C")]
    [InlineData("VOLUNTEER", RecordStatus.Active, 1440, "{\"hours\":20}", 640, "C")]
    [InlineData("VOLUNTEER", RecordStatus.Active, 1440, "{\"hours\":25}", 640, "C")] // 50 bounded to 40
    // dimension clamp at min: honors [0, 30], −5 → 0
    [InlineData("DEMERIT", RecordStatus.Active, 1440, "{}", 600, "C")]
    // rounding
    [InlineData("HALF_UP", RecordStatus.Active, 1440, "{}", 601, "C")] // 600.5 → 601
    [InlineData("HALF_DOWN", RecordStatus.Active, 1440, "{}", 600, "C")] // 599.5 → 600, and 600 is C
    public void Evaluate_one_record(string code, string status, int ageMinutes, string payload, int expectedScore, string expectedGrade)
    {
        var result = ScoringEngine.Evaluate(Model(), Catalog, [Rec(code, ageMinutes, status, payload)], T);

        Assert.Equal(expectedScore, result.Score);
        Assert.Equal(expectedGrade, result.Grade);
    }

    [Fact]
    public void Evaluate_without_records_gives_the_base()
    {
        var result = ScoringEngine.Evaluate(Model(), Catalog, [], T);

        Assert.Equal(600, result.Score);
        Assert.Equal("C", result.Grade);
        Assert.Null(result.Veto);
        Assert.Empty(result.Effects);
        Assert.Empty(result.Reasons);
        Assert.Empty(result.Strengths);
        Assert.All(result.Dimensions, d => Assert.Equal(0.0, d.Value));
    }

    [Theory]
    [InlineData(600, "HALF_UP", 601, "C")] // 600.5
    [InlineData(600, "HALF_DOWN", 600, "C")] // 599.5
    [InlineData(799, "HALF_UP", 800, "A")] // 799.5 rounds onto the A boundary
    [InlineData(800, "HALF_DOWN", 800, "A")] // 799.5
    [InlineData(700, "HALF_DOWN", 700, "B")] // 699.5
    [InlineData(2, "HALF_UP", 3, "D")] // 2.5 → 3
    [InlineData(0, "HALF_DOWN", 0, "D")] // −0.5 → −1 → clamped to 0
    [InlineData(10, "PENALTY", 0, "D")] // −30 → 0
    [InlineData(999, "HALF_UP", 1000, "A")] // 999.5 → 1000
    [InlineData(1000, "HALF_UP", 1000, "A")] // 1000.5 → 1001 → 1000
    [InlineData(990, "AWARD", 1000, "A")] // 1015 → 1000
    public void Evaluate_rounds_half_away_from_zero_and_clamps_to_0_1000(double @base, string code, int expectedScore, string expectedGrade)
    {
        var result = ScoringEngine.Evaluate(Model(@base), Catalog, [Rec(code)], T);

        Assert.Equal(expectedScore, result.Score);
        Assert.Equal(expectedGrade, result.Grade);
    }

    [Fact]
    public void Evaluate_sums_the_dimensions()
    {
        // compliance −40, finance +20, governance 2 × 5 = +10, honors +25: 600 − 40 + 20 + 10 + 25 = 615
        EvaluationRecord[] records =
        [
            Rec("PENALTY"),
            Rec("REPAID"),
            Rec("VOLUNTEER", payload: "{\"hours\":5}"),
            Rec("AWARD"),
        ];

        var result = ScoringEngine.Evaluate(Model(), Catalog, records, T);

        Assert.Equal(615, result.Score);
        Assert.Equal("C", result.Grade);
        Assert.Equal(-40, Dimension(result, "compliance").Value);
        Assert.Equal(20, Dimension(result, "finance").Value);
        Assert.Equal(10, Dimension(result, "governance").Value);
        Assert.Equal(25, Dimension(result, "honors").Value);
    }

    [Fact]
    public void Evaluate_clamps_a_dimension_at_its_min()
    {
        // three penalties: compliance raw −120, clamped to −100: 600 − 100 = 500
        EvaluationRecord[] records = [Rec("PENALTY", id: "p1"), Rec("PENALTY", id: "p2"), Rec("PENALTY", id: "p3")];

        var result = ScoringEngine.Evaluate(Model(), Catalog, records, T);

        Assert.Equal(500, result.Score);
        Assert.Equal(new DimensionValue("compliance", -120, -100, 50, -100), Dimension(result, "compliance"));
        // the reason shows the contribution before clamping
        var reason = Assert.Single(result.Reasons);
        Assert.Equal(new ScoreContribution("PENALTY", "事项PENALTY", -120), reason);
    }

    [Fact]
    public void Evaluate_clamps_a_dimension_at_its_max()
    {
        // two awards: honors raw 50, clamped to 30: 600 + 30 = 630
        EvaluationRecord[] records = [Rec("AWARD", id: "a1"), Rec("AWARD", id: "a2")];

        var result = ScoringEngine.Evaluate(Model(), Catalog, records, T);

        Assert.Equal(630, result.Score);
        Assert.Equal(new DimensionValue("honors", 50, 0, 30, 30), Dimension(result, "honors"));
        var strength = Assert.Single(result.Strengths);
        Assert.Equal(new ScoreContribution("AWARD", "事项AWARD", 50), strength);
    }

    [Fact]
    public void Evaluate_clamps_a_dimension_at_a_min_of_zero()
    {
        // honors [0, 30]: −5 raw, 0 after clamping, so the score stays 600; the reason still shows −5
        var result = ScoringEngine.Evaluate(Model(), Catalog, [Rec("DEMERIT")], T);

        Assert.Equal(600, result.Score);
        Assert.Equal(new DimensionValue("honors", -5, 0, 30, 0), Dimension(result, "honors"));
        Assert.Equal(-5, Assert.Single(result.Reasons).Contribution);
    }

    [Fact]
    public void Evaluate_reports_each_counting_record_effect()
    {
        EvaluationRecord[] records =
        [
            Rec("PENALTY_DECAY", 1440, RecordStatus.Disputed, id: "decayed"), // d 1: −40 × 0.75
            Rec("OVERDUE", 0, payload: "{\"days\":100}", id: "overdue"), // −200 bounded to −120, no decay
            Rec("PENALTY", 1440, RecordStatus.Revoked, id: "revoked"), // does not count
            Rec("NOTE", 1440, id: "note"), // counts, no rule
        ];

        var result = ScoringEngine.Evaluate(Model(), Catalog, records, T);

        Assert.Equal(
            new[]
            {
                new RecordEffect("decayed", "PENALTY_DECAY", RecordStatus.Disputed, T.AddDays(-1), -40, 0.75, -30, "compliance"),
                new RecordEffect("overdue", "OVERDUE", RecordStatus.Active, T, -120, 1, -120, "finance"),
            },
            result.Effects);
        // 600 − 30 − 120 = 450
        Assert.Equal(450, result.Score);
    }

    // ---- veto (一票否决) ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("serious", "SERIOUS_NORULE", RecordStatus.Active, 1440, 850, "D", true)] // vetoes even without a rule
    [InlineData("serious", "SERIOUS_NORULE", RecordStatus.Disputed, 1440, 850, "D", true)]
    [InlineData("serious", "SERIOUS_NORULE", RecordStatus.Revoked, 1440, 850, "A", false)]
    [InlineData("serious", "SERIOUS_NORULE", RecordStatus.Repaired, 1440, 850, "A", false)]
    [InlineData("serious", "SERIOUS_NORULE", RecordStatus.Expired, 1440, 850, "A", false)]
    [InlineData("serious", "SERIOUS_NORULE", RecordStatus.Active, -1, 850, "A", false)] // not yet occurred
    [InlineData("serious", "SERIOUS_PUBLIC10", RecordStatus.Active, 14399, 850, "D", true)] // still public
    [InlineData("serious", "SERIOUS_PUBLIC10", RecordStatus.Active, 14400, 850, "A", false)] // publicity over
    [InlineData("serious", "SERIOUS", RecordStatus.Active, 1440, 790, "D", true)] // 850 − 60 = 790 would be B
    [InlineData("serious", "PENALTY", RecordStatus.Active, 1440, 810, "A", false)] // general: no veto
    [InlineData("general", "PENALTY", RecordStatus.Active, 1440, 810, "D", true)] // vetoSeverity general
    [InlineData("general", "SERIOUS_NORULE", RecordStatus.Active, 1440, 850, "A", false)] // only the equal severity vetoes
    public void Evaluate_veto_forces_the_last_grade(
        string vetoSeverity, string code, string status, int ageMinutes, int expectedScore, string expectedGrade, bool vetoed)
    {
        var record = Rec(code, ageMinutes, status, id: "veto-candidate");

        var result = ScoringEngine.Evaluate(Model(850, vetoSeverity), Catalog, [record], T);

        Assert.Equal(expectedScore, result.Score); // the veto changes the grade, not the score
        Assert.Equal(expectedGrade, result.Grade);
        Assert.Equal(vetoed ? new VetoRecord("veto-candidate", code) : null, result.Veto);
    }

    [Fact]
    public void Evaluate_veto_uses_the_models_last_grade_whatever_its_name()
    {
        var model = Model(950) with { Grades = [new("优", 900), new("良", 750), new("中", 600), new("差", 300), new("极差", 0)] };

        var result = ScoringEngine.Evaluate(model, Catalog, [Rec("SERIOUS_NORULE"), Rec("AWARD")], T);

        Assert.Equal(975, result.Score); // 950 + 25
        Assert.Equal("极差", result.Grade);
    }

    [Fact]
    public void Evaluate_a_record_without_a_rule_is_not_scored()
    {
        var result = ScoringEngine.Evaluate(Model(), Catalog, [Rec("NOTE", id: "n1"), Rec("NOTE", id: "n2")], T);

        Assert.Equal(600, result.Score);
        Assert.Empty(result.Effects);
        Assert.Empty(result.Reasons);
        Assert.Empty(result.Strengths);
        Assert.Null(result.Veto);
    }

    // ---- reason codes --------------------------------------------------------------------------------------------

    [Fact]
    public void Evaluate_reasons_and_strengths_are_the_four_largest_per_item_contributions()
    {
        // Negative items (compliance, clamped to [−50, 50]):
        //   N_A −10 twice = −20; N_B −25; N_C −5; N_D −40 at d 1 of 4 = −30; N_E −15
        // Positive items (honors, clamped to [0, 30]):
        //   S_A +8 three times = +24; S_B +30; S_C +5; S_D +12; S_E +20
        // Z: −40 fully decayed (d 4 of 4) = 0: in neither list.
        // Score: 600 + clamp(−95) + clamp(91) = 600 − 50 + 30 = 580.
        var codes = new[] { "N_A", "N_B", "N_C", "N_D", "N_E", "S_A", "S_B", "S_C", "S_D", "S_E", "Z" };
        var items = codes.ToDictionary(c => c, c => Item(c));
        var model = Model() with
        {
            Dimensions = new Dictionary<string, DimensionRange> { ["compliance"] = new(-50, 50), ["honors"] = new(0, 30) },
            Rules = new Dictionary<string, ScoringRule>
            {
                ["N_A"] = Fixed("compliance", -10),
                ["N_B"] = Fixed("compliance", -25),
                ["N_C"] = Fixed("compliance", -5),
                ["N_D"] = Fixed("compliance", -40, decayDays: 4),
                ["N_E"] = Fixed("compliance", -15),
                ["S_A"] = Fixed("honors", 8),
                ["S_B"] = Fixed("honors", 30),
                ["S_C"] = Fixed("honors", 5),
                ["S_D"] = Fixed("honors", 12),
                ["S_E"] = Fixed("honors", 20),
                ["Z"] = Fixed("compliance", -40, decayDays: 4),
            },
        };
        EvaluationRecord[] records =
        [
            Rec("N_A", id: "a1"), Rec("N_A", id: "a2"), Rec("N_B"), Rec("N_C"), Rec("N_D", 1440), Rec("N_E"),
            Rec("S_A", id: "s1"), Rec("S_A", id: "s2"), Rec("S_A", id: "s3"), Rec("S_B"), Rec("S_C"), Rec("S_D"), Rec("S_E"),
            Rec("Z", 5760),
        ];

        var result = ScoringEngine.Evaluate(model, c => items.GetValueOrDefault(c), records, T);

        Assert.Equal(580, result.Score);
        Assert.Equal(
            new[]
            {
                new ScoreContribution("N_D", "事项N_D", -30),
                new ScoreContribution("N_B", "事项N_B", -25),
                new ScoreContribution("N_A", "事项N_A", -20),
                new ScoreContribution("N_E", "事项N_E", -15),
            },
            result.Reasons);
        Assert.Equal(
            new[]
            {
                new ScoreContribution("S_B", "事项S_B", 30),
                new ScoreContribution("S_A", "事项S_A", 24),
                new ScoreContribution("S_E", "事项S_E", 20),
                new ScoreContribution("S_D", "事项S_D", 12),
            },
            result.Strengths);
    }

    [Fact]
    public void Evaluate_reasons_list_fewer_than_four_when_fewer_items_lowered_the_score()
    {
        // PENALTY −40 + OVERDUE 2 × −10 = −20; REPAID +20 is a strength; revoked and non-rule records are ignored
        EvaluationRecord[] records =
        [
            Rec("OVERDUE", payload: "{\"days\":10}"),
            Rec("PENALTY"),
            Rec("PENALTY", status: RecordStatus.Revoked, id: "revoked"),
            Rec("SERIOUS_NORULE"),
            Rec("REPAID"),
        ];

        var result = ScoringEngine.Evaluate(Model(), Catalog, records, T);

        Assert.Equal(
            new[] { new ScoreContribution("PENALTY", "事项PENALTY", -40), new ScoreContribution("OVERDUE", "事项OVERDUE", -20) },
            result.Reasons);
        Assert.Equal(new ScoreContribution("REPAID", "事项REPAID", 20), Assert.Single(result.Strengths));
        Assert.Equal(560, result.Score); // 600 − 40 − 20 + 20
        Assert.Equal("D", result.Grade); // vetoed by SERIOUS_NORULE (and 560 is D anyway)
    }

    private static DimensionValue Dimension(Evaluation result, string name) => Assert.Single(result.Dimensions, d => d.Name == name);

    // ---- exact halves ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("TIE_DECAY", 3 * 1440, "{}")] // 45 × (10 − 3) / 10 = 31.5 exactly (45 × 0.7 is 31.499999999999996 in binary)
    [InlineData("TIE_UNIT", 1440, "{\"units\":45}")] // 0.7 × 45 = 31.5 exactly
    public void An_exact_half_made_by_decay_or_by_units_rounds_away_from_zero(string code, int ageMinutes, string payload)
    {
        var result = ScoringEngine.Evaluate(Model(@base: 0), Catalog, [Rec(code, ageMinutes, payload: payload)], T);

        Assert.Equal(32, result.Score);
        Assert.Equal(31.5, result.Dimensions.Single(d => d.Name == "governance").Value);
    }
}
