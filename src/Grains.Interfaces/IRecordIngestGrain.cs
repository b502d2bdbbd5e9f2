using Orleans.Concurrency;
using RuralCredit.Models;

namespace RuralCredit;

/// <summary>Validates record batches and makes them durable in the ledger (stateless worker; any key, see <see cref="WorkerLanes"/>).</summary>
public interface IRecordIngestGrain : IGrainWithIntegerKey
{
    /// <summary>Validates each record and appends the valid ones; returns once they are durable.</summary>
    Task<IReadOnlyList<RecordOutcome>> SubmitAsync(IReadOnlyList<RecordSubmission> records, Submitter submitter, CancellationToken cancellationToken = default);

    /// <summary>Revokes a record (only its source department or an operator); idempotent.</summary>
    Task<RevokeOutcome> RevokeAsync(string recordId, string reason, Submitter submitter);
}
