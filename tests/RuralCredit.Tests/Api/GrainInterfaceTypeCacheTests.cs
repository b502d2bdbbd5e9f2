using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.TypeSystem;
using Orleans.Streams;
using RuralCredit.Grains;
using RuralCredit.Hosting;

namespace RuralCredit.Tests.Api;

public sealed class GrainInterfaceTypeCacheTests
{
    /// <summary>Orleans' attribute provider, counting how often it is asked.</summary>
    private sealed class CountingProvider : IGrainInterfaceTypeProvider
    {
        private readonly AttributeGrainInterfaceTypeProvider _inner;

        public CountingProvider(IServiceProvider services) => _inner = ActivatorUtilities.CreateInstance<AttributeGrainInterfaceTypeProvider>(services);

        public int Asked { get; private set; }

        public bool TryGetGrainInterfaceType(Type type, out GrainInterfaceType grainInterfaceType)
        {
            Asked++;
            return _inner.TryGetGrainInterfaceType(type, out grainInterfaceType);
        }
    }

    private static ServiceProvider Services(bool cached)
    {
        var services = new ServiceCollection();
        services.AddSerializer();
        services.AddSingleton<CountingProvider>();
        services.AddSingleton<IGrainInterfaceTypeProvider>(sp => sp.GetRequiredService<CountingProvider>());
        if (cached)
        {
            GrainInterfaceTypeCache.AddTo(services);
            GrainInterfaceTypeCache.AddTo(services);
        }

        return services.BuildServiceProvider();
    }

    private static GrainInterfaceTypeResolver Resolver(IServiceProvider services) =>
        new(services.GetServices<IGrainInterfaceTypeProvider>(), services.GetRequiredService<TypeConverter>());

    public static TheoryData<Type> Interfaces => new()
    {
        typeof(ISubjectGrain), typeof(IVillageGrain), typeof(IRecordIngestGrain), typeof(IStreamProvider).Assembly.GetType("Orleans.Streams.IStreamConsumerExtension", throwOnError: true)!,
        typeof(IGrainWithStringKey), typeof(IAsyncObserver<string>),
    };

    [Theory]
    [MemberData(nameof(Interfaces))]
    public void An_interface_gets_the_id_Orleans_gives_it_and_is_worked_out_once(Type type)
    {
        using var plain = Services(cached: false);
        using var cached = Services(cached: true);
        var expected = Resolver(plain).GetGrainInterfaceType(type);
        var resolver = Resolver(cached);

        Assert.Equal(expected, resolver.GetGrainInterfaceType(type));
        Assert.Equal(expected, resolver.GetGrainInterfaceType(type));
        Assert.Equal(expected, resolver.GetGrainInterfaceType(type));

        Assert.Single(cached.GetServices<IGrainInterfaceTypeProvider>().OfType<GrainInterfaceTypeCache>());
        Assert.IsType<GrainInterfaceTypeCache>(cached.GetServices<IGrainInterfaceTypeProvider>().First());
        Assert.Equal(1, cached.GetRequiredService<CountingProvider>().Asked);
        Assert.Equal(1, plain.GetRequiredService<CountingProvider>().Asked);
    }
}
