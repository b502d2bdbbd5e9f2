using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>Counts the calls each region grain receives for its summary.</summary>
public sealed class SummaryCalls : IIncomingGrainCallFilter
{
    public ConcurrentDictionary<string, int> ByRegion { get; } = new(StringComparer.Ordinal);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name == nameof(IVillageGrain.GetSummaryAsync) && context.InterfaceMethod.DeclaringType == typeof(IVillageGrain))
        {
            ByRegion.AddOrUpdate(context.TargetId.Key.ToString()!, 1, static (_, n) => n + 1);
        }

        return context.Invoke();
    }
}

/// <summary>The live streams of one region on one host share its answers: the grain is asked once a second, not once per viewer.</summary>
public sealed class LiveWatchTests(CallFilterApiFactory<SummaryCalls> api) : IClassFixture<CallFilterApiFactory<SummaryCalls>>
{
    [Fact]
    public async Task Eight_viewers_of_a_region_cost_its_grain_one_call_a_second()
    {
        var village = await api.RegisterVillageAsync();
        using var timeout = new CancellationTokenSource(Eventually);
        var clients = Enumerable.Range(0, 8).Select(_ => api.Client(DashboardKey)).ToList();
        var responses = await Task.WhenAll(clients.Select(c => c.GetAsync($"/v1/live/regions/{village}", HttpCompletionOption.ResponseHeadersRead, timeout.Token)));
        try
        {
            var streams = new List<IAsyncEnumerator<SseItem<string>>>();
            foreach (var response in responses)
            {
                var events = SseParser.Create(await response.Content.ReadAsStreamAsync(timeout.Token)).EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
                Assert.True(await events.MoveNextAsync()); // each viewer has its snapshot, and keeps its stream open
                streams.Add(events);
            }

            var before = api.Filter.ByRegion.GetValueOrDefault(village);
            await Task.Delay(TimeSpan.FromSeconds(4));
            var calls = api.Filter.ByRegion.GetValueOrDefault(village) - before;

            // Eight streams polling on their own would make ≈ 32 calls in 4 s; shared, ≈ 4 (a little more on a busy machine).
            Assert.InRange(calls, 2, 8);
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }

            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
