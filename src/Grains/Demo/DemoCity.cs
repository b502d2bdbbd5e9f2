using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using RuralCredit.Domain;
using RuralCredit.Models;
using RegionInfo = RuralCredit.Models.RegionInfo;

namespace RuralCredit.Demo;

/// <summary>
/// How much synthetic data <see cref="DemoCity"/> generates. Household sizes (1–4 farmers, mean
/// <see cref="MeanHouseholdSize"/>) and households per village (±20 %) vary; records per subject vary from 1 to
/// 2 × <see cref="RecordsPerSubject"/> − 1 (mean exactly <see cref="RecordsPerSubject"/>).
/// </summary>
public sealed record DemoScale(int VillagesPerTownship, int HouseholdsPerVillage, int OrganisationsPerVillage, int RecordsPerSubject, int Seed = 20231)
{
    /// <summary>Village codes use the 村委会 range 201–399 under each township.</summary>
    public const int MaxVillagesPerTownship = 199;

    /// <summary>Mean farmers per household (sizes 1, 2, 3, 4 with weights 15, 35, 30, 20 %).</summary>
    public const double MeanHouseholdSize = 2.55;

    /// <summary>Share of organisations among subjects chosen by <see cref="ForSubjects"/> (Suqian: ~50 k of ~1 M).</summary>
    public const double OrganisationShare = 0.05;

    /// <summary>Typical subjects per village chosen by <see cref="ForSubjects"/> (Suqian: ~1,500 villages).</summary>
    public const double TargetSubjectsPerVillage = 130;

    /// <summary>A few thousand subjects and ~12 k records: for tests and trying it out.</summary>
    public static DemoScale Small { get; } = new(2, 5, 2, 4);

    /// <summary>
    /// A scale whose totals come close to <paramref name="subjects"/> subjects and <paramref name="recordsTotal"/>
    /// records over the 109 real townships. The records per subject are a whole number, so the record total is
    /// exact only when the ratio is close to one; the smallest city has one household per village.
    /// </summary>
    public static DemoScale ForSubjects(int subjects, int recordsTotal, int seed = 20231)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(subjects);
        ArgumentOutOfRangeException.ThrowIfNegative(recordsTotal);
        var townships = DemoCity.TownshipCount;
        var villages = Math.Clamp((int)Math.Round(subjects / (townships * TargetSubjectsPerVillage)), 1, MaxVillagesPerTownship);
        var perVillage = subjects / (double)(townships * villages);
        var baseOrganisations = Math.Max(1, (int)Math.Round(perVillage * OrganisationShare));
        var baseHouseholds = (int)Math.Round((perVillage - baseOrganisations) / MeanHouseholdSize);

        // Whole households, organisations and records per subject: take the neighbour closest to both targets.
        (int Households, int Organisations, int PerSubject, double Error) best = (0, 0, 0, double.MaxValue);
        for (var households = Math.Max(1, baseHouseholds - 1); households <= baseHouseholds + 1; households++)
        {
            for (var organisations = Math.Max(1, baseOrganisations - 2); organisations <= baseOrganisations + 2; organisations++)
            {
                var estimated = (double)townships * villages * ((households * MeanHouseholdSize) + organisations);
                var perSubject = recordsTotal == 0 ? 0 : Math.Max(1, (int)Math.Round(recordsTotal / estimated));
                var error = (Math.Abs(estimated - subjects) / subjects)
                    + (recordsTotal == 0 ? 0 : Math.Abs((estimated * perSubject) - recordsTotal) / recordsTotal)
                    + (Math.Abs(organisations - (perVillage * OrganisationShare)) / Math.Max(1, perVillage) * 0.1);
                if (error < best.Error)
                {
                    best = (households, organisations, perSubject, error);
                }
            }
        }

        return new DemoScale(villages, best.Households, best.Organisations, best.PerSubject, seed);
    }
}

/// <summary>
/// A deterministic synthetic Suqian: the real city, counties and townships, generated villages, households of
/// farmers with valid 居民身份证号, organisations with valid 统一社会信用代码, and credit records that satisfy the
/// default catalog. The same scale, <c>now</c> and catalog always give the same output; records are streamed.
/// </summary>
public sealed class DemoCity
{
    /// <summary>The six organisation types, assigned in turn.</summary>
    public static readonly IReadOnlyList<string> OrganisationTypes =
        ["family_farm", "cooperative", "enterprise", "service_org", "agri_input", "grain_enterprise"];

    public const string FarmerType = "farmer";

    private static readonly Lazy<IReadOnlyList<RegionInfo>> BaseRegionList = new(LoadBaseRegions);
    private static readonly DateOnly FirstBirthDay = new(1950, 1, 1);
    private static readonly int BirthDays = new DateOnly(2000, 12, 31).DayNumber - FirstBirthDay.DayNumber + 1;
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly int[] PowersOfTen = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];
    private static readonly string[] SerialFormats = [.. Enumerable.Range(0, 10).Select(d => "D" + d.ToString(CultureInfo.InvariantCulture))];
    private const string CreditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private const long OrgSerialSpace = 887_503_681; // 31^6

    private readonly List<RegionInfo> regions;
    private readonly List<VillagePlan> villages;
    private readonly List<CountyInfo> counties;
    private readonly Dictionary<string, ItemTable> itemTables;
    private readonly long orgSerialOffset;
    private readonly DateOnly firstRecordDay;
    private readonly int recordDays;
    private readonly DateOnly today;
    private long? recordCount;

    public DemoCity(DemoScale scale, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale.VillagesPerTownship);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale.VillagesPerTownship, DemoScale.MaxVillagesPerTownship);
        ArgumentOutOfRangeException.ThrowIfNegative(scale.HouseholdsPerVillage);
        ArgumentOutOfRangeException.ThrowIfNegative(scale.OrganisationsPerVillage);
        ArgumentOutOfRangeException.ThrowIfNegative(scale.RecordsPerSubject);
        Scale = scale;
        Now = now.ToUniversalTime();

        // Records occur on midnight-aligned UTC dates within [now − 3 years, now].
        var utc = Now.UtcDateTime;
        today = DateOnly.FromDateTime(utc);
        var earliest = utc.AddYears(-3);
        var earliestDay = DateOnly.FromDateTime(earliest);
        firstRecordDay = earliest.TimeOfDay == TimeSpan.Zero ? earliestDay : earliestDay.AddDays(1);
        recordDays = Math.Max(1, today.DayNumber - firstRecordDay.DayNumber + 1);

        var structure = new Random(scale.Seed);
        orgSerialOffset = structure.NextInt64(OrgSerialSpace);
        regions = [.. BaseRegionList.Value];
        counties = [];
        var countyIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var county in regions.Where(r => r.Level == RegionLevels.County))
        {
            countyIndex[county.Code] = counties.Count;
            counties.Add(new CountyInfo(county.Code, county.Name));
        }

        villages = [];
        foreach (var township in regions.Where(r => r.Level == RegionLevels.Township).ToList())
        {
            var county = township.ParentCode is { } parent && countyIndex.TryGetValue(parent, out var ci) ? ci : 0;
            var nameStart = structure.Next(Names.VillageNamePool.Length);
            for (var v = 0; v < scale.VillagesPerTownship; v++)
            {
                var name = Names.VillageNamePool[(nameStart + v * 97) % Names.VillageNamePool.Length];
                var spread = scale.HouseholdsPerVillage / 5;
                var householdCount = scale.HouseholdsPerVillage + structure.Next(-spread, spread + 1);
                var sizes = new byte[householdCount];
                var farmers = 0;
                for (var h = 0; h < householdCount; h++)
                {
                    var roll = structure.Next(100);
                    sizes[h] = (byte)(roll < 15 ? 1 : roll < 50 ? 2 : roll < 80 ? 3 : 4);
                    farmers += sizes[h];
                }

                var subjects = farmers + scale.OrganisationsPerVillage;
                var region = new RegionInfo
                {
                    Code = township.Code + (201 + v).ToString("D3", CultureInfo.InvariantCulture),
                    Name = name + "村",
                    Level = RegionLevels.Village,
                    ParentCode = township.Code,
                    ExpectedHouseholds = householdCount + Math.Max(1, (int)Math.Ceiling(householdCount * (0.02 + structure.NextDouble() * 0.10))),
                    ExpectedSubjects = subjects + Math.Max(1, (int)Math.Ceiling(subjects * (0.02 + structure.NextDouble() * 0.10))),
                };
                villages.Add(new VillagePlan(region, county, name, sizes, scale.OrganisationsPerVillage));
                HouseholdCount += householdCount;
                FarmerCount += farmers;
                OrganisationCount += scale.OrganisationsPerVillage;
            }
        }

        regions.AddRange(villages.Select(v => v.Region));
        itemTables = BuildItemTables(DefaultData.Catalog);
    }

    /// <summary>The scale this city was generated at.</summary>
    public DemoScale Scale { get; }

    /// <summary>The evaluation instant records are generated before (UTC).</summary>
    public DateTimeOffset Now { get; }

    /// <summary>Generated villages.</summary>
    public int VillageCount => villages.Count;

    /// <summary>Generated households (every farmer belongs to one).</summary>
    public int HouseholdCount { get; }

    /// <summary>Generated farmer subjects.</summary>
    public int FarmerCount { get; }

    /// <summary>Generated organisation subjects.</summary>
    public int OrganisationCount { get; }

    /// <summary>All generated subjects: <see cref="Subjects"/> yields exactly this many.</summary>
    public int SubjectCount => FarmerCount + OrganisationCount;

    /// <summary>The expected number of records (<see cref="SubjectCount"/> × records per subject).</summary>
    public long RecordCountEstimate => (long)SubjectCount * Scale.RecordsPerSubject;

    /// <summary>The exact number of records <see cref="Records"/> yields (computed without generating them).</summary>
    public long RecordCount => recordCount ??= CountRecords();

    /// <summary>The number of township-level units (109 in the 2023 division codes).</summary>
    public static int TownshipCount => BaseRegionList.Value.Count(r => r.Level == RegionLevels.Township);

    /// <summary>The city, counties and townships (parents first), then the generated villages.</summary>
    public IReadOnlyList<RegionInfo> Regions() => regions.AsReadOnly();

    /// <summary>True for a person (referenced by <see cref="SubjectRegistration.IdNumber"/> in records).</summary>
    public static bool IsPerson(SubjectRegistration subject) =>
        subject.SubjectType == FarmerType;

    /// <summary>
    /// How a record names <paramref name="subject"/>: a person by its identity number (the server derives the
    /// pseudonymous id), an organisation by its subject id, which is its credit code.
    /// </summary>
    public static (string? SubjectId, string? IdNumber) RecordTarget(SubjectRegistration subject) =>
        IsPerson(subject) ? (null, subject.IdNumber) : (subject.CreditCode, null);

    /// <summary>Every subject, village by village: households of farmers, then the village's organisations.</summary>
    public IEnumerable<SubjectRegistration> Subjects()
    {
        foreach (var subject in EnumerateSubjects())
        {
            yield return subject.Registration;
        }
    }

    /// <summary>Every record, subject by subject in <see cref="Subjects"/> order, each subject's in date order.</summary>
    public IEnumerable<RecordSubmission> Records()
    {
        var countRng = new Random(DeriveSeed(2));
        var rng = new Random(DeriveSeed(3));
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        var pending = new List<PendingRecord>();
        long number = 0;
        foreach (var subject in EnumerateSubjects())
        {
            var count = RecordsFor(countRng);
            if (count == 0 || !itemTables.TryGetValue(subject.Registration.SubjectType, out var table))
            {
                continue;
            }

            pending.Clear();
            for (var i = 0; i < count; i++)
            {
                var item = table.Pick(rng);
                // Recent facts are denser than old ones (the archive grows): age ~ u² of the window, median ~9 months.
                var u = rng.NextDouble();
                var date = firstRecordDay.AddDays(recordDays - 1 - (int)(recordDays * u * u));
                buffer.ResetWrittenCount();
                writer.Reset(buffer);
                WritePayload(writer, item, subject, date, rng);
                writer.Flush();
                pending.Add(new PendingRecord(date, i, item.Code, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan)));
            }

            pending.Sort(static (a, b) => a.Date != b.Date ? a.Date.CompareTo(b.Date) : a.Order.CompareTo(b.Order));
            var (subjectId, idNumber) = RecordTarget(subject.Registration);
            foreach (var record in pending)
            {
                number++;
                yield return new RecordSubmission
                {
                    RecordId = "demo-" + number.ToString(CultureInfo.InvariantCulture),
                    CatalogCode = record.CatalogCode,
                    SubjectId = subjectId,
                    IdNumber = idNumber,
                    OccurredAt = new DateTimeOffset(record.Date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
                    PayloadJson = record.PayloadJson,
                };
            }
        }
    }

    private int RecordsFor(Random countRng) =>
        Scale.RecordsPerSubject == 0 ? 0 : 1 + countRng.Next(2 * Scale.RecordsPerSubject - 1);

    private long CountRecords()
    {
        var countRng = new Random(DeriveSeed(2));
        long total = 0;
        foreach (var village in villages)
        {
            var subjects = village.Organisations;
            foreach (var size in village.HouseholdSizes)
            {
                subjects += size;
            }

            for (var i = 0; i < subjects; i++)
            {
                var count = RecordsFor(countRng);
                total += count;
            }
        }

        return total;
    }

    private int DeriveSeed(int stream) => unchecked((Scale.Seed * 7919) + (stream * 104_729));

    private IEnumerable<DemoSubject> EnumerateSubjects()
    {
        var rng = new Random(DeriveSeed(1));
        var birthCounters = new byte[counties.Count * BirthDays];
        long orgSerial = 0;
        foreach (var village in villages)
        {
            var county = counties[village.County];
            for (var h = 0; h < village.HouseholdSizes.Length; h++)
            {
                var householdId = "H-" + village.Region.Code + "-" + (h + 1).ToString("D3", CultureInfo.InvariantCulture);
                var surname = Names.Surnames[rng.Next(Names.Surnames.Length)];
                var headMale = rng.Next(100) < 85;
                var headYear = 1950 + rng.Next(29);
                for (var m = 0; m < village.HouseholdSizes[h]; m++)
                {
                    bool male;
                    int year;
                    string familyName;
                    switch (m)
                    {
                        case 0:
                            (male, year, familyName) = (headMale, headYear, surname);
                            break;
                        case 1:
                            (male, year, familyName) = (!headMale, Math.Clamp(headYear + rng.Next(-3, 4), 1950, 2000), Names.Surnames[rng.Next(Names.Surnames.Length)]);
                            break;
                        default:
                            (male, year, familyName) = (rng.Next(2) == 0, Math.Min(2000, headYear + 20 + rng.Next(9)), surname);
                            break;
                    }

                    var idNumber = NewIdNumber(rng, village.County, county.Code, year, male, birthCounters);
                    var registration = new SubjectRegistration
                    {
                        SubjectType = FarmerType,
                        Name = familyName + GivenName(rng, male),
                        IdNumber = idNumber,
                        VillageCode = village.Region.Code,
                        HouseholdId = householdId,
                    };
                    yield return new DemoSubject(registration, village, county, m, village.HouseholdSizes[h]);
                }
            }

            for (var o = 0; o < village.Organisations; o++)
            {
                var type = OrganisationTypes[(int)(orgSerial % OrganisationTypes.Count)];
                var creditCode = NewCreditCode(type, county.Code, orgSerial);
                orgSerial++;
                var registration = new SubjectRegistration
                {
                    SubjectType = type,
                    Name = OrganisationName(rng, type, county, village),
                    CreditCode = creditCode,
                    VillageCode = village.Region.Code,
                };
                yield return new DemoSubject(registration, village, county, -1, 0);
            }
        }
    }

    private static string NewIdNumber(Random rng, int countyIndex, string countyCode, int year, bool male, byte[] birthCounters)
    {
        var start = new DateOnly(year, 1, 1);
        var dayInYear = rng.Next(DateTime.IsLeapYear(year) ? 366 : 365);
        var day = Math.Clamp(start.DayNumber + dayInYear - FirstBirthDay.DayNumber, 0, BirthDays - 1);
        var genderDigit = (rng.Next(5) * 2) + (male ? 1 : 0);

        // Uniqueness: the first two sequence digits count people per (county, birth date); a full day moves on.
        var slot = (countyIndex * BirthDays) + day;
        while (birthCounters[slot] >= 100)
        {
            day = (day + 1) % BirthDays;
            slot = (countyIndex * BirthDays) + day;
        }

        // For a fixed slot, counter → (counter × 37 + offset) mod 100 is a bijection of 0..99: still never repeats.
        var sequence = ((birthCounters[slot]++ * 37) + (int)((uint)((slot * 7919) + 17) % 100)) % 100;
        var birth = FirstBirthDay.AddDays(day);
        Span<char> chars = stackalloc char[18];
        countyCode.AsSpan(0, 6).CopyTo(chars);
        birth.TryFormat(chars[6..14], out _, "yyyyMMdd", CultureInfo.InvariantCulture);
        chars[14] = (char)('0' + (sequence / 10));
        chars[15] = (char)('0' + (sequence % 10));
        chars[16] = (char)('0' + genderDigit);
        chars[17] = IdentityCodes.IdNumberCheckChar(chars[..17]);
        return new string(chars);
    }

    private string NewCreditCode(string type, string countyCode, long serial)
    {
        // 登记管理部门 9 (市场监管) + 机构类别 (3 农民专业合作社, 1 企业) + 6-digit area + 9-char 组织机构代码 + check.
        Span<char> chars = stackalloc char[18];
        chars[0] = '9';
        chars[1] = type == "cooperative" ? '3' : '1';
        countyCode.AsSpan(0, 6).CopyTo(chars[2..]);
        chars[8] = 'M';
        chars[9] = 'A';
        var body = ((serial * 1_000_003L) + orgSerialOffset) % OrgSerialSpace;
        for (var i = 15; i >= 10; i--)
        {
            chars[i] = CreditCodeChars[(int)(body % 31)];
            body /= 31;
        }

        chars[16] = OrgCodeCheckChar(chars.Slice(8, 8));
        chars[17] = IdentityCodes.CreditCodeCheckChar(chars[..17]);
        return new string(chars);
    }

    /// <summary>The check character of an 8-character 组织机构代码 body (GB 11714).</summary>
    private static char OrgCodeCheckChar(ReadOnlySpan<char> body)
    {
        ReadOnlySpan<int> weights = [3, 7, 9, 10, 5, 8, 4, 2];
        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            var c = body[i];
            var value = char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10;
            sum += value * weights[i];
        }

        var check = 11 - (sum % 11);
        return check switch
        {
            10 => 'X',
            11 => '0',
            _ => (char)('0' + check),
        };
    }

    private static string GivenName(Random rng, bool male)
    {
        var pool = male ? Names.MaleGiven : Names.FemaleGiven;
        var first = pool[rng.Next(pool.Length)];
        return rng.Next(100) < 70 ? string.Concat(first, pool[rng.Next(pool.Length)]) : first;
    }

    private static string OrganisationName(Random rng, string type, CountyInfo county, VillagePlan village)
    {
        var brand = Names.Brands[rng.Next(Names.Brands.Length)];
        return type switch
        {
            "family_farm" => $"{county.Name}{Names.Surnames[rng.Next(Names.Surnames.Length)]}{GivenName(rng, true)}家庭农场",
            "cooperative" => $"{county.Name}{village.Stem}{Pick(rng, Names.CooperativeTrades)}农民专业合作社",
            "enterprise" => $"{county.Name}{brand}{Pick(rng, Names.EnterpriseSuffixes)}",
            "service_org" => $"{county.Name}{village.Stem}{Pick(rng, Names.ServiceTeams)}",
            "agri_input" => $"{county.Name}{village.Stem}{brand}农资经营部",
            "grain_enterprise" => $"{county.Name}{brand}粮食购销有限公司",
            _ => $"{county.Name}{village.Stem}{brand}",
        };
    }

    private static string Pick(Random rng, string[] values) => values[rng.Next(values.Length)];

    private static IReadOnlyList<RegionInfo> LoadBaseRegions() =>
        DefaultData.SuqianRegions()
            .OrderBy(r => r.Level switch
            {
                RegionLevels.City => 0,
                RegionLevels.County => 1,
                RegionLevels.Township => 2,
                _ => 3,
            })
            .ToList();

    // ---------------------------------------------------------------- records

    private static Dictionary<string, ItemTable> BuildItemTables(IReadOnlyList<CatalogItem> catalog)
    {
        var tables = new Dictionary<string, ItemTable>(StringComparer.Ordinal);
        foreach (var type in OrganisationTypes.Prepend(FarmerType))
        {
            var items = new List<CatalogItem>();
            var weights = new List<double>();
            CatalogItem? courtDefaulter = null;
            foreach (var item in catalog.Where(i => i.SubjectTypes.Contains(type)))
            {
                if (item.Code == "COURT_DEFAULTER")
                {
                    courtDefaulter = item;
                    continue;
                }

                var weight = Weights.For(item);
                if (weight > 0)
                {
                    items.Add(item);
                    weights.Add(weight);
                }
            }

            if (courtDefaulter is not null)
            {
                // ~0.3 % of a type's records are 失信被执行人.
                items.Add(courtDefaulter);
                weights.Add(weights.Sum() * Weights.CourtDefaulterShare / (1 - Weights.CourtDefaulterShare));
            }

            if (items.Count > 0)
            {
                tables[type] = new ItemTable(items, weights);
            }
        }

        return tables;
    }

    private void WritePayload(Utf8JsonWriter writer, CatalogItem item, DemoSubject subject, DateOnly date, Random rng)
    {
        writer.WriteStartObject();
        foreach (var (field, declared) in item.PayloadSchema)
        {
            var optional = declared.EndsWith('?');
            if (optional && rng.Next(100) >= 60)
            {
                continue;
            }

            switch (declared.TrimEnd('?'))
            {
                case "number":
                    writer.WriteNumber(field, NumberValue(field, item, subject, rng));
                    break;
                case "integer":
                    writer.WriteNumber(field, IntegerValue(field, item, subject, date, rng));
                    break;
                case "boolean":
                    writer.WriteBoolean(field, field == "restrictedPesticide" ? rng.Next(100) < 20 : rng.Next(2) == 0);
                    break;
                case "date":
                    writer.WriteString(field, FormatDate(DateValue(field, item, date, rng)));
                    break;
                default:
                    writer.WriteString(field, StringValue(field, item, subject, date, rng));
                    break;
            }
        }

        writer.WriteEndObject();
    }

    private static string FormatDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static double Factor(string subjectType) => subjectType switch
    {
        FarmerType => 1,
        "family_farm" => 4,
        "cooperative" => 6,
        "service_org" => 4,
        "agri_input" => 3,
        "enterprise" => 15,
        "grain_enterprise" => 20,
        _ => 5,
    };

    /// <summary>A value in [min, max] rounded to a multiple of <paramref name="step"/> (at most 2 decimals).</summary>
    private static double Between(Random rng, double min, double max, double step)
    {
        var value = Math.Round((min + (rng.NextDouble() * (max - min))) / step) * step;
        return Math.Round(value, 2);
    }

    private static double NumberValue(string field, CatalogItem item, DemoSubject subject, Random rng)
    {
        var type = subject.Registration.SubjectType;
        var factor = Factor(type);
        var farmer = type == FarmerType;
        switch (field)
        {
            case "amount":
                return AmountValue(item, factor, farmer, rng);
            case "insuredAmount":
                return Between(rng, 2_000, 60_000, 100) * factor;
            case "claimAmount":
                return Between(rng, 500, 20_000, 10) * factor;
            case "registeredCapital":
                return Between(rng, 10, 1_000, 10) * 10_000;
            case "operatedArea":
                return Between(rng, 50, 800, 0.5);
            case "area":
                return item.Code switch
                {
                    "LAND_CONTRACT_RIGHT" => Between(rng, 1.5, 15, 0.01),
                    "LAND_TRANSFER" => farmer ? Between(rng, 1, 40, 0.01) : Between(rng, 50, 2_000, 0.5),
                    "FACILITY_LAND_FILING" => Between(rng, 1, 30, 0.1),
                    "ILLEGAL_LAND_USE" => Between(rng, 0.1, 3, 0.01),
                    "GOV_ILLEGAL_BUILDING" => Between(rng, 20, 200, 1),
                    _ => Between(rng, 1, 100, 0.1),
                };
            case "hours":
                return Between(rng, 2, 16, 0.5);
            case "quantityTons":
                return Between(rng, 100, 20_000, 10);
            default:
                return Between(rng, 1, 1_000, 0.01);
        }
    }

    private static double AmountValue(CatalogItem item, double factor, bool farmer, Random rng)
    {
        switch (item.Role)
        {
            case CatalogRoles.CreditLine:
                return Names.CreditLineAmounts[rng.Next(Names.CreditLineAmounts.Length)] * factor;
            case CatalogRoles.Loan:
                return Between(rng, 10_000, 300_000, 5_000) * factor;
            case CatalogRoles.LoanOverdue:
                return Between(rng, 2_000, 50_000, 100) * factor;
            case CatalogRoles.ArrearsOpened or CatalogRoles.ArrearsCleared:
                return Between(rng, 10_000, 500_000, 1_000);
        }

        return item.Code switch
        {
            "LOAN_REPAID" => Between(rng, 10_000, 300_000, 5_000) * factor,
            "SUBSIDY_RECEIVED" => farmer ? Between(rng, 100, 3_000, 0.01) : Between(rng, 5_000, 200_000, 100) * factor / 4,
            "CHARITY_DONATION" => Between(rng, 100, 5_000, 100) * (farmer ? 1 : 5),
            "AGRI_INPUT_CREDIT_SALE_DEFAULT" => Between(rng, 500, 20_000, 10) * factor,
            _ when item.Severity is not null => Between(rng, 200, 20_000, 100) * Math.Min(factor, 5),
            _ => Between(rng, 1_000, 100_000, 100) * factor,
        };
    }

    private static long IntegerValue(string field, CatalogItem item, DemoSubject subject, DateOnly date, Random rng) => field switch
    {
        "householdSize" => subject.HouseholdSize > 0 ? subject.HouseholdSize + rng.Next(3) : 1 + rng.Next(6),
        "certCount" => 10 + rng.Next(491),
        "days" => rng.Next(100) < 80 ? 1 + rng.Next(90) : 91 + rng.Next(270),
        "termYears" => 1 + rng.Next(10),
        "year" => item.Code == "ANNUAL_REPORT_FILED" ? date.Year - 1 : date.Year,
        "entries" => 20 + rng.Next(781),
        _ => 1 + rng.Next(100),
    };

    private DateOnly DateValue(string field, CatalogItem item, DateOnly date, Random rng)
    {
        if (field == "expiresAt" && item.Role == CatalogRoles.CreditLine)
        {
            // Most credit lines (整村授信, typically 1–3 years) are still open at `now`.
            return rng.Next(100) < 85 ? today.AddDays(30 + rng.Next(1_066)) : date.AddDays(365);
        }

        return field switch
        {
            "expiresAt" => date.AddYears(1 + rng.Next(5)),
            "registeredAt" => DateOnly.FromDayNumber(Math.Max(new DateOnly(2007, 7, 1).DayNumber, date.DayNumber - rng.Next(3_650))),
            "dueDate" => date.AddDays(30 + rng.Next(336)),
            "rectifyBy" => date.AddDays(15 + rng.Next(76)),
            _ => date,
        };
    }

    private static string StringValue(string field, CatalogItem item, DemoSubject subject, DateOnly date, Random rng)
    {
        var county = subject.County;
        var year = date.Year.ToString(CultureInfo.InvariantCulture);
        string Serial(int digits) => rng.Next(PowersOfTen[digits]).ToString(SerialFormats[digits], CultureInfo.InvariantCulture);
        switch (field)
        {
            case "guarantee":
                var g = rng.Next(100);
                return g < 40 ? "credit" : g < 70 ? "mortgage" : g < 95 ? "guarantee" : "other";
            case "householdId":
                return subject.Registration.HouseholdId ?? "";
            case "relation":
                return subject.MemberIndex switch { 0 => "户主", 1 => "配偶", _ => "子女" };
            case "creditCode":
                return subject.Registration.CreditCode ?? "";
            case "decisionNo":
                return $"{county.Short}{DepartmentAbbreviation(item.SourceDepartment)}{(item.Severity is null ? "决" : "罚")}〔{year}〕{1 + rng.Next(999)}号";
            case "caseNo":
                return item.SourceDepartment == "court"
                    ? $"（{year}）苏{county.Code.AsSpan(2, 4)}执{1 + rng.Next(9_999)}号"
                    : $"{county.Short}{DepartmentAbbreviation(item.SourceDepartment)}案〔{year}〕{1 + rng.Next(999)}号";
            case "court":
                return county.Court;
            case "contractNo":
                return $"{(item.Code.StartsWith("GRAIN", StringComparison.Ordinal) ? "LS" : "LZ")}{county.Code}{year}{Serial(5)}";
            case "sampleNo":
                return $"CJ{year}{county.Code}{Serial(5)}";
            case "certificateNo":
                return item.Code == "LAND_CONTRACT_RIGHT"
                    ? $"{subject.Registration.VillageCode}{Serial(5)}J"
                    : $"PX{year}{Serial(6)}";
            case "policyNo":
                return $"PAGR{year}{county.Code}{Serial(7)}";
            case "claimNo":
                return $"LP{year}{county.Code}{Serial(6)}";
            case "licenseNo":
                return item.Code switch
                {
                    "PESTICIDE_LICENSE" => $"农药经许（苏）{county.Code}{Serial(5)}",
                    "SEED_LICENSE" => $"D（苏宿）农种许字（{year}）第{Serial(4)}号",
                    _ => $"JY{county.Code}{Serial(8)}",
                };
            case "filingNo":
                return $"{county.Short}备〔{year}〕{Serial(4)}号";
            case "inspectionNo":
                return $"JC{year}{Serial(6)}";
            case "traceCode":
                return $"ZS{county.Code}{Serial(8)}";
            case "commitmentNo" or "commitmentId":
                return $"CN{year}{subject.Registration.VillageCode[..9]}{Serial(4)}";
            case "loanNo":
                return $"DK{year}{Serial(5)}{Serial(5)}";
            case "projectNo":
                return $"XM{year}{county.Code}{Serial(4)}";
            case "mainIndustry":
                return Pick(rng, Names.Industries);
            case "product" or "crop":
                return Pick(rng, Names.Products);
            case "failedItem":
                return Pick(rng, Names.FailedItems);
            case "course":
                return Pick(rng, Names.Courses);
            case "activity":
                return Pick(rng, Names.Activities);
            case "recipient":
                return Pick(rng, Names.Recipients);
            case "reason" or "issue":
                return Pick(rng, Names.Issues);
            case "level":
                return item.Code == "GRAIN_CREDIT_EVALUATION" ? Pick(rng, Names.CreditLevels) : Pick(rng, Names.HonourLevels);
            case "title":
                return item.Code switch
                {
                    "CIVILIZED_FAMILY" => Pick(rng, Names.FamilyTitles),
                    "VOLUNTEER_COMMENDATION" => Pick(rng, Names.VolunteerTitles),
                    _ => Pick(rng, Names.IntegrityTitles),
                };
            case "listName":
                return $"{year}年度宿迁市诚信红名单";
            case "licenseType":
                return Pick(rng, Names.LicenseTypes);
            case "program":
                return Pick(rng, Names.SubsidyPrograms);
            case "event":
                return Names.Events.TryGetValue(item.Code, out var events) ? Pick(rng, events) : "参加村集体活动";
            case "note":
                return Pick(rng, Names.Notes);
            case "matter":
                return Pick(rng, Names.CommitmentMatters);
            case "field":
                return Pick(rng, Names.GovernmentFields);
            case "content":
                return Pick(rng, Names.CommitmentContents);
            case "creditor":
                return $"{county.Name}{Pick(rng, Names.Brands)}{Pick(rng, Names.EnterpriseSuffixes)}";
            case "cause":
                return Pick(rng, Names.Causes);
            case "baseName":
                return $"{county.Name}{Pick(rng, Names.Products)}{Pick(rng, Names.BaseKinds)}";
            case "period":
                return date.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            case "phone":
                return $"1{Pick(rng, Names.PhonePrefixes)}{Serial(8)}";
            case "legalRepresentative":
                return Names.Surnames[rng.Next(Names.Surnames.Length)] + GivenName(rng, rng.Next(100) < 80);
            default:
                return $"{field}-{Serial(6)}";
        }
    }

    private static string DepartmentAbbreviation(string department) => department switch
    {
        "agriculture" => "农",
        "market_regulation" => "市监",
        "natural_resources" => "自然资",
        "financial_regulation" => "金",
        "civil_affairs" => "民",
        "grain_reserve" => "粮",
        "township" => "综执",
        "credit_office" => "信",
        "industry_it" => "工信",
        "court" => "法",
        "bank" => "银",
        _ => "",
    };

    // ---------------------------------------------------------------- types

    private sealed record CountyInfo(string Code, string Name)
    {
        public string Short { get; } = Name.Length >= 2 ? Name[..2] : Name;

        public string Court { get; } =
            Name.EndsWith('县') ? Name + "人民法院"
            : Name.Length == 3 && Name.EndsWith('区') ? "宿迁市" + Name + "人民法院"
            : "宿迁市宿城区人民法院";
    }

    private sealed record VillagePlan(RegionInfo Region, int County, string Stem, byte[] HouseholdSizes, int Organisations);

    private sealed record DemoSubject(SubjectRegistration Registration, VillagePlan Village, CountyInfo County, int MemberIndex, int HouseholdSize);

    private readonly record struct PendingRecord(DateOnly Date, int Order, string CatalogCode, string PayloadJson);

    private sealed class ItemTable
    {
        private readonly CatalogItem[] items;
        private readonly double[] cumulative;

        public ItemTable(List<CatalogItem> items, List<double> weights)
        {
            this.items = [.. items];
            cumulative = new double[weights.Count];
            var sum = 0.0;
            for (var i = 0; i < weights.Count; i++)
            {
                sum += weights[i];
                cumulative[i] = sum;
            }
        }

        public CatalogItem Pick(Random rng)
        {
            var x = rng.NextDouble() * cumulative[^1];
            var index = Array.BinarySearch(cumulative, x);
            index = index < 0 ? ~index : index + 1;
            return items[Math.Min(index, items.Length - 1)];
        }
    }

    /// <summary>Relative frequencies of catalog items: mostly positive or neutral, a few % negative.</summary>
    private static class Weights
    {
        public const double CourtDefaulterShare = 0.003;

        private static readonly Dictionary<string, double> ByCode = new(StringComparer.Ordinal)
        {
            // 基础信息
            ["FARMER_BASIC_INFO"] = 5, ["HOUSEHOLD_MEMBER_INFO"] = 4, ["ORG_REGISTRATION"] = 6,
            ["FAMILY_FARM_DIRECTORY"] = 5, ["ANNUAL_REPORT_FILED"] = 6, ["SKILL_TRAINING"] = 3,
            // 监管信息
            ["SAMPLING_PASSED"] = 2, ["CERT_ISSUED"] = 2, ["CREDIT_COMMITMENT"] = 2, ["TRACEABILITY_ENROLLED"] = 2,
            ["GRAIN_CONTRACT_FULFILLED"] = 6, ["GRAIN_CREDIT_EVALUATION"] = 2,
            ["ABNORMAL_OPERATION"] = 0.8, ["SAMPLING_FAILED"] = 0.15, ["CERT_VIOLATION"] = 0.1,
            ["ILLEGAL_FUNDRAISING"] = 0.01, ["SOCIAL_ASSISTANCE_FALSE_CLAIM"] = 0.05, ["GRAIN_CONTRACT_BREACH"] = 0.3,
            // 土地信息
            ["LAND_CONTRACT_RIGHT"] = 6, ["LAND_TRANSFER"] = 4, ["FACILITY_LAND_FILING"] = 1.5,
            ["LAND_RENT_ARREARS"] = 0.3, ["ILLEGAL_LAND_USE"] = 0.03,
            // 示范信息
            ["LEADING_ENTERPRISE"] = 1, ["DEMO_FAMILY_FARM"] = 1, ["DEMO_COOPERATIVE"] = 1, ["DEMO_SERVICE_ORG"] = 1,
            ["DEMO_BASE"] = 0.5, ["INTEGRITY_MODEL"] = 0.4,
            // 志愿服务
            ["VOLUNTEER_SERVICE"] = 5, ["CHARITY_DONATION"] = 1.5, ["VOLUNTEER_COMMENDATION"] = 0.5,
            // 农业保险
            ["INSURANCE_POLICY"] = 8, ["INSURANCE_CLAIM"] = 2, ["INSURANCE_PREMIUM_ARREARS"] = 0.3, ["INSURANCE_FRAUD"] = 0.01,
            // 农资
            ["AGRI_INPUT_SALES_RECORD"] = 10, ["AGRI_INPUT_COUNTERFEIT"] = 0.03, ["AGRI_INPUT_PRICE_VIOLATION"] = 0.3,
            ["AGRI_INPUT_FALSE_ADVERTISING"] = 0.2, ["AGRI_INPUT_CREDIT_SALE_DEFAULT"] = 0.2,
            // 财政补助
            ["SUBSIDY_RECEIVED"] = 10, ["SUBSIDY_FRAUD"] = 0.01, ["PROJECT_FUND_MISUSE"] = 0.05,
            // 行政许可
            ["ADMIN_LICENSE"] = 3, ["PESTICIDE_LICENSE"] = 3, ["SEED_LICENSE"] = 2, ["GRAIN_PURCHASE_FILING"] = 3,
            // 行政处罚
            ["ADMIN_PENALTY_MINOR"] = 0.8, ["ADMIN_PENALTY"] = 0.5, ["ADMIN_PENALTY_SERIOUS"] = 0.02,
            ["TOWNSHIP_ENFORCEMENT_PENALTY"] = 0.2,
            // 行政检查
            ["INSPECTION_PASSED"] = 5, ["INSPECTION_FAILED"] = 0.6, ["GRAIN_STOCK_INSPECTION_FAILED"] = 0.2,
            // 行政奖励
            ["ADMIN_REWARD"] = 0.6, ["CREDIT_RED_LIST"] = 1, ["CIVILIZED_FAMILY"] = 1,
            // 司法信息 (COURT_DEFAULTER is set as a share)
            ["CONSUMPTION_RESTRICTED"] = 0.15,
            // 信贷信息
            ["CREDIT_LINE_GRANTED"] = 9, ["LOAN_ISSUED"] = 6, ["LOAN_REPAID"] = 5, ["LOAN_OVERDUE"] = 1.2,
            ["MALICIOUS_DEBT_EVASION"] = 0.02,
            // 乡村治理
            ["GOV_LOVE_PARTY_COUNTRY"] = 1.5, ["GOV_LAW_ABIDING"] = 2, ["GOV_RURAL_CONSTRUCTION"] = 2,
            ["GOV_LIVING_ENVIRONMENT"] = 3, ["GOV_FAMILY_VIRTUE"] = 2, ["GOV_PUBLIC_VIRTUE"] = 2,
            ["GOV_CUSTOMS_REFORM"] = 2, ["GOV_PROSPERITY"] = 1.5,
            ["GOV_ILLEGAL_BUILDING"] = 0.3, ["GOV_UNCIVIL_BEHAVIOR"] = 0.8, ["GOV_EXTRAVAGANT_CEREMONY"] = 0.4,
            // 政务诚信
            ["TOWNSHIP_COMMITMENT"] = 0.3, ["TOWNSHIP_COMMITMENT_FULFILLED"] = 0.25, ["TOWNSHIP_COMMITMENT_BREACHED"] = 0.03,
            ["GOV_ARREARS_OPENED"] = 0.1, ["GOV_ARREARS_CLEARED"] = 0.08, ["GOV_CONTRACT_BREACH"] = 0.02,
            ["GOV_JUDGMENT_NONPERFORMANCE"] = 0.005,
        };

        /// <summary>The weight of a catalog item; items added later get one by severity.</summary>
        public static double For(CatalogItem item) =>
            ByCode.TryGetValue(item.Code, out var weight)
                ? weight
                : item.Severity switch
                {
                    null => 1,
                    "minor" => 0.3,
                    "general" => 0.15,
                    _ => 0.02,
                };
    }

    /// <summary>Word lists for names and payload text.</summary>
    private static class Names
    {
        public static readonly string[] Surnames =
            ["张", "王", "李", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "朱", "马", "胡", "郭", "林", "何", "高", "梁"];

        public static readonly string[] MaleGiven =
            ["建", "国", "志", "强", "伟", "军", "勇", "磊", "明", "海", "涛", "超", "杰", "斌", "鹏", "刚", "华", "平", "亮", "峰",
             "德", "福", "春", "生", "文", "武", "成", "龙", "林", "兵", "庆", "友", "宝", "金", "忠", "荣"];

        public static readonly string[] FemaleGiven =
            ["秀", "英", "芳", "娟", "敏", "静", "丽", "艳", "霞", "红", "梅", "兰", "玉", "燕", "萍", "琴", "云", "凤", "珍", "桂",
             "莲", "娜", "婷", "雪", "慧", "翠", "菊", "春", "香", "月"];

        private static readonly string[] VillagePrefixes =
            ["新", "大", "小", "东", "西", "南", "北", "前", "后", "张", "王", "李", "刘", "陈", "杨", "周", "徐", "朱", "马", "胡",
             "高", "梁", "黄", "吴", "孙", "赵", "林", "何", "郭", "侯"];

        private static readonly string[] VillageSuffixes =
            ["庄", "集", "圩", "湖", "河", "桥", "岗", "营", "湾", "沟", "楼", "洼", "店", "园", "塘", "坝", "闸", "口", "台", "墩"];

        private static readonly string[] AuspiciousNames =
            ["幸福", "和平", "团结", "红旗", "胜利", "光明", "友谊", "振兴", "富民", "兴隆", "永安", "太平", "新华", "建设", "联合",
             "先锋", "民主", "前进", "丰收", "长青"];

        /// <summary>620 distinct village stems; a township walks it with a stride of 97 (coprime with 620).</summary>
        public static readonly string[] VillageNamePool =
            [.. AuspiciousNames, .. VillagePrefixes.SelectMany(p => VillageSuffixes.Select(s => p + s))];

        public static readonly string[] Brands =
            ["绿源", "丰收", "金穗", "润禾", "嘉禾", "沃野", "金田", "康农", "富硒", "田园", "稻香", "惠农", "众兴", "洪泽湖", "运河",
             "骆马湖", "苏北", "恒丰", "瑞丰", "裕农", "禾盛", "青禾", "华粮", "兴农"];

        public static readonly string[] CooperativeTrades =
            ["稻麦种植", "果蔬", "花木", "食用菌", "畜禽养殖", "水产养殖", "农机", "稻虾共作", "土地股份"];

        public static readonly string[] EnterpriseSuffixes =
            ["农业科技有限公司", "农业发展有限公司", "生态农业有限公司", "食品有限公司", "农产品有限公司"];

        public static readonly string[] ServiceTeams = ["农机服务队", "植保服务队", "农业社会化服务中心", "烘干服务站"];

        public static readonly double[] CreditLineAmounts = [30_000, 50_000, 50_000, 80_000, 100_000, 100_000, 150_000, 200_000, 300_000];

        public static readonly string[] Industries = ["粮食种植", "蔬菜种植", "花木种植", "水产养殖", "畜禽养殖", "食用菌", "林果", "外出务工"];

        public static readonly string[] Products = ["水稻", "小麦", "玉米", "大豆", "花生", "青菜", "西红柿", "草莓", "葡萄", "梨", "小龙虾", "螃蟹", "生猪", "鸡蛋", "食用菌"];

        public static readonly string[] FailedItems = ["毒死蜱残留超标", "克百威残留超标", "氧乐果残留超标", "镉超标", "恩诺沙星残留超标"];

        public static readonly string[] Courses = ["水稻绿色高产栽培", "设施蔬菜种植", "稻虾综合种养", "农产品电商", "农机操作与维修", "家庭农场经营管理"];

        public static readonly string[] Activities = ["村庄环境整治", "关爱留守老人", "防汛值守", "秸秆禁烧巡查", "农技志愿服务", "文明实践宣讲"];

        public static readonly string[] Recipients = ["村集体慈善基金", "县慈善总会", "乡镇敬老院", "困难家庭", "村小学"];

        public static readonly string[] Issues = ["台账记录不全", "未按规定公示", "经营场所不符", "标签标识不规范", "逾期未整改", "证照过期"];

        public static readonly string[] CreditLevels = ["AAA", "AA", "A", "B"];

        public static readonly string[] HonourLevels = ["国家级", "省级", "市级", "县级", "县级", "县级"];

        public static readonly string[] IntegrityTitles = ["诚信之星", "宿迁好人", "诚信经营户", "道德模范"];

        public static readonly string[] FamilyTitles = ["文明家庭", "最美家庭", "五好家庭", "清廉家庭"];

        public static readonly string[] VolunteerTitles = ["优秀志愿者", "最美志愿者", "志愿服务先进个人"];

        public static readonly string[] LicenseTypes = ["食品经营许可", "动物防疫条件合格证", "兽药经营许可", "粮食收购备案", "取水许可"];

        public static readonly string[] SubsidyPrograms = ["耕地地力保护补贴", "农机购置与应用补贴", "稻谷补贴", "实际种粮农民一次性补贴", "高标准农田建设补助", "农业保险保费补贴"];

        public static readonly string[] Notes = ["网格员核实", "村民代表评议通过", "村两委认定", "群众举报核实"];

        public static readonly string[] CommitmentMatters = ["食用农产品承诺达标合格证承诺", "证明事项告知承诺", "守法诚信经营承诺", "农资质量承诺"];

        public static readonly string[] GovernmentFields = ["营商环境", "乡村振兴", "民生实事", "农村人居环境", "政府采购", "招商引资"];

        public static readonly string[] CommitmentContents =
            ["年底前完成村道硬化", "一个月内办结涉农补贴发放", "按期兑付土地流转租金", "年内完成高标准农田建设", "限期清偿拖欠账款"];

        public static readonly string[] Causes = ["暴雨洪涝", "干旱", "病虫害", "大风倒伏", "冰雹", "动物疫病"];

        public static readonly string[] BaseKinds = ["现代农业产业园", "绿色生产示范基地", "农业现代化示范区", "标准化生产基地"];

        public static readonly string[] PhonePrefixes = ["38", "39", "51", "52", "58", "77", "80", "81", "89"];

        public static readonly Dictionary<string, string[]> Events = new(StringComparer.Ordinal)
        {
            ["GOV_LOVE_PARTY_COUNTRY"] = ["参加党员志愿活动", "参加升国旗仪式", "参加理论宣讲", "参加退役军人活动"],
            ["GOV_LAW_ABIDING"] = ["参与矛盾纠纷调解", "参加普法学习", "主动举报违法线索", "劝阻电信诈骗"],
            ["GOV_RURAL_CONSTRUCTION"] = ["参与村道修缮", "支持农房改善", "参加农田水利建设", "无偿让地修路"],
            ["GOV_LIVING_ENVIRONMENT"] = ["庭院整洁评比达标", "参与垃圾分类", "清理河塘沟渠", "拆除违章搭建"],
            ["GOV_FAMILY_VIRTUE"] = ["孝老爱亲", "邻里互助", "好婆媳评选", "赡养老人"],
            ["GOV_PUBLIC_VIRTUE"] = ["参与防汛值守", "义务献血", "见义勇为", "捐资助学"],
            ["GOV_CUSTOMS_REFORM"] = ["婚事新办", "丧事简办", "签订移风易俗承诺书", "零彩礼婚事"],
            ["GOV_PROSPERITY"] = ["带动周边农户就业", "发展特色种养", "创办电商网店", "返乡创业"],
            ["GOV_UNCIVIL_BEHAVIOR"] = ["焚烧秸秆", "乱堆乱放", "乱倒垃圾", "散养家禽"],
            ["GOV_EXTRAVAGANT_CEREMONY"] = ["婚礼大操大办", "高价彩礼", "丧事铺张", "乔迁宴席超标"],
        };
    }
}
