using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using RuralCredit.ApiHost.Auth;
using RuralCredit.ApiHost.Contracts;
using RuralCredit.ApiHost.Infrastructure;
using RuralCredit.Models;

namespace RuralCredit.ApiHost.Apis;

/// <summary>
/// Live aggregates as Server-Sent Events: a snapshot on connect, then one per change, at most one a second. A quiet
/// region's snapshot is sent again every <see cref="Heartbeat"/>: idle proxies keep the stream open, and a client that
/// vanished without closing its connection is found out (the write fails) instead of being polled for ever. A poll
/// that fails (the cluster busy or a silo lost) is skipped; the client keeps the last snapshot until the next one.
/// </summary>
public static partial class LiveApi
{
    /// <summary>The longest time a stream stays silent.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(30);

    public static IEndpointRouteBuilder MapLiveApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/live/regions/{code}", StreamAsync).WithTags("Live").RequireAuthorization(Policies.Live);
        return app;
    }

    public static async Task<Results<ServerSentEventsResult<RegionResponse>, ProblemHttpResult>> StreamAsync(
        string code, RegionWatch watch, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var first = await watch.CurrentAsync(code);
        if (first is null)
        {
            return Problems.NotFound("unknown_region", $"region {code} is not registered");
        }

        var logger = loggers.CreateLogger(typeof(LiveApi));
        return TypedResults.ServerSentEvents(Events(first, () => watch.CurrentAsync(code), time, e => LogPollFailed(logger, code, e.GetType().Name), cancellationToken));
    }

    /// <summary>The events of a stream that began with <paramref name="first"/>, polling the region once a second.</summary>
    public static async IAsyncEnumerable<SseItem<RegionResponse>> Events(
        RegionSummary first, Func<Task<RegionSummary?>> poll, TimeProvider time, Action<Exception> pollFailed,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (version, sentAt) = (first.Version, time.GetTimestamp());
        var current = RegionResponse.From(first);
        yield return new SseItem<RegionResponse>(current, "aggregate");
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            RegionSummary? summary;
            try
            {
                summary = await poll();
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                pollFailed(e);
                continue;
            }

            if (summary is not null && summary.Version != version)
            {
                (version, current) = (summary.Version, RegionResponse.From(summary));
            }
            else if (time.GetElapsedTime(sentAt) < Heartbeat)
            {
                continue;
            }

            sentAt = time.GetTimestamp();
            yield return new SseItem<RegionResponse>(current, "aggregate");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live stream of region {Code}: a poll failed ({Error}); the next one is in a second")]
    private static partial void LogPollFailed(ILogger logger, string code, string error);
}
