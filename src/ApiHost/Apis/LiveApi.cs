using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using RuralCredit.ApiHost.Auth;
using RuralCredit.ApiHost.Contracts;
using RuralCredit.ApiHost.Infrastructure;

namespace RuralCredit.ApiHost.Apis;

/// <summary>Live aggregates as Server-Sent Events: a snapshot on connect, then one per change, at most one a second.</summary>
public static class LiveApi
{
    public static IEndpointRouteBuilder MapLiveApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/live/regions/{code}", StreamAsync).WithTags("Live").RequireAuthorization(Policies.Live);
        return app;
    }

    public static async Task<Results<ServerSentEventsResult<RegionResponse>, ProblemHttpResult>> StreamAsync(
        string code, IClusterClient cluster, TimeProvider time, CancellationToken cancellationToken)
    {
        var first = await RegionsApi.SummaryAsync(cluster, code);
        if (first is null)
        {
            return Problems.NotFound("unknown_region", $"region {code} is not registered");
        }

        return TypedResults.ServerSentEvents(Events(first.Version, RegionResponse.From(first), code, cluster, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<RegionResponse>> Events(
        long version, RegionResponse first, string code, IClusterClient cluster, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new SseItem<RegionResponse>(first, "aggregate");
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var summary = await RegionsApi.SummaryAsync(cluster, code);
            if (summary is null || summary.Version == version)
            {
                continue;
            }

            version = summary.Version;
            yield return new SseItem<RegionResponse>(RegionResponse.From(summary), "aggregate");
        }
    }
}
