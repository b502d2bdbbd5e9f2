using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.Tests.Domain;

/// <summary>
/// The SPEC §2.7 definitions a subject contributes to aggregates and tags: earned governance points, credit line,
/// borrowing, arrears, credit-loan amounts, 严重失信 and 示范主体, and the last governance record.
/// Evaluation time T = 2025-06-01T00:00Z; ages are minutes before T.
/// </summary>
public sealed class SubjectFactsTests
{
    private static readonly DateTimeOffset T = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly IReadOnlyDictionary<string, CatalogItem> Items = new[]
    {
        Item("GOV_FIXED", points: new GovernancePoints { Points = 10 }),
        Item("GOV_NEG", points: new GovernancePoints { Points = -5 }),
        Item("GOV_PUBLIC30", publicityDays: 30, points: new GovernancePoints { Points = 10 }),
        Item("VOLUNTEER", points: new GovernancePoints { PointsPerUnit = 2, UnitField = "hours", MaxPoints = 40 }),
        Item("GOV_NEG_UNIT", points: new GovernancePoints { PointsPerUnit = -3, UnitField = "times", MaxPoints = 15 }),
        Item("CREDIT_LINE", role: CatalogRoles.CreditLine),
        Item("LOAN", role: CatalogRoles.Loan),
        Item("LOAN_OVERDUE", severity: "general", role: CatalogRoles.LoanOverdue),
        Item("DEMO", role: CatalogRoles.Demonstration),
        Item("DEMO_PUBLIC10", publicityDays: 10, role: CatalogRoles.Demonstration),
        Item("SERIOUS", severity: "serious"),
        Item("SERIOUS_PUBLIC10", severity: "serious", publicityDays: 10),
        Item("GENERAL", severity: "general"),
        Item("NOTE"),
    }.ToDictionary(i => i.Code);

    private static CatalogItem? Catalog(string code) => Items.GetValueOrDefault(code);

    private static CatalogItem Item(string code, string? severity = null, int? publicityDays = null, GovernancePoints? points = null, string? role = null) => new()
    {
        Code = code,
        NameZh = "事项" + code,
        Category = "乡村治理",
        SourceDepartment = "test",
        CollectionCycle = "daily",
        SubjectTypes = ["farmer"],
        Severity = severity,
        PublicityDays = publicityDays,
        PayloadSchema = new Dictionary<string, string>(),
        GovernancePoints = points,
        Role = role,
    };

    private static EvaluationRecord Rec(string code, int ageMinutes = 1440, string status = RecordStatus.Active, string payload = "{}", string? id = null) =>
        new(id ?? code + "-" + ageMinutes, code, T.AddMinutes(-ageMinutes), status, payload);

    private static SubjectFacts Compute(params EvaluationRecord[] records) => SubjectFacts.Compute(Catalog, records, T);

    [Fact]
    public void Compute_without_records_is_all_empty()
    {
        Assert.Equal(new SubjectFacts(0, false, false, false, 0, 0, false, false, null), Compute());
    }

    [Theory]
    [InlineData("GOV_FIXED", RecordStatus.Active, 1440, "{}", 10.0)]
    [InlineData("GOV_FIXED", RecordStatus.Disputed, 1440, "{}", 10.0)] // disputed records still earn
    [InlineData("GOV_FIXED", RecordStatus.Revoked, 1440, "{}", 0.0)]
    [InlineData("GOV_FIXED", RecordStatus.Repaired, 1440, "{}", 0.0)]
    [InlineData("GOV_FIXED", RecordStatus.Expired, 1440, "{}", 0.0)]
    [InlineData("GOV_FIXED", RecordStatus.Active, 0, "{}", 10.0)] // occurredAt = t
    [InlineData("GOV_FIXED", RecordStatus.Active, -1, "{}", 0.0)] // not yet occurred
    [InlineData("GOV_FIXED", RecordStatus.Active, 10_000_000, "{}", 10.0)] // points do not decay
    [InlineData("GOV_PUBLIC30", RecordStatus.Active, 144000, "{}", 10.0)] // 100 days: points outlive publicity
    [InlineData("GOV_NEG", RecordStatus.Active, 1440, "{}", -5.0)]
    [InlineData("VOLUNTEER", RecordStatus.Active, 1440, "{\"hours\":2.5}", 5.0)]
    [InlineData("VOLUNTEER", RecordStatus.Active, 1440, "{\"hours\":5}", 10.0)]
    [InlineData("VOLUNTEER", RecordStatus.Active, 1440, "{\"hours\":20}", 40.0)] // exactly the cap
    [InlineData("VOLUNTEER", RecordStatus.Active, 1440, "{\"hours\":25}", 40.0)] // 50 bounded to 40
    [InlineData("VOLUNTEER", RecordStatus.Active, 1440, "{}", 0.0)] // no unit field
    [InlineData("VOLUNTEER", RecordStatus.Revoked, 1440, "{\"hours\":5}", 0.0)]
    [InlineData("GOV_NEG_UNIT", RecordStatus.Active, 1440, "{\"times\":2}", -6.0)]
    [InlineData("GOV_NEG_UNIT", RecordStatus.Active, 1440, "{\"times\":10}", -15.0)] // −30: the cap bounds the magnitude
    [InlineData("NOTE", RecordStatus.Active, 1440, "{}", 0.0)] // no governancePoints
    public void Compute_earned_points(string code, string status, int ageMinutes, string payload, double expected)
    {
        Assert.Equal((decimal)expected, Compute(Rec(code, ageMinutes, status, payload)).PointsEarned);
    }

    [Fact]
    public void Compute_earned_points_sums_over_records()
    {
        // 10 + 10 (disputed) + 2 × 5 + 40 (capped) − 5 − 6; the revoked 10 earns nothing = 59
        var facts = Compute(
            Rec("GOV_FIXED", id: "g1"),
            Rec("GOV_FIXED", status: RecordStatus.Disputed, id: "g2"),
            Rec("GOV_FIXED", status: RecordStatus.Revoked, id: "g3"),
            Rec("VOLUNTEER", payload: "{\"hours\":5}", id: "v1"),
            Rec("VOLUNTEER", payload: "{\"hours\":30}", id: "v2"),
            Rec("GOV_NEG"),
            Rec("GOV_NEG_UNIT", payload: "{\"times\":2}"));

        Assert.Equal(59m, facts.PointsEarned);
    }

    [Theory]
    [InlineData(null, 1.5, "hours", 40.0, "{\"hours\":3}", 4.5)]
    [InlineData(null, 2.0, "hours", 40.0, "{\"hours\":21}", 40.0)]
    [InlineData(null, -2.0, "days", 40.0, "{\"days\":21}", -40.0)]
    [InlineData(null, -2.0, "days", -40.0, "{\"days\":21}", -40.0)]
    [InlineData(7.0, null, null, null, "{\"hours\":100}", 7.0)]
    public void GovernancePointsOf_is_points_or_units_times_rate_bounded_in_magnitude(
        double? points, double? perUnit, string? unitField, double? maxPoints, string payload, double expected)
    {
        var gp = new GovernancePoints
        {
            Points = (decimal?)points,
            PointsPerUnit = (decimal?)perUnit,
            UnitField = unitField,
            MaxPoints = (decimal?)maxPoints,
        };

        Assert.Equal((decimal)expected, SubjectFacts.GovernancePointsOf(gp, payload));
    }

    [Fact]
    public void Compute_last_governance_is_the_latest_earning_record_up_to_t()
    {
        var facts = Compute(
            Rec("GOV_FIXED", 14400, id: "old"),
            Rec("VOLUNTEER", 2880, payload: "{\"hours\":1}", id: "latest"),
            Rec("GOV_FIXED", 60, RecordStatus.Revoked, id: "revoked"), // later, but revoked
            Rec("GOV_FIXED", -60, id: "future"), // after t
            Rec("NOTE", 1, id: "note")); // no governancePoints

        Assert.Equal(T.AddMinutes(-2880), facts.LastGovernanceAt);
    }

    [Fact]
    public void Compute_last_governance_is_null_without_an_earning_record()
    {
        Assert.Null(Compute(Rec("NOTE"), Rec("GOV_FIXED", status: RecordStatus.Revoked)).LastGovernanceAt);
    }

    [Theory]
    [InlineData(RecordStatus.Active, 1440, "{\"amount\":50000,\"expiresAt\":\"2026-05-31\"}", true)]
    [InlineData(RecordStatus.Disputed, 1440, "{\"amount\":50000,\"expiresAt\":\"2026-05-31\"}", true)]
    [InlineData(RecordStatus.Active, 1440, "{\"amount\":50000,\"expiresAt\":\"2025-06-01T00:00:01Z\"}", true)] // one second after t
    [InlineData(RecordStatus.Active, 1440, "{\"amount\":50000,\"expiresAt\":\"2025-06-01\"}", false)] // expiresAt = t: not > t
    [InlineData(RecordStatus.Active, 1440, "{\"amount\":50000,\"expiresAt\":\"2025-05-31\"}", false)] // expired
    [InlineData(RecordStatus.Active, 1440, "{\"amount\":50000}", false)] // no expiry
    [InlineData(RecordStatus.Revoked, 1440, "{\"amount\":50000,\"expiresAt\":\"2026-05-31\"}", false)]
    [InlineData(RecordStatus.Active, -1440, "{\"amount\":50000,\"expiresAt\":\"2026-05-31\"}", false)] // granted after t
    public void Compute_credit_line_needs_a_counting_record_expiring_after_t(string status, int ageMinutes, string payload, bool expected)
    {
        Assert.Equal(expected, Compute(Rec("CREDIT_LINE", ageMinutes, status, payload)).HasCreditLine);
    }

    [Theory]
    [InlineData("LOAN", RecordStatus.Active, 1440, nameof(SubjectFacts.IsBorrowing), true)]
    [InlineData("LOAN", RecordStatus.Disputed, 1440, nameof(SubjectFacts.IsBorrowing), true)]
    [InlineData("LOAN", RecordStatus.Revoked, 1440, nameof(SubjectFacts.IsBorrowing), false)]
    [InlineData("LOAN", RecordStatus.Active, -1, nameof(SubjectFacts.IsBorrowing), false)]
    [InlineData("LOAN_OVERDUE", RecordStatus.Active, 1440, nameof(SubjectFacts.InArrears), true)]
    [InlineData("LOAN_OVERDUE", RecordStatus.Disputed, 1440, nameof(SubjectFacts.InArrears), true)]
    [InlineData("LOAN_OVERDUE", RecordStatus.Revoked, 1440, nameof(SubjectFacts.InArrears), false)]
    [InlineData("LOAN_OVERDUE", RecordStatus.Repaired, 1440, nameof(SubjectFacts.InArrears), false)]
    [InlineData("LOAN_OVERDUE", RecordStatus.Active, 1440, nameof(SubjectFacts.IsBorrowing), false)] // overdue alone is not a loan
    [InlineData("LOAN", RecordStatus.Active, 1440, nameof(SubjectFacts.InArrears), false)]
    [InlineData("SERIOUS", RecordStatus.Active, 1440, nameof(SubjectFacts.SeriousDishonesty), true)]
    [InlineData("SERIOUS", RecordStatus.Disputed, 1440, nameof(SubjectFacts.SeriousDishonesty), true)]
    [InlineData("SERIOUS", RecordStatus.Revoked, 1440, nameof(SubjectFacts.SeriousDishonesty), false)]
    [InlineData("SERIOUS", RecordStatus.Repaired, 1440, nameof(SubjectFacts.SeriousDishonesty), false)]
    [InlineData("SERIOUS_PUBLIC10", RecordStatus.Active, 14399, nameof(SubjectFacts.SeriousDishonesty), true)]
    [InlineData("SERIOUS_PUBLIC10", RecordStatus.Active, 14400, nameof(SubjectFacts.SeriousDishonesty), false)] // publicity over
    [InlineData("GENERAL", RecordStatus.Active, 1440, nameof(SubjectFacts.SeriousDishonesty), false)]
    [InlineData("LOAN_OVERDUE", RecordStatus.Active, 1440, nameof(SubjectFacts.SeriousDishonesty), false)]
    [InlineData("DEMO", RecordStatus.Active, 1440, nameof(SubjectFacts.Demonstration), true)]
    [InlineData("DEMO", RecordStatus.Disputed, 1440, nameof(SubjectFacts.Demonstration), true)]
    [InlineData("DEMO", RecordStatus.Revoked, 1440, nameof(SubjectFacts.Demonstration), false)]
    [InlineData("DEMO_PUBLIC10", RecordStatus.Active, 14399, nameof(SubjectFacts.Demonstration), true)]
    [InlineData("DEMO_PUBLIC10", RecordStatus.Active, 14400, nameof(SubjectFacts.Demonstration), false)]
    [InlineData("NOTE", RecordStatus.Active, 1440, nameof(SubjectFacts.Demonstration), false)]
    public void Compute_flags_come_from_counting_records_of_a_role_or_severity(string code, string status, int ageMinutes, string flag, bool expected)
    {
        var payload = code == "LOAN" ? "{\"amount\":1000,\"guarantee\":\"credit\"}" : "{}";
        var facts = Compute(Rec(code, ageMinutes, status, payload));

        var actual = flag switch
        {
            nameof(SubjectFacts.IsBorrowing) => facts.IsBorrowing,
            nameof(SubjectFacts.InArrears) => facts.InArrears,
            nameof(SubjectFacts.SeriousDishonesty) => facts.SeriousDishonesty,
            nameof(SubjectFacts.Demonstration) => facts.Demonstration,
            _ => throw new ArgumentOutOfRangeException(nameof(flag)),
        };
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Compute_loan_amounts_split_by_credit_guarantee()
    {
        // counting loans: 30 000 credit + 20 000 mortgage + 5 000.5 credit (disputed) + 10 000 guarantee
        // not counting: 99 999 credit revoked, 77 777 credit after t
        var facts = Compute(
            Rec("LOAN", payload: "{\"amount\":30000,\"guarantee\":\"credit\"}", id: "l1"),
            Rec("LOAN", payload: "{\"amount\":20000,\"guarantee\":\"mortgage\"}", id: "l2"),
            Rec("LOAN", status: RecordStatus.Disputed, payload: "{\"amount\":5000.5,\"guarantee\":\"credit\"}", id: "l3"),
            Rec("LOAN", payload: "{\"amount\":10000,\"guarantee\":\"guarantee\"}", id: "l4"),
            Rec("LOAN", status: RecordStatus.Revoked, payload: "{\"amount\":99999,\"guarantee\":\"credit\"}", id: "l5"),
            Rec("LOAN", -60, payload: "{\"amount\":77777,\"guarantee\":\"credit\"}", id: "l6"));

        Assert.True(facts.IsBorrowing);
        Assert.Equal(65000.5m, facts.LoanAmount);
        Assert.Equal(35000.5m, facts.CreditLoanAmount);
    }

    [Fact]
    public void Compute_ignores_records_of_unknown_items()
    {
        var facts = Compute(Rec("GONE", payload: "{\"amount\":1000,\"guarantee\":\"credit\"}"));

        Assert.Equal(new SubjectFacts(0, false, false, false, 0, 0, false, false, null), facts);
    }

    [Fact]
    public void Compute_combines_every_fact()
    {
        var facts = Compute(
            Rec("CREDIT_LINE", payload: "{\"amount\":80000,\"expiresAt\":\"2027-01-01\"}"),
            Rec("LOAN", payload: "{\"amount\":40000,\"guarantee\":\"credit\"}"),
            Rec("LOAN_OVERDUE", payload: "{\"days\":12}"),
            Rec("DEMO"),
            Rec("SERIOUS"),
            Rec("GOV_FIXED", 4320));

        Assert.Equal(new SubjectFacts(10, true, true, true, 40000, 40000, true, true, T.AddDays(-3)), facts);
    }
}
