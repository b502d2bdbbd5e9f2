using System.Net;
using System.Text.Json.Nodes;
using RuralCredit.Tests.Infrastructure;

namespace RuralCredit.Tests.Api;

/// <summary>
/// Bad input outside record batches (SPEC §4: "bad input of any kind gets a clear 4xx and changes nothing"):
/// region and subject registration, profile reads; and the unauthenticated service endpoints.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BadInputTests(CreditApiFactory api)
{
    [Fact]
    public async Task Region_registration_rejects_each_bad_item_with_its_code_and_registers_nothing()
    {
        var (township, _) = await api.RegisterTownshipAsync(0);
        var unknownTownship = township[..6] + "999";
        using var client = api.Client(CreditApiFactory.OperatorKey);
        var response = await client.PutJsonAsync("/v1/regions", new JsonObject
        {
            ["regions"] = new JsonArray(
                new JsonObject { ["code"] = township + "01", ["name"] = "短码村", ["level"] = "village", ["parentCode"] = township },
                new JsonObject { ["code"] = unknownTownship + "001", ["name"] = "无上级村", ["level"] = "village", ["parentCode"] = unknownTownship },
                new JsonObject { ["code"] = township[..6] + "998", ["name"] = "错级镇", ["level"] = "township", ["parentCode"] = township },
                new JsonObject { ["code"] = township + "002", ["name"] = "未知级", ["level"] = "hamlet", ["parentCode"] = township },
                new JsonObject { ["code"] = "321311001001", ["name"] = "越界村", ["level"] = "village", ["parentCode"] = township },
                new JsonObject { ["code"] = township + "003", ["name"] = "", ["level"] = "village", ["parentCode"] = township },
                new JsonObject { ["code"] = township + "004", ["name"] = "负数村", ["level"] = "village", ["parentCode"] = township, ["expectedSubjects"] = -1 }),
        });

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var results = response.Json.Arr("results");
        string[] expectedCodes = ["validation_failed", "unknown_region", "validation_failed", "validation_failed", "validation_failed", "validation_failed", "validation_failed"];
        Assert.Equal(expectedCodes.Length, results.Count);
        for (var i = 0; i < expectedCodes.Length; i++)
        {
            Assert.Equal(i, results[i]!.Int("index"));
            Assert.Equal("rejected", results[i]!.Str("status"));
            Assert.Equal(expectedCodes[i], results[i]!["error"]!.Str("code"));
            Assert.False(string.IsNullOrWhiteSpace(results[i]!["error"]!.Str("detail")));
        }

        foreach (var code in new[] { unknownTownship + "001", township[..6] + "998", township + "002", "321311001001", township + "003", township + "004", unknownTownship })
        {
            var get = await client.GetJsonAsync($"/v1/regions/{code}");
            Assert.Equal(HttpStatusCode.NotFound, get.Status);
            Assert.Equal("unknown_region", get.Code);
        }

        var parent = await api.RegionAsync(township);
        Assert.Equal(0, parent.Int("villages"));
        var children = await client.GetJsonAsync($"/v1/regions/{township}/children");
        Assert.Equal(HttpStatusCode.OK, children.Status);
        Assert.Empty(children.Json.AsArray());
    }

    [Theory]
    [InlineData("{\"regions\": [")]
    [InlineData("[]")]
    [InlineData("{\"regions\": {}}")]
    [InlineData("{}")]
    public async Task Region_batch_that_is_not_an_object_with_a_regions_array_is_400(string body)
    {
        using var client = api.Client(CreditApiFactory.OperatorKey);
        var response = await client.SendRawAsync(HttpMethod.Put, "/v1/regions", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("validation_failed", response.Code);
    }

    [Fact]
    public async Task Subject_registration_rejects_each_bad_item_and_registers_nothing()
    {
        var village = await api.RegisterVillageAsync();
        var goodId = CreditApiFactory.NewIdNumber();
        var badCheckId = goodId[..17] + (goodId[17] == '0' ? '1' : '0');
        var goodCode = CreditApiFactory.NewCreditCode();
        var badCheckCode = goodCode[..17] + (goodCode[17] == '0' ? '1' : '0');
        var unknownVillage = village[..9] + "999";
        var unknownVillageId = CreditApiFactory.NewIdNumber();

        var response = await RegisterAsync(new JsonArray(
            new JsonObject { ["subjectType"] = "farmer", ["name"] = "李四", ["idNumber"] = badCheckId, ["villageCode"] = village },
            new JsonObject { ["subjectType"] = "cooperative", ["name"] = "坏码社", ["creditCode"] = badCheckCode, ["villageCode"] = village },
            new JsonObject { ["subjectType"] = "farmer", ["name"] = "王五", ["idNumber"] = unknownVillageId, ["villageCode"] = unknownVillage },
            new JsonObject { ["subjectType"] = "alien", ["name"] = "外星人", ["creditCode"] = goodCode, ["villageCode"] = village },
            new JsonObject { ["subjectType"] = "cooperative", ["name"] = "有户社", ["creditCode"] = goodCode, ["villageCode"] = village, ["householdId"] = "H-1" },
            new JsonObject { ["subjectType"] = "farmer", ["name"] = "赵六", ["idNumber"] = "32132219800101123", ["villageCode"] = village },
            new JsonObject { ["subjectType"] = "farmer", ["name"] = "", ["idNumber"] = goodId, ["villageCode"] = village },
            new JsonObject { ["subjectType"] = "farmer", ["name"] = "孙七", ["idNumber"] = goodId, ["villageCode"] = village[..9] }));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var results = response.Json.Arr("results");
        string[] expectedCodes = ["validation_failed", "validation_failed", "unknown_region", "validation_failed", "validation_failed", "validation_failed", "validation_failed", "validation_failed"];
        Assert.Equal(expectedCodes.Length, results.Count);
        for (var i = 0; i < expectedCodes.Length; i++)
        {
            Assert.Equal(i, results[i]!.Int("index"));
            Assert.Equal("rejected", results[i]!.Str("status"));
            Assert.Equal(expectedCodes[i], results[i]!["error"]!.Str("code"));
        }

        using var client = api.Client(CreditApiFactory.OperatorKey);
        foreach (var id in new[] { badCheckCode, goodCode })
        {
            var get = await client.GetJsonAsync($"/v1/subjects/{id}");
            Assert.Equal(HttpStatusCode.NotFound, get.Status);
            Assert.Equal("unknown_subject", get.Code);
        }

        // Persons are found by identity number through a record: none of them was registered.
        var records = await api.SubmitAsync(
            new JsonObject { ["recordId"] = CreditApiFactory.NewRecordId(), ["catalogCode"] = "GOV_FAMILY_VIRTUE", ["idNumber"] = unknownVillageId, ["occurredAt"] = CreditApiFactory.Day(), ["payload"] = new JsonObject { ["event"] = "x" } },
            new JsonObject { ["recordId"] = CreditApiFactory.NewRecordId(), ["catalogCode"] = "GOV_FAMILY_VIRTUE", ["idNumber"] = goodId, ["occurredAt"] = CreditApiFactory.Day(), ["payload"] = new JsonObject { ["event"] = "x" } });
        Assert.Equal(2, records.Int("rejected"));
        Assert.All(records.Arr("results"), r => Assert.Equal("unknown_subject", r!["error"]!.Str("code")));

        var region = await api.RegionAsync(village);
        Assert.Equal(0, region["subjects"]!.Int("total"));
    }

    [Fact]
    public async Task A_wrongly_typed_item_is_rejected_alone_and_the_rest_of_its_batch_is_registered()
    {
        var (township, _) = await api.RegisterTownshipAsync(0);
        using var client = api.Client(CreditApiFactory.OperatorKey);
        var regions = await client.SendRawAsync(HttpMethod.Put, "/v1/regions", $$"""
            {"regions": [
              {"code": "{{township}}051", "name": "好村", "level": "village", "parentCode": "{{township}}"},
              {"code": {{township}}052, "name": "数字码村", "level": "village", "parentCode": "{{township}}"},
              {"code": "{{township}}053", "name": "文字数村", "level": "village", "parentCode": "{{township}}", "expectedSubjects": "100"},
              7,
              {"code": "{{township}}054", "name": "又一好村", "level": "village", "parentCode": "{{township}}"}]}
            """);
        Assert.Equal(HttpStatusCode.OK, regions.Status);
        var results = regions.Json.Arr("results");
        Assert.Equal([0, 1, 2, 3, 4], results.Select(r => r!.Int("index")));
        Assert.Equal(["created", "rejected", "rejected", "rejected", "created"], results.Select(r => r!.Str("status")));
        Assert.Equal("expected a string (at $.code)", results[1]!["error"]!.Str("detail"));
        Assert.Equal("expected an integer or null (at $.expectedSubjects)", results[2]!["error"]!.Str("detail"));
        Assert.Equal("an item must be a JSON object", results[3]!["error"]!.Str("detail"));
        Assert.All(results.Where(r => r!.Str("status") == "rejected"), r => Assert.Equal("validation_failed", r!["error"]!.Str("code")));
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync($"/v1/regions/{township}054")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetJsonAsync($"/v1/regions/{township}053")).Status);

        var id = CreditApiFactory.NewIdNumber();
        var subjects = await client.SendRawAsync(HttpMethod.Put, "/v1/subjects", $$"""
            {"subjects": [
              {"subjectType": "farmer", "name": "钱八", "idNumber": {{id[..17]}}, "villageCode": "{{township}}051"},
              {"subjectType": "farmer", "name": "钱八", "idNumber": "{{id}}", "villageCode": "{{township}}051"}]}
            """);
        Assert.Equal(HttpStatusCode.OK, subjects.Status);
        var registered = subjects.Json.Arr("results");
        Assert.Equal(["rejected", "created"], registered.Select(r => r!.Str("status")));
        Assert.Equal((0, 1), (registered[0]!.Int("index"), registered[1]!.Int("index")));
        Assert.Equal("expected a string (at $.idNumber)", registered[0]!["error"]!.Str("detail"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync($"/v1/subjects/{registered[1]!.Str("subjectId")}")).Status);
    }

    [Fact]
    public async Task A_household_lives_in_one_village_and_moves_with_all_its_members_at_once()
    {
        var (_, villages) = await api.RegisterTownshipAsync(2);
        var household = CreditApiFactory.NewHouseholdId();
        var (staying, stayingId) = (await api.RegisterFarmersAsync(villages[0], 1, household))[0];
        var joinerId = CreditApiFactory.NewIdNumber();
        object Farmer(string id, string village) => new { subjectType = "farmer", name = "吴十一", idNumber = id, villageCode = village, householdId = household };
        using var client = api.Client(CreditApiFactory.OperatorKey);
        await api.SubmitAsync(CreditApiFactory.Record(CreditApiFactory.NewRecordId(), "GOV_FAMILY_VIRTUE", staying, CreditApiFactory.Day(-1), new JsonObject { ["event"] = "x" }));
        await api.WaitForRecordCountAsync(staying, 1);
        var redeemed = await client.PostJsonAsync("/v1/points/redemptions", new JsonObject { ["redemptionId"] = "rd-" + household, ["subjectId"] = staying, ["points"] = 1, ["item"] = "盐" });
        Assert.Equal(HttpStatusCode.OK, redeemed.Status);

        var elsewhere = await client.PutJsonAsync("/v1/subjects", new JsonObject { ["subjects"] = System.Text.Json.JsonSerializer.SerializeToNode(new[] { Farmer(joinerId, villages[1]) }) });
        var rejected = elsewhere.Json.Arr("results")[0]!;
        Assert.Equal(("rejected", "validation_failed"), (rejected.Str("status"), rejected["error"]!.Str("code")));
        Assert.Contains(villages[0], rejected["error"]!.Str("detail"), StringComparison.Ordinal);

        // The whole household moves in one batch: both go.
        var moved = await client.PutJsonAsync("/v1/subjects", new JsonObject { ["subjects"] = System.Text.Json.JsonSerializer.SerializeToNode(new[] { Farmer(stayingId, villages[1]), Farmer(joinerId, villages[1]) }) });
        Assert.Equal(["updated", "created"], moved.Json.Arr("results").Select(r => r!.Str("status")));
        Assert.Equal(villages[1], (await api.ProfileAsync(staying)).Str("villageCode"));
        var view = await client.GetJsonAsync($"/v1/households/{household}");
        Assert.Equal(villages[1], view.Json.Str("villageCode"));

        // Its redemption moved with it: counted in the new village, no longer in the old one.
        JsonNode? from = null, to = null;
        await CreditApiFactory.WaitUntilAsync(
            async () => (from = await api.RegionAsync(villages[0]))["points"]!.Dec("redeemed") == 0m && (to = await api.RegionAsync(villages[1]))["points"]!.Dec("redeemed") == 1m,
            CreditApiFactory.Eventually,
            () => $"the household's redeemed point should move with it: {from?.ToJsonString()} {to?.ToJsonString()}");
    }

    [Fact]
    public async Task Text_no_reader_can_take_is_a_client_mistake_not_a_server_error()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        using var client = api.Client(CreditApiFactory.OperatorKey);

        // An unpaired surrogate escape in a record's field, in its payload's member name; a NUL in a subject id.
        var records = await client.SendRawAsync(HttpMethod.Post, "/v1/records", $$$"""
            {"records": [
              {"recordId": "r-\ud800", "catalogCode": "GOV_FAMILY_VIRTUE", "subjectId": "{{{farmer}}}", "occurredAt": "2026-01-01", "payload": {"event": "x"}},
              {"recordId": "r-sur-{{{farmer}}}", "catalogCode": "GOV_FAMILY_VIRTUE", "subjectId": "{{{farmer}}}", "occurredAt": "2026-01-01", "payload": {"ev\udc00": "x", "event": "x"}},
              {"recordId": "r-nul-{{{farmer}}}", "catalogCode": "GOV_FAMILY_VIRTUE", "subjectId": "{{{farmer}}}\u0000", "occurredAt": "2026-01-01", "payload": {"event": "x"}}]}
            """);
        Assert.Equal(HttpStatusCode.Accepted, records.Status);
        Assert.All(records.Json.Arr("results"), r => Assert.Equal(("rejected", "validation_failed"), (r!.Str("status"), r!["error"]!.Str("code"))));

        // A member named twice in a catalog item or a model.
        foreach (var (url, body) in new[] { ("/v1/catalog/TWICE", "{\"code\": \"TWICE\", \"code\": \"TWICE\"}"), ("/v1/models/farmer", "{\"base\": 600, \"base\": 650}") })
        {
            var response = await client.SendRawAsync(HttpMethod.Put, url, body);
            Assert.Equal(HttpStatusCode.BadRequest, response.Status);
            Assert.Equal("validation_failed", response.Code);
        }

        // A control character in a redemption's ids.
        var redemption = await client.SendRawAsync(HttpMethod.Post, "/v1/points/redemptions", $$"""{"redemptionId": "rd-\u0000", "subjectId": "{{farmer}}", "points": 1, "item": "盐"}""");
        Assert.Equal(("validation_failed", HttpStatusCode.BadRequest), (redemption.Code, redemption.Status));
        Assert.Equal(0, (await api.ProfileAsync(farmer)).Int("recordCount"));
    }

    [Fact]
    public async Task Registering_the_same_subject_twice_is_an_idempotent_upsert()
    {
        var village = await api.RegisterVillageAsync();
        var id = CreditApiFactory.NewIdNumber();
        var subject = new JsonObject { ["subjectType"] = "farmer", ["name"] = "周八", ["idNumber"] = id, ["villageCode"] = village };

        var first = await RegisterAsync(new JsonArray(subject.DeepClone()));
        var second = await RegisterAsync(new JsonArray(subject.DeepClone()));

        Assert.Equal("created", first.Json.Arr("results")[0]!.Str("status"));
        Assert.Equal("updated", second.Json.Arr("results")[0]!.Str("status"));
        var subjectId = first.Json.Arr("results")[0]!.Str("subjectId");
        Assert.Equal(subjectId, second.Json.Arr("results")[0]!.Str("subjectId"));
        Assert.Matches("^P[A-Z2-7]{20}$", subjectId);

        var profile = await api.ProfileAsync(subjectId);
        Assert.Equal("周*", profile.Str("displayName"));
        Assert.Equal(id[..4] + "**********" + id[14..], profile.Str("maskedId"));
        Assert.DoesNotContain(id, profile.ToJsonString(), StringComparison.Ordinal);
        await CreditApiFactory.WaitUntilAsync(
            async () => (await api.RegionAsync(village))["subjects"]!.Int("total") == 1,
            CreditApiFactory.Eventually,
            $"village {village} should count the subject registered twice exactly once");
    }

    [Fact]
    public async Task Unknown_subject_is_404_and_a_bad_asOf_is_400()
    {
        var village = await api.RegisterVillageAsync();
        var subjectId = await api.RegisterFarmerAsync(village);
        using var client = api.Client(CreditApiFactory.OperatorKey);

        foreach (var url in new[] { "/v1/subjects/PUNKNOWNUNKNOWNUNKNOW", "/v1/subjects/PUNKNOWNUNKNOWNUNKNOW/explain", "/v1/subjects/PUNKNOWNUNKNOWNUNKNOW/records" })
        {
            var unknown = await client.GetJsonAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
            Assert.Equal("unknown_subject", unknown.Code);
        }

        foreach (var url in new[] { $"/v1/subjects/{subjectId}?asOf=garbage", $"/v1/subjects/{subjectId}/explain?asOf=2025-02-30", $"/v1/subjects/{subjectId}?asOf=yesterday", $"/v1/subjects/{subjectId}?asOf=0001-01-01", $"/v1/subjects/{subjectId}/explain?asOf=9999-12-31" })
        {
            var bad = await client.GetJsonAsync(url);
            Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
            Assert.Equal("validation_failed", bad.Code);
        }

        // A raw identity number where the subject id belongs is not echoed back, in a read or in a batch.
        var rawId = CreditApiFactory.NewIdNumber();
        foreach (var view in new[] { "", "/explain", "/records" })
        {
            var byRawId = await client.GetJsonAsync($"/v1/subjects/{rawId}{view}");
            Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (byRawId.Status, byRawId.Code));
            Assert.DoesNotContain(rawId, byRawId.Body, StringComparison.OrdinalIgnoreCase);
        }

        var wrongCheck = rawId[..17] + (rawId[17] == '0' ? '1' : '0');
        var unknownMasked = await client.GetJsonAsync($"/v1/subjects/{wrongCheck}"); // the shape, not a valid number: asked, and echoed masked
        Assert.Equal(HttpStatusCode.NotFound, unknownMasked.Status);
        Assert.DoesNotContain(rawId[..17], unknownMasked.Body, StringComparison.Ordinal);
        var batch = await client.PostJsonAsync("/v1/records", new JsonObject
        {
            ["records"] = new JsonArray(CreditApiFactory.Record(CreditApiFactory.NewRecordId(), "GOV_FAMILY_VIRTUE", rawId, CreditApiFactory.Day(), new JsonObject { ["event"] = "x" })),
        });
        Assert.Equal("unknown_subject", batch.Json.Arr("results")[0]!["error"]!.Str("code"));
        Assert.DoesNotContain(rawId, batch.Body, StringComparison.OrdinalIgnoreCase);

        var household = await client.GetJsonAsync("/v1/households/H-NOSUCHHOUSEHOLD");
        Assert.Equal(HttpStatusCode.NotFound, household.Status);
        Assert.Equal("unknown_household", household.Code);
    }

    [Fact]
    public async Task An_identity_number_with_a_lowercase_x_is_the_same_person()
    {
        var village = await api.RegisterVillageAsync();
        var id = CreditApiFactory.NewIdNumber();
        while (id[^1] != 'X')
        {
            id = CreditApiFactory.NewIdNumber();
        }

        var upper = await RegisterAsync(new JsonArray(new JsonObject { ["subjectType"] = "farmer", ["name"] = "郑十", ["idNumber"] = id, ["villageCode"] = village }));
        var lower = await RegisterAsync(new JsonArray(new JsonObject { ["subjectType"] = "farmer", ["name"] = "郑十", ["idNumber"] = id.ToLowerInvariant(), ["villageCode"] = village }));

        Assert.Equal(("created", "updated"), (upper.Json.Arr("results")[0]!.Str("status"), lower.Json.Arr("results")[0]!.Str("status")));
        var subjectId = upper.Json.Arr("results")[0]!.Str("subjectId");
        Assert.Equal(subjectId, lower.Json.Arr("results")[0]!.Str("subjectId"));
        var records = await api.SubmitAsync(new JsonObject
        {
            ["recordId"] = CreditApiFactory.NewRecordId(),
            ["catalogCode"] = "GOV_FAMILY_VIRTUE",
            ["idNumber"] = id.ToLowerInvariant(),
            ["occurredAt"] = CreditApiFactory.Day(),
            ["payload"] = new JsonObject { ["event"] = "x" },
        });
        Assert.Equal(1, records.Int("accepted"));
        Assert.Equal(1, (await api.WaitForRecordCountAsync(subjectId, 1)).Int("recordCount"));
        Assert.EndsWith("X", (await api.ProfileAsync(subjectId)).Str("maskedId"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v1/no-such-thing", 404, "not_found")]
    [InlineData("DELETE", "/v1/records", 405, "method_not_allowed")]
    [InlineData("DELETE", "/v1/regions/321300", 405, "method_not_allowed")]
    [InlineData("GET", "/v1/catalog/ADMIN_PENALTY", 405, "method_not_allowed")]
    public async Task Unknown_routes_and_methods_answer_with_a_problem_and_a_code(string method, string url, int status, string code)
    {
        using var client = api.Client(CreditApiFactory.OperatorKey);
        var response = await HttpJson.SendAsync(client, new HttpRequestMessage(new HttpMethod(method), url));
        Assert.Equal(status, (int)response.Status);
        Assert.Equal("application/problem+json", response.ContentHeaders.ContentType?.MediaType);
        Assert.Equal(status, response.Json.Int("status"));
        Assert.Equal(code, response.Code);
        Assert.Equal($"https://ruralcredit.example/problems/{code}", response.Json.Str("type"));
        Assert.Contains(new Uri("http://x" + url).AbsolutePath, response.Json.Str("detail"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/openapi/v1.json")]
    public async Task Service_endpoints_answer_200_without_a_key(string url)
    {
        using var client = api.Client(null);
        var response = await client.GetJsonAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        if (url.StartsWith("/openapi", StringComparison.Ordinal))
        {
            var paths = response.Json.Obj("paths").Select(p => p.Key).ToList();
            Assert.Contains(paths, p => p.StartsWith("/v1/records", StringComparison.Ordinal));
        }
        else
        {
            Assert.Equal("Healthy", response.Body);
        }
    }

    private async Task<ApiResponse> RegisterAsync(JsonArray subjects)
    {
        using var client = api.Client(CreditApiFactory.IntegratorKey);
        return await client.PutJsonAsync("/v1/subjects", new JsonObject { ["subjects"] = subjects });
    }
}
