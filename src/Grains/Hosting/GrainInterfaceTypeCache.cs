using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Serialization.TypeSystem;

namespace RuralCredit.Hosting;

/// <summary>
/// Remembers the id of each grain interface. Orleans works it out again on every cast of a reference to another
/// interface (its attributes read by reflection, then its name formatted), and a silo casts twice for every stream it
/// starts delivering (the pulling agent's reference to the subject's stream consumer, the subject binding that
/// consumer): the casts took 3.8 % of a silo's CPU samples during a durable import at 50 k subjects, 0.7 % with this
/// cache. Placed before Orleans' own providers, it answers every interface with what Orleans' resolver gives without
/// it, worked out once per interface.
/// </summary>
public sealed class GrainInterfaceTypeCache(IServiceProvider services) : IGrainInterfaceTypeProvider
{
    private readonly ConcurrentDictionary<Type, GrainInterfaceType> _known = new();
    private GrainInterfaceTypeResolver? _resolver;

    public bool TryGetGrainInterfaceType(Type type, out GrainInterfaceType grainInterfaceType)
    {
        if (!_known.TryGetValue(type, out grainInterfaceType))
        {
            grainInterfaceType = _known.GetOrAdd(type, Resolver.GetGrainInterfaceType(type));
        }

        return true;
    }

    /// <summary>Orleans' resolver over every provider but this one.</summary>
    private GrainInterfaceTypeResolver Resolver => _resolver ??= new GrainInterfaceTypeResolver(
        services.GetServices<IGrainInterfaceTypeProvider>().Where(p => p is not GrainInterfaceTypeCache),
        services.GetRequiredService<TypeConverter>());

    /// <summary>Registers the cache ahead of every other provider (once, however often it is called).</summary>
    public static void AddTo(IServiceCollection services)
    {
        if (services.Any(d => d.ImplementationType == typeof(GrainInterfaceTypeCache)))
        {
            return;
        }

        services.Insert(0, ServiceDescriptor.Singleton<IGrainInterfaceTypeProvider, GrainInterfaceTypeCache>());
    }
}
