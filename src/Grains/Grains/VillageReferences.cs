using System.Collections.Concurrent;

namespace RuralCredit.Grains;

/// <summary>
/// References to village grains, made once per silo and shared by every subject on it: making a reference reads the
/// interface's attributes each time, and a reference held per subject would cost memory for each of them.
/// </summary>
public sealed class VillageReferences(IGrainFactory grains)
{
    private readonly ConcurrentDictionary<string, IVillageGrain> _villages = new(StringComparer.Ordinal);

    public IVillageGrain Get(string villageCode) =>
        _villages.GetOrAdd(villageCode, static (code, factory) => factory.ByKey<IVillageGrain>(code), grains);
}
