using System.Text;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using RuralCredit.Domain;
using RuralCredit.Hosting;
using RuralCredit.Ledger;
using RuralCredit.Models;

namespace RuralCredit.Grains;

/// <summary>
/// Registers regions and subjects in batches: code and check-digit validation, pseudonymous person ids,
/// directory upserts, and routing of redemptions to the right points account.
/// </summary>
[StatelessWorker]
public sealed class RegistrationGrain(
    ISubjectDirectory directory,
    IOptions<IdentityOptions> identity) : Grain, IRegistrationGrain
{
    private static readonly Dictionary<string, int> CodeLengths = new(StringComparer.Ordinal)
    {
        [RegionLevels.City] = 6,
        [RegionLevels.County] = 6,
        [RegionLevels.Township] = 9,
        [RegionLevels.Village] = 12,
    };

    private const int RegistrationParallelism = 256;

    private readonly System.Security.Cryptography.HMACSHA256 _personIds = new(Encoding.UTF8.GetBytes(identity.Value.PersonIdSecret));

    public async Task<IReadOnlyList<RegistrationOutcome>> RegisterRegionsAsync(IReadOnlyList<RegionInfo> regions)
    {
        var results = new RegistrationOutcome?[regions.Count];
        var known = new Dictionary<string, RegionInfo>(StringComparer.Ordinal);
        var valid = new List<(int Index, RegionInfo Region)>(regions.Count);
        for (var i = 0; i < regions.Count; i++)
        {
            var r = regions[i];
            var error = await ValidateRegionAsync(r, known);
            if (error is not null)
            {
                results[i] = new RegistrationOutcome(i, r.Code, "rejected", error);
                continue;
            }

            known[r.Code] = r;
            valid.Add((i, r));
        }

        // Level by level (a parent is registered before its children), side by side within a level; the entries
        // of one code keep their order, and a parent hears of its children one at a time.
        foreach (var level in new[] { RegionLevels.City, RegionLevels.County, RegionLevels.Township, RegionLevels.Village })
        {
            var atLevel = valid.Where(v => v.Region.Level == level).ToList();
            await Task.WhenAll(atLevel.GroupBy(v => v.Region.Code, StringComparer.Ordinal).Select(async group =>
            {
                foreach (var (i, r) in group)
                {
                    var created = r.Level == RegionLevels.Village
                        ? await GrainFactory.ByKey<IVillageGrain>(r.Code).RegisterAsync(r)
                        : await GrainFactory.ByKey<IRegionGrain>(r.Code).RegisterAsync(r);
                    results[i] = new RegistrationOutcome(i, r.Code, created ? "created" : "updated", null);
                }
            }));
            await Task.WhenAll(atLevel.Where(v => v.Region.ParentCode is not null).GroupBy(v => v.Region.ParentCode!, StringComparer.Ordinal).Select(async group =>
            {
                foreach (var (_, r) in group)
                {
                    await GrainFactory.ByKey<IRegionGrain>(group.Key).AddChildAsync(r.Code);
                }
            }));
        }

        return results.Select(r => r!).ToList();
    }

    private async Task<ItemError?> ValidateRegionAsync(RegionInfo r, Dictionary<string, RegionInfo> known)
    {
        if (!CodeLengths.TryGetValue(r.Level ?? "", out var length))
        {
            return new ItemError("validation_failed", "level must be city, county, township or village");
        }

        if (r.Code is null || r.Code.Length != length || !r.Code.All(char.IsAsciiDigit))
        {
            return new ItemError("validation_failed", $"a {r.Level} code has {length} digits");
        }

        if (string.IsNullOrWhiteSpace(r.Name) || r.Name.Length > 100 || r.Name.Any(char.IsControl))
        {
            return new ItemError("validation_failed", "name is required (at most 100 characters, no control characters)");
        }

        if (r.ExpectedHouseholds is < 0 || r.ExpectedSubjects is < 0)
        {
            return new ItemError("validation_failed", "expectedHouseholds and expectedSubjects must not be negative");
        }

        if (r.Level == RegionLevels.City)
        {
            return r.ParentCode is null ? null : new ItemError("validation_failed", "a city has no parent");
        }

        if (r.ParentCode is null)
        {
            return new ItemError("validation_failed", "parentCode is required");
        }

        var parent = known.GetValueOrDefault(r.ParentCode) ?? await FindRegionAsync(r.ParentCode);
        if (parent is null)
        {
            return new ItemError("unknown_region", $"parent region {r.ParentCode} is not registered");
        }

        if (RegionLevels.ChildOf(parent.Level) != r.Level)
        {
            return new ItemError("validation_failed", $"a {r.Level} cannot be a child of a {parent.Level}");
        }

        var prefix = r.Level == RegionLevels.County ? 4 : parent.Code.Length;
        if (!r.Code.StartsWith(parent.Code[..prefix], StringComparison.Ordinal))
        {
            return new ItemError("validation_failed", $"code {r.Code} does not lie under {parent.Code}");
        }

        return null;
    }

    private Task<RegionInfo?> FindRegionAsync(string code) => code.Length == 12
        ? GrainFactory.ByKey<IVillageGrain>(code).GetInfoAsync()
        : GrainFactory.ByKey<IRegionGrain>(code).GetInfoAsync();

    public async Task<IReadOnlyList<RegistrationOutcome>> RegisterSubjectsAsync(IReadOnlyList<SubjectRegistration> subjects)
    {
        var results = new RegistrationOutcome?[subjects.Count];
        var villages = new Dictionary<string, bool>(StringComparer.Ordinal);
        var valid = new List<(int Index, SubjectInfo Info)>(subjects.Count);
        for (var i = 0; i < subjects.Count; i++)
        {
            var (info, error) = await ValidateSubjectAsync(subjects[i], villages);
            if (error is not null)
            {
                results[i] = new RegistrationOutcome(i, info?.SubjectId, "rejected", error);
                continue;
            }

            valid.Add((i, info!));
        }

        // A subject keeps its type: checked against the directory (one round trip) and within the batch.
        var known = await directory.FindManyAsync(valid.Select(v => v.Info.SubjectId).Distinct(StringComparer.Ordinal).ToList());
        var types = known.ToDictionary(kv => kv.Key, kv => kv.Value.SubjectType, StringComparer.Ordinal);
        var households = await HouseholdVillagesAsync(valid);
        var accepted = new List<(int Index, SubjectInfo Info)>(valid.Count);
        foreach (var (i, info) in valid)
        {
            if (types.TryGetValue(info.SubjectId, out var type) && type != info.SubjectType)
            {
                results[i] = new RegistrationOutcome(i, info.SubjectId, "rejected", new ItemError("validation_failed", $"subject is already registered as {type}"));
                continue;
            }

            if (info.HouseholdId is { } household && households.TryGetValue(household, out var village) && village != info.VillageCode)
            {
                results[i] = new RegistrationOutcome(i, info.SubjectId, "rejected", new ItemError("validation_failed",
                    $"household {household} lives in village {village}: its members register there (a household that moves registers all its members in one batch)"));
                continue;
            }

            types[info.SubjectId] = info.SubjectType;
            if (info.HouseholdId is { } joined)
            {
                households[joined] = info.VillageCode;
            }

            accepted.Add((i, info));
        }

        // Subjects register side by side (the entries of one subject id keep their order); a grain that activates
        // here still finds its previous registration in the directory, so a move to another village or household
        // is seen. Then one directory upsert makes the whole batch durable, and only then does the batch answer.
        // At most RegistrationParallelism subjects activate at once per batch, so that a bulk import of several
        // batches side by side queues its activations here rather than inside the silo.
        foreach (var chunk in accepted.GroupBy(a => a.Info.SubjectId, StringComparer.Ordinal).Chunk(RegistrationParallelism))
        {
            await Task.WhenAll(chunk.Select(async group =>
            {
                foreach (var (i, info) in group)
                {
                    if (!known.ContainsKey(info.SubjectId))
                    {
                        RequestContext.Set(SubjectGrain.FirstRegistrationKey, true); // flows to this call only
                    }

                    var created = await GrainFactory.ByKey<ISubjectGrain>(info.SubjectId).RegisterAsync(info);
                    RequestContext.Remove(SubjectGrain.FirstRegistrationKey);
                    results[i] = new RegistrationOutcome(i, info.SubjectId, created ? "created" : "updated", null);
                }
            }));
        }
        await directory.UpsertManyAsync(accepted.Select(a => a.Info).ToList());

        return results.Select(r => r!).ToList();
    }

    /// <summary>
    /// The village of each household named in the batch, as its members that stay where they are fix it: members
    /// registered again in this batch are left out (they may be moving, the whole household with them), so only a
    /// member that stays in another village makes a subject's household conflict. A household counts in one village.
    /// </summary>
    private async Task<Dictionary<string, string>> HouseholdVillagesAsync(List<(int Index, SubjectInfo Info)> batch)
    {
        var villages = new Dictionary<string, string>(StringComparer.Ordinal);
        var named = batch.Select(b => b.Info.HouseholdId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (named.Count == 0)
        {
            return villages;
        }

        var inBatch = batch.Select(b => b.Info.SubjectId).ToHashSet(StringComparer.Ordinal);
        var members = await directory.ListByHouseholdsAsync(named);
        for (var h = 0; h < named.Count; h++)
        {
            if (members[h].FirstOrDefault(m => !inBatch.Contains(m.SubjectId)) is { SubjectId: not null } staying)
            {
                villages[named[h]] = staying.VillageCode;
            }
        }

        return villages;
    }

    private async Task<(SubjectInfo? Info, ItemError? Error)> ValidateSubjectAsync(SubjectRegistration s, Dictionary<string, bool> villages)
    {
        if (!RuralCreditConstants.SubjectTypes.Contains(s.SubjectType))
        {
            return (null, new ItemError("validation_failed", $"subjectType must be one of {string.Join(", ", RuralCreditConstants.SubjectTypes)}"));
        }

        if (string.IsNullOrWhiteSpace(s.Name) || s.Name.Length > 100 || s.Name.Any(char.IsControl))
        {
            return (null, new ItemError("validation_failed", "name is required (at most 100 characters, no control characters)"));
        }

        string subjectId, displayName, maskedId;
        if (s.SubjectType == "farmer")
        {
            if (!IdentityCodes.IsValidIdNumber(s.IdNumber))
            {
                return (null, new ItemError("validation_failed", "idNumber must be a valid 18-character 居民身份证号 (check digit)"));
            }

            subjectId = IdentityCodes.PersonSubjectId(s.IdNumber!, _personIds);
            displayName = IdentityCodes.MaskPersonName(s.Name);
            maskedId = IdentityCodes.MaskIdNumber(s.IdNumber!);
        }
        else
        {
            if (!IdentityCodes.IsValidCreditCode(s.CreditCode))
            {
                return (null, new ItemError("validation_failed", "creditCode must be a valid 18-character 统一社会信用代码 (check character)"));
            }

            if (s.HouseholdId is not null)
            {
                return (null, new ItemError("validation_failed", "only farmers belong to households"));
            }

            subjectId = s.CreditCode!;
            displayName = s.Name;
            maskedId = s.CreditCode!;
        }

        if (s.HouseholdId is { } hid && (hid.Length is 0 or > 64 || hid.Any(char.IsControl)))
        {
            return (null, new ItemError("validation_failed", "householdId must be 1–64 printable characters"));
        }

        if (s.VillageCode is null || s.VillageCode.Length != 12)
        {
            return (null, new ItemError("validation_failed", "villageCode must be a 12-digit village code"));
        }

        if (!villages.TryGetValue(s.VillageCode, out var exists))
        {
            exists = villages[s.VillageCode] = await GrainFactory.ByKey<IVillageGrain>(s.VillageCode).GetInfoAsync() is not null;
        }

        if (!exists)
        {
            return (null, new ItemError("unknown_region", $"village {s.VillageCode} is not registered"));
        }

        return (new SubjectInfo
        {
            SubjectId = subjectId,
            SubjectType = s.SubjectType,
            Name = s.Name,
            DisplayName = displayName,
            MaskedId = maskedId,
            VillageCode = s.VillageCode,
            HouseholdId = s.HouseholdId,
        }, null);
    }
}
