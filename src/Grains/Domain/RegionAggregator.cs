using RuralCredit.Models;

namespace RuralCredit.Domain;

/// <summary>A household's status computed from its members' summaries (SPEC §2.6, §2.7).</summary>
public sealed record HouseholdStatus(int? Score, string? Grade, bool IsCreditHousehold, bool InArrears, bool HasCreditLine, bool IsBorrowing)
{
    /// <summary>Household score = mean of member scores rounded half away from zero; grade by the farmer thresholds, no veto.</summary>
    public static HouseholdStatus Compute(IEnumerable<SubjectSummary> members, ScoringModel farmerModel, CreditPolicy policy)
    {
        long sum = 0;
        var count = 0;
        bool arrears = false, creditLine = false, borrowing = false;
        foreach (var m in members)
        {
            sum += m.Score;
            count++;
            arrears |= m.InArrears;
            creditLine |= m.HasCreditLine;
            borrowing |= m.IsBorrowing;
        }

        if (count == 0)
        {
            return new HouseholdStatus(null, null, false, false, false, false);
        }

        var score = (int)Math.Round((decimal)sum / count, MidpointRounding.AwayFromZero);
        var grade = ScoringEngine.GradeFor(farmerModel.Grades, score);
        var topGrades = farmerModel.Grades.Take(policy.CreditHouseholdTopGrades).Select(g => g.Grade);
        var isCredit = topGrades.Contains(grade) && !arrears;
        return new HouseholdStatus(score, grade, isCredit, arrears, creditLine, borrowing);
    }
}

/// <summary>Builds region summaries from their children. Pure: equal inputs give equal outputs.</summary>
public static class RegionAggregator
{
    /// <summary>Hours since the Unix epoch of an instant (the key of <see cref="RegionSummary.ReceivedByHour"/>).</summary>
    public static long HourOf(DateTimeOffset t) => t.ToUnixTimeSeconds() / 3600;

    /// <summary>True when an hour bucket lies in the 24 hours window ending at <paramref name="t"/>.</summary>
    public static bool InWindow(long hour, DateTimeOffset t) => hour > HourOf(t) - 24 && hour <= HourOf(t);

    /// <summary>The aggregate of a village from its subjects and households' redeemed points.</summary>
    public static RegionSummary Village(
        RegionInfo info,
        IReadOnlyCollection<SubjectSummary> subjects,
        IReadOnlyDictionary<string, decimal> householdRedeemed,
        ScoringModel farmerModel,
        CreditPolicy policy,
        DateTimeOffset t,
        long version)
    {
        var byType = RuralCreditConstants.SubjectTypes.ToDictionary(x => x, _ => 0);
        var byGrade = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var g in farmerModel.Grades)
        {
            byGrade[g.Grade] = 0;
        }

        var byHour = new Dictionary<long, int>();
        long scoreSum = 0;
        decimal earned = 0, redeemed = 0, creditLoans = 0, loans = 0;
        var pointsSince = t.AddDays(-policy.PointsVillageWindowDays);
        var runsPoints = false;
        var households = new Dictionary<string, List<SubjectSummary>>(StringComparer.Ordinal);

        foreach (var s in subjects)
        {
            byType[s.SubjectType] = byType.GetValueOrDefault(s.SubjectType) + 1;
            byGrade[s.Grade] = byGrade.GetValueOrDefault(s.Grade) + 1;
            scoreSum += s.Score;
            earned += s.PointsEarned;
            redeemed += s.PointsRedeemed;
            creditLoans += s.CreditLoanAmount;
            loans += s.LoanAmount;
            runsPoints |= s.LastGovernanceAt is { } g && g > pointsSince && g <= t;
            foreach (var received in s.RecentReceipts)
            {
                var hour = HourOf(received);
                if (InWindow(hour, t))
                {
                    byHour[hour] = byHour.GetValueOrDefault(hour) + 1;
                }
            }

            if (s.HouseholdId is { } hid)
            {
                if (!households.TryGetValue(hid, out var members))
                {
                    households[hid] = members = [];
                }

                members.Add(s);
            }
        }

        int creditHouseholds = 0, creditLineHouseholds = 0, borrowing = 0, borrowingClean = 0;
        foreach (var members in households.Values)
        {
            var status = HouseholdStatus.Compute(members, farmerModel, policy);
            creditHouseholds += status.IsCreditHousehold ? 1 : 0;
            creditLineHouseholds += status.HasCreditLine ? 1 : 0;
            if (status.IsBorrowing)
            {
                borrowing++;
                borrowingClean += status.InArrears ? 0 : 1;
            }
        }

        foreach (var (hid, value) in householdRedeemed)
        {
            if (households.ContainsKey(hid))
            {
                redeemed += value;
            }
        }

        var isCreditVillage = households.Count > 0
            && creditHouseholds >= policy.CreditVillageHouseholdShare * households.Count
            && (borrowing == 0 || borrowingClean > policy.CreditVillageRepaymentShare * borrowing);

        return new RegionSummary
        {
            Info = info,
            Version = version,
            UpdatedAt = t,
            Subjects = subjects.Count,
            ByType = byType,
            ByGrade = byGrade,
            ScoreSum = scoreSum,
            Households = households.Count,
            CreditHouseholds = creditHouseholds,
            CreditLineHouseholds = creditLineHouseholds,
            BorrowingHouseholds = borrowing,
            BorrowingHouseholdsWithoutOverdue = borrowingClean,
            // Archive coverage (SPEC §2.7) counts the subjects of declaring villages, at most as many as declared: a
            // village with more subjects than it expected is fully covered, and every level's rate stays within [0, 1].
            CoverageSubjects = info.ExpectedSubjects is > 0 ? Math.Min(subjects.Count, info.ExpectedSubjects.Value) : 0,
            CoverageExpected = info.ExpectedSubjects is > 0 ? info.ExpectedSubjects.Value : 0,
            PointsEarned = earned,
            PointsRedeemed = redeemed,
            CreditLoanAmount = creditLoans,
            LoanAmount = loans,
            ReceivedByHour = byHour,
            Records24h = byHour.Values.Sum(),
            Villages = 1,
            CreditVillages = isCreditVillage ? 1 : 0,
            PointsVillages = runsPoints ? 1 : 0,
            IsCreditVillage = isCreditVillage,
        };
    }

    /// <summary>The aggregate of a township, county or the city from its children's summaries.</summary>
    public static RegionSummary Parent(
        RegionInfo info, IReadOnlyCollection<RegionSummary> children, CreditPolicy policy, DateTimeOffset t, long version, IEnumerable<string>? grades = null)
    {
        var byType = RuralCreditConstants.SubjectTypes.ToDictionary(x => x, _ => 0);
        var byGrade = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var g in grades ?? [])
        {
            byGrade[g] = 0;
        }

        var byHour = new Dictionary<long, int>();
        int subjects = 0, households = 0, creditHouseholds = 0, creditLine = 0, borrowing = 0, borrowingClean = 0;
        int villages = 0, creditVillages = 0, pointsVillages = 0, townships = 0, creditTownships = 0, counties = 0, creditCounties = 0;
        long scoreSum = 0, coverageSubjects = 0, coverageExpected = 0;
        decimal earned = 0, redeemed = 0, creditLoans = 0, loans = 0;

        foreach (var c in children)
        {
            subjects += c.Subjects;
            foreach (var (k, v) in c.ByType)
            {
                byType[k] = byType.GetValueOrDefault(k) + v;
            }

            foreach (var (k, v) in c.ByGrade)
            {
                byGrade[k] = byGrade.GetValueOrDefault(k) + v;
            }

            foreach (var (hour, n) in c.ReceivedByHour)
            {
                if (InWindow(hour, t))
                {
                    byHour[hour] = byHour.GetValueOrDefault(hour) + n;
                }
            }

            scoreSum += c.ScoreSum;
            households += c.Households;
            creditHouseholds += c.CreditHouseholds;
            creditLine += c.CreditLineHouseholds;
            borrowing += c.BorrowingHouseholds;
            borrowingClean += c.BorrowingHouseholdsWithoutOverdue;
            coverageSubjects += c.CoverageSubjects;
            coverageExpected += c.CoverageExpected;
            earned += c.PointsEarned;
            redeemed += c.PointsRedeemed;
            creditLoans += c.CreditLoanAmount;
            loans += c.LoanAmount;
            villages += c.Villages;
            creditVillages += c.CreditVillages;
            pointsVillages += c.PointsVillages;
            townships += c.Townships;
            creditTownships += c.CreditTownships;
            counties += c.Counties;
            creditCounties += c.CreditCounties;
        }

        bool? isCreditTownship = null, isCreditCounty = null;
        if (info.Level == RegionLevels.Township)
        {
            isCreditTownship = villages > 0 && creditVillages >= policy.CreditTownshipVillageShare * villages;
            townships = 1;
            creditTownships = isCreditTownship.Value ? 1 : 0;
        }
        else if (info.Level == RegionLevels.County)
        {
            isCreditCounty = villages > 0 && creditVillages >= policy.CreditCountyVillageShare * villages;
            counties = 1;
            creditCounties = isCreditCounty.Value ? 1 : 0;
        }

        return new RegionSummary
        {
            Info = info,
            Version = version,
            UpdatedAt = t,
            Subjects = subjects,
            ByType = byType,
            ByGrade = byGrade,
            ScoreSum = scoreSum,
            Households = households,
            CreditHouseholds = creditHouseholds,
            CreditLineHouseholds = creditLine,
            BorrowingHouseholds = borrowing,
            BorrowingHouseholdsWithoutOverdue = borrowingClean,
            CoverageSubjects = coverageSubjects,
            CoverageExpected = coverageExpected,
            PointsEarned = earned,
            PointsRedeemed = redeemed,
            CreditLoanAmount = creditLoans,
            LoanAmount = loans,
            ReceivedByHour = byHour,
            Records24h = byHour.Values.Sum(),
            Villages = villages,
            CreditVillages = creditVillages,
            PointsVillages = pointsVillages,
            Townships = townships,
            CreditTownships = creditTownships,
            Counties = counties,
            CreditCounties = creditCounties,
            IsCreditTownship = isCreditTownship,
            IsCreditCounty = isCreditCounty,
        };
    }
}
