using System.Net;
using System.Text.Json.Nodes;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>
/// Households and governance points (家庭版信用积分, 积分超市; SPEC §2.6): a household's account pools its members'
/// earned points; redemptions debit it atomically, never below zero, idempotently by redemption id.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PointsTests(CreditApiFactory api)
{
    [Fact]
    public async Task Concurrent_redemptions_never_overdraw_the_household_account()
    {
        var village = await api.RegisterVillageAsync();
        var household = NewHouseholdId();
        var members = (await api.RegisterFarmersAsync(village, 2, household)).Select(m => m.SubjectId).ToList();
        await api.SubmitAsync(members.Select(m => (JsonNode)Record(NewRecordId(), "GOV_FAMILY_VIRTUE", m, Day(), new JsonObject { ["event"] = "孝老爱亲" })).ToArray());
        using var client = api.Client(OperatorKey);
        JsonNode? view = null;
        await WaitUntilAsync(
            async () => (view = (await client.GetJsonAsync($"/v1/households/{household}")).Json)["points"]?.Dec("earned") == 10m,
            Eventually,
            () => $"household {household} should earn 5 + 5 points: {view?.ToJsonString()}");
        var household0 = view!;
        Assert.Equal(household, household0.Str("householdId"));
        Assert.Equal(village, household0.Str("villageCode"));
        Assert.Equal(members.Order(), household0.Arr("members").Select(m => m!.GetValue<string>()).Order());
        Assert.Equal((10m, 0m, 10m), Points(household0));
        Assert.Equal(610, household0.Int("score")); // mean of 610 and 610
        Assert.Equal("C", household0.Str("grade"));

        using var clerk = api.Client(OperatorKey);
        var ids = Enumerable.Range(0, 20).Select(i => $"rd-{household}-{i}").ToList();
        var answers = await Task.WhenAll(ids.Select((id, i) => clerk.PostJsonAsync("/v1/points/redemptions", new JsonObject
        {
            ["redemptionId"] = id,
            ["subjectId"] = members[i % 2],
            ["points"] = 1,
            ["item"] = "洗衣粉",
        })));

        var succeeded = answers.Where(a => a.Status == HttpStatusCode.OK).ToList();
        var refused = answers.Where(a => a.Status == HttpStatusCode.Conflict).ToList();
        Assert.Equal(10, succeeded.Count);
        Assert.Equal(10, refused.Count);
        Assert.All(refused, r => Assert.Equal("insufficient_points", r.Code));
        Assert.All(succeeded, s => Assert.Equal("household:" + household, s.Json.Str("account")));
        Assert.Equal(Enumerable.Range(0, 10).Select(b => (decimal)b), succeeded.Select(s => s.Json.Dec("balance")).Order());

        var after = (await client.GetJsonAsync($"/v1/households/{household}")).Json;
        Assert.Equal((10m, 10m, 0m), Points(after));
        var member = await api.ProfileAsync(members[0]);
        Assert.Equal(5m, member["points"]!.Dec("earned"));
        Assert.Equal(0m, member["points"]!.Dec("balance"));

        // The first answer of a redemption id is repeated, whatever the balance is now.
        var firstIndex = answers.ToList().FindIndex(a => a.Status == HttpStatusCode.OK);
        var repeated = await clerk.PostJsonAsync("/v1/points/redemptions", new JsonObject
        {
            ["redemptionId"] = ids[firstIndex],
            ["subjectId"] = members[firstIndex % 2],
            ["points"] = 1,
            ["item"] = "洗衣粉",
        });
        Assert.Equal(HttpStatusCode.OK, repeated.Status);
        Assert.Equal(answers[firstIndex].Json.ToJsonString(), repeated.Json.ToJsonString());
        Assert.Equal((10m, 10m, 0m), Points((await client.GetJsonAsync($"/v1/households/{household}")).Json));

        JsonNode? region = null;
        await WaitUntilAsync(
            async () => (region = await api.RegionAsync(village))["points"]!.Dec("redeemed") == 10m,
            Eventually,
            () => $"village {village} should show 10 points earned and 10 redeemed: {region?.ToJsonString()}");
        Assert.Equal(10m, region!["points"]!.Dec("earned"));
        Assert.Equal(1, region.Int("households"));
    }

    [Fact]
    public async Task A_subject_without_household_redeems_from_its_own_account()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        await api.SubmitAsync(Record(NewRecordId(), "GOV_FAMILY_VIRTUE", farmer, Day(), new JsonObject { ["event"] = "x" }));
        await api.WaitForRecordCountAsync(farmer, 1);
        using var clerk = api.Client(OperatorKey);

        var first = await Redeem(clerk, farmer, 3);
        var second = await Redeem(clerk, farmer, 3);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(("subject:" + farmer, 2m), (first.Json.Str("account"), first.Json.Dec("balance")));
        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.Equal("insufficient_points", second.Code);
        Assert.Equal(2m, second.Json.Dec("balance"));
        var profile = await api.ProfileAsync(farmer);
        Assert.Equal((5m, 2m), (profile["points"]!.Dec("earned"), profile["points"]!.Dec("balance")));
        JsonNode? region = null;
        await WaitUntilAsync(
            async () => (region = await api.RegionAsync(village))["points"]!.Dec("redeemed") == 3m,
            Eventually,
            () => $"village {village} should show 3 points redeemed: {region?.ToJsonString()}");
    }

    [Fact]
    public async Task Redeeming_for_an_unknown_subject_is_404()
    {
        using var clerk = api.Client(OperatorKey);
        var response = await Redeem(clerk, "PNOSUCHSUBJECTXXXXXXX", 1);
        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("unknown_subject", response.Code);
    }

    [Theory]
    [InlineData("{\"redemptionId\": \"x\", \"subjectId\": \"P1\", \"points\": 1, \"item\": ")]
    [InlineData("[]")]
    [InlineData("{\"subjectId\": \"P1\", \"points\": 1, \"item\": \"盐\"}")]
    [InlineData("{\"redemptionId\": \"x\", \"points\": 1, \"item\": \"盐\"}")]
    [InlineData("{\"redemptionId\": \"x\", \"subjectId\": \"P1\", \"points\": 0, \"item\": \"盐\"}")]
    [InlineData("{\"redemptionId\": \"x\", \"subjectId\": \"P1\", \"points\": -1, \"item\": \"盐\"}")]
    [InlineData("{\"redemptionId\": \"x\", \"subjectId\": \"P1\", \"points\": \"1\", \"item\": \"盐\"}")]
    [InlineData("{\"redemptionId\": \"x\", \"subjectId\": \"P1\", \"item\": \"盐\"}")]
    [InlineData("{\"redemptionId\": \"x\", \"subjectId\": \"P1\", \"points\": 1}")]
    public async Task A_bad_redemption_body_is_400(string body)
    {
        using var clerk = api.Client(OperatorKey);
        var response = await clerk.SendRawAsync(HttpMethod.Post, "/v1/points/redemptions", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("validation_failed", response.Code);
    }

    private static Task<ApiResponse> Redeem(HttpClient client, string subjectId, decimal points, string? redemptionId = null) =>
        client.PostJsonAsync("/v1/points/redemptions", new JsonObject
        {
            ["redemptionId"] = redemptionId ?? "rd-" + Guid.NewGuid().ToString("N"),
            ["subjectId"] = subjectId,
            ["points"] = points,
            ["item"] = "酱油",
        });

    private static (decimal Earned, decimal Redeemed, decimal Balance) Points(JsonNode household) =>
        (household["points"]!.Dec("earned"), household["points"]!.Dec("redeemed"), household["points"]!.Dec("balance"));

    [Fact]
    public async Task A_profile_as_of_a_past_time_shows_the_household_points_of_that_time()
    {
        var village = await api.RegisterVillageAsync();
        var household = NewHouseholdId();
        var members = (await api.RegisterFarmersAsync(village, 2, household)).Select(m => m.SubjectId).ToList();
        var lone = await api.RegisterFarmerAsync(village);
        await api.SubmitAsync(
            Record(NewRecordId(), "GOV_FAMILY_VIRTUE", members[0], Day(-10), new JsonObject { ["event"] = "孝老爱亲" }),
            Record(NewRecordId(), "GOV_FAMILY_VIRTUE", members[1], Day(-2), new JsonObject { ["event"] = "孝老爱亲" }),
            Record(NewRecordId(), "GOV_FAMILY_VIRTUE", lone, Day(-10), new JsonObject { ["event"] = "孝老爱亲" }));
        await api.WaitForRecordCountAsync(members[0], 1);
        await api.WaitForRecordCountAsync(members[1], 1);
        await api.WaitForRecordCountAsync(lone, 1);
        using var clerk = api.Client(OperatorKey);
        Assert.Equal(HttpStatusCode.OK, (await Redeem(clerk, members[0], 3)).Status); // today, from the pooled 10
        Assert.Equal(HttpStatusCode.OK, (await Redeem(clerk, lone, 2)).Status);

        // Five days ago: one member's record counted, nothing was redeemed yet.
        var past = Day(-5) + "T12:00:00Z";
        var then = await api.ProfileAsync(members[1], past);
        Assert.Equal((0m, 5m), (then["points"]!.Dec("earned"), then["points"]!.Dec("balance")));
        Assert.Equal(0, then.Int("recordCount")); // its record occurred three days after
        var loneThen = await api.ProfileAsync(lone, past);
        Assert.Equal((5m, 5m), (loneThen["points"]!.Dec("earned"), loneThen["points"]!.Dec("balance")));

        var now = await api.ProfileAsync(members[1]);
        Assert.Equal((5m, 7m), (now["points"]!.Dec("earned"), now["points"]!.Dec("balance")));
        var loneNow = await api.ProfileAsync(lone);
        Assert.Equal((5m, 3m), (loneNow["points"]!.Dec("earned"), loneNow["points"]!.Dec("balance")));
    }

    [Fact]
    public async Task Points_a_subject_spent_alone_are_not_spent_again_after_it_joins_a_household()
    {
        var village = await api.RegisterVillageAsync();
        var household = NewHouseholdId();
        var member = (await api.RegisterFarmersAsync(village, 1, household))[0].SubjectId;
        var id = NewIdNumber();
        var joiner = (await api.RegisterSubjectsAsync(new JsonArray(new JsonObject { ["subjectType"] = "farmer", ["name"] = "周一", ["idNumber"] = id, ["villageCode"] = village })))[0];
        await api.SubmitAsync(
            Record(NewRecordId(), "GOV_FAMILY_VIRTUE", member, Day(-3), new JsonObject { ["event"] = "x" }),
            Record(NewRecordId(), "GOV_FAMILY_VIRTUE", joiner, Day(-3), new JsonObject { ["event"] = "x" }));
        await api.WaitForRecordCountAsync(member, 1);
        await api.WaitForRecordCountAsync(joiner, 1);
        using var clerk = api.Client(OperatorKey);
        Assert.Equal(HttpStatusCode.OK, (await Redeem(clerk, joiner, 2)).Status); // from its own account: 3 left

        using var integrator = api.Client(IntegratorKey);
        var joined = await integrator.PutJsonAsync("/v1/subjects", new JsonObject
        {
            ["subjects"] = new JsonArray(new JsonObject { ["subjectType"] = "farmer", ["name"] = "周一", ["idNumber"] = id, ["villageCode"] = village, ["householdId"] = household }),
        });
        Assert.Equal("updated", joined.Json.Arr("results")[0]!.Str("status"));

        var view = (await clerk.GetJsonAsync($"/v1/households/{household}")).Json;
        Assert.Equal((8m, 0m, 8m), (view["points"]!.Dec("earned"), view["points"]!.Dec("redeemed"), view["points"]!.Dec("balance")));
        Assert.Equal(HttpStatusCode.Conflict, (await Redeem(clerk, joiner, 9)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Redeem(clerk, joiner, 8)).Status);
        JsonNode? region = null;
        await WaitUntilAsync(
            async () => (region = await api.RegionAsync(village))["points"]!.Dec("redeemed") == 10m,
            Eventually,
            () => $"village {village} should count 2 + 8 points redeemed: {region?.ToJsonString()}");
        Assert.Equal(10m, region!["points"]!.Dec("earned"));
    }

    [Fact]
    public async Task A_redemption_id_used_again_for_another_subject_gets_the_first_answer_and_debits_nothing()
    {
        var village = await api.RegisterVillageAsync();
        var first = await api.RegisterFarmerAsync(village);
        var second = await api.RegisterFarmerAsync(village);
        await api.SubmitAsync(
            Record(NewRecordId(), "GOV_FAMILY_VIRTUE", first, Day(-1), new JsonObject { ["event"] = "x" }),
            Record(NewRecordId(), "GOV_FAMILY_VIRTUE", second, Day(-1), new JsonObject { ["event"] = "x" }));
        await api.WaitForRecordCountAsync(first, 1);
        await api.WaitForRecordCountAsync(second, 1);
        using var clerk = api.Client(OperatorKey);
        var id = "rd-shared-" + Guid.NewGuid().ToString("N");

        var answers = await Task.WhenAll(
            Redeem(clerk, first, 2, id),
            Redeem(clerk, second, 2, id));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(answers[0].Json.Str("account"), answers[1].Json.Str("account")); // one answer, one account
        var balances = new[] { (await api.ProfileAsync(first))["points"]!.Dec("balance"), (await api.ProfileAsync(second))["points"]!.Dec("balance") };
        Assert.Equal([3m, 5m], balances.Order());
    }
}
