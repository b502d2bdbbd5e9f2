using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>
/// Scoring end to end through the HTTP API with the shipped farmer model (base 600; grades A 800, B 700, C 600, D 0;
/// veto on serious): profile, explanation, asOf, veto, revocation and correction (SPEC §2.5, §2.8, Appendix A).
/// Expected values are computed here from the SPEC formula, not read back from the engine.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ScoringTests(CreditApiFactory api)
{
    private static readonly string[] FarmerDimensions = ["compliance", "finance", "production", "governance", "honors"];

    [Fact]
    public async Task Penalty_today_scores_540_grade_D_with_the_penalty_as_first_reason()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        var penalty = NewRecordId();
        await api.SubmitAsync(Record(penalty, "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "D-1" }));

        var profile = await api.WaitForRecordCountAsync(farmer, 1);

        Assert.Equal(farmer, profile.Str("subjectId"));
        Assert.Equal("farmer", profile.Str("subjectType"));
        Assert.Equal(village, profile.Str("villageCode"));
        Assert.Equal(540, profile.Int("score")); // 600 + (−60 × (365 − 0) / 365)
        Assert.Equal("D", profile.Str("grade"));
        Assert.Equal(1, profile.Int("modelVersion"));
        var dimensions = profile.Obj("dimensions");
        Assert.Equal(FarmerDimensions.Order(), dimensions.Select(d => d.Key).Order());
        Assert.Equal(-60.0, dimensions.Num("compliance"));
        Assert.All(FarmerDimensions.Skip(1), d => Assert.Equal(0.0, dimensions.Num(d)));
        var reason = Assert.Single(profile.Arr("reasons"))!;
        Assert.Equal("ADMIN_PENALTY", reason.Str("catalogCode"));
        Assert.Equal(await NameOfAsync("ADMIN_PENALTY"), reason.Str("nameZh"));
        Assert.Equal(-60.0, reason.Num("contribution"));
        Assert.Empty(profile.Arr("strengths"));
        Assert.Empty(profile.Arr("tags"));
        Assert.Equal(0m, profile["points"]!.Dec("earned"));
    }

    [Fact]
    public async Task Explain_lists_every_counting_record_with_its_effect_and_asOf_moves_the_evaluation_time()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        var penalty = NewRecordId();
        var training = NewRecordId();
        var note = NewRecordId();
        await api.SubmitAsync(
            Record(penalty, "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "D-1" }),
            Record(training, "SKILL_TRAINING", farmer, Day(-100), new JsonObject { ["course"] = "植保" }),
            Record(note, "FARMER_BASIC_INFO", farmer, Day(-200), new JsonObject { ["householdSize"] = 4 })); // archived, no rule
        await api.WaitForRecordCountAsync(farmer, 3);
        var asOf = Day() + "T12:00:00Z";

        using var client = api.Client(OperatorKey);
        var explain = (await client.GetJsonAsync($"/v1/subjects/{farmer}/explain?asOf={asOf}")).Json;

        var trainingEffect = 15 * ((730 - 100.0) / 730); // linear decay, d = 100 whole days
        var expectedScore = (int)Math.Round(600 - 60 + trainingEffect, MidpointRounding.AwayFromZero);
        Assert.Equal(553, expectedScore);
        Assert.Equal(expectedScore, explain.Int("score"));
        Assert.Equal("D", explain.Str("grade"));
        Assert.Equal(600.0, explain.Num("base"));
        Assert.Null(explain["veto"]);
        Assert.Equal(DateTimeOffset.Parse(asOf, CultureInfo.InvariantCulture), DateTimeOffset.Parse(explain.Str("asOf"), CultureInfo.InvariantCulture));

        var records = explain.Arr("records").ToDictionary(r => r!.Str("recordId"), r => r!);
        Assert.Equal(new[] { penalty, training, note }.Order(), records.Keys.Order());
        Assert.Equal((0.0, 0.0), (records[note].Num("rawPoints"), records[note].Num("effect"))); // shown, does not score
        var p = records[penalty];
        Assert.Equal(("ADMIN_PENALTY", "active", "compliance"), (p.Str("catalogCode"), p.Str("status"), p.Str("dimension")));
        Assert.Equal((-60.0, 1.0, -60.0), (p.Num("rawPoints"), p.Num("decayFactor"), p.Num("effect")));
        var t = records[training];
        Assert.Equal(("SKILL_TRAINING", "production"), (t.Str("catalogCode"), t.Str("dimension")));
        Assert.Equal(15.0, t.Num("rawPoints"));
        Assert.Equal((730 - 100.0) / 730, t.Num("decayFactor"), 12);
        Assert.Equal(trainingEffect, t.Num("effect"), 12);

        var dimensions = explain.Arr("dimensions").ToDictionary(d => d!.Str("name"), d => d!);
        Assert.Equal(FarmerDimensions.Order(), dimensions.Keys.Order());
        Assert.Equal((-60.0, -400.0, 100.0, -60.0), Dim(dimensions["compliance"]));
        Assert.Equal(trainingEffect, dimensions["production"].Num("value"), 12);
        Assert.Equal((-50.0, 100.0), (dimensions["production"].Num("min"), dimensions["production"].Num("max")));

        // Before the training (and the penalty): the base. Between them: only the training, 50 days old.
        var before = await api.ProfileAsync(farmer, Day(-101));
        Assert.Equal((600, "C"), (before.Int("score"), before.Str("grade")));
        Assert.Empty(before.Arr("reasons"));
        Assert.Empty(before.Arr("strengths"));
        var between = await api.ProfileAsync(farmer, Day(-50));
        Assert.Equal((int)Math.Round(600 + (15 * ((730 - 50.0) / 730)), MidpointRounding.AwayFromZero), between.Int("score"));
        Assert.Equal(614, between.Int("score"));
        var strength = Assert.Single(between.Arr("strengths"))!;
        Assert.Equal("SKILL_TRAINING", strength.Str("catalogCode"));

        // The archive shows all three, including the one without a rule.
        var archive = (await client.GetJsonAsync($"/v1/subjects/{farmer}/records")).Json;
        Assert.Equal(farmer, archive.Str("subjectId"));
        Assert.Equal(new[] { penalty, training, note }.Order(), archive.Arr("records").Select(r => r!.Str("recordId")).Order());
    }

    [Fact]
    public async Task Explain_also_lists_counting_records_that_have_no_rule_with_no_effect()
    {
        // SPEC §2.5: a record counts when active/disputed, occurred and still public; "records with no rule in the
        // subject type's model are archived and shown, but do not score"; §3: explain shows "every counting record".
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        var basicInfo = NewRecordId();
        var loan = NewRecordId();
        var training = NewRecordId();
        await api.SubmitAsync(
            Record(basicInfo, "FARMER_BASIC_INFO", farmer, Day(-10), new JsonObject { ["householdSize"] = 4 }),
            Record(loan, "LOAN_ISSUED", farmer, Day(-10), new JsonObject { ["amount"] = 20000, ["guarantee"] = "credit" }),
            Record(training, "SKILL_TRAINING", farmer, Day(-10), new JsonObject { ["course"] = "植保" }));
        await api.WaitForRecordCountAsync(farmer, 3);
        using var client = api.Client(OperatorKey);

        var explain = (await client.GetJsonAsync($"/v1/subjects/{farmer}/explain?asOf={Day()}T12:00:00Z")).Json;

        Assert.Equal(615, explain.Int("score")); // 600 + 15 × (730 − 10) / 730 = 614.79
        var records = explain.Arr("records").ToDictionary(r => r!.Str("recordId"), r => r!);
        Assert.True(
            new[] { basicInfo, loan, training }.All(records.ContainsKey),
            $"explain should list all three counting records (two without a rule in the farmer model), listed: {string.Join(", ", records.Keys)}");
        Assert.Equal(0.0, records[basicInfo].Num("effect"));
        Assert.Equal(0.0, records[loan].Num("effect"));
    }

    [Fact]
    public async Task A_record_past_its_publicity_period_stops_counting_and_shows_as_expired()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        var minor = NewRecordId();
        await api.SubmitAsync(Record(minor, "ADMIN_PENALTY_MINOR", farmer, Day(-100), new JsonObject { ["decisionNo"] = "D-9" })); // publicity 90 days

        var profile = await api.WaitForRecordCountAsync(farmer, 1);

        Assert.Equal((600, "C"), (profile.Int("score"), profile.Str("grade")));
        Assert.Empty(profile.Arr("reasons"));
        var during = await api.ProfileAsync(farmer, Day(-50));
        Assert.Equal((int)Math.Round(600 - (20 * ((90 - 50.0) / 90)), MidpointRounding.AwayFromZero), during.Int("score"));
        Assert.Equal(591, during.Int("score"));
        using var client = api.Client(OperatorKey);
        var record = Assert.Single((await client.GetJsonAsync($"/v1/subjects/{farmer}/records")).Json.Arr("records"))!;
        Assert.Equal((minor, "expired"), (record.Str("recordId"), record.Str("status")));
        Assert.Empty((await client.GetJsonAsync($"/v1/subjects/{farmer}/explain")).Json.Arr("records"));
    }

    [Fact]
    public async Task An_organisation_is_scored_by_its_own_model_and_a_demonstration_record_tags_it()
    {
        var village = await api.RegisterVillageAsync();
        var cooperative = await api.RegisterOrganisationAsync(village, "cooperative");
        await api.SubmitAsync(Record(NewRecordId(), "DEMO_COOPERATIVE", cooperative, Day(), new JsonObject { ["level"] = "省级", ["recognizedAt"] = Day() }));

        var profile = await api.WaitForRecordCountAsync(cooperative, 1);

        Assert.Equal(("cooperative", 660, "C"), (profile.Str("subjectType"), profile.Int("score"), profile.Str("grade"))); // honors +60
        Assert.Equal(new[] { "示范主体" }, profile.Arr("tags").Select(t => t!.GetValue<string>()));
        Assert.Equal(("测试合作社", cooperative), (profile.Str("displayName"), profile.Str("maskedId")));
        Assert.Null(profile["householdId"]);
    }

    [Fact]
    public async Task A_serious_record_vetoes_the_grade_to_D_and_tags_the_subject_and_revoking_it_lifts_both()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        var court = NewRecordId();
        var records = new List<JsonNode> { Record(court, "COURT_DEFAULTER", farmer, Day(), new JsonObject { ["caseNo"] = "(2025)苏1322执1号" }) };
        records.AddRange(Enumerable.Range(0, 4).Select(_ => Record(NewRecordId(), "LOAN_REPAID", farmer, Day(), new JsonObject { ["amount"] = 50000 })));
        records.AddRange(Enumerable.Range(0, 4).Select(_ => Record(NewRecordId(), "CREDIT_RED_LIST", farmer, Day(), new JsonObject { ["listName"] = "诚信红名单", ["year"] = 2025 })));
        records.AddRange(Enumerable.Range(0, 15).Select(_ => Record(NewRecordId(), "GOV_FAMILY_VIRTUE", farmer, Day(), new JsonObject { ["event"] = "孝老爱亲" })));
        records.AddRange(Enumerable.Range(0, 7).Select(_ => Record(NewRecordId(), "LAND_CONTRACT_RIGHT", farmer, Day(), new JsonObject { ["certificateNo"] = "C-1", ["area"] = 3.5 })));
        var submitted = await api.SubmitAsync(records.ToArray());
        Assert.Equal(31, submitted.Int("accepted"));
        var asOf = Day() + "T12:00:00Z";

        var profile = await api.WaitForRecordCountAsync(farmer, 31);
        profile = await api.ProfileAsync(farmer, asOf);

        // compliance −300; finance 160 → 150; honors 160 → 100; governance 150; production 105 → 100.
        Assert.Equal(800, profile.Int("score"));
        Assert.Equal("D", profile.Str("grade"));
        Assert.Equal(new[] { "严重失信" }, profile.Arr("tags").Select(t => t!.GetValue<string>()));
        Assert.Equal(75m, profile["points"]!.Dec("earned")); // 15 × 5
        var reason = Assert.Single(profile.Arr("reasons"))!;
        Assert.Equal(("COURT_DEFAULTER", -300.0), (reason.Str("catalogCode"), reason.Num("contribution")));
        Assert.Equal(
            new[] { ("CREDIT_RED_LIST", 160.0), ("LOAN_REPAID", 160.0), ("GOV_FAMILY_VIRTUE", 150.0), ("LAND_CONTRACT_RIGHT", 105.0) },
            profile.Arr("strengths").Select(s => (s!.Str("catalogCode"), s!.Num("contribution"))));
        using var client = api.Client(OperatorKey);
        var explain = (await client.GetJsonAsync($"/v1/subjects/{farmer}/explain?asOf={asOf}")).Json;
        Assert.Equal(court, explain["veto"]!.Str("recordId"));
        Assert.Equal("COURT_DEFAULTER", explain["veto"]!.Str("catalogCode"));
        var dimensions = explain.Arr("dimensions").ToDictionary(d => d!.Str("name"), d => Dim(d!));
        Assert.Equal((160.0, -200.0, 150.0, 150.0), dimensions["finance"]);
        Assert.Equal((160.0, 0.0, 100.0, 100.0), dimensions["honors"]);
        Assert.Equal((105.0, -50.0, 100.0, 100.0), dimensions["production"]);
        Assert.Equal(31, explain.Arr("records").Count);

        var revoke = await client.PostJsonAsync($"/v1/records/{court}/revoke", new JsonObject { ["reason"] = "执行完毕" });
        Assert.Equal(HttpStatusCode.OK, revoke.Status);

        var lifted = await WaitForAsync(farmer, p => p.Arr("tags").Count == 0, "the revoked court record should stop tagging 严重失信");
        Assert.Equal(1000, lifted.Int("score")); // 600 + 0 + 150 + 100 + 150 + 100 = 1100, clamped to 1000
        Assert.Equal("A", lifted.Str("grade"));
        Assert.Empty(lifted.Arr("reasons"));
    }

    [Fact]
    public async Task Revoking_restores_the_base_score_keeps_the_history_and_is_idempotent()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        var penalty = NewRecordId();
        await api.SubmitAsync(Record(penalty, "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "D-1" }));
        Assert.Equal(540, (await api.WaitForRecordCountAsync(farmer, 1)).Int("score"));
        var beforeRevocation = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture);
        using var operatorClient = api.Client(OperatorKey);
        using var integrator = api.Client(IntegratorKey);
        using var grid = api.Client(GridIntegratorKey);
        var ledgerBefore = await api.Ledger.CountAsync();

        var forbidden = await grid.PostJsonAsync($"/v1/records/{penalty}/revoke", new JsonObject { ["reason"] = "not mine" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.Equal("forbidden", forbidden.Code);
        var noReason = await integrator.PostJsonAsync($"/v1/records/{penalty}/revoke", new JsonObject());
        Assert.Equal(HttpStatusCode.BadRequest, noReason.Status);
        Assert.Equal("validation_failed", noReason.Code);
        var unknown = await integrator.PostJsonAsync("/v1/records/r-no-such-record/revoke", new JsonObject { ["reason"] = "x" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("unknown_record", unknown.Code);
        Assert.Equal(ledgerBefore, await api.Ledger.CountAsync());

        var revoked = await integrator.PostJsonAsync($"/v1/records/{penalty}/revoke", new JsonObject { ["reason"] = "决定书撤销" });
        Assert.Equal(HttpStatusCode.OK, revoked.Status);
        Assert.Equal((penalty, "revoked"), (revoked.Json.Str("recordId"), revoked.Json.Str("status")));
        Assert.Equal(ledgerBefore + 1, await api.Ledger.CountAsync());
        var again = await integrator.PostJsonAsync($"/v1/records/{penalty}/revoke", new JsonObject { ["reason"] = "决定书撤销" });
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal((penalty, "revoked"), (again.Json.Str("recordId"), again.Json.Str("status")));
        Assert.Equal(ledgerBefore + 1, await api.Ledger.CountAsync());

        var profile = await WaitForAsync(farmer, p => p.Int("score") == 600, "the revoked penalty should stop counting");
        Assert.Equal("C", profile.Str("grade"));
        Assert.Empty(profile.Arr("reasons"));
        Assert.Equal(1, profile.Int("recordCount"));

        var record = Assert.Single((await operatorClient.GetJsonAsync($"/v1/subjects/{farmer}/records")).Json.Arr("records"))!;
        Assert.Equal("revoked", record.Str("status"));
        Assert.Equal("credit_office", record.Str("sourceDepartment"));
        Assert.Equal("D-1", record["payload"]!.Str("decisionNo"));
        var change = Assert.Single(record.Arr("history"))!;
        Assert.Equal(("revoked", "dev-integrator", "决定书撤销"), (change.Str("status"), change.Str("actor"), change.Str("reason")));
        Assert.Equal(ledgerBefore + 1, change.Long("ledgerSeq"));
        Assert.Equal(ledgerBefore + 1, profile.Long("lastLedgerSeq"));

        // The archive keeps the past: evaluated before the revocation, the penalty still counts.
        var past = await api.ProfileAsync(farmer, beforeRevocation);
        Assert.Equal(540, past.Int("score"));
    }

    [Fact]
    public async Task A_correction_supersedes_the_old_record_which_becomes_revoked()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        var original = NewRecordId();
        var correction = NewRecordId();
        await api.SubmitAsync(Record(original, "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "D-1", ["amount"] = 1000 }));
        await api.WaitForRecordCountAsync(farmer, 1);

        var wrongItem = await api.SubmitAsync(Record(NewRecordId(), "ADMIN_PENALTY_MINOR", farmer, Day(), new JsonObject { ["decisionNo"] = "D-1" }, supersedes: original));
        Assert.Equal("validation_failed", wrongItem.Arr("results")[0]!["error"]!.Str("code"));
        var response = await api.SubmitAsync(Record(correction, "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "D-1", ["amount"] = 100 }, supersedes: original));
        Assert.Equal("accepted", response.Arr("results")[0]!.Str("status"));

        var profile = await api.WaitForRecordCountAsync(farmer, 2);
        Assert.Equal(540, profile.Int("score")); // one penalty, not two
        Assert.Equal("revoked", (await api.Ledger.FindRecordAsync(original))!.Status);
        using var client = api.Client(OperatorKey);
        var records = (await client.GetJsonAsync($"/v1/subjects/{farmer}/records")).Json.Arr("records").ToDictionary(r => r!.Str("recordId"), r => r!);
        Assert.Equal("revoked", records[original].Str("status"));
        Assert.Equal($"superseded by {correction}", Assert.Single(records[original].Arr("history"))!.Str("reason"));
        Assert.Equal("active", records[correction].Str("status"));
        Assert.Equal(original, records[correction].Str("supersedes"));
        var explain = (await client.GetJsonAsync($"/v1/subjects/{farmer}/explain")).Json;
        Assert.Equal(correction, Assert.Single(explain.Arr("records"))!.Str("recordId"));

        // The correction resubmitted (its original is revoked now): a duplicate. A second correction of the original: refused.
        var again = await api.SubmitAsync(
            Record(correction, "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "D-1", ["amount"] = 100 }, supersedes: original),
            Record(NewRecordId(), "ADMIN_PENALTY", farmer, Day(), new JsonObject { ["decisionNo"] = "D-1", ["amount"] = 10 }, supersedes: original));
        var results = again.Arr("results");
        Assert.Equal(("duplicate", response.Arr("results")[0]!.Long("ledgerSeq")), (results[0]!.Str("status"), results[0]!.Long("ledgerSeq")));
        Assert.Equal(("rejected", "validation_failed"), (results[1]!.Str("status"), results[1]!["error"]!.Str("code")));
        Assert.Equal(540, (await api.ProfileAsync(farmer)).Int("score"));
    }

    [Fact]
    public async Task A_correction_received_late_stands_in_for_the_original_as_of_any_earlier_time()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        var original = NewRecordId();
        var correction = NewRecordId();
        await api.SubmitAsync(Record(original, "ADMIN_PENALTY", farmer, Day(-20), new JsonObject { ["decisionNo"] = "D-2", ["amount"] = 1000 }));
        await api.WaitForRecordCountAsync(farmer, 1);
        await api.SubmitAsync(Record(correction, "ADMIN_PENALTY", farmer, Day(-20), new JsonObject { ["decisionNo"] = "D-2", ["amount"] = 100 }, supersedes: original));
        await api.WaitForRecordCountAsync(farmer, 2);

        // Ten days ago the original had long occurred and the correction not yet arrived: one of them counts, not both.
        using var client = api.Client(OperatorKey);
        var past = Day(-10) + "T12:00:00Z";
        var explain = (await client.GetJsonAsync($"/v1/subjects/{farmer}/explain?asOf={past}")).Json;
        Assert.Equal(correction, Assert.Single(explain.Arr("records"))!.Str("recordId"));
        var now = (await client.GetJsonAsync($"/v1/subjects/{farmer}/explain")).Json;
        Assert.Equal(correction, Assert.Single(now.Arr("records"))!.Str("recordId"));
        Assert.Equal(542, (await api.ProfileAsync(farmer, past)).Int("score")); // 600 − 60 × (365 − 10) / 365, once
    }

    private static (double Raw, double Min, double Max, double Value) Dim(JsonNode d) =>
        (d.Num("raw"), d.Num("min"), d.Num("max"), d.Num("value"));

    private async Task<JsonNode> WaitForAsync(string subjectId, Func<JsonNode, bool> condition, string message)
    {
        JsonNode? profile = null;
        await WaitUntilAsync(async () => condition(profile = await api.ProfileAsync(subjectId)), Eventually, () => $"{message}; profile: {profile?.ToJsonString()}");
        return profile!;
    }

    private async Task<string> NameOfAsync(string catalogCode)
    {
        using var client = api.Client(OperatorKey);
        var catalog = (await client.GetJsonAsync("/v1/catalog")).Json;
        return catalog.Arr("items").Single(i => i!.Str("code") == catalogCode)!.Str("nameZh");
    }
}
