using RuralCredit.Grains;
using RuralCredit.Models;

namespace RuralCredit.Tests.Streaming;

/// <summary>
/// A silo's subjects hand their summaries to one outbox: a village gets one call at a time, the summaries handed over
/// while a call is out travel together in the next (at most <see cref="VillageOutbox.MaxBatch"/> a call), and each
/// sender learns when its own summary is held, or that its call failed.
/// </summary>
public sealed class VillageOutboxTests
{
    [Fact]
    public async Task Summaries_handed_over_while_a_call_is_out_go_together_in_the_next_calls()
    {
        var village = new GatedVillage();
        var outbox = new VillageOutbox(_ => village);

        var first = outbox.SendAsync("V1", Summary("S0"));
        await village.WaitForCallsAsync(1);
        var rest = Enumerable.Range(1, 600).Select(i => outbox.SendAsync("V1", Summary($"S{i}"))).ToList();
        await Task.Delay(100);
        Assert.Equal(1, village.CallCount); // one call out at a time
        Assert.False(first.IsCompleted);
        Assert.DoesNotContain(rest, t => t.IsCompleted);

        village.Release(3);
        await first;
        await Task.WhenAll(rest);

        Assert.Equal([1, VillageOutbox.MaxBatch, 600 - VillageOutbox.MaxBatch], village.Calls.Select(c => c.Count));
        Assert.Equal(Enumerable.Range(0, 601).Select(i => $"S{i}"), village.Calls.SelectMany(c => c).Select(s => s.SubjectId));
    }

    [Fact]
    public async Task A_failed_call_fails_the_senders_of_its_summaries_only()
    {
        var village = new GatedVillage();
        var outbox = new VillageOutbox(_ => village);

        var first = outbox.SendAsync("V1", Summary("S0"));
        await village.WaitForCallsAsync(1);
        var second = new[] { outbox.SendAsync("V1", Summary("S1")), outbox.SendAsync("V1", Summary("S2")) };

        village.Fail(new InvalidOperationException("village unavailable (test)")); // the first call fails
        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await village.WaitForCallsAsync(2);
        village.Release(1);
        await Task.WhenAll(second); // the next batch still goes, and arrives
        Assert.Equal(["S1", "S2"], village.Calls[1].Select(s => s.SubjectId));

        // The lane is idle again: a later summary goes out at once, on its own.
        var later = outbox.SendAsync("V1", Summary("S0", version: 2));
        await village.WaitForCallsAsync(3);
        village.Release(1);
        await later;
        Assert.Equal(["S0"], village.Calls[2].Select(s => s.SubjectId));
    }

    [Fact]
    public async Task Each_village_has_its_own_lane()
    {
        var villages = new Dictionary<string, GatedVillage> { ["V1"] = new(), ["V2"] = new() };
        var outbox = new VillageOutbox(code => villages[code]);

        var toV1 = outbox.SendAsync("V1", Summary("S1"));
        await villages["V1"].WaitForCallsAsync(1);
        var toV2 = outbox.SendAsync("V2", Summary("S2")); // not held back by V1's call
        await villages["V2"].WaitForCallsAsync(1);
        villages["V2"].Release(1);
        await toV2;
        Assert.False(toV1.IsCompleted);

        villages["V1"].Release(1);
        await toV1;
    }

    [Fact]
    public async Task Summaries_handed_over_from_many_threads_while_calls_complete_at_once_all_arrive_once()
    {
        var village = new ImmediateVillage();
        var outbox = new VillageOutbox(_ => village);

        // Senders race the lane as its calls end: a summary handed over just as the last batch leaves must start a new one.
        var senders = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var sent = outbox.SendAsync("V1", Summary($"S{t}-{i}"));
                if (i % (t + 1) == 0)
                {
                    await sent; // one sender in lockstep with the calls, the others ahead of them by a few summaries
                }
            }
        })).ToList();
        await Task.WhenAll(senders);
        await outbox.SendAsync("V1", Summary("last"));

        Assert.Equal(8 * 20_000 + 1, village.Received.Count);
        Assert.Equal(village.Received.Count, village.Received.Distinct().Count());
    }

    private static SubjectSummary Summary(string subjectId, long version = 1) => new()
    {
        SubjectId = subjectId,
        SubjectType = "farmer",
        VillageCode = "V1",
        Grade = "A",
        RecentReceipts = [],
        Version = version,
    };

    /// <summary>A village that takes summaries and nothing else (the outbox calls nothing else).</summary>
    private abstract class FakeVillage : IVillageGrain
    {
        public abstract Task UpdateSubjectsAsync(IReadOnlyList<SubjectSummary> summaries);

        public Task<bool> RegisterAsync(RegionInfo info) => throw new NotSupportedException();

        public Task<RegionInfo?> GetInfoAsync() => throw new NotSupportedException();

        public Task RemoveSubjectAsync(string subjectId) => throw new NotSupportedException();

        public Task UpdateHouseholdRedeemedAsync(string householdId, decimal redeemed, long version) => throw new NotSupportedException();

        public Task<RegionSummary?> GetSummaryAsync() => throw new NotSupportedException();

        public Task<int> RefreshAllAsync() => throw new NotSupportedException();

        public GrainId GetGrainId() => throw new NotSupportedException();
    }

    /// <summary>A village that takes every call as soon as it can (on another thread).</summary>
    private sealed class ImmediateVillage : FakeVillage
    {
        public System.Collections.Concurrent.ConcurrentBag<string> Received { get; } = [];

        public override async Task UpdateSubjectsAsync(IReadOnlyList<SubjectSummary> summaries)
        {
            await Task.Yield();
            foreach (var s in summaries)
            {
                Received.Add(s.SubjectId);
            }
        }
    }

    /// <summary>A village whose calls wait until the test releases (or fails) them, one at a time, in order.</summary>
    private sealed class GatedVillage : FakeVillage
    {
        private readonly Lock _gate = new();
        private readonly List<IReadOnlyList<SubjectSummary>> _calls = [];
        private readonly Queue<TaskCompletionSource> _waiting = new();

        public int CallCount
        {
            get
            {
                lock (_gate)
                {
                    return _calls.Count;
                }
            }
        }

        public IReadOnlyList<IReadOnlyList<SubjectSummary>> Calls
        {
            get
            {
                lock (_gate)
                {
                    return _calls.ToList();
                }
            }
        }

        public override Task UpdateSubjectsAsync(IReadOnlyList<SubjectSummary> summaries)
        {
            var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _calls.Add(summaries.ToList()); // what the call carried when it was made
                _waiting.Enqueue(answer);
            }

            return answer.Task;
        }

        public async Task WaitForCallsAsync(int count)
        {
            for (var i = 0; i < 500 && CallCount < count; i++)
            {
                await Task.Delay(10);
            }

            Assert.True(CallCount >= count, $"expected {count} calls, got {CallCount}");
        }

        /// <summary>Answers the next <paramref name="count"/> calls (waiting for each to be made).</summary>
        public void Release(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Next().SetResult();
            }
        }

        public void Fail(Exception e) => Next().SetException(e);

        private TaskCompletionSource Next()
        {
            for (var i = 0; i < 500; i++)
            {
                lock (_gate)
                {
                    if (_waiting.TryDequeue(out var answer))
                    {
                        return answer;
                    }
                }

                Thread.Sleep(10);
            }

            throw new TimeoutException("no call to answer");
        }
    }
}
