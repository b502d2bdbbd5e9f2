using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using RuralCredit.Grains;
using RuralCredit.Ledger;
using RuralCredit.Models;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>
/// The catalog and scoring models while the system runs (SPEC §2.3, §2.5, Appendix A). Runs on a host of its own:
/// publishing a farmer model re-scores every farmer of the host.
/// </summary>
[Collection(DefinitionsCollection.Name)]
public sealed class DefinitionsTests(IsolatedCreditApiFactory api)
{
    private static readonly string[] Categories =
    [
        "基础信息", "监管信息", "土地信息", "示范信息", "志愿服务", "农业保险", "农资", "财政补助", "行政许可", "行政处罚", "行政检查",
        "行政奖励", "司法信息", "信贷信息", "乡村治理", "政务诚信",
    ];

    [Fact]
    public async Task The_default_catalog_covers_every_category()
    {
        using var client = api.Client(BankKey);
        var response = await client.GetJsonAsync("/v1/catalog");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var items = response.Json.Arr("items");
        Assert.True(items.Count >= 40, $"the default catalog has {items.Count} items, fewer than 40");
        Assert.Equal(items.Count, items.Select(i => i!.Str("code")).Distinct().Count());
        Assert.Equal(Categories.Order(), items.Select(i => i!.Str("category")).Distinct().Order());
        var penalty = items.Single(i => i!.Str("code") == "ADMIN_PENALTY")!;
        Assert.Equal(("行政处罚", "credit_office", "general", 365), (penalty.Str("category"), penalty.Str("sourceDepartment"), penalty.Str("severity"), penalty.Int("publicityDays")));
        Assert.Equal("string", penalty.Obj("payloadSchema").Str("decisionNo"));
        Assert.All(items.Where(i => !i!.Str("code").StartsWith("TEST_", StringComparison.Ordinal)), i => Assert.Equal(1, i!.Int("version")));
    }

    [Fact]
    public async Task A_new_catalog_item_is_versioned_and_validates_records_against_its_schema()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        using var client = api.Client(OperatorKey);
        var item = new JsonObject
        {
            ["code"] = "TEST_WATER_FEE_PAID",
            ["nameZh"] = "水费按时缴纳",
            ["category"] = "基础信息",
            ["sourceDepartment"] = "grid",
            ["collectionCycle"] = "monthly",
            ["subjectTypes"] = new JsonArray("farmer"),
            ["severity"] = null,
            ["publicityDays"] = null,
            ["repairMinDays"] = null,
            ["payloadSchema"] = new JsonObject { ["amount"] = "number", ["paidAt"] = "date", ["note"] = "string?" },
            ["governancePoints"] = new JsonObject { ["points"] = 2 },
            ["role"] = null,
        };

        var created = await client.PutJsonAsync("/v1/catalog/TEST_WATER_FEE_PAID", item);
        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.Equal(("TEST_WATER_FEE_PAID", 1), (created.Json.Str("code"), created.Json.Int("version")));
        var listed = (await client.GetJsonAsync("/v1/catalog")).Json.Arr("items").Single(i => i!.Str("code") == "TEST_WATER_FEE_PAID")!;
        Assert.Equal(("水费按时缴纳", 1), (listed.Str("nameZh"), listed.Int("version")));

        var records = await api.SubmitAsync(
            Record(NewRecordId(), "TEST_WATER_FEE_PAID", farmer, Day(), new JsonObject { ["amount"] = 36.5, ["paidAt"] = Day() }),
            Record(NewRecordId(), "TEST_WATER_FEE_PAID", farmer, Day(), new JsonObject { ["amount"] = "36.5", ["paidAt"] = Day() }),
            Record(NewRecordId(), "TEST_WATER_FEE_PAID", farmer, Day(), new JsonObject { ["paidAt"] = Day() }),
            Record(NewRecordId(), "TEST_WATER_FEE_PAID", farmer, Day(), new JsonObject { ["amount"] = 1, ["paidAt"] = "last month" }),
            Record(NewRecordId(), "TEST_WATER_FEE_PAID", farmer, Day(), new JsonObject { ["amount"] = 1, ["paidAt"] = Day(), ["note"] = 5 }));
        Assert.Equal(
            new[] { "accepted", "rejected", "rejected", "rejected", "rejected" },
            records.Arr("results").Select(r => r!.Str("status")));
        Assert.All(records.Arr("results").Skip(1), r => Assert.Equal("validation_failed", r!["error"]!.Str("code")));
        var profile = await api.WaitForRecordCountAsync(farmer, 1);
        Assert.Equal(2m, profile["points"]!.Dec("earned"));
        Assert.Equal(600, profile.Int("score")); // no rule in the farmer model: archived, not scored

        // A new version: the schema now requires meterNo.
        item["payloadSchema"]!["meterNo"] = "string";
        var updated = await client.PutJsonAsync("/v1/catalog/TEST_WATER_FEE_PAID", item);
        Assert.Equal(2, updated.Json.Int("version"));
        var next = await api.SubmitAsync(
            Record(NewRecordId(), "TEST_WATER_FEE_PAID", farmer, Day(), new JsonObject { ["amount"] = 1, ["paidAt"] = Day() }),
            Record(NewRecordId(), "TEST_WATER_FEE_PAID", farmer, Day(), new JsonObject { ["amount"] = 1, ["paidAt"] = Day(), ["meterNo"] = "M-1" }));
        Assert.Equal(new[] { "rejected", "accepted" }, next.Arr("results").Select(r => r!.Str("status")));
    }

    [Theory]
    [InlineData("category", "\"不存在的类别\"")]
    [InlineData("collectionCycle", "\"hourly\"")]
    [InlineData("subjectTypes", "[\"robot\"]")]
    [InlineData("subjectTypes", "[]")]
    [InlineData("severity", "\"fatal\"")]
    [InlineData("payloadSchema", "{\"amount\": \"money\"}")]
    [InlineData("role", "\"bonus\"")]
    [InlineData("role", "\"loan\"")]
    [InlineData("governancePoints", "{\"pointsPerUnit\": 1}")]
    [InlineData("publicityDays", "0")]
    [InlineData("publicityDays", "3000000")] // beyond the calendar for any record's date
    [InlineData("repairMinDays", "36501")]
    [InlineData("nameZh", "\"\"")]
    [InlineData("code", "\"OTHER_CODE\"")]
    [InlineData("publicityDays", "\"30\"")]
    [InlineData("payloadSchema", "{\"amount\": null}")]
    [InlineData("payloadSchema", "null")]
    [InlineData("subjectTypes", "[null]")]
    [InlineData("category", "null")]
    public async Task An_invalid_catalog_item_is_400_and_not_stored(string field, string json)
    {
        using var client = api.Client(OperatorKey);
        var item = new JsonObject
        {
            ["code"] = "TEST_INVALID_ITEM",
            ["nameZh"] = "无效事项",
            ["category"] = "基础信息",
            ["sourceDepartment"] = "grid",
            ["collectionCycle"] = "monthly",
            ["subjectTypes"] = new JsonArray("farmer"),
            ["payloadSchema"] = new JsonObject { ["amount"] = "number" },
        };
        item[field] = JsonNode.Parse(json);

        var response = await client.PutJsonAsync("/v1/catalog/TEST_INVALID_ITEM", item);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("validation_failed", response.Code);
        var items = (await client.GetJsonAsync("/v1/catalog")).Json.Arr("items");
        Assert.DoesNotContain(items, i => i!.Str("code") is "TEST_INVALID_ITEM" or "OTHER_CODE");
    }

    [Fact]
    public async Task Publishing_a_model_rescores_every_farmer_in_the_background()
    {
        var village = await api.RegisterVillageAsync();
        var farmers = (await api.RegisterFarmersAsync(village, 3)).Select(f => f.SubjectId).ToList();
        await api.SubmitAsync(Record(NewRecordId(), "ADMIN_PENALTY", farmers[0], Day(), new JsonObject { ["decisionNo"] = "D-1" }));
        Assert.Equal(540, (await api.WaitForRecordCountAsync(farmers[0], 1)).Int("score"));
        Assert.Equal(1, (await api.ProfileAsync(farmers[0])).Int("modelVersion"));
        using var client = api.Client(OperatorKey);

        var current = (await client.GetJsonAsync("/v1/models/farmer")).Json;
        var model = current.Obj("current").DeepClone().AsObject();
        Assert.Equal(1, model.Int("version"));
        Assert.Equal(600.0, model.Num("base"));
        model["base"] = 650;
        model.Remove("version");
        var next = current.Arr("versions").Max(v => v!.Int("version")) + 1; // 2 on a fresh host

        var draft = await client.PutJsonAsync("/v1/models/farmer", model);
        Assert.Equal(HttpStatusCode.Created, draft.Status);
        Assert.Equal(("farmer", next, "draft"), (draft.Json.Str("subjectType"), draft.Json.Int("version"), draft.Json.Str("state")));
        Assert.Equal(540, (await api.ProfileAsync(farmers[0])).Int("score")); // a draft changes nothing

        var farmersInHost = (await api.Services.GetRequiredService<ISubjectDirectory>().ListByTypeAsync("farmer")).Count;
        var publish = await client.PostJsonAsync($"/v1/models/farmer/{next}/publish", new JsonObject());
        Assert.Equal(HttpStatusCode.Accepted, publish.Status);
        var jobId = publish.Json.Str("jobId");
        JsonNode? job = null;
        await WaitUntilAsync(
            async () => (job = (await client.GetJsonAsync($"/v1/jobs/{jobId}")).Json)["state"]?.GetValue<string>() is "done" or "failed",
            Eventually,
            () => $"re-score job {jobId} should finish: {job?.ToJsonString()}");
        var finished = job!;
        Assert.Equal("done", finished.Str("state"));
        Assert.Equal(("rescore", jobId), (finished.Str("kind"), finished.Str("jobId")));
        Assert.Equal(finished.Int("total"), finished.Int("done"));
        Assert.Equal(farmersInHost, finished.Int("total"));
        Assert.NotNull(finished["finishedAt"]);

        var rescored = await api.ProfileAsync(farmers[0]);
        Assert.Equal((next, 590), (rescored.Int("modelVersion"), rescored.Int("score")));
        var untouched = await api.ProfileAsync(farmers[1]);
        Assert.Equal((next, 650), (untouched.Int("modelVersion"), untouched.Int("score")));
        var models = (await client.GetJsonAsync("/v1/models/farmer")).Json;
        Assert.Equal(next, models["current"]!.Int("version"));
        Assert.Equal(650.0, models["current"]!.Num("base"));
        var states = models.Arr("versions").ToDictionary(v => v!.Int("version"), v => v!.Str("state"));
        Assert.Equal(("retired", "published"), (states[1], states[next]));
        Assert.Single(states, s => s.Value == "published");
        JsonNode? region = null;
        await WaitUntilAsync(
            async () => (region = await api.RegionAsync(village)).Num("meanScore") == (590 + 650 + 650) / 3.0,
            Eventually,
            () => $"village {village} should show the re-scored mean (590 + 650 + 650) / 3: {region?.ToJsonString()}");
    }

    [Fact]
    public async Task A_job_found_running_by_a_new_activation_runs_again_to_the_end()
    {
        // What a silo that died mid-job leaves in storage: the job running, its progress as last written.
        var village = await api.RegisterVillageAsync();
        await api.RegisterFarmerAsync(village);
        using var client = api.Client(OperatorKey);
        var version = (await client.GetJsonAsync("/v1/models/farmer")).Json.Obj("current").Int("version");
        var jobId = $"rescore-farmer-v{version}-{Guid.NewGuid():N}";
        var storage = api.Services.GetRequiredKeyedService<IGrainStorage>(RuralCreditConstants.StorageName);
        await storage.WriteStateAsync("job", api.Cluster.GetGrain<IRescoreJobGrain>(jobId).GetGrainId(), new GrainState<RescoreJobState>(new RescoreJobState
        {
            SubjectType = "farmer",
            ModelVersion = version,
            Status = new JobStatus { JobId = jobId, Kind = "rescore", State = "running", Done = 64, Total = 1000, StartedAt = DateTimeOffset.UtcNow },
        }));

        JsonNode? job = null;
        await WaitUntilAsync(
            async () => (job = (await client.GetJsonAsync($"/v1/jobs/{jobId}")).Json)["state"]?.GetValue<string>() is "done" or "failed",
            Eventually,
            () => $"re-score job {jobId}, found running, should run to its end: {job?.ToJsonString()}");
        var farmersInHost = (await api.Services.GetRequiredService<ISubjectDirectory>().ListByTypeAsync("farmer")).Count;
        var finished = job!;
        Assert.Equal("done", finished.Str("state"));
        Assert.Equal((farmersInHost, farmersInHost), (finished.Int("total"), finished.Int("done")));
    }

    [Theory]
    [InlineData("unknown rule code")]
    [InlineData("unknown dimension")]
    [InlineData("ascending grades")]
    [InlineData("linear decay without days")]
    [InlineData("points and pointsPerUnit")]
    [InlineData("other subject type")]
    [InlineData("a null grade")]
    [InlineData("only a null grade")]
    [InlineData("no grades")]
    [InlineData("a null rule dimension")]
    [InlineData("a null dimension range")]
    [InlineData("min above max")]
    [InlineData("malformed JSON")]
    [InlineData("base as a string")]
    [InlineData("decay beyond a century")]
    [InlineData("points beyond a million")]
    public async Task Bad_model_input_is_400_and_stores_no_version(string mistake)
    {
        using var client = api.Client(OperatorKey);
        var current = (await client.GetJsonAsync("/v1/models/farmer")).Json;
        var versionsBefore = current.Arr("versions").Count;
        var model = current.Obj("current").DeepClone().AsObject();
        model.Remove("version");
        var rules = model.Obj("rules");
        switch (mistake)
        {
            case "unknown rule code": rules["NO_SUCH_ITEM"] = new JsonObject { ["dimension"] = "compliance", ["points"] = -10, ["decay"] = "none" }; break;
            case "unknown dimension": rules["ADMIN_PENALTY"]!["dimension"] = "karma"; break;
            case "ascending grades": model["grades"] = new JsonArray(new JsonObject { ["grade"] = "D", ["minScore"] = 0 }, new JsonObject { ["grade"] = "A", ["minScore"] = 800 }); break;
            case "linear decay without days": rules["ADMIN_PENALTY"]!["decayDays"] = null; break;
            case "points and pointsPerUnit": rules["ADMIN_PENALTY"]!["pointsPerUnit"] = 1; rules["ADMIN_PENALTY"]!["unitField"] = "amount"; rules["ADMIN_PENALTY"]!["maxPoints"] = 10; break;
            case "other subject type": model["subjectType"] = "cooperative"; break;
            case "a null grade": model["grades"] = new JsonArray(new JsonObject { ["grade"] = "A", ["minScore"] = 800 }, null); break;
            case "only a null grade": model["grades"] = new JsonArray((JsonNode?)null); break;
            case "no grades": model["grades"] = new JsonArray(); break;
            case "a null rule dimension": rules["ADMIN_PENALTY"]!["dimension"] = null; break;
            case "a null dimension range": model["dimensions"]!["compliance"] = null; break;
            case "min above max": model["dimensions"]!["compliance"] = new JsonObject { ["min"] = 10, ["max"] = -10 }; break;
            case "decay beyond a century": rules["ADMIN_PENALTY"]!["decay"] = "linear"; rules["ADMIN_PENALTY"]!["decayDays"] = 36501; break;
            case "points beyond a million": rules["ADMIN_PENALTY"]!["points"] = -1e300; break;
            case "base as a string": model["base"] = "650"; break;
        }

        var response = mistake == "malformed JSON"
            ? await client.SendRawAsync(HttpMethod.Put, "/v1/models/farmer", "{\"base\": ")
            : await client.PutJsonAsync("/v1/models/farmer", model);

        Assert.True(response.Status == HttpStatusCode.BadRequest, $"{mistake}: expected 400, got {(int)response.Status}: {response.Body}");
        Assert.Equal("validation_failed", response.Code);
        Assert.DoesNotContain("System.", response.Json.Str("detail"), StringComparison.Ordinal);
        if (mistake == "base as a string")
        {
            Assert.Equal("not a scoring model: expected a number (at $.base)", response.Json.Str("detail"));
        }

        Assert.Equal(versionsBefore, (await client.GetJsonAsync("/v1/models/farmer")).Json.Arr("versions").Count);
    }

    [Fact]
    public async Task Unknown_versions_jobs_and_subject_types_are_404()
    {
        using var client = api.Client(OperatorKey);
        var unknownVersion = await client.PostJsonAsync("/v1/models/farmer/99/publish", new JsonObject());
        Assert.Equal(HttpStatusCode.NotFound, unknownVersion.Status);
        Assert.Equal("unknown_model_version", unknownVersion.Code);
        var unknownJob = await client.GetJsonAsync("/v1/jobs/nope");
        Assert.Equal(HttpStatusCode.NotFound, unknownJob.Status);
        Assert.Equal("unknown_job", unknownJob.Code);
        var unknownType = await client.GetJsonAsync("/v1/models/robot");
        Assert.Equal(HttpStatusCode.NotFound, unknownType.Status);
    }
}
