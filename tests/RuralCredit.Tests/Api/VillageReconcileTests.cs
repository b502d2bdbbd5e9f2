using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Storage;
using RuralCredit.Grains;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>
/// Fails <see cref="ISubjectGrain.GetSummaryAsync"/> (and a village's <see cref="IVillageGrain.GetSummaryAsync"/>) for the
/// keys in <see cref="Silent"/>, each as many times as its count says: a grain on a dying silo, or one whose call timed
/// out in the rush after a silo's death.
/// </summary>
public sealed class SilentSubjects : IIncomingGrainCallFilter
{
    public ConcurrentDictionary<string, int> Silent { get; } = new(StringComparer.Ordinal);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name == nameof(ISubjectGrain.GetSummaryAsync)
            && context.TargetId.Key.ToString() is { } id
            && Silent.TryGetValue(id, out var left) && left > 0
            && Silent.TryUpdate(id, left - 1, left))
        {
            throw new TimeoutException("no answer (test)");
        }

        return context.Invoke();
    }
}

/// <summary>A host whose regions reconcile after a crash (as in the postgres profile) and whose subjects may be silent.</summary>
public sealed class ReconcileApiFactory : CallFilterApiFactory<SilentSubjects>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Grains:ReconcileAfterCrash", "true");
    }
}

/// <summary>
/// A village whose previous activation was killed asks each of its subjects for its summary again; a subject that does
/// not answer is asked again, and the others are not left unasked because of it.
/// </summary>
public sealed class VillageReconcileTests(ReconcileApiFactory api) : IClassFixture<ReconcileApiFactory>
{
    [Theory]
    [InlineData(1)] // answers the second time
    [InlineData(VillageGrain.ReconcileAttempts - 1)] // answers the last time
    public async Task A_village_back_from_a_crash_counts_every_subject_even_when_one_does_not_answer_at_first(int silentTimes)
    {
        var village = await api.RegisterVillageAsync();
        var farmers = (await api.RegisterFarmersAsync(village, 4)).Select(f => f.SubjectId).ToList();
        await WaitForSubjectsAsync(village, farmers.Count);

        // The village dies having written none of its subjects' summaries (they reached it after its last write); the
        // subjects stay active, so nothing but the village's reconcile brings their summaries back.
        await CrashVillageAsync(village);
        api.Filter.Silent[farmers[1]] = silentTimes;

        var region = await WaitForSubjectsAsync(village, farmers.Count);
        Assert.Equal(0, api.Filter.Silent[farmers[1]]); // it was asked until it answered
        Assert.Equal(farmers.Count, region["subjects"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_subject_that_never_answers_does_not_keep_the_village_from_counting_the_others()
    {
        var village = await api.RegisterVillageAsync();
        var farmers = (await api.RegisterFarmersAsync(village, 3)).Select(f => f.SubjectId).ToList();
        await WaitForSubjectsAsync(village, farmers.Count);

        await CrashVillageAsync(village);
        api.Filter.Silent[farmers[0]] = VillageGrain.ReconcileAttempts;

        // Asked 5 times over 1 + 2 + 3 + 4 s; meanwhile and afterwards the two others are counted.
        await WaitForSubjectsAsync(village, farmers.Count - 1, TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => Task.FromResult(api.Filter.Silent[farmers[0]] == 0), TimeSpan.FromSeconds(30), "the silent subject should be asked every time");
    }

    [Fact]
    public async Task A_township_back_from_a_crash_counts_a_village_that_did_not_answer_at_first()
    {
        var (township, villages) = await api.RegisterTownshipAsync(2);
        foreach (var village in villages)
        {
            await api.RegisterFarmersAsync(village, 1);
            await WaitForSubjectsAsync(village, 1);
        }

        await WaitForSubjectsAsync(township, 2);

        // The township dies having written none of its villages' summaries; the villages are quiet (nothing changes
        // there), so nothing but the township's reconcile brings their summaries back.
        var grain = api.Cluster.GetGrain<IRegionGrain>(township);
        await DeactivateAsync(grain);
        var storage = api.Services.GetRequiredKeyedService<IGrainStorage>(RuralCreditConstants.StorageName);
        var state = new GrainState<RegionState>();
        await storage.ReadStateAsync("region", grain.GetGrainId(), state);
        var written = state.State;
        Assert.NotNull(written);
        Assert.True(written.ClosedCleanly);
        written.ChildSummaries.Clear();
        written.ClosedCleanly = false;
        await storage.WriteStateAsync("region", grain.GetGrainId(), state);
        api.Filter.Silent[villages[0]] = 1;

        var region = await WaitForSubjectsAsync(township, 2);
        Assert.Equal(0, api.Filter.Silent[villages[0]]); // asked again until it answered
        Assert.Equal(2, region["villages"]!.GetValue<int>());
    }

    private async Task DeactivateAsync(IAddressable grain)
    {
        var grainId = grain.GetGrainId();
        var management = api.Cluster.GetGrain<IManagementGrain>(0);
        await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await WaitUntilAsync(async () => !(await management.GetActiveGrains(grainId.Type)).Contains(grainId), Eventually, $"{grainId} should deactivate");
    }

    /// <summary>
    /// Deactivates the village (which writes its state, marked as closed cleanly), then overwrites that state as a
    /// crash would have left it: no subject summaries, not closed cleanly. The next call activates it and it reconciles.
    /// </summary>
    private async Task CrashVillageAsync(string village)
    {
        var grain = api.Cluster.GetGrain<IVillageGrain>(village);
        var grainId = grain.GetGrainId();
        var management = api.Cluster.GetGrain<IManagementGrain>(0);
        await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await WaitUntilAsync(async () => !(await management.GetActiveGrains(grainId.Type)).Contains(grainId), Eventually, "the village should deactivate");

        var storage = api.Services.GetRequiredKeyedService<IGrainStorage>(RuralCreditConstants.StorageName);
        var state = new GrainState<VillageState>();
        await storage.ReadStateAsync("village", grainId, state);
        var written = state.State;
        Assert.NotNull(written);
        Assert.True(written.ClosedCleanly);
        Assert.NotEmpty(written.Subjects);
        written.Subjects.Clear();
        written.ClosedCleanly = false;
        await storage.WriteStateAsync("village", grainId, state);
    }

    private async Task<JsonNode> WaitForSubjectsAsync(string village, int subjects, TimeSpan? bound = null)
    {
        JsonNode? region = null;
        await WaitUntilAsync(
            async () => (region = await api.RegionAsync(village))["subjects"]!["total"]!.GetValue<int>() == subjects,
            bound ?? Eventually,
            () => $"village {village} should count {subjects} subjects: {region?.ToJsonString()}");
        return region!;
    }
}
