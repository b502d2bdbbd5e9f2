using System.Globalization;
using System.Text.Json;
using RuralCredit.Demo;
using RuralCredit.Domain;
using RuralCredit.Models;
using RegionInfo = RuralCredit.Models.RegionInfo;

namespace RuralCredit.Tests.Demo;

/// <summary>The synthetic Suqian of <see cref="DemoCity"/>: deterministic, valid identities, valid records.</summary>
public sealed class DemoCityTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 15, 10, 30, 0, TimeSpan.FromHours(8));
    private static readonly string[] AllTypes =
        ["farmer", "family_farm", "cooperative", "enterprise", "service_org", "agri_input", "grain_enterprise"];

    private static readonly Lazy<Generated> SmallCity = new(() => Generated.Of(new DemoCity(DemoScale.Small, Now)));

    private sealed record Generated(DemoCity City, IReadOnlyList<RegionInfo> Regions, IReadOnlyList<SubjectRegistration> Subjects, IReadOnlyList<RecordSubmission> Records)
    {
        public static Generated Of(DemoCity city) => new(city, city.Regions(), city.Subjects().ToList(), city.Records().ToList());
    }

    [Fact]
    public void Same_scale_and_now_give_identical_output()
    {
        var a = new DemoCity(DemoScale.Small, Now);
        var b = new DemoCity(DemoScale.Small, Now);

        Assert.Equal(a.Regions(), b.Regions());
        Assert.Equal(a.Subjects(), b.Subjects());
        Assert.Equal(a.Records(), b.Records());

        // Enumerating twice gives the same sequence too.
        Assert.Equal(a.Records().Take(500), a.Records().Take(500));
    }

    [Fact]
    public void Another_seed_gives_other_data()
    {
        var a = new DemoCity(DemoScale.Small, Now);
        var b = new DemoCity(DemoScale.Small with { Seed = 7 }, Now);

        Assert.NotEqual(a.Subjects().Select(s => s.IdNumber ?? s.CreditCode), b.Subjects().Select(s => s.IdNumber ?? s.CreditCode));
        Assert.NotEqual(a.Records().Take(200).Select(r => r.PayloadJson), b.Records().Take(200).Select(r => r.PayloadJson));
    }

    [Fact]
    public void Counts_match_what_is_generated()
    {
        var g = SmallCity.Value;
        var villages = g.Regions.Count(r => r.Level == RegionLevels.Village);

        Assert.Equal(109 * 2, villages);
        Assert.Equal(villages, g.City.VillageCount);
        Assert.Equal(g.City.SubjectCount, g.Subjects.Count);
        Assert.Equal(g.City.FarmerCount, g.Subjects.Count(s => s.SubjectType == "farmer"));
        Assert.Equal(g.City.OrganisationCount, g.Subjects.Count(s => s.SubjectType != "farmer"));
        Assert.Equal(villages * 2, g.City.OrganisationCount);
        Assert.Equal(g.City.HouseholdCount, g.Subjects.Select(s => s.HouseholdId).OfType<string>().Distinct().Count());
        Assert.Equal(g.City.RecordCount, g.Records.Count);
        Assert.InRange(g.Records.Count, g.City.RecordCountEstimate * 0.9, g.City.RecordCountEstimate * 1.1);
    }

    [Fact]
    public void Regions_are_the_real_city_counties_and_townships_then_villages_parents_first()
    {
        var g = SmallCity.Value;
        var real = DefaultData.SuqianRegions();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var region in g.Regions)
        {
            if (region.ParentCode is not null)
            {
                Assert.Contains(region.ParentCode, seen);
            }

            Assert.True(seen.Add(region.Code), $"duplicate region {region.Code}");
        }

        Assert.Equal(real.Select(r => r.Code).Order(StringComparer.Ordinal),
            g.Regions.Where(r => r.Level != RegionLevels.Village).Select(r => r.Code).Order(StringComparer.Ordinal));
        Assert.Equal("321300", g.Regions[0].Code);
        Assert.Equal(109, real.Count(r => r.Level == RegionLevels.Township));
    }

    [Fact]
    public void Villages_have_12_digit_codes_under_real_townships_and_coverage_below_one()
    {
        var g = SmallCity.Value;
        var townships = DefaultData.SuqianRegions().Where(r => r.Level == RegionLevels.Township).Select(r => r.Code).ToHashSet(StringComparer.Ordinal);
        var subjectsByVillage = g.Subjects.GroupBy(s => s.VillageCode).ToDictionary(x => x.Key, x => x.Count(), StringComparer.Ordinal);
        var householdsByVillage = g.Subjects.Where(s => s.HouseholdId is not null)
            .GroupBy(s => s.VillageCode).ToDictionary(x => x.Key, x => x.Select(s => s.HouseholdId).Distinct().Count(), StringComparer.Ordinal);

        foreach (var village in g.Regions.Where(r => r.Level == RegionLevels.Village))
        {
            Assert.Equal(12, village.Code.Length);
            Assert.All(village.Code, c => Assert.True(char.IsAsciiDigit(c)));
            Assert.NotNull(village.ParentCode);
            Assert.Contains(village.ParentCode, townships);
            Assert.StartsWith(village.ParentCode, village.Code, StringComparison.Ordinal);
            Assert.InRange(int.Parse(village.Code.AsSpan(9), CultureInfo.InvariantCulture), 200, 399);
            Assert.EndsWith("村", village.Name, StringComparison.Ordinal);
            Assert.True(village.Name.Length >= 2);

            var subjects = subjectsByVillage.GetValueOrDefault(village.Code);
            var households = householdsByVillage.GetValueOrDefault(village.Code);
            Assert.NotNull(village.ExpectedSubjects);
            Assert.NotNull(village.ExpectedHouseholds);
            Assert.True(village.ExpectedSubjects > subjects, $"{village.Code}: expected {village.ExpectedSubjects} vs {subjects}");
            Assert.True(village.ExpectedHouseholds > households);
            Assert.True(village.ExpectedSubjects <= subjects * 1.2 + 1);
        }

        // Village names are distinct within a township.
        Assert.All(g.Regions.Where(r => r.Level == RegionLevels.Village).GroupBy(r => r.ParentCode),
            t => Assert.Equal(t.Count(), t.Select(v => v.Name).Distinct().Count()));
    }

    [Fact]
    public void Every_identity_number_is_valid_unique_and_from_the_villages_county()
    {
        var g = SmallCity.Value;
        var farmers = g.Subjects.Where(s => s.SubjectType == "farmer").ToList();
        Assert.NotEmpty(farmers);
        foreach (var farmer in farmers)
        {
            Assert.True(IdentityCodes.IsValidIdNumber(farmer.IdNumber), farmer.IdNumber);
            Assert.Null(farmer.CreditCode);
            Assert.Equal(farmer.VillageCode[..6], farmer.IdNumber![..6]);
            Assert.InRange(int.Parse(farmer.IdNumber.AsSpan(6, 4), CultureInfo.InvariantCulture), 1950, 2000);
            Assert.InRange(farmer.Name.Length, 2, 3);
            Assert.NotNull(farmer.HouseholdId);
            Assert.Matches(@"^H-\d{12}-\d{3}$", farmer.HouseholdId);
            Assert.Equal("H-" + farmer.VillageCode + "-", farmer.HouseholdId![..15]);
        }

        Assert.Equal(farmers.Count, farmers.Select(f => f.IdNumber).Distinct(StringComparer.Ordinal).Count());
        Assert.All(farmers.GroupBy(f => f.HouseholdId), h => Assert.InRange(h.Count(), 1, 4));
    }

    [Fact]
    public void Every_credit_code_is_valid_and_unique()
    {
        var g = SmallCity.Value;
        var organisations = g.Subjects.Where(s => s.SubjectType != "farmer").ToList();
        Assert.NotEmpty(organisations);
        foreach (var organisation in organisations)
        {
            Assert.True(IdentityCodes.IsValidCreditCode(organisation.CreditCode), organisation.CreditCode);
            Assert.Null(organisation.IdNumber);
            Assert.Null(organisation.HouseholdId);
            Assert.Equal(organisation.VillageCode[..6], organisation.CreditCode![2..8]);
            Assert.StartsWith("9", organisation.CreditCode, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(organisation.Name));
        }

        Assert.Equal(organisations.Count, organisations.Select(o => o.CreditCode).Distinct(StringComparer.Ordinal).Count());
        Assert.All(organisations.Where(o => o.SubjectType == "cooperative"), o => Assert.EndsWith("农民专业合作社", o.Name, StringComparison.Ordinal));
        Assert.All(organisations.Where(o => o.SubjectType == "family_farm"), o => Assert.EndsWith("家庭农场", o.Name, StringComparison.Ordinal));
    }

    [Fact]
    public void All_seven_subject_types_are_present()
    {
        var types = SmallCity.Value.Subjects.Select(s => s.SubjectType).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(AllTypes.Order(StringComparer.Ordinal), types.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_record_uses_an_item_allowed_for_its_subject_and_satisfies_its_schema()
    {
        var g = SmallCity.Value;
        var catalog = DefaultData.Catalog.ToDictionary(i => i.Code, StringComparer.Ordinal);
        var byIdNumber = g.Subjects.Where(s => s.IdNumber is not null).ToDictionary(s => s.IdNumber!, StringComparer.Ordinal);
        var byCreditCode = g.Subjects.Where(s => s.CreditCode is not null).ToDictionary(s => s.CreditCode!, StringComparer.Ordinal);
        var loanGuarantees = new HashSet<string>(StringComparer.Ordinal) { "credit", "mortgage", "guarantee", "other" };

        foreach (var record in g.Records)
        {
            Assert.True(catalog.TryGetValue(record.CatalogCode, out var item), record.CatalogCode);
            SubjectRegistration subject;
            if (record.IdNumber is not null)
            {
                Assert.Null(record.SubjectId);
                subject = byIdNumber[record.IdNumber];
            }
            else
            {
                Assert.NotNull(record.SubjectId);
                subject = byCreditCode[record.SubjectId];
            }

            Assert.Contains(subject.SubjectType, item!.SubjectTypes);
            Assert.Equal(DemoCity.RecordTarget(subject), (record.SubjectId, record.IdNumber));

            using var payload = JsonDocument.Parse(record.PayloadJson);
            Assert.Null(Payload.Validate(payload.RootElement, item.PayloadSchema));
            Assert.DoesNotContain('\n', record.PayloadJson);
            if (item.Role == CatalogRoles.Loan)
            {
                Assert.Contains(payload.RootElement.GetProperty("guarantee").GetString()!, loanGuarantees);
                Assert.True(payload.RootElement.GetProperty("amount").GetDouble() > 0);
            }

            if (item.Role == CatalogRoles.CreditLine)
            {
                Assert.True(Payload.TryParseDate(payload.RootElement.GetProperty("expiresAt").GetString(), out var expiresAt));
                Assert.True(expiresAt > record.OccurredAt);
            }

            foreach (var (field, type) in item.PayloadSchema)
            {
                if (type.TrimEnd('?') == "date" && payload.RootElement.TryGetProperty(field, out var date))
                {
                    Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", date.GetString());
                }
            }
        }
    }

    [Fact]
    public void Records_have_unique_ids_and_midnight_dates_in_the_three_years_before_now()
    {
        var g = SmallCity.Value;
        Assert.Equal(g.Records.Count, g.Records.Select(r => r.RecordId).Distinct(StringComparer.Ordinal).Count());
        Assert.All(g.Records, r => Assert.StartsWith("demo-", r.RecordId, StringComparison.Ordinal));
        var earliest = Now.AddYears(-3);
        foreach (var record in g.Records)
        {
            Assert.InRange(record.OccurredAt, earliest, Now);
            Assert.Equal(TimeSpan.Zero, record.OccurredAt.Offset);
            Assert.Equal(TimeSpan.Zero, record.OccurredAt.TimeOfDay);
        }

        // Spread over the whole window, not bunched.
        Assert.True(g.Records.Min(r => r.OccurredAt) < earliest.AddDays(30));
        Assert.True(g.Records.Max(r => r.OccurredAt) > Now.AddDays(-30));
    }

    [Fact]
    public void Records_are_mostly_positive_with_a_few_percent_negative()
    {
        var g = SmallCity.Value;
        var catalog = DefaultData.Catalog.ToDictionary(i => i.Code, StringComparer.Ordinal);
        var total = (double)g.Records.Count;
        var negative = g.Records.Count(r => catalog[r.CatalogCode].Severity is not null) / total;
        var serious = g.Records.Count(r => catalog[r.CatalogCode].Severity == "serious") / total;
        Assert.InRange(negative, 0.01, 0.10);
        Assert.InRange(serious, 0.0005, 0.01);

        var creditLines = g.Records.Where(r => r.CatalogCode == "CREDIT_LINE_GRANTED").ToList();
        Assert.NotEmpty(creditLines);
        var open = creditLines.Count(r => Payload.GetDate(r.PayloadJson, "expiresAt") > Now);
        Assert.True(open > creditLines.Count * 0.7, $"{open} of {creditLines.Count} credit lines open");

        var loans = g.Records.Where(r => r.CatalogCode == "LOAN_ISSUED").ToList();
        var creditShare = loans.Count(r => Payload.GetString(r.PayloadJson, "guarantee") == "credit") / (double)loans.Count;
        Assert.InRange(creditShare, 0.3, 0.5);

        Assert.Contains(g.Records, r => catalog[r.CatalogCode].GovernancePoints is not null);
        Assert.Contains(g.Records, r => catalog[r.CatalogCode].Role == CatalogRoles.Demonstration);
        Assert.Contains(g.Records, r => r.CatalogCode == "LOAN_OVERDUE");
    }

    [Fact]
    public void Benchmark_scale_gives_totals_within_ten_percent()
    {
        var scale = DemoScale.ForSubjects(200_000, 1_000_000);
        var city = new DemoCity(scale, Now);

        Assert.InRange(city.SubjectCount, 180_000, 220_000);
        Assert.InRange(city.RecordCount, 900_000, 1_100_000);
        Assert.InRange(city.RecordCountEstimate, 900_000, 1_100_000);
        Assert.InRange(scale.VillagesPerTownship, 1, DemoScale.MaxVillagesPerTownship);
        Assert.Equal(city.VillageCount * scale.OrganisationsPerVillage, city.OrganisationCount);

        // Streaming: the first records come without generating the rest.
        var first = city.Records().Take(1_000).ToList();
        Assert.Equal(1_000, first.Count);
        Assert.Equal("demo-1", first[0].RecordId);
    }

    [Theory]
    [InlineData(1_000, 5_000)]
    [InlineData(50_000, 100_000)]
    [InlineData(1_000_000, 10_000_000)]
    public void Other_scales_land_near_their_targets(int subjects, int records)
    {
        var city = new DemoCity(DemoScale.ForSubjects(subjects, records), Now);
        Assert.InRange(city.SubjectCount, subjects * 0.9, subjects * 1.1);
        Assert.InRange(city.RecordCountEstimate, records * 0.9, records * 1.1);
    }

    [Fact]
    public void Small_preset_has_the_documented_shape()
    {
        Assert.Equal(new DemoScale(2, 5, 2, 4, 20231), DemoScale.Small);
    }
}
