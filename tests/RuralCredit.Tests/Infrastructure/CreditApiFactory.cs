using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using RuralCredit.ApiHost.Auth;
using RuralCredit.ApiHost.Infrastructure;
using RuralCredit.Ledger;

namespace RuralCredit.Tests.Infrastructure;

/// <summary>
/// The API host (the entry point of the <c>RuralCredit.ApiHost</c> assembly; the marker type is any public type of
/// that assembly, because <c>Program</c> is ambiguous: src/Silo's top-level Program is public too) with its co-hosted silo (embedded profile) on free ports, with fast propagation and state writes.
/// Registers the city 321300 and the county 321322 once; every test registers its own township and villages under
/// them, and its own subjects, so that tests never share keys.
/// </summary>
public class CreditApiFactory : WebApplicationFactory<EngineReadyCheck>, IAsyncLifetime
{
    public const string CityCode = "321300";
    public const string CountyCode = "321322";

    public const string OperatorKey = "dev-operator";
    public const string IntegratorKey = "dev-integrator";
    public const string BankKey = "dev-bank";
    public const string DashboardKey = "dev-dashboard";

    /// <summary>An integrator holding only the department <c>grid</c> (网格员 app), configured by hash.</summary>
    public const string GridIntegratorKey = "test-grid-integrator";

    /// <summary>Default bound of every eventual-consistency wait.</summary>
    public static readonly TimeSpan Eventually = TimeSpan.FromSeconds(20);

    private static int s_regionCounter;
    private static int s_identityCounter;
    private static int s_householdCounter;

    private readonly int _siloPort = TestPorts.Free();
    private readonly int _gatewayPort = TestPorts.Free();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Orleans:SiloPort", _siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:GatewayPort", _gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Grains:PropagationInterval", "00:00:00.200");
        builder.UseSetting("Grains:StateWriteDelay", "00:00:01");
        builder.UseSetting("Demo:Enabled", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Orleans", "Error");
        builder.UseSetting("Logging:LogLevel:Orleans.Runtime.Silo", "Error");

        // The development keys exactly as shipped, plus one integrator scoped to a single department (by hash).
        var keys = AuthOptions.DevelopmentKeys
            .Append(new ApiKeyEntry { KeyHash = AuthOptions.Hash(GridIntegratorKey), Name = "test-grid", Role = Roles.Integrator, Scope = ["grid"] })
            .ToList();
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            if (key.Key is not null)
            {
                builder.UseSetting($"Auth:Keys:{i}:Key", key.Key);
            }

            if (key.KeyHash is not null)
            {
                builder.UseSetting($"Auth:Keys:{i}:KeyHash", key.KeyHash);
            }

            builder.UseSetting($"Auth:Keys:{i}:Name", key.Name);
            builder.UseSetting($"Auth:Keys:{i}:Role", key.Role);
            for (var s = 0; s < key.Scope.Count; s++)
            {
                builder.UseSetting($"Auth:Keys:{i}:Scope:{s}", key.Scope[s]);
            }
        }
    }

    /// <summary>The cluster client of the co-hosted silo.</summary>
    public IClusterClient Cluster => Services.GetRequiredService<IClusterClient>();

    /// <summary>The ledger singleton (in memory) of the co-hosted silo.</summary>
    public ICreditLedger Ledger => Services.GetRequiredService<ICreditLedger>();

    public async Task InitializeAsync()
    {
        using var client = Client(OperatorKey);
        var response = await client.PutJsonAsync("/v1/regions", new JsonObject
        {
            ["regions"] = new JsonArray(
                Region(CityCode, "宿迁市", "city", null),
                Region(CountyCode, "沭阳县", "county", CityCode)),
        });
        Assert.Equal(HttpStatusCode.OK, response.Status);
        foreach (var result in response.Json["results"]!.AsArray())
        {
            Assert.Equal("created", result!["status"]!.GetValue<string>());
        }
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>An HTTP client authenticated with <paramref name="apiKey"/> (none when null).</summary>
    public HttpClient Client(string? apiKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.Timeout = TimeSpan.FromSeconds(100);
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    /// <summary>Registers a fresh township under the county with <paramref name="villageCount"/> villages; returns their codes.</summary>
    public async Task<(string Township, IReadOnlyList<string> Villages)> RegisterTownshipAsync(int villageCount)
    {
        var n = Interlocked.Increment(ref s_regionCounter);
        Assert.InRange(n, 1, 899);
        var township = CountyCode + (100 + n).ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
        var villages = Enumerable.Range(1, villageCount)
            .Select(v => township + v.ToString("D3", System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        var regions = new JsonArray(Region(township, $"测试镇{n}", "township", CountyCode));
        foreach (var village in villages)
        {
            regions.Add(Region(village, $"测试村{village[^3..]}", "village", township));
        }

        using var client = Client(OperatorKey);
        var response = await client.PutJsonAsync("/v1/regions", new JsonObject { ["regions"] = regions });
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var results = response.Json["results"]!.AsArray();
        Assert.Equal(villageCount + 1, results.Count);
        Assert.All(results, r => Assert.Equal("created", r!["status"]!.GetValue<string>()));
        return (township, villages);
    }

    /// <summary>Registers a fresh township with one village; returns the village code.</summary>
    public async Task<string> RegisterVillageAsync() => (await RegisterTownshipAsync(1)).Villages[0];

    /// <summary>Registers farmers (optionally in one household); returns their subject ids and identity numbers.</summary>
    public async Task<IReadOnlyList<(string SubjectId, string IdNumber)>> RegisterFarmersAsync(string villageCode, int count, string? householdId = null)
    {
        var ids = Enumerable.Range(0, count).Select(_ => NewIdNumber()).ToList();
        var subjects = new JsonArray();
        foreach (var id in ids)
        {
            subjects.Add(new JsonObject
            {
                ["subjectType"] = "farmer",
                ["name"] = "张三丰",
                ["idNumber"] = id,
                ["villageCode"] = villageCode,
                ["householdId"] = householdId,
            });
        }

        var results = await RegisterSubjectsAsync(subjects);
        return results.Select((subjectId, i) => (subjectId, ids[i])).ToList();
    }

    /// <summary>Registers one farmer; returns its subject id.</summary>
    public async Task<string> RegisterFarmerAsync(string villageCode, string? householdId = null) =>
        (await RegisterFarmersAsync(villageCode, 1, householdId))[0].SubjectId;

    /// <summary>Registers one organisation; returns its subject id (its credit code).</summary>
    public async Task<string> RegisterOrganisationAsync(string villageCode, string subjectType)
    {
        var code = NewCreditCode();
        var ids = await RegisterSubjectsAsync(new JsonArray(new JsonObject
        {
            ["subjectType"] = subjectType,
            ["name"] = "测试合作社",
            ["creditCode"] = code,
            ["villageCode"] = villageCode,
        }));
        Assert.Equal(code, ids[0]);
        return code;
    }

    /// <summary>PUT /v1/subjects; asserts every item was created and returns the subject ids in order.</summary>
    public async Task<IReadOnlyList<string>> RegisterSubjectsAsync(JsonArray subjects)
    {
        using var client = Client(IntegratorKey);
        var count = subjects.Count;
        var response = await client.PutJsonAsync("/v1/subjects", new JsonObject { ["subjects"] = subjects });
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var results = response.Json["results"]!.AsArray();
        Assert.Equal(count, results.Count);
        Assert.All(results, r => Assert.Equal("created", r!["status"]!.GetValue<string>()));
        return results.Select(r => r!["subjectId"]!.GetValue<string>()).ToList();
    }

    /// <summary>POST /v1/records with the integrator key; asserts 202 and returns the body.</summary>
    public async Task<JsonNode> SubmitAsync(params JsonNode[] records)
    {
        using var client = Client(IntegratorKey);
        var response = await client.PostJsonAsync("/v1/records", new JsonObject { ["records"] = new JsonArray(records) });
        Assert.True(response.Status == HttpStatusCode.Accepted, $"POST /v1/records answered {(int)response.Status}: {response.Json.ToJsonString()}");
        return response.Json;
    }

    /// <summary>GET /v1/subjects/{id} with the operator key.</summary>
    public async Task<JsonNode> ProfileAsync(string subjectId, string? asOf = null)
    {
        using var client = Client(OperatorKey);
        var response = await client.GetJsonAsync($"/v1/subjects/{subjectId}" + (asOf is null ? "" : "?asOf=" + Uri.EscapeDataString(asOf)));
        Assert.True(response.Status == HttpStatusCode.OK, $"GET profile of {subjectId} answered {(int)response.Status}: {response.Json.ToJsonString()}");
        return response.Json;
    }

    /// <summary>GET /v1/regions/{code} with the operator key.</summary>
    public async Task<JsonNode> RegionAsync(string code)
    {
        using var client = Client(OperatorKey);
        var response = await client.GetJsonAsync($"/v1/regions/{code}");
        Assert.True(response.Status == HttpStatusCode.OK, $"GET region {code} answered {(int)response.Status}: {response.Json.ToJsonString()}");
        return response.Json;
    }

    /// <summary>Waits until a subject has folded <paramref name="recordCount"/> records; returns the profile.</summary>
    public async Task<JsonNode> WaitForRecordCountAsync(string subjectId, int recordCount)
    {
        JsonNode? profile = null;
        await WaitUntilAsync(
            async () => (profile = await ProfileAsync(subjectId))["recordCount"]!.GetValue<int>() == recordCount,
            Eventually,
            () => $"subject {subjectId} should fold {recordCount} records; profile: {profile?.ToJsonString()}");
        return profile!;
    }

    /// <summary>Waits until a village holds one subject and <paramref name="records24h"/> records of the last 24 h; returns it.</summary>
    public async Task<JsonNode> WaitForVillageAsync(string village, int records24h)
    {
        JsonNode? region = null;
        await WaitUntilAsync(
            async () => (region = await RegionAsync(village))["records24h"]!.GetValue<int>() == records24h && region["subjects"]!["total"]!.GetValue<int>() == 1,
            Eventually,
            () => $"village {village} should hold one subject with {records24h} records in 24 h: {region?.ToJsonString()}");
        return region!;
    }

    /// <summary>Deactivates a subject's grain and waits until it is gone (when <paramref name="mustBeActive"/>, it must be active first).</summary>
    public async Task DeactivateSubjectAsync(string subjectId, bool mustBeActive = false)
    {
        var grain = Cluster.GetGrain<ISubjectGrain>(subjectId);
        var grainId = grain.GetGrainId();
        var management = Cluster.GetGrain<IManagementGrain>(0);
        if (mustBeActive)
        {
            Assert.Contains(grainId, await management.GetActiveGrains(grainId.Type));
        }

        await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await WaitUntilAsync(
            async () => !(await management.GetActiveGrains(grainId.Type)).Contains(grainId),
            Eventually,
            $"subject grain {subjectId} should deactivate");
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="message"/> after <paramref name="timeout"/>.</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string message) =>
        WaitUntilAsync(condition, timeout, () => message);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with the message (built at failure) after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> message)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (started.Elapsed > timeout)
            {
                Assert.Fail($"Not reached within {timeout.TotalSeconds:0.#} s: {message()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A valid, unique 18-digit 居民身份证号 under county 321322 (GB 11643 check digit).</summary>
    public static string NewIdNumber()
    {
        var n = Interlocked.Increment(ref s_identityCounter);
        var birth = new DateOnly(1950, 1, 1).AddDays(n / 1000 % 20000);
        var first17 = CountyCode + birth.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)
            + (n % 1000).ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
        return first17 + IdNumberCheckChar(first17);
    }

    /// <summary>The GB 11643 check character of 17 digits.</summary>
    public static char IdNumberCheckChar(string first17)
    {
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * weights[i];
        }

        return "10X98765432"[sum % 11];
    }

    /// <summary>A valid, unique 统一社会信用代码 (GB 32100 check character).</summary>
    public static string NewCreditCode()
    {
        var n = Interlocked.Increment(ref s_identityCounter);
        var first17 = "93" + CountyCode + "MA" + n.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
        return first17 + CreditCodeCheckChar(first17);
    }

    /// <summary>The GB 32100 check character of 17 characters.</summary>
    public static char CreditCodeCheckChar(string first17)
    {
        const string chars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        int[] weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += chars.IndexOf(first17[i], StringComparison.Ordinal) * weights[i];
        }

        var check = 31 - (sum % 31);
        return chars[check == 31 ? 0 : check];
    }

    /// <summary>A fresh household id.</summary>
    public static string NewHouseholdId() => $"H-T{Interlocked.Increment(ref s_householdCounter)}-{Guid.NewGuid():N}"[..24];

    /// <summary>A fresh record id.</summary>
    public static string NewRecordId() => "r-" + Guid.NewGuid().ToString("N");

    /// <summary>A record of the batch format of POST /v1/records.</summary>
    public static JsonObject Record(string recordId, string catalogCode, string subjectId, string occurredAt, JsonObject payload, string? supersedes = null)
    {
        var record = new JsonObject
        {
            ["recordId"] = recordId,
            ["catalogCode"] = catalogCode,
            ["subjectId"] = subjectId,
            ["occurredAt"] = occurredAt,
            ["payload"] = payload,
        };
        if (supersedes is not null)
        {
            record["supersedes"] = supersedes;
        }

        return record;
    }

    /// <summary>Today (UTC) as an ISO date, moved by <paramref name="days"/>.</summary>
    public static string Day(int days = 0) =>
        DateOnly.FromDateTime(DateTime.UtcNow).AddDays(days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static JsonObject Region(string code, string name, string level, string? parent) => new()
    {
        ["code"] = code,
        ["name"] = name,
        ["level"] = level,
        ["parentCode"] = parent,
        ["expectedHouseholds"] = null,
        ["expectedSubjects"] = null,
    };

}

/// <summary>A second, separate host for tests that change what every other test relies on (publishing models).</summary>
public sealed class IsolatedCreditApiFactory : CreditApiFactory;

/// <summary>The shared host of the API tests.</summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<CreditApiFactory>
{
    public const string Name = "api";
}

/// <summary>A host of its own for the catalog and model tests (publishing changes the model for the whole host).</summary>
[CollectionDefinition(Name)]
public sealed class DefinitionsCollection : ICollectionFixture<IsolatedCreditApiFactory>
{
    public const string Name = "definitions";
}
