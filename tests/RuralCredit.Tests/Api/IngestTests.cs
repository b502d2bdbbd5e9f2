using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>
/// POST /v1/records (SPEC §2.4, §3, Appendix A): per-item outcomes of a batch, idempotency by record id,
/// conflicts, and batches that are not batches. Rejected input never reaches the ledger.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class IngestTests(CreditApiFactory api)
{
    [Fact]
    public async Task A_batch_answers_per_item_and_only_valid_new_records_reach_the_ledger()
    {
        var village = await api.RegisterVillageAsync();
        var (farmer, idNumber) = (await api.RegisterFarmersAsync(village, 1))[0];
        var penalty = NewRecordId();
        var virtue = NewRecordId();
        var penaltyRecord = Record(penalty, "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "沭罚〔2025〕1号", ["amount"] = 200 });
        var badIdNumber = idNumber[..17] + (idNumber[17] == '0' ? '1' : '0');
        var ledgerBefore = await api.Ledger.CountAsync();

        var response = await api.SubmitAsync(
            penaltyRecord.DeepClone(),                                                                                  // 0 accepted
            penaltyRecord.DeepClone(),                                                                                  // 1 duplicate in the batch
            Record(penalty, "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "other" }),               // 2 conflict in the batch
            Record(NewRecordId(), "NO_SUCH_ITEM", farmer, Day(), new JsonObject()),                                      // 3
            Record(NewRecordId(), "ADMIN_PENALTY", "PNOSUCHSUBJECTXXXXXXX", Day(), new JsonObject { ["decisionNo"] = "x" }), // 4
            Record(NewRecordId(), "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = 42 }),              // 5 payload type
            Record(NewRecordId(), "ADMIN_PENALTY", farmer, "2025-13-45", new JsonObject { ["decisionNo"] = "x" }),      // 6 occurredAt
            new JsonObject { ["catalogCode"] = "ADMIN_PENALTY", ["subjectId"] = farmer, ["occurredAt"] = Day(), ["payload"] = new JsonObject { ["decisionNo"] = "x" } }, // 7 no recordId
            new JsonObject { ["recordId"] = NewRecordId() },                                                            // 8 nothing else
            new JsonObject { ["recordId"] = virtue, ["catalogCode"] = "GOV_FAMILY_VIRTUE", ["idNumber"] = idNumber, ["occurredAt"] = Day(), ["payload"] = new JsonObject { ["event"] = "孝老爱亲" } }, // 9 by idNumber
            new JsonObject { ["recordId"] = NewRecordId(), ["catalogCode"] = "GOV_FAMILY_VIRTUE", ["idNumber"] = badIdNumber, ["occurredAt"] = Day(), ["payload"] = new JsonObject { ["event"] = "x" } }, // 10
            JsonValue.Create("not a record")!,                                                                          // 11
            Record(NewRecordId(), "ADMIN_PENALTY", farmer, Day(10), new JsonObject { ["decisionNo"] = "x" }),           // 12 future
            Record(NewRecordId(), "ORG_REGISTRATION", farmer, Day(), new JsonObject { ["creditCode"] = "x", ["registeredAt"] = "2020-01-01" }), // 13 wrong subject type
            Record(NewRecordId(), "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "x" }, supersedes: "r-no-such-record"), // 14
            Record(NewRecordId(), "ADMIN_PENALTY", farmer, Day(), new JsonObject()),                                    // 15 required field missing
            new JsonObject { ["recordId"] = NewRecordId(), ["catalogCode"] = "ADMIN_PENALTY", ["subjectId"] = farmer, ["occurredAt"] = Day(), ["payload"] = new JsonArray() }, // 16
            Record(new string('r', 129), "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "x" }),      // 17 id too long
            Record(NewRecordId(), "LOAN_ISSUED", farmer, Day(), new JsonObject { ["amount"] = 1000, ["guarantee"] = "friendship" }), // 18
            Record(NewRecordId(), "LOAN_OVERDUE", farmer, Day(), new JsonObject { ["amount"] = 1000, ["days"] = 1.5 }));  // 19 integer

        (string Status, string? Code)[] expected =
        [
            ("accepted", null), ("duplicate", null), ("rejected", "record_conflict"), ("rejected", "unknown_catalog_item"),
            ("rejected", "unknown_subject"), ("rejected", "validation_failed"), ("rejected", "validation_failed"),
            ("rejected", "validation_failed"), ("rejected", "validation_failed"), ("accepted", null), ("rejected", "validation_failed"),
            ("rejected", "validation_failed"), ("rejected", "validation_failed"), ("rejected", "validation_failed"),
            ("rejected", "unknown_record"), ("rejected", "validation_failed"), ("rejected", "validation_failed"),
            ("rejected", "validation_failed"), ("rejected", "validation_failed"), ("rejected", "validation_failed"),
        ];
        var results = response.Arr("results");
        Assert.Equal(expected.Length, results.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            var r = results[i]!;
            Assert.True(expected[i].Status == r.Str("status"), $"item {i}: expected {expected[i]}, got {r.ToJsonString()}");
            Assert.Equal(i, r.Int("index"));
            Assert.Equal(expected[i].Code, r["error"]?.Str("code"));
            Assert.Equal(expected[i].Status == "rejected", r["ledgerSeq"] is null);
            if (r["error"] is { } error)
            {
                Assert.False(string.IsNullOrWhiteSpace(error.Str("detail")), $"item {i} has no detail");
            }
        }

        Assert.Equal(2, response.Int("accepted"));
        Assert.Equal(1, response.Int("duplicates"));
        Assert.Equal(17, response.Int("rejected"));
        Assert.Equal(penalty, results[0]!.Str("recordId"));
        Assert.Equal(penalty, results[1]!.Str("recordId"));
        Assert.Equal("", results[7]!.Str("recordId"));
        Assert.Equal(virtue, results[9]!.Str("recordId"));
        var penaltySeq = results[0]!.Long("ledgerSeq");
        Assert.Equal(penaltySeq, results[1]!.Long("ledgerSeq"));
        Assert.Equal(ledgerBefore + 2, await api.Ledger.CountAsync());
        var stored = (await api.Ledger.FindRecordAsync(penalty))!;
        Assert.Equal("active", stored.Status);
        Assert.Equal("""{"amount":200,"decisionNo":"沭罚〔2025〕1号"}""", stored.Entry.PayloadJson); // canonical, compact, text unescaped

        var profile = await api.WaitForRecordCountAsync(farmer, 2);
        Assert.Equal(550, profile.Int("score")); // 600 − 60 (ADMIN_PENALTY today) + 10 (GOV_FAMILY_VIRTUE today)
        Assert.Equal(5m, profile["points"]!.Dec("earned"));
        var lastSeq = profile.Long("lastLedgerSeq");
        Assert.Equal(Math.Max(penaltySeq, results[9]!.Long("ledgerSeq")), lastSeq);

        // Resubmitted later: identical content is a duplicate (also when the person is named by subjectId instead of
        // idNumber), different content a conflict. Nothing reaches the ledger.
        var again = await api.SubmitAsync(
            penaltyRecord.DeepClone(),
            Record(penalty, "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "沭罚〔2025〕1号", ["amount"] = 201 }),
            Record(virtue, "GOV_FAMILY_VIRTUE", farmer, Day(), new JsonObject { ["event"] = "孝老爱亲" }),
            Record(virtue, "GOV_FAMILY_VIRTUE", farmer, Day(-1), new JsonObject { ["event"] = "孝老爱亲" }),
            Record(penalty, "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["amount"] = 200.0m, ["decisionNo"] = "沭罚〔2025〕1号" })); // same content, written otherwise

        var againResults = again.Arr("results");
        Assert.Equal(new[] { "duplicate", "rejected", "duplicate", "rejected", "duplicate" }, againResults.Select(r => r!.Str("status")).ToArray());
        Assert.Equal(penaltySeq, againResults[0]!.Long("ledgerSeq"));
        Assert.Equal(results[9]!.Long("ledgerSeq"), againResults[2]!.Long("ledgerSeq"));
        Assert.Equal("record_conflict", againResults[1]!["error"]!.Str("code"));
        Assert.Equal("record_conflict", againResults[3]!["error"]!.Str("code"));
        Assert.Equal((0, 3, 2), (again.Int("accepted"), again.Int("duplicates"), again.Int("rejected")));
        Assert.Equal(ledgerBefore + 2, await api.Ledger.CountAsync());

        var after = await api.ProfileAsync(farmer);
        Assert.Equal(2, after.Int("recordCount"));
        Assert.Equal(lastSeq, after.Long("lastLedgerSeq"));
        Assert.Equal(550, after.Int("score"));
    }

    [Fact]
    public async Task Concurrent_batches_with_one_record_id_store_it_once()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        var recordId = NewRecordId();
        var ledgerBefore = await api.Ledger.CountAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => api.SubmitAsync(
            Record(recordId, "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = i % 2 == 0 ? "D-even" : "D-odd" }))));

        var outcomes = answers.Select(a => a.Arr("results")[0]!).ToList();
        var accepted = Assert.Single(outcomes, o => o.Str("status") == "accepted");
        Assert.Equal(ledgerBefore + 1, await api.Ledger.CountAsync());
        foreach (var (outcome, i) in outcomes.Select((o, i) => (o, i)).Where(x => x.o != accepted))
        {
            var sameContent = i % 2 == outcomes.IndexOf(accepted) % 2;
            Assert.Equal(sameContent ? "duplicate" : "rejected", outcome.Str("status"));
            Assert.Equal(sameContent ? null : "record_conflict", outcome["error"]?.Str("code"));
        }

        Assert.Equal(540, (await api.WaitForRecordCountAsync(farmer, 1)).Int("score"));
    }

    [Theory]
    [InlineData("{\"records\": [")]
    [InlineData("not json at all")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("[{\"recordId\": \"r-1\"}]")]
    [InlineData("\"records\"")]
    [InlineData("{}")]
    [InlineData("{\"records\": {}}")]
    [InlineData("{\"records\": null}")]
    [InlineData("{\"records\": \"r-1\"}")]
    [InlineData("{\"Records\": []}")]
    public async Task A_body_that_is_not_an_object_with_a_records_array_is_400_and_changes_nothing(string body)
    {
        var ledgerBefore = await api.Ledger.CountAsync();
        using var client = api.Client(IntegratorKey);

        var response = await client.SendRawAsync(HttpMethod.Post, "/v1/records", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("validation_failed", response.Code);
        Assert.Equal(ledgerBefore, await api.Ledger.CountAsync());
    }

    [Fact]
    public async Task More_than_10000_records_is_413_batch_too_large_and_changes_nothing()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        var ledgerBefore = await api.Ledger.CountAsync();
        var json = new StringBuilder("{\"records\":[");
        for (var i = 0; i < 10_001; i++)
        {
            json.Append(i == 0 ? "" : ",")
                .Append(Record($"big-{Guid.NewGuid():N}", "GOV_FAMILY_VIRTUE", farmer, Day(), new JsonObject { ["event"] = "x" }).ToJsonString());
        }

        json.Append("]}");
        using var client = api.Client(IntegratorKey);

        var response = await client.SendRawAsync(HttpMethod.Post, "/v1/records", json.ToString());

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Equal("batch_too_large", response.Code);
        Assert.Equal(ledgerBefore, await api.Ledger.CountAsync());
        var profile = await api.ProfileAsync(farmer);
        Assert.Equal(0, profile.Int("recordCount"));
        Assert.Equal(0, profile.Long("lastLedgerSeq"));
    }

    [Fact]
    public async Task Exactly_10000_records_are_accepted()
    {
        var village = await api.RegisterVillageAsync();
        var farmers = (await api.RegisterFarmersAsync(village, 100)).Select(f => f.SubjectId).ToList();
        var ledgerBefore = await api.Ledger.CountAsync();
        var records = Enumerable.Range(0, 10_000)
            .Select(i => (JsonNode)Record(NewRecordId(), "VOLUNTEER_SERVICE", farmers[i % 100], Day(-(i % 30)), new JsonObject { ["hours"] = 0.5 }))
            .ToArray();

        var response = await api.SubmitAsync(records);

        Assert.Equal((10_000, 0, 0), (response.Int("accepted"), response.Int("duplicates"), response.Int("rejected")));
        Assert.Equal(ledgerBefore + 10_000, await api.Ledger.CountAsync());
        var profile = await api.WaitForRecordCountAsync(farmers[^1], 100);
        Assert.Equal(50m, profile["points"]!.Dec("earned")); // 100 × min(1 point/h × 0.5 h, 20)
    }

    [Fact]
    public async Task An_integrator_submits_only_records_of_its_own_departments()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        var ledgerBefore = await api.Ledger.CountAsync();
        using var grid = api.Client(GridIntegratorKey);

        var response = await grid.PostJsonAsync("/v1/records", new JsonObject
        {
            ["records"] = new JsonArray(
                Record(NewRecordId(), "GOV_FAMILY_VIRTUE", farmer, Day(), new JsonObject { ["event"] = "x" }),   // grid
                Record(NewRecordId(), "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "x" })), // credit_office
        });

        Assert.Equal(HttpStatusCode.Accepted, response.Status);
        var results = response.Json.Arr("results");
        Assert.Equal("accepted", results[0]!.Str("status"));
        Assert.Equal("rejected", results[1]!.Str("status"));
        Assert.Equal("forbidden", results[1]!["error"]!.Str("code"));
        Assert.Equal(ledgerBefore + 1, await api.Ledger.CountAsync());
        await api.WaitForRecordCountAsync(farmer, 1);
    }
}
