using System.Security.Cryptography;
using System.Text;
using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.Tests.Domain;

public sealed class ScoringSummaryTests
{
    private static readonly DateTimeOffset T = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string[]> RecordSets => new()
    {
        Array.Empty<string>(),
        new[] { "LOAN_REPAID", "INSURANCE_POLICY", "LAND_CONTRACT_RIGHT" },
        new[] { "ADMIN_PENALTY", "LOAN_REPAID", "ADMIN_PENALTY" },
        new[] { "COURT_DEFAULTER", "LOAN_REPAID" },
        new[] { "FARMER_BASIC_INFO", "ADMIN_PENALTY_SERIOUS", "ADMIN_PENALTY_SERIOUS", "ADMIN_PENALTY_SERIOUS" },
    };

    [Theory]
    [MemberData(nameof(RecordSets))]
    public void The_summary_evaluation_scores_exactly_like_the_detailed_one(string[] codes)
    {
        var model = DefaultData.Model("farmer");
        var catalog = DefaultData.Catalog.ToDictionary(i => i.Code);
        var records = codes.Select((c, i) => new EvaluationRecord($"r{i}", c, T.AddDays(-30 * i), RecordStatus.Active, "{}")).ToList();

        var full = ScoringEngine.Evaluate(model, c => catalog.GetValueOrDefault(c), records, T);
        var summary = ScoringEngine.Evaluate(model, c => catalog.GetValueOrDefault(c), records, T, details: false);

        Assert.Equal((full.Score, full.Grade, full.Veto), (summary.Score, summary.Grade, summary.Veto));
        Assert.Equal(full.Dimensions, summary.Dimensions);
        Assert.Empty(summary.Effects);
        Assert.Empty(summary.Reasons);
    }

    [Fact]
    public void A_reused_hmac_gives_the_same_person_id_as_a_fresh_one()
    {
        var secret = Encoding.UTF8.GetBytes("a-test-secret-of-some-length");
        using var hmac = new HMACSHA256(secret);

        foreach (var id in new[] { "11010519491231002X", "11010519491231002x", "110105194912310021" })
        {
            Assert.Equal(IdentityCodes.PersonSubjectId(id, secret), IdentityCodes.PersonSubjectId(id, hmac));
        }

        Assert.Equal(IdentityCodes.PersonSubjectId("11010519491231002X", hmac), IdentityCodes.PersonSubjectId("11010519491231002x", hmac));
    }
}
