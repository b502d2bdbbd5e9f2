using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>Holds <see cref="ISubjectGrain.GetSummaryAsync"/> of <see cref="HeldSubject"/> until released, counting arrivals.</summary>
public sealed class MemberSummaryGate : IIncomingGrainCallFilter
{
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;

    public volatile string? HeldSubject;

    public int Waiting => Volatile.Read(ref _waiting);

    public void Release() => _release.TrySetResult();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name == nameof(ISubjectGrain.GetSummaryAsync)
            && HeldSubject is { } held
            && context.TargetId.Key.ToString() == held)
        {
            Interlocked.Increment(ref _waiting);
            await _release.Task;
        }

        await context.Invoke();
    }
}

/// <summary>
/// Views of one household do not queue behind each other: when several members of a household are read at once (a
/// bank screening a village, a restart's first reads), each view reads the members' summaries side by side.
/// </summary>
public sealed class HouseholdViewTests(CallFilterApiFactory<MemberSummaryGate> api) : IClassFixture<CallFilterApiFactory<MemberSummaryGate>>
{
    [Fact]
    public async Task Concurrent_views_of_a_household_read_its_members_side_by_side_and_agree()
    {
        var village = await api.RegisterVillageAsync();
        var household = NewHouseholdId();
        var members = (await api.RegisterFarmersAsync(village, 2, household)).Select(m => m.SubjectId).ToList();
        var grain = api.Cluster.GetGrain<IHouseholdGrain>(household);
        var before = await grain.GetViewAsync();
        Assert.NotNull(before);

        // The second member's summary is held: a view waits there until released. A household that ran one view at a
        // time would let the second view start only after the first one returned.
        api.Filter.HeldSubject = members[1];
        var first = grain.GetViewAsync();
        var second = grain.GetViewAsync();
        try
        {
            await WaitUntilAsync(
                () => Task.FromResult(api.Filter.Waiting >= 2),
                Eventually,
                () => $"both views should be reading member {members[1]} at the same time ({api.Filter.Waiting} arrived)");
        }
        finally
        {
            api.Filter.HeldSubject = null;
            api.Filter.Release();
        }

        var views = await Task.WhenAll(first, second);
        Assert.All(views, v =>
        {
            Assert.NotNull(v);
            Assert.Equal(members.Order(), v!.Members.Order());
            Assert.Equal(before!.Score, v.Score);
            Assert.Equal(before.Points, v.Points);
        });
    }
}
