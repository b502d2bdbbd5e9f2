using RuralCredit.Tests.Infrastructure;

namespace RuralCredit.Tests.Api;

/// <summary><see cref="KeyedGrains.ByKey{TGrain}"/> makes the same references as Orleans' <c>GetGrain</c>.</summary>
[Collection(ApiCollection.Name)]
public sealed class KeyedGrainsTests(CreditApiFactory api)
{
    [Fact]
    public async Task References_by_key_equal_the_ones_orleans_makes_and_reach_the_same_grain()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        Same(api.Cluster.GetGrain<ISubjectGrain>(farmer), api.Cluster.ByKey<ISubjectGrain>(farmer));
        Same(api.Cluster.GetGrain<IVillageGrain>(village), api.Cluster.ByKey<IVillageGrain>(village));
        Same(api.Cluster.GetGrain<IRegionGrain>(CreditApiFactory.CountyCode), api.Cluster.ByKey<IRegionGrain>(CreditApiFactory.CountyCode));
        Same(api.Cluster.GetGrain<IHouseholdGrain>("h-keyed"), api.Cluster.ByKey<IHouseholdGrain>("h-keyed"));

        var info = await api.Cluster.ByKey<ISubjectGrain>(farmer).GetInfoAsync();
        Assert.Equal(farmer, info?.SubjectId);
        Assert.Throws<ArgumentException>(() => api.Cluster.ByKey<ISubjectGrain>(" "));
    }

    private static void Same<TGrain>(TGrain expected, TGrain actual)
        where TGrain : IGrainWithStringKey
    {
        var e = (GrainReference)(object)expected;
        var a = (GrainReference)(object)actual;
        Assert.Equal(e.GrainId, a.GrainId);
        Assert.Equal(e.InterfaceType, a.InterfaceType);
        Assert.Equal(e.GetType(), a.GetType());
        Assert.Equal(e, a);
    }
}
