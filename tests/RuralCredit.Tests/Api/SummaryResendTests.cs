using System.Text.Json.Nodes;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>Fails <see cref="IVillageGrain.UpdateSubjectsAsync"/> while <see cref="Down"/> is set, as a village on a dying silo would.</summary>
public sealed class VillageOutage : IIncomingGrainCallFilter
{
    private int _refused;

    public volatile bool Down;

    /// <summary>How long a refused call waits before it fails (a silo dying slowly): 0 fails at once.</summary>
    public volatile int RefuseAfterMs;

    public int Refused => Volatile.Read(ref _refused);

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (Down && context.InterfaceMethod?.Name == nameof(IVillageGrain.UpdateSubjectsAsync))
        {
            Interlocked.Increment(ref _refused);
            if (RefuseAfterMs > 0)
            {
                await Task.Delay(RefuseAfterMs);
            }

            throw new InvalidOperationException("village unavailable (test)");
        }

        await context.Invoke();
    }
}

/// <summary>
/// A subject whose summary did not reach its village sends it again: a second later while it stays active, and at
/// once when it is deactivated before that, so the village does not wait for the subject's next activation.
/// </summary>
public sealed class SummaryResendTests(CallFilterApiFactory<VillageOutage> api) : IClassFixture<CallFilterApiFactory<VillageOutage>>
{
    [Fact]
    public Task A_refused_summary_reaches_the_village_when_the_subject_is_deactivated_before_its_resend() =>
        RefusedSummaryThenDeactivationAsync(refuseAfterMs: 0);

    /// <summary>
    /// The village's refusal comes 2 s late: the subject is deactivated while its send is unanswered, before a failure
    /// could set its resend timer (which would die with the activation anyway).
    /// </summary>
    [Fact]
    public Task A_summary_still_unanswered_when_the_subject_is_deactivated_reaches_the_village() =>
        RefusedSummaryThenDeactivationAsync(refuseAfterMs: 2_000);

    /// <summary>
    /// The village refuses a subject's summary (after <paramref name="refuseAfterMs"/>); the subject is deactivated
    /// within the second before its resend timer fires, with the village back; the village must hold the summary.
    /// </summary>
    private async Task RefusedSummaryThenDeactivationAsync(int refuseAfterMs)
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        await api.WaitForVillageAsync(village, records24h: 0);

        api.Filter.RefuseAfterMs = refuseAfterMs;
        api.Filter.Down = true;
        var refusedBefore = api.Filter.Refused;
        try
        {
            await api.SubmitAsync(Record(NewRecordId(), "GOV_FAMILY_VIRTUE", farmer, Day(), new JsonObject { ["event"] = "孝老爱亲" }));
            await WaitUntilAsync(() => Task.FromResult(api.Filter.Refused > refusedBefore), Eventually, "the village should refuse the subject's summary");

            api.Filter.Down = false;
            await api.DeactivateSubjectAsync(farmer);
            var grain = api.Cluster.GetGrain<ISubjectGrain>(farmer);
            var management = api.Cluster.GetGrain<IManagementGrain>(0);

            // Only the region is read: reading the subject would activate it, and an activation sends its summary anyway.
            var region = await api.WaitForVillageAsync(village, records24h: 1);
            Assert.Equal(610.0, region.Num("meanScore")); // 600 + 10
            Assert.DoesNotContain(grain.GetGrainId(), await management.GetActiveGrains(grain.GetGrainId().Type));
        }
        finally
        {
            api.Filter.Down = false;
            api.Filter.RefuseAfterMs = 0;
        }
    }
}
