using Orleans.Concurrency;
using RuralCredit.Models;

namespace RuralCredit;

/// <summary>A subject (涉农主体), keyed by subject id: its credit profile, archive and own points account.</summary>
public interface ISubjectGrain : IGrainWithStringKey
{
    /// <summary>Registers or updates basic information (idempotent upsert).</summary>
    Task<bool> RegisterAsync(SubjectInfo info);

    /// <summary>Basic information, or null when the subject was never registered.</summary>
    [AlwaysInterleave, ReadOnly]
    Task<SubjectInfo?> GetInfoAsync();

    /// <summary>The profile evaluated at <paramref name="asOf"/> (now when null).</summary>
    Task<SubjectProfile?> GetProfileAsync(DateTimeOffset? asOf);

    /// <summary>Every counting record and its effect at <paramref name="asOf"/>.</summary>
    Task<ScoreExplanation?> ExplainAsync(DateTimeOffset? asOf);

    /// <summary>The archive: every record ever received for this subject with its status history.</summary>
    Task<IReadOnlyList<RecordView>> GetRecordsAsync();

    /// <summary>The latest summary sent to the village (evaluated now).</summary>
    [AlwaysInterleave]
    Task<SubjectSummary?> GetSummaryAsync();

    /// <summary>The summary as of a past time <paramref name="asOf"/> (a household's view of that time asks each member).</summary>
    [AlwaysInterleave]
    Task<SubjectSummary?> GetSummaryAsOfAsync(DateTimeOffset asOf);

    /// <summary>Catches up from the ledger, re-evaluates now and sends the summary upward; returns it.</summary>
    Task<SubjectSummary?> RefreshAsync();

    /// <summary>
    /// As <see cref="RefreshAsync"/>, with model <paramref name="modelVersion"/> at least: a silo that has not yet
    /// heard of a newly published model takes it from the model grain first.
    /// </summary>
    Task<SubjectSummary?> RescoreAsync(int modelVersion);

    /// <summary>Debits the subject's own points account (subjects without a household).</summary>
    Task<RedemptionResult> RedeemAsync(Redemption redemption);
}
