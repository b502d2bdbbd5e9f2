using RuralCredit.Models;

namespace RuralCredit;

/// <summary>Registers regions and subjects in batches (stateless worker; any key, see <see cref="WorkerLanes"/>).</summary>
public interface IRegistrationGrain : IGrainWithIntegerKey
{
    /// <summary>Registers regions; parents must exist or come earlier in the batch.</summary>
    Task<IReadOnlyList<RegistrationOutcome>> RegisterRegionsAsync(IReadOnlyList<RegionInfo> regions);

    /// <summary>Registers subjects; the village must exist.</summary>
    Task<IReadOnlyList<RegistrationOutcome>> RegisterSubjectsAsync(IReadOnlyList<SubjectRegistration> subjects);
}
