using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.Tests.Domain;

/// <summary>The shipped catalog, scoring models and Suqian regions (SPEC §2.1, §2.3, §2.5).</summary>
public sealed class DefaultDataTests
{
    /// <summary>The 16 categories of SPEC §2.3.</summary>
    private static readonly string[] SpecCategories =
    [
        "基础信息", "监管信息", "土地信息", "示范信息", "志愿服务", "农业保险", "农资", "财政补助", "行政许可", "行政处罚", "行政检查", "行政奖励",
        "司法信息", "信贷信息", "乡村治理", "政务诚信",
    ];

    /// <summary>The 9 roles of SPEC §2.3.</summary>
    private static readonly string[] SpecRoles =
    [
        "creditLine", "loan", "loanOverdue", "demonstration", "commitment", "commitmentFulfilled", "commitmentBreached",
        "arrearsOpened", "arrearsCleared",
    ];

    private static CatalogItem? FindItem(string code) => DefaultData.Catalog.FirstOrDefault(i => i.Code == code);

    [Fact]
    public void Catalog_has_at_least_40_items()
    {
        Assert.True(DefaultData.Catalog.Count >= 40, $"the default catalog has {DefaultData.Catalog.Count} items");
    }

    [Fact]
    public void Catalog_codes_are_unique()
    {
        var duplicates = DefaultData.Catalog.GroupBy(i => i.Code, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key);

        Assert.Empty(duplicates);
    }

    [Fact]
    public void Catalog_items_are_version_1()
    {
        Assert.All(DefaultData.Catalog, i => Assert.Equal(1, i.Version));
    }

    [Theory]
    [InlineData("基础信息")]
    [InlineData("监管信息")]
    [InlineData("土地信息")]
    [InlineData("示范信息")]
    [InlineData("志愿服务")]
    [InlineData("农业保险")]
    [InlineData("农资")]
    [InlineData("财政补助")]
    [InlineData("行政许可")]
    [InlineData("行政处罚")]
    [InlineData("行政检查")]
    [InlineData("行政奖励")]
    [InlineData("司法信息")]
    [InlineData("信贷信息")]
    [InlineData("乡村治理")]
    [InlineData("政务诚信")]
    public void Catalog_covers_each_category(string category)
    {
        Assert.Contains(DefaultData.Catalog, i => i.Category == category);
    }

    [Fact]
    public void Catalog_uses_only_the_16_categories()
    {
        Assert.Equal(16, SpecCategories.Length);
        Assert.All(DefaultData.Catalog, i => Assert.Contains(i.Category, SpecCategories));
    }

    [Theory]
    [InlineData("creditLine")]
    [InlineData("loan")]
    [InlineData("loanOverdue")]
    [InlineData("demonstration")]
    [InlineData("commitment")]
    [InlineData("commitmentFulfilled")]
    [InlineData("commitmentBreached")]
    [InlineData("arrearsOpened")]
    [InlineData("arrearsCleared")]
    public void Catalog_has_an_item_of_each_role(string role)
    {
        Assert.Contains(DefaultData.Catalog, i => i.Role == role);
    }

    [Fact]
    public void Catalog_uses_only_the_9_roles()
    {
        Assert.All(DefaultData.Catalog.Where(i => i.Role is not null), i => Assert.Contains(i.Role!, SpecRoles));
    }

    [Fact]
    public void Catalog_items_are_valid_definitions()
    {
        Assert.All(DefaultData.Catalog, i => Assert.Null(DefinitionRules.ValidateItem(i)));
    }

    [Fact]
    public void Catalog_has_governance_point_items_and_negative_items_of_every_severity()
    {
        Assert.Contains(DefaultData.Catalog, i => i.GovernancePoints?.Points is not null);
        Assert.Contains(DefaultData.Catalog, i => i.GovernancePoints?.PointsPerUnit is not null);
        Assert.Contains(DefaultData.Catalog, i => i.Severity == "minor");
        Assert.Contains(DefaultData.Catalog, i => i.Severity == "general");
        Assert.Contains(DefaultData.Catalog, i => i.Severity == "serious");
    }

    [Fact]
    public void Catalog_source_departments_are_known_departments()
    {
        var departments = DefaultData.Departments.Select(d => d.Code).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(departments);
        Assert.All(DefaultData.Catalog, i => Assert.Contains(i.SourceDepartment, departments));
    }

    [Theory]
    [InlineData("farmer")]
    [InlineData("family_farm")]
    [InlineData("cooperative")]
    [InlineData("enterprise")]
    [InlineData("service_org")]
    [InlineData("agri_input")]
    [InlineData("grain_enterprise")]
    public void Model_is_valid_against_the_default_catalog(string subjectType)
    {
        var model = DefaultData.Model(subjectType);

        Assert.Equal(subjectType, model.SubjectType);
        Assert.Equal(1, model.Version);
        Assert.Null(DefinitionRules.ValidateModel(model, FindItem));
    }

    [Theory]
    [InlineData("farmer")]
    [InlineData("family_farm")]
    [InlineData("cooperative")]
    [InlineData("enterprise")]
    [InlineData("service_org")]
    [InlineData("agri_input")]
    [InlineData("grain_enterprise")]
    public void Model_has_grades_A_B_C_D_descending(string subjectType)
    {
        var grades = DefaultData.Model(subjectType).Grades;

        Assert.Equal(["A", "B", "C", "D"], grades.Select(g => g.Grade).ToArray());
        for (var i = 1; i < grades.Count; i++)
        {
            Assert.True(grades[i].MinScore < grades[i - 1].MinScore, $"{grades[i].Grade} must need less than {grades[i - 1].Grade}");
        }
    }

    [Theory]
    [InlineData("farmer")]
    [InlineData("family_farm")]
    [InlineData("cooperative")]
    [InlineData("enterprise")]
    [InlineData("service_org")]
    [InlineData("agri_input")]
    [InlineData("grain_enterprise")]
    public void Model_rules_are_for_items_of_its_subject_type(string subjectType)
    {
        var model = DefaultData.Model(subjectType);

        Assert.NotEmpty(model.Rules);
        Assert.All(model.Rules.Keys, code => Assert.Contains(subjectType, FindItem(code)?.SubjectTypes ?? []));
    }

    [Fact]
    public void Model_has_one_default_per_subject_type()
    {
        Assert.Equal(7, RuralCreditConstants.SubjectTypes.Count);
        Assert.All(RuralCreditConstants.SubjectTypes, t => Assert.Equal(t, DefaultData.Model(t).SubjectType));
    }

    [Fact]
    public void SuqianRegions_has_1_city_6_counties_and_109_townships()
    {
        var regions = DefaultData.SuqianRegions();

        var city = Assert.Single(regions, r => r.Level == RegionLevels.City);
        Assert.Equal("321300", city.Code);
        Assert.Null(city.ParentCode);
        Assert.Equal(6, regions.Count(r => r.Level == RegionLevels.County));
        Assert.Equal(109, regions.Count(r => r.Level == RegionLevels.Township));
        Assert.Equal(116, regions.Count);
    }

    [Fact]
    public void SuqianRegions_form_a_tree_under_the_city()
    {
        var regions = DefaultData.SuqianRegions();
        var byCode = regions.ToDictionary(r => r.Code, StringComparer.Ordinal); // throws on a duplicate code

        Assert.All(regions.Where(r => r.Level == RegionLevels.County), c =>
        {
            Assert.Equal("321300", c.ParentCode);
            Assert.Equal(6, c.Code.Length);
        });
        Assert.All(regions.Where(r => r.Level == RegionLevels.Township), t =>
        {
            Assert.Equal(9, t.Code.Length);
            Assert.NotNull(t.ParentCode);
            Assert.Equal(RegionLevels.County, byCode[t.ParentCode].Level);
            Assert.StartsWith(t.ParentCode, t.Code, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("321302", "宿城区")]
    [InlineData("321311", "宿豫区")]
    [InlineData("321322", "沭阳县")]
    [InlineData("321323", "泗阳县")]
    [InlineData("321324", "泗洪县")]
    public void SuqianRegions_include_the_named_counties(string code, string name)
    {
        var county = Assert.Single(DefaultData.SuqianRegions(), r => r.Code == code);

        Assert.Equal(name, county.Name);
        Assert.Equal(RegionLevels.County, county.Level);
    }
}
