using System.Reflection;
using System.Text.Json;
using RuralCredit.Models;

namespace RuralCredit.Domain;

/// <summary>The default catalog, departments, scoring models and Suqian regions shipped as embedded data files.</summary>
public static class DefaultData
{
    private static readonly Assembly Assembly = typeof(DefaultData).Assembly;
    private static readonly Lazy<IReadOnlyList<CatalogItem>> CatalogItems = new(() => Read<CatalogFile>("catalog.json").Items.Select(i => i with { Version = 1 }).ToList());
    private static readonly Lazy<IReadOnlyList<Department>> DepartmentList = new(() => Read<List<Department>>("departments.json"));

    private sealed record CatalogFile(List<CatalogItem> Items);

    /// <summary>The default catalog items (version 1).</summary>
    public static IReadOnlyList<CatalogItem> Catalog => CatalogItems.Value;

    /// <summary>The source departments.</summary>
    public static IReadOnlyList<Department> Departments => DepartmentList.Value;

    /// <summary>The default model of a subject type (version 1).</summary>
    public static ScoringModel Model(string subjectType) => Read<ScoringModel>($"models/{subjectType}.json") with { Version = 1 };

    /// <summary>The city, counties and townships of Suqian (public statistical division codes).</summary>
    public static IReadOnlyList<RegionInfo> SuqianRegions()
    {
        using var stream = Open("suqian-regions.csv");
        using var reader = new StreamReader(stream);
        var result = new List<RegionInfo>();
        reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split(',');
            if (parts.Length < 3)
            {
                continue;
            }

            result.Add(new RegionInfo
            {
                Code = parts[0],
                Name = parts[1],
                Level = parts[2],
                ParentCode = parts.Length > 3 && parts[3].Length > 0 ? parts[3] : null,
            });
        }

        return result;
    }

    private static T Read<T>(string name)
    {
        using var stream = Open(name);
        return JsonSerializer.Deserialize<T>(stream, DomainJson.Options) ?? throw new InvalidDataException($"Empty default data file {name}.");
    }

    private static Stream Open(string name) =>
        Assembly.GetManifestResourceStream("RuralCredit.Defaults." + name)
        ?? throw new FileNotFoundException($"Embedded default data file {name} is missing.");
}
