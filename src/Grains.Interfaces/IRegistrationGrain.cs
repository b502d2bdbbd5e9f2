using RuralCredit.Models;

namespace RuralCredit;

/// <summary>Registers regions and subjects in batches (stateless worker; any key, see <see cref="WorkerLanes"/>).</summary>
public interface IRegistrationGrain : IGrainWithIntegerKey
{
    /// <summary>Registers regions; parents must exist or come earlier in the batch.</summary>
    Task<IReadOnlyList<RegistrationOutcome>> RegisterRegionsAsync(IReadOnlyList<RegionInfo> regions);

    /// <summary>Registers subjects; the village must exist.</summary>
    Task<IReadOnlyList<RegistrationOutcome>> RegisterSubjectsAsync(IReadOnlyList<SubjectRegistration> subjects);

    /// <summary>Debits the account a subject belongs to (its household's, else its own), once per redemption id (<see cref="IRedemptionGrain"/>).</summary>
    Task<RedemptionResult> RedeemAsync(string subjectId, Redemption redemption);
}
