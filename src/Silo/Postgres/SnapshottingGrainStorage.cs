using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace RuralCredit.Silo.Postgres;

/// <summary>
/// Hands the ADO.NET grain storage a copy of the state taken in the grain's turn. The provider serializes the state
/// only once it has a connection, after an await that resumes off the grain's scheduler; a call that interleaves with
/// the write (a village takes subjects' summaries while its snapshot is written) would otherwise change the state while
/// it is serialized: a torn snapshot, or "collection was modified". The copy is cheap where it matters: summaries are
/// immutable and copied by reference, only the collections holding them are new. The version (ETag) the write returns
/// is set on the grain's state.
/// </summary>
public sealed class SnapshottingGrainStorage(IGrainStorage inner, DeepCopier copier) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var snapshot = new GrainState<T>(copier.Copy(grainState.State), grainState.ETag) { RecordExists = grainState.RecordExists };
        await inner.WriteStateAsync(stateName, grainId, snapshot);
        grainState.ETag = snapshot.ETag;
        grainState.RecordExists = snapshot.RecordExists;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    /// <summary>Wraps the grain storage registered under <paramref name="name"/> (its lifecycle registration resolves the wrapper).</summary>
    public static void Decorate(IServiceCollection services, string name)
    {
        var registered = services.Last(d => d.IsKeyedService && d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, name));
        var factory = registered.KeyedImplementationFactory
            ?? throw new InvalidOperationException($"grain storage {name} is not registered through a factory");
        services.Remove(registered);
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => new SnapshottingGrainStorage((IGrainStorage)factory(sp, key), sp.GetRequiredService<DeepCopier>()));
    }
}
