using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.Tests.Domain;

/// <summary>
/// Households (SPEC §2.6) and region aggregates with 三信 (§2.7), with the default policy: credit household = one of the
/// farmer model's two highest grades and not in arrears; credit village ≥ 70 % credit households and > 85 % of
/// borrowing households without overdue; credit township ≥ 50 % credit villages; credit county ≥ 60 %.
/// Farmer thresholds: A ≥ 800, B ≥ 700, C ≥ 600, D ≥ 0. Evaluation time T = 2025-06-01T12:30Z.
/// </summary>
public sealed class RegionAggregatorTests
{
    private static readonly DateTimeOffset T = new(2025, 6, 1, 12, 30, 0, TimeSpan.Zero);
    private static readonly CreditPolicy Policy = new();

    private static readonly ScoringModel FarmerModel = new()
    {
        SubjectType = "farmer",
        Version = 1,
        Base = 600,
        Dimensions = new Dictionary<string, DimensionRange> { ["d"] = new(-100, 100) },
        Grades = [new("A", 800), new("B", 700), new("C", 600), new("D", 0)],
        Rules = new Dictionary<string, ScoringRule>(),
    };

    private static readonly RegionInfo VillageInfo = new()
    {
        Code = "321302001001",
        Name = "测试村",
        Level = RegionLevels.Village,
        ParentCode = "321302001",
    };

    private static readonly IReadOnlyDictionary<string, decimal> NoRedemptions = new Dictionary<string, decimal>();

    private static SubjectSummary Member(
        string id,
        int score,
        string? household = null,
        string type = "farmer",
        string? grade = null,
        bool arrears = false,
        bool creditLine = false,
        bool borrowing = false,
        decimal earned = 0,
        decimal redeemed = 0,
        decimal creditLoans = 0,
        decimal loans = 0,
        DateTimeOffset? lastGovernance = null,
        IReadOnlyList<DateTimeOffset>? receipts = null) => new()
    {
        SubjectId = id,
        SubjectType = type,
        VillageCode = VillageInfo.Code,
        HouseholdId = household,
        Score = score,
        Grade = grade ?? ScoringEngine.GradeFor(FarmerModel.Grades, score),
        InArrears = arrears,
        HasCreditLine = creditLine,
        IsBorrowing = borrowing,
        PointsEarned = earned,
        PointsRedeemed = redeemed,
        CreditLoanAmount = creditLoans,
        LoanAmount = loans,
        LastGovernanceAt = lastGovernance,
        RecentReceipts = receipts ?? [],
        Version = 1,
        EvaluatedAt = T,
    };

    private static RegionSummary Village(IReadOnlyCollection<SubjectSummary> subjects, IReadOnlyDictionary<string, decimal>? redeemed = null, RegionInfo? info = null) =>
        RegionAggregator.Village(info ?? VillageInfo, subjects, redeemed ?? NoRedemptions, FarmerModel, Policy, T, 7);

    // ---- households ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(new[] { 700, 701 }, 701, "B")] // 700.5 → 701
    [InlineData(new[] { 699, 700 }, 700, "B")] // 699.5 → 700: exactly B's minScore
    [InlineData(new[] { 650, 651 }, 651, "C")] // 650.5 → 651 (banker's rounding would give 650)
    [InlineData(new[] { 799, 800 }, 800, "A")] // 799.5 → 800
    [InlineData(new[] { 699, 699, 701 }, 700, "B")] // 699.67 → 700
    [InlineData(new[] { 700, 700, 699 }, 700, "B")] // 699.67 → 700
    [InlineData(new[] { 700, 699, 699 }, 699, "C")] // 699.33 → 699
    [InlineData(new[] { 600 }, 600, "C")]
    [InlineData(new[] { 0, 1 }, 1, "D")] // 0.5 → 1
    [InlineData(new[] { 1000, 999 }, 1000, "A")] // 999.5 → 1000
    public void Household_score_is_the_mean_rounded_half_away_from_zero(int[] scores, int expectedScore, string expectedGrade)
    {
        var members = scores.Select((s, i) => Member("s" + i, s, "H1")).ToList();

        var status = HouseholdStatus.Compute(members, FarmerModel, Policy);

        Assert.Equal(expectedScore, status.Score);
        Assert.Equal(expectedGrade, status.Grade);
    }

    [Fact]
    public void Household_without_members_has_no_score()
    {
        Assert.Equal(new HouseholdStatus(null, null, false, false, false, false), HouseholdStatus.Compute([], FarmerModel, Policy));
    }

    [Theory]
    [InlineData(new[] { 800 }, false, true)] // A
    [InlineData(new[] { 700 }, false, true)] // B
    [InlineData(new[] { 699 }, false, false)] // C
    [InlineData(new[] { 300 }, false, false)] // D
    [InlineData(new[] { 900 }, true, false)] // A, but in arrears
    [InlineData(new[] { 700, 900 }, true, false)] // one member in arrears puts the household in arrears
    [InlineData(new[] { 650, 751 }, false, true)] // 700.5 → 701, B
    [InlineData(new[] { 650, 749 }, false, true)] // 699.5 → 700, B
    [InlineData(new[] { 650, 748 }, false, false)] // 699, C
    public void Household_is_a_credit_household_with_a_top_two_grade_and_no_arrears(int[] scores, bool firstInArrears, bool expected)
    {
        var members = scores.Select((s, i) => Member("s" + i, s, "H1", arrears: i == 0 && firstInArrears)).ToList();

        var status = HouseholdStatus.Compute(members, FarmerModel, Policy);

        Assert.Equal(expected, status.IsCreditHousehold);
        Assert.Equal(firstInArrears, status.InArrears);
    }

    [Fact]
    public void Household_ignores_a_members_veto()
    {
        // A member vetoed to D with score 900 and a member at 700: mean 800 → A, a credit household.
        var members = new[] { Member("s1", 900, "H1", grade: "D") with { Vetoed = true }, Member("s2", 700, "H1") };

        var status = HouseholdStatus.Compute(members, FarmerModel, Policy);

        Assert.Equal(new HouseholdStatus(800, "A", true, false, false, false), status);
    }

    [Fact]
    public void Household_credit_line_and_borrowing_come_from_any_member()
    {
        var members = new[] { Member("s1", 750, "H1", creditLine: true), Member("s2", 750, "H1", borrowing: true), Member("s3", 750, "H1") };

        var status = HouseholdStatus.Compute(members, FarmerModel, Policy);

        Assert.Equal(new HouseholdStatus(750, "B", true, false, true, true), status);
    }

    [Fact]
    public void Household_top_grades_follow_the_policy()
    {
        var status = HouseholdStatus.Compute([Member("s1", 750, "H1")], FarmerModel, Policy with { CreditHouseholdTopGrades = 1 });

        Assert.Equal("B", status.Grade);
        Assert.False(status.IsCreditHousehold);
    }

    // ---- village ------------------------------------------------------------------------------------------------

    [Fact]
    public void Village_counts_subjects_by_type_and_grade()
    {
        SubjectSummary[] subjects =
        [
            Member("f1", 850, "H1"),
            Member("f2", 750, "H1"),
            Member("f3", 720, "H2"),
            Member("farm", 650, type: "family_farm"),
            Member("coop", 500, type: "cooperative"),
        ];

        var summary = Village(subjects);

        Assert.Equal(5, summary.Subjects);
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["farmer"] = 3, ["family_farm"] = 1, ["cooperative"] = 1, ["enterprise"] = 0, ["service_org"] = 0, ["agri_input"] = 0,
                ["grain_enterprise"] = 0,
            },
            summary.ByType);
        Assert.Equal(new Dictionary<string, int> { ["A"] = 1, ["B"] = 2, ["C"] = 1, ["D"] = 1 }, summary.ByGrade);
        Assert.Equal(850L + 750 + 720 + 650 + 500, summary.ScoreSum);
        Assert.Equal(7, summary.Version);
        Assert.Equal(T, summary.UpdatedAt);
        Assert.Equal(1, summary.Villages);
    }

    [Fact]
    public void Village_counts_households_and_their_flags()
    {
        SubjectSummary[] subjects =
        [
            // H1: (850 + 750) / 2 = 800 A, credit line, borrowing clean: credit household
            Member("a1", 850, "H1", creditLine: true, borrowing: true),
            Member("a2", 750, "H1"),
            // H2: 720 B but in arrears (borrowing with overdue): not a credit household
            Member("b1", 720, "H2", borrowing: true, arrears: true),
            // H3: 690 C, credit line: not a credit household
            Member("c1", 690, "H3", creditLine: true),
            // H4: 700 B: credit household, borrowing clean
            Member("d1", 700, "H4", borrowing: true),
            // no household: not counted as one
            Member("e1", 900, type: "enterprise", creditLine: true, borrowing: true),
        ];

        var summary = Village(subjects);

        Assert.Equal(4, summary.Households);
        Assert.Equal(2, summary.CreditHouseholds);
        Assert.Equal(2, summary.CreditLineHouseholds);
        Assert.Equal(3, summary.BorrowingHouseholds);
        Assert.Equal(2, summary.BorrowingHouseholdsWithoutOverdue);
        // 2 of 4 credit households is 50 %: not a credit village
        Assert.False(summary.IsCreditVillage);
        Assert.Equal(0, summary.CreditVillages);
    }

    /// <summary>
    /// <paramref name="households"/> one-member households: the first <paramref name="overdue"/> borrow and are in
    /// arrears (score 500), the next <paramref name="borrowing"/> − <paramref name="overdue"/> borrow without overdue,
    /// and the last <paramref name="credit"/> score 800 (A) without arrears; the others score 500.
    /// </summary>
    [Theory]
    [InlineData(10, 7, 0, 0, true)] // exactly 70 % credit households qualifies
    [InlineData(10, 6, 0, 0, false)] // 60 %
    [InlineData(3, 2, 0, 0, false)] // 66.7 %
    [InlineData(3, 3, 0, 0, true)]
    [InlineData(20, 14, 0, 0, true)] // 70 %
    [InlineData(100, 70, 0, 0, true)] // 70 %
    [InlineData(100, 69, 0, 0, false)]
    [InlineData(20, 17, 20, 3, false)] // 17 / 20 = exactly 85 % borrowing without overdue does NOT qualify
    [InlineData(100, 85, 100, 15, false)] // 85 / 100 = exactly 85 %
    [InlineData(20, 18, 20, 2, true)] // 90 %
    [InlineData(10, 7, 7, 1, true)] // 6 / 7 = 85.7 %
    [InlineData(100, 70, 100, 14, true)] // 86 %
    [InlineData(10, 7, 1, 1, false)] // 0 / 1
    [InlineData(10, 7, 5, 0, true)] // 5 / 5
    [InlineData(0, 0, 0, 0, false)] // no households
    public void Village_is_a_credit_village_at_70_percent_credit_households_and_over_85_percent_repaying(
        int households, int credit, int borrowing, int overdue, bool expected)
    {
        var subjects = Enumerable.Range(0, households).Select(i => Member(
            "s" + i,
            i >= households - credit ? 800 : 500,
            "H" + i,
            borrowing: i < borrowing,
            arrears: i < overdue)).ToList();

        var summary = Village(subjects);

        Assert.Equal(households, summary.Households);
        Assert.Equal(credit, summary.CreditHouseholds);
        Assert.Equal(borrowing, summary.BorrowingHouseholds);
        Assert.Equal(borrowing - overdue, summary.BorrowingHouseholdsWithoutOverdue);
        Assert.Equal(expected, summary.IsCreditVillage);
        Assert.Equal(expected ? 1 : 0, summary.CreditVillages);
        Assert.Null(summary.IsCreditTownship);
        Assert.Null(summary.IsCreditCounty);
    }

    [Theory]
    [InlineData(1, 1)] // one minute ago
    [InlineData(60 * 23, 1)] // 23 hours ago
    [InlineData(60 * 25, 0)] // 25 hours ago
    [InlineData(60 * 24 * 3, 0)]
    [InlineData(-120, 0)] // two hours after t
    public void Village_counts_records_received_in_the_last_24_hours(int minutesAgo, int expected)
    {
        var summary = Village([Member("s1", 700, receipts: [T.AddMinutes(-minutesAgo)])]);

        Assert.Equal(expected, summary.Records24h);
        Assert.Equal(expected, summary.ReceivedByHour.Values.Sum());
    }

    [Fact]
    public void Village_sums_receipts_of_all_subjects_by_hour()
    {
        SubjectSummary[] subjects =
        [
            Member("s1", 700, receipts: [T.AddMinutes(-1), T.AddMinutes(-2), T.AddHours(-5), T.AddHours(-30)]),
            Member("s2", 700, receipts: [T.AddMinutes(-3), T.AddHours(-48)]),
            Member("s3", 700),
        ];

        var summary = Village(subjects);

        Assert.Equal(4, summary.Records24h);
        Assert.Equal(3, summary.ReceivedByHour[RegionAggregator.HourOf(T)]);
        Assert.Equal(1, summary.ReceivedByHour[RegionAggregator.HourOf(T.AddHours(-5))]);
        Assert.Equal(2, summary.ReceivedByHour.Count);
    }

    [Theory]
    [InlineData(0, 1)] // at t
    [InlineData(1, 1)]
    [InlineData(364 * 1440, 1)] // 364 days ago
    [InlineData(365 * 1440 - 1, 1)] // just inside 365 days
    [InlineData(366 * 1440, 0)] // 366 days ago
    [InlineData(-1440, 0)] // after t
    [InlineData(null, 0)] // never
    public void Village_runs_the_points_system_with_a_governance_record_in_the_last_365_days(int? minutesAgo, int expected)
    {
        var last = minutesAgo is { } m ? T.AddMinutes(-m) : (DateTimeOffset?)null;
        SubjectSummary[] subjects = [Member("s1", 700, "H1", lastGovernance: last), Member("s2", 700, "H2")];

        Assert.Equal(expected, Village(subjects).PointsVillages);
    }

    [Fact]
    public void Village_points_earned_and_redeemed_include_household_accounts_of_its_households()
    {
        SubjectSummary[] subjects =
        [
            Member("s1", 700, "H1", earned: 30),
            Member("s2", 700, "H1", earned: 12.5m),
            Member("s3", 700, "H2", earned: 5),
            Member("solo", 700, type: "family_farm", earned: 40, redeemed: 15), // own account
        ];
        var redemptions = new Dictionary<string, decimal> { ["H1"] = 20, ["H2"] = 2.5m, ["OTHER_VILLAGE"] = 100 };

        var summary = Village(subjects, redemptions);

        Assert.Equal(87.5m, summary.PointsEarned); // 30 + 12.5 + 5 + 40
        Assert.Equal(37.5m, summary.PointsRedeemed); // 15 + 20 + 2.5; OTHER_VILLAGE is not one of its households
    }

    [Fact]
    public void Village_sums_loan_amounts()
    {
        SubjectSummary[] subjects =
        [
            Member("s1", 700, "H1", creditLoans: 30000, loans: 50000, borrowing: true),
            Member("s2", 700, "H2", creditLoans: 0, loans: 20000, borrowing: true),
            Member("s3", 700, type: "cooperative", creditLoans: 100000, loans: 100000, borrowing: true),
        ];

        var summary = Village(subjects);

        Assert.Equal(130000m, summary.CreditLoanAmount);
        Assert.Equal(170000m, summary.LoanAmount);
    }

    [Theory]
    [InlineData(10, 3, 10)]
    [InlineData(2, 2, 2)] // more subjects than expected: fully covered, not more
    [InlineData(null, 0, 0)]
    [InlineData(0, 0, 0)]
    public void Village_coverage_counts_only_when_expected_subjects_is_declared(int? expected, int coverageSubjects, int coverageExpected)
    {
        var info = VillageInfo with { ExpectedSubjects = expected };

        var summary = Village([Member("s1", 700), Member("s2", 700), Member("s3", 700)], info: info);

        Assert.Equal((long)coverageSubjects, summary.CoverageSubjects);
        Assert.Equal((long)coverageExpected, summary.CoverageExpected);
    }

    // ---- parents ------------------------------------------------------------------------------------------------

    [Fact]
    public void Parent_sums_its_children_exactly()
    {
        var v1 = Village(
            [
                Member("a1", 850, "H1", creditLine: true, borrowing: true, earned: 10, creditLoans: 1000, loans: 3000,
                    lastGovernance: T.AddDays(-1), receipts: [T.AddMinutes(-5)]),
                Member("a2", 750, "H1", earned: 2.5m),
                Member("a3", 400, "H2", borrowing: true, arrears: true, loans: 500, receipts: [T.AddHours(-3), T.AddHours(-40)]),
            ],
            new Dictionary<string, decimal> { ["H1"] = 4 },
            VillageInfo with { Code = "321302001001", ExpectedSubjects = 5 });
        var v2 = Village(
            [
                Member("b1", 820, "H3", creditLine: true),
                Member("b2", 610, type: "cooperative", redeemed: 1, receipts: [T.AddMinutes(-10)]),
            ],
            null,
            VillageInfo with { Code = "321302001002" });
        var v3 = Village([], null, VillageInfo with { Code = "321302001003", ExpectedSubjects = 8 });
        var township = new RegionInfo { Code = "321302001", Name = "测试镇", Level = RegionLevels.Township, ParentCode = "321302" };

        var summary = RegionAggregator.Parent(township, [v1, v2, v3], Policy, T, 11);

        RegionSummary[] children = [v1, v2, v3];
        Assert.Equal(children.Sum(c => c.Subjects), summary.Subjects);
        Assert.Equal(5, summary.Subjects);
        foreach (var type in RuralCreditConstants.SubjectTypes)
        {
            Assert.Equal(children.Sum(c => c.ByType[type]), summary.ByType[type]);
        }

        Assert.Equal(new Dictionary<string, int> { ["A"] = 2, ["B"] = 1, ["C"] = 1, ["D"] = 1 }, summary.ByGrade);
        Assert.Equal(850L + 750 + 400 + 820 + 610, summary.ScoreSum);
        Assert.Equal(3, summary.Households);
        Assert.Equal(2, summary.CreditHouseholds); // H1 800 A, H3 820 A; H2 in arrears
        Assert.Equal(2, summary.CreditLineHouseholds);
        Assert.Equal(2, summary.BorrowingHouseholds);
        Assert.Equal(1, summary.BorrowingHouseholdsWithoutOverdue);
        Assert.Equal(3L, summary.CoverageSubjects); // v1 declares 5 and has 3; v3 declares 8 and has 0
        Assert.Equal(13L, summary.CoverageExpected);
        Assert.Equal(12.5m, summary.PointsEarned);
        Assert.Equal(5m, summary.PointsRedeemed); // H1's 4 + b2's 1
        Assert.Equal(1000m, summary.CreditLoanAmount);
        Assert.Equal(3500m, summary.LoanAmount);
        Assert.Equal(3, summary.Records24h); // 5 min, 3 h, 10 min; 40 h is outside
        Assert.Equal(3, summary.Villages);
        Assert.Equal(children.Sum(c => c.CreditVillages), summary.CreditVillages);
        Assert.Equal(1, summary.PointsVillages);
        Assert.Equal(1, summary.Townships);
        Assert.False(summary.IsCreditTownship); // 1 credit village (v2) of 3
        Assert.Equal(11, summary.Version);
        Assert.Null(summary.IsCreditVillage);
        Assert.Null(summary.IsCreditCounty);
    }

    [Fact]
    public void Parent_drops_hour_buckets_outside_the_window()
    {
        var hour = RegionAggregator.HourOf(T);
        var child = Child("321302001001", 1, 1) with { ReceivedByHour = new Dictionary<long, int> { [hour] = 2, [hour - 23] = 3, [hour - 24] = 5, [hour - 30] = 7 } };
        var township = new RegionInfo { Code = "321302001", Name = "测试镇", Level = RegionLevels.Township };

        var summary = RegionAggregator.Parent(township, [child], Policy, T, 1);

        Assert.Equal(5, summary.Records24h);
    }

    [Fact]
    public void Parent_coverage_is_summed_over_the_children_that_declare_it_even_when_the_parent_declares_its_own()
    {
        // SPEC §2.7: subjects ÷ expectedSubjects, summed over the children that declare it.
        var children = new[] { Child("v1", 1, 0) with { Subjects = 4, CoverageSubjects = 4, CoverageExpected = 10 }, Child("v2", 1, 0) with { Subjects = 6 } };
        var township = new RegionInfo { Code = "321302001", Name = "测试镇", Level = RegionLevels.Township, ExpectedSubjects = 50 };

        var summary = RegionAggregator.Parent(township, children, Policy, T, 1);

        Assert.Equal(4, summary.CoverageSubjects);
        Assert.Equal(10, summary.CoverageExpected);
    }

    [Theory]
    [InlineData(new[] { true, false }, true)] // 1 / 2 = exactly 50 %
    [InlineData(new[] { true, false, false }, false)] // 33 %
    [InlineData(new[] { true, true, false, false }, true)]
    [InlineData(new[] { true, false, false, false }, false)]
    [InlineData(new[] { true }, true)]
    [InlineData(new[] { false }, false)]
    [InlineData(new bool[0], false)] // no villages
    public void Township_is_a_credit_township_at_50_percent_credit_villages(bool[] creditVillages, bool expected)
    {
        var children = creditVillages.Select((c, i) => Child("v" + i, 1, c ? 1 : 0)).ToList();
        var township = new RegionInfo { Code = "321302001", Name = "测试镇", Level = RegionLevels.Township };

        var summary = RegionAggregator.Parent(township, children, Policy, T, 1);

        Assert.Equal(expected, summary.IsCreditTownship);
        Assert.Equal(1, summary.Townships);
        Assert.Equal(expected ? 1 : 0, summary.CreditTownships);
        Assert.Equal(creditVillages.Length, summary.Villages);
        Assert.Equal(creditVillages.Count(c => c), summary.CreditVillages);
        Assert.Null(summary.IsCreditCounty);
    }

    /// <summary>A county's children are townships; the share counts villages, not townships.</summary>
    [Theory]
    [InlineData(new[] { 5, 5 }, new[] { 3, 3 }, true)] // 6 / 10 = exactly 60 %
    [InlineData(new[] { 5, 5 }, new[] { 2, 3 }, false)] // 50 %
    [InlineData(new[] { 10, 5 }, new[] { 0, 5 }, false)] // 33 %, though one township is all credit
    [InlineData(new[] { 4, 1 }, new[] { 3, 0 }, true)] // 60 %
    [InlineData(new[] { 100 }, new[] { 59 }, false)]
    [InlineData(new[] { 100 }, new[] { 60 }, true)]
    public void County_is_a_credit_county_at_60_percent_credit_villages(int[] villages, int[] creditVillages, bool expected)
    {
        var children = villages.Select((v, i) => Child("t" + i, v, creditVillages[i]) with
        {
            Info = new RegionInfo { Code = "t" + i, Name = "镇" + i, Level = RegionLevels.Township },
            Townships = 1,
            CreditTownships = creditVillages[i] * 2 >= v ? 1 : 0,
        }).ToList();
        var county = new RegionInfo { Code = "321302", Name = "宿城区", Level = RegionLevels.County, ParentCode = "321300" };

        var summary = RegionAggregator.Parent(county, children, Policy, T, 1);

        Assert.Equal(expected, summary.IsCreditCounty);
        Assert.Equal(1, summary.Counties);
        Assert.Equal(expected ? 1 : 0, summary.CreditCounties);
        Assert.Equal(villages.Length, summary.Townships);
        Assert.Equal(children.Sum(c => c.CreditTownships), summary.CreditTownships);
        Assert.Null(summary.IsCreditTownship);
    }

    [Fact]
    public void City_sums_counties_without_a_credit_flag_of_its_own()
    {
        RegionSummary[] children =
        [
            Child("321302", 10, 6) with { Townships = 2, CreditTownships = 2, Counties = 1, CreditCounties = 1 },
            Child("321311", 10, 2) with { Townships = 3, CreditTownships = 0, Counties = 1, CreditCounties = 0 },
        ];
        var city = new RegionInfo { Code = "321300", Name = "宿迁市", Level = RegionLevels.City };

        var summary = RegionAggregator.Parent(city, children, Policy, T, 1);

        Assert.Equal(20, summary.Villages);
        Assert.Equal(8, summary.CreditVillages);
        Assert.Equal(5, summary.Townships);
        Assert.Equal(2, summary.CreditTownships);
        Assert.Equal(2, summary.Counties);
        Assert.Equal(1, summary.CreditCounties);
        Assert.Null(summary.IsCreditTownship);
        Assert.Null(summary.IsCreditCounty);
        Assert.Null(summary.IsCreditVillage);
    }

    private static RegionSummary Child(string code, int villages, int creditVillages) => new()
    {
        Info = new RegionInfo { Code = code, Name = code, Level = RegionLevels.Village },
        ByType = new Dictionary<string, int>(),
        ByGrade = new Dictionary<string, int>(),
        ReceivedByHour = new Dictionary<long, int>(),
        Villages = villages,
        CreditVillages = creditVillages,
    };
}
