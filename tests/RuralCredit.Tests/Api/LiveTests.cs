using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>
/// GET /v1/live/regions/{code} (SPEC §3, Appendix A): Server-Sent Events, <c>event: aggregate</c> with the same JSON as
/// GET /v1/regions/{code}; the first event immediately on connect, then one per change.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class LiveTests(CreditApiFactory api)
{
    [Fact]
    public async Task The_stream_starts_with_the_aggregate_and_shows_a_later_change()
    {
        var village = await api.RegisterVillageAsync();
        using var client = api.Client(DashboardKey);
        using var timeout = new CancellationTokenSource(Eventually);
        using var response = await client.GetAsync($"/v1/live/regions/{village}", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        await using var events = SseParser.Create(stream).EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);

        Assert.True(await events.MoveNextAsync(), "the stream should send a first event on connect");
        Assert.Equal("aggregate", events.Current.EventType);
        var first = JsonNode.Parse(events.Current.Data)!;
        var snapshot = await api.RegionAsync(village);
        Assert.Equal(village, first.Str("code"));
        Assert.Equal("village", first.Str("level"));
        Assert.Equal(0, first["subjects"]!.Int("total"));
        Assert.Equal(0, first.Int("records24h"));
        Assert.Equal(Keys(snapshot), Keys(first));

        var farmer = await api.RegisterFarmerAsync(village);
        await api.SubmitAsync(Record(NewRecordId(), "GOV_FAMILY_VIRTUE", farmer, Day(), new JsonObject { ["event"] = "x" }));

        JsonNode? changed = null;
        var seen = new List<string>();
        while (changed is null)
        {
            Assert.True(await events.MoveNextAsync(), $"the stream ended before showing the new record; events: {string.Join(" | ", seen)}");
            Assert.Equal("aggregate", events.Current.EventType);
            seen.Add(events.Current.Data);
            var aggregate = JsonNode.Parse(events.Current.Data)!;
            if (aggregate.Int("records24h") == 1)
            {
                changed = aggregate;
            }
        }

        Assert.Equal(1, changed["subjects"]!.Int("total"));
        Assert.Equal(1, changed["subjects"]!["byType"]!.Int("farmer"));
        Assert.Equal(610.0, changed.Num("meanScore"));
        Assert.Equal(5m, changed["points"]!.Dec("earned"));
        Assert.True(changed.Long("version") > first.Long("version"), "a later event has a newer version");
    }

    [Theory]
    [InlineData("321322999999")]
    [InlineData("999")]
    [InlineData("nonsense")]
    public async Task An_unknown_region_is_404(string code)
    {
        using var client = api.Client(DashboardKey);
        var response = await client.GetJsonAsync($"/v1/live/regions/{code}");
        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("unknown_region", response.Code);
    }

    private static IEnumerable<string> Keys(JsonNode node) => node.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);
}
