using RuralCredit.Models;

namespace RuralCredit;

/// <summary>A background re-score of every subject of one type, keyed by job id.</summary>
public interface IRescoreJobGrain : IGrainWithStringKey
{
    /// <summary>Starts the job (idempotent).</summary>
    Task StartAsync(string subjectType, int modelVersion);

    /// <summary>Progress, or null when unknown.</summary>
    Task<JobStatus?> GetStatusAsync();
}
