using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>Grain storage whose writes of one kind of state fail while <see cref="FailWrites"/> names it, as a lost database would.</summary>
public sealed class SwitchableStorage(IGrainStorage inner) : IGrainStorage
{
    /// <summary>The state name (e.g. <c>subject</c>) whose writes fail; null: none.</summary>
    public static volatile string? FailWrites;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        FailWrites == stateName
            ? throw new StorageUnavailableException("grain storage unavailable (test)")
            : inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}

/// <summary>The API host whose grain storage goes through <see cref="SwitchableStorage"/>.</summary>
public sealed class SwitchableStorageApiFactory : CreditApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            var original = services.Last(d => d.IsKeyedService && d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, RuralCreditConstants.StorageName));
            var factory = original.KeyedImplementationFactory!;
            services.AddKeyedSingleton<IGrainStorage>(RuralCreditConstants.StorageName, (sp, key) => new SwitchableStorage((IGrainStorage)factory(sp, key)));
        });
    }
}

/// <summary>
/// A call whose state write fails is answered 503 (nothing kept), and its retry is not answered from the memory of the
/// failed attempt: the activation that failed to write is dropped and the retry starts from storage.
/// </summary>
public sealed class FailedWriteTests(SwitchableStorageApiFactory api) : IClassFixture<SwitchableStorageApiFactory>
{
    [Fact]
    public async Task A_redemption_whose_write_failed_is_debited_once_by_its_retry_and_stays_debited()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        await api.SubmitAsync(Record(NewRecordId(), "GOV_FAMILY_VIRTUE", farmer, Day(), new JsonObject { ["event"] = "x" })); // 5 points
        await api.WaitForRecordCountAsync(farmer, 1);
        using var clerk = api.Client(OperatorKey);

        ApiResponse failed;
        SwitchableStorage.FailWrites = "subject";
        try
        {
            failed = await Redeem(clerk, farmer, "rd-fail-1", 3);
        }
        finally
        {
            SwitchableStorage.FailWrites = null;
        }

        var retried = await Redeem(clerk, farmer, "rd-fail-1", 3);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Status);
        Assert.Equal("storage_unavailable", failed.Code);
        Assert.Equal(HttpStatusCode.OK, retried.Status);
        Assert.Equal(2m, retried.Json.Dec("balance"));

        // What was answered is what storage holds: a fresh activation has the debit, once.
        await api.DeactivateSubjectAsync(farmer);
        Assert.Equal(2m, (await api.ProfileAsync(farmer))["points"]!.Dec("balance"));
        var more = await Redeem(clerk, farmer, "rd-fail-2", 3);
        Assert.Equal(HttpStatusCode.Conflict, more.Status);
        Assert.Equal("insufficient_points", more.Code);
    }

    private static Task<ApiResponse> Redeem(HttpClient client, string subjectId, string redemptionId, decimal points) =>
        client.PostJsonAsync("/v1/points/redemptions", new JsonObject
        {
            ["redemptionId"] = redemptionId,
            ["subjectId"] = subjectId,
            ["points"] = points,
            ["item"] = "肥皂",
        });
}
