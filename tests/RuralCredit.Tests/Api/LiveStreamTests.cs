using Microsoft.Extensions.Time.Testing;
using RuralCredit.ApiHost.Apis;
using RuralCredit.Models;

namespace RuralCredit.Tests.Api;

/// <summary>
/// The live stream's pacing on a fake clock: one poll a second, an event per new version, the unchanged snapshot again
/// after a quiet <see cref="LiveApi.Heartbeat"/> (so a vanished client is found out), and failed polls skipped.
/// </summary>
public sealed class LiveStreamTests
{
    private static RegionSummary Summary(long version) => new()
    {
        Info = new RegionInfo { Code = "321302001001", Name = "测试村", Level = RegionLevels.Village },
        ByType = new Dictionary<string, int>(),
        ByGrade = new Dictionary<string, int>(),
        ReceivedByHour = new Dictionary<long, int>(),
        Version = version,
    };

    [Fact]
    public async Task A_quiet_region_is_sent_again_after_the_heartbeat_and_a_failed_poll_is_skipped()
    {
        var time = new FakeTimeProvider();
        var held = Summary(1);
        var polls = 0;
        var failures = 0;
        var fail = false;
        Task<RegionSummary?> Poll()
        {
            Interlocked.Increment(ref polls);
            return fail ? Task.FromException<RegionSummary?>(new TimeoutException("busy")) : Task.FromResult<RegionSummary?>(held);
        }

        using var cancel = new CancellationTokenSource();
        await using var events = LiveApi.Events(held, Poll, time, _ => failures++, cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.True(await events.MoveNextAsync()); // the snapshot on connect
        Assert.Equal(1, events.Current.Data.Version);

        // A change shows at the next tick.
        held = Summary(2);
        var next = events.MoveNextAsync().AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await next);
        Assert.Equal((2L, 1), (events.Current.Data.Version, polls));

        // Quiet, with a failing poll in between: nothing until the heartbeat, then the same snapshot again.
        next = events.MoveNextAsync().AsTask();
        var ticks = 0;
        while (!next.IsCompleted && ticks < 100)
        {
            fail = ticks == 3;
            var before = Volatile.Read(ref polls);
            time.Advance(TimeSpan.FromSeconds(1));
            ticks++;
            for (var wait = 0; wait < 500 && Volatile.Read(ref polls) == before; wait++)
            {
                await Task.Delay(2); // the stream's poll of this tick, before the clock moves on
            }

            await Task.Delay(1);
        }

        Assert.True(await next);
        Assert.Equal(2L, events.Current.Data.Version);
        Assert.Equal((int)LiveApi.Heartbeat.TotalSeconds, ticks);
        Assert.Equal(1, failures);
        await cancel.CancelAsync();
    }
}
