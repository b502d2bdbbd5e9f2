using System.Text.Json.Nodes;

namespace RuralCredit.Tests.Infrastructure;

/// <summary>
/// What a region aggregate (<c>GET /v1/regions/{code}</c>) must equal: a village, what its subjects' profiles and its
/// households' views add up to; a township, county or the city, the sum of its children. Each check returns the list of
/// differences (empty when it holds), so that a test can poll until an eventually consistent view converges; the
/// <c>Assert…</c> forms fail with all of them.
/// </summary>
internal static class RegionChecks
{
    /// <summary>A subject registered in a village: its id, type and household.</summary>
    public sealed record Member(string SubjectId, string SubjectType, string? HouseholdId);

    /// <summary>The count fields every aggregate has, summed from the children.</summary>
    private static readonly string[] CountFields = ["households", "creditHouseholds", "creditLineHouseholds", "records24h", "creditVillages", "villages", "pointsVillages"];

    /// <summary>A parent's count fields equal the sums over its children; its mean is their subject-weighted mean.</summary>
    public static void AssertSum(JsonNode parent, IReadOnlyList<JsonNode> children) => AssertNone(SumProblems(parent, children));

    /// <summary>Differences between a parent and the sum of its children (see <see cref="AssertSum"/>).</summary>
    public static List<string> SumProblems(JsonNode parent, IReadOnlyList<JsonNode> children)
    {
        var problems = new List<string>();
        var code = parent.Str("code");
        foreach (var field in CountFields)
        {
            var sum = children.Sum(c => c.Int(field));
            Check(problems, sum == parent.Int(field), $"{code}.{field}: {parent.Int(field)} ≠ Σ children {sum}");
        }

        var total = parent["subjects"]!.Int("total");
        var totalSum = children.Sum(c => c["subjects"]!.Int("total"));
        Check(problems, totalSum == total, $"{code}.subjects.total: {total} ≠ Σ children {totalSum}");
        foreach (var group in new[] { "byType", "byGrade" })
        {
            var keys = children.SelectMany(c => c["subjects"]![group]!.AsObject().Select(p => p.Key))
                .Union(parent["subjects"]![group]!.AsObject().Select(p => p.Key));
            foreach (var key in keys)
            {
                var sum = children.Sum(c => c["subjects"]![group]![key]?.GetValue<int>() ?? 0);
                var value = parent["subjects"]![group]![key]?.GetValue<int>() ?? 0;
                Check(problems, sum == value, $"{code}.subjects.{group}.{key}: {value} ≠ Σ children {sum}");
            }
        }

        foreach (var field in new[] { "earned", "redeemed" })
        {
            var sum = children.Sum(c => c["points"]!.Dec(field));
            Check(problems, sum == parent["points"]!.Dec(field), $"{code}.points.{field}: {parent["points"]!.Dec(field)} ≠ Σ children {sum}");
        }

        if (total > 0)
        {
            var weighted = children.Where(c => c["subjects"]!.Int("total") > 0).Sum(c => c.Num("meanScore") * c["subjects"]!.Int("total"));
            Check(problems, Math.Abs((weighted / total) - parent.Num("meanScore")) < 1e-9, $"{code}.meanScore: {parent.Num("meanScore")} ≠ weighted mean of children {weighted / total}");
        }

        if (parent.Str("level") is "county" or "city")
        {
            var townships = children.Sum(c => c["townships"]?.GetValue<int>() ?? (c.Str("level") == "township" ? 1 : 0));
            Check(problems, townships == parent.Int("townships"), $"{code}.townships: {parent.Int("townships")} ≠ Σ children {townships}");
            var creditTownships = children.Sum(c => c["creditTownships"]?.GetValue<int>() ?? (c["isCreditTownship"]?.GetValue<bool>() == true ? 1 : 0));
            Check(problems, creditTownships == parent.Int("creditTownships"), $"{code}.creditTownships: {parent.Int("creditTownships")} ≠ Σ children {creditTownships}");
        }

        return problems;
    }

    /// <summary>A village equals what its members' profiles and its households' views add up to (see <see cref="VillageProblems"/>).</summary>
    public static void AssertVillage(
        string village,
        JsonNode view,
        IReadOnlyList<Member> members,
        IReadOnlyDictionary<string, JsonNode> profiles,
        IReadOnlyDictionary<string, JsonNode> households,
        bool allRecordsRecent) =>
        AssertNone(VillageProblems(village, view, members, profiles, households, allRecordsRecent));

    /// <summary>
    /// Differences between a village's aggregate and its members: subject counts by type and grade, mean score, earned
    /// points, households, credit households and households with a credit line (from <c>GET /v1/households/{id}</c>),
    /// and, when every record was received within the last 24 hours, <c>records24h</c> = Σ members' record counts.
    /// </summary>
    public static List<string> VillageProblems(
        string village,
        JsonNode view,
        IReadOnlyList<Member> members,
        IReadOnlyDictionary<string, JsonNode> profiles,
        IReadOnlyDictionary<string, JsonNode> households,
        bool allRecordsRecent)
    {
        var problems = new List<string>();
        var mine = members.Select(m => profiles[m.SubjectId]).ToList();
        var subjects = view["subjects"]!;
        Check(problems, members.Count == subjects.Int("total"), $"village {village} subjects.total: {subjects.Int("total")} ≠ {members.Count} members");
        foreach (var type in members.Select(m => m.SubjectType).Union(subjects["byType"]!.AsObject().Select(p => p.Key)))
        {
            var expected = members.Count(m => m.SubjectType == type);
            var value = subjects["byType"]![type]?.GetValue<int>() ?? 0;
            Check(problems, expected == value, $"village {village} byType.{type}: {value} ≠ {expected} members");
        }

        foreach (var grade in mine.Select(p => p.Str("grade")).Union(subjects["byGrade"]!.AsObject().Select(p => p.Key)))
        {
            var expected = mine.Count(p => p.Str("grade") == grade);
            var value = subjects["byGrade"]![grade]?.GetValue<int>() ?? 0;
            Check(problems, expected == value, $"village {village} byGrade.{grade}: {value} ≠ {expected} members' profiles");
        }

        if (mine.Count > 0)
        {
            var mean = (double)mine.Sum(p => (long)p.Int("score")) / mine.Count;
            Check(problems, mean == view.Num("meanScore"), $"village {village} meanScore: {view.Num("meanScore")} ≠ members' profiles {mean}");
        }

        var householdIds = members.Where(m => m.HouseholdId is not null).Select(m => m.HouseholdId!).Distinct().ToList();
        Check(problems, householdIds.Count == view.Int("households"), $"village {village} households: {view.Int("households")} ≠ {householdIds.Count}");
        var credit = householdIds.Count(h => households[h]["isCreditHousehold"]!.GetValue<bool>());
        Check(problems, credit == view.Int("creditHouseholds"), $"village {village} creditHouseholds: {view.Int("creditHouseholds")} ≠ households' views {credit}");
        var creditLines = householdIds.Count(h => households[h]["hasCreditLine"]!.GetValue<bool>());
        Check(problems, creditLines == view.Int("creditLineHouseholds"), $"village {village} creditLineHouseholds: {view.Int("creditLineHouseholds")} ≠ households' views {creditLines}");
        double? rate = householdIds.Count == 0 ? null : (double)creditLines / householdIds.Count;
        Check(problems, rate == view["wholeVillageCreditRate"]?.GetValue<double>(), $"village {village} wholeVillageCreditRate: {view["wholeVillageCreditRate"]} ≠ {rate}");
        var earned = mine.Sum(p => p["points"]!.Dec("earned"));
        Check(problems, earned == view["points"]!.Dec("earned"), $"village {village} points.earned: {view["points"]!.Dec("earned")} ≠ members' profiles {earned}");
        if (allRecordsRecent)
        {
            var records = mine.Sum(p => p.Int("recordCount"));
            Check(problems, records == view.Int("records24h"), $"village {village} records24h: {view.Int("records24h")} ≠ Σ members' recordCount {records}");
        }

        Check(problems, view.Int("villages") == 1, $"village {village} villages: {view.Int("villages")} ≠ 1");
        var isCreditVillage = view["isCreditVillage"]!.GetValue<bool>();
        Check(problems, view.Int("creditVillages") == (isCreditVillage ? 1 : 0), $"village {village} creditVillages {view.Int("creditVillages")} disagrees with isCreditVillage {isCreditVillage}");
        return problems;
    }

    private static void AssertNone(List<string> problems) => Assert.True(problems.Count == 0, string.Join('\n', problems));

    private static void Check(List<string> problems, bool holds, string problem)
    {
        if (!holds)
        {
            problems.Add(problem);
        }
    }
}
