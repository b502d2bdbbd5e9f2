using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using RuralCredit.Grains;
using RuralCredit.Models;
using RuralCredit.Silo.Postgres;

namespace RuralCredit.Tests.Postgres;

/// <summary>
/// The ADO.NET storage serializes a state after an await, off the grain's turn: what it writes must be the state as it
/// was when the grain asked for the write, whatever interleaving calls change meanwhile.
/// </summary>
public sealed class SnapshottingGrainStorageTests
{
    /// <summary>A storage that, like the ADO.NET one, awaits a connection before it reads the state it writes.</summary>
    private sealed class SlowStorage : IGrainStorage
    {
        public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public object? Written { get; private set; }

        public int WrittenSubjects { get; private set; }

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            await Connected.Task;
            Written = grainState.State;
            WrittenSubjects = (grainState.State as VillageState)!.Subjects.Count;
            grainState.ETag = "2";
            grainState.RecordExists = true;
        }

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;
    }

    [Fact]
    public async Task The_state_written_is_the_state_of_the_moment_the_write_was_asked_for()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var inner = new SlowStorage();
        var storage = new SnapshottingGrainStorage(inner, services.GetRequiredService<DeepCopier>());
        var village = new VillageState();
        village.Subjects["S1"] = Summary("S1");
        var state = new GrainState<VillageState>(village, "1") { RecordExists = true };

        var write = storage.WriteStateAsync("village", GrainId.Create("village", "321302001001"), state);
        village.Subjects["S2"] = Summary("S2"); // an interleaving call while the write waits for its connection
        inner.Connected.SetResult();
        await write;

        Assert.Equal(1, inner.WrittenSubjects);
        Assert.NotSame(village, inner.Written);
        Assert.Equal(("2", true), (state.ETag, state.RecordExists)); // the new version reaches the grain's state
        Assert.Equal(2, village.Subjects.Count);
    }

    private static SubjectSummary Summary(string subjectId) => new()
    {
        SubjectId = subjectId,
        SubjectType = "farmer",
        VillageCode = "321302001001",
        Grade = "C",
        RecentReceipts = [],
    };
}
