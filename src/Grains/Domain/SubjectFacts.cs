using RuralCredit.Models;

namespace RuralCredit.Domain;

/// <summary>What aggregates and tags need of a subject at one time (SPEC §2.7 definitions).</summary>
public sealed record SubjectFacts(
    decimal PointsEarned,
    bool HasCreditLine,
    bool IsBorrowing,
    bool InArrears,
    decimal CreditLoanAmount,
    decimal LoanAmount,
    bool SeriousDishonesty,
    bool Demonstration,
    DateTimeOffset? LastGovernanceAt)
{
    /// <summary>Tag: a counting record of severity serious.</summary>
    public const string TagSeriousDishonesty = "严重失信";

    /// <summary>Tag: a counting demonstration record.</summary>
    public const string TagDemonstration = "示范主体";

    /// <summary>Tag: the subject's household is a credit household.</summary>
    public const string TagCreditHousehold = "信用户";

    /// <summary>Computes the facts of <paramref name="records"/> at <paramref name="t"/>.</summary>
    public static SubjectFacts Compute(Func<string, CatalogItem?> catalog, IReadOnlyList<EvaluationRecord> records, DateTimeOffset t)
    {
        decimal earned = 0, creditLoans = 0, loans = 0;
        bool creditLine = false, borrowing = false, arrears = false, serious = false, demo = false;
        DateTimeOffset? lastGovernance = null;

        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var item = catalog(record.CatalogCode);
            if (item is null)
            {
                continue;
            }

            if (item.GovernancePoints is { } gp
                && record.Status is RecordStatus.Active or RecordStatus.Disputed
                && record.OccurredAt <= t)
            {
                earned += GovernancePointsOf(gp, record.PayloadJson);
                if (lastGovernance is null || record.OccurredAt > lastGovernance)
                {
                    lastGovernance = record.OccurredAt;
                }
            }

            if (!ScoringEngine.Counts(record, item, t))
            {
                continue;
            }

            serious |= item.Severity == "serious";
            switch (item.Role)
            {
                case CatalogRoles.CreditLine:
                    creditLine |= Payload.GetDate(record.PayloadJson, "expiresAt") is { } expires && expires > t;
                    break;
                case CatalogRoles.Loan:
                    borrowing = true;
                    var amount = (decimal)(Payload.GetNumber(record.PayloadJson, "amount") ?? 0);
                    loans += amount;
                    if (Payload.GetString(record.PayloadJson, "guarantee") == "credit")
                    {
                        creditLoans += amount;
                    }

                    break;
                case CatalogRoles.LoanOverdue:
                    arrears = true;
                    break;
                case CatalogRoles.Demonstration:
                    demo = true;
                    break;
            }
        }

        return new SubjectFacts(earned, creditLine, borrowing, arrears, creditLoans, loans, serious, demo, lastGovernance);
    }

    /// <summary>Points a record earns: fixed, or units × rate bounded in magnitude.</summary>
    public static decimal GovernancePointsOf(GovernancePoints gp, string payloadJson)
    {
        if (gp.Points is { } points)
        {
            return points;
        }

        if (gp.PointsPerUnit is not { } perUnit || gp.UnitField is null)
        {
            return 0;
        }

        var units = (decimal)(Payload.GetNumber(payloadJson, gp.UnitField) ?? 0);
        var raw = perUnit * units;
        return gp.MaxPoints is { } max && Math.Abs(raw) > Math.Abs(max) ? Math.Sign(raw) * Math.Abs(max) : raw;
    }
}
