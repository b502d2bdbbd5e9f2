using Microsoft.AspNetCore.Http.HttpResults;
using RuralCredit.ApiHost.Auth;
using RuralCredit.ApiHost.Contracts;
using RuralCredit.ApiHost.Infrastructure;
using RuralCredit.Models;

namespace RuralCredit.ApiHost.Apis;

/// <summary>Regions: registration in batches, live aggregates and children.</summary>
public static class RegionsApi
{
    public const int MaxBatch = 10_000;

    public static RouteGroupBuilder MapRegionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/regions").WithTags("Regions");
        group.MapPut("/", PutRegionsAsync).Accepts<RegionsRequest>("application/json").RequireAuthorization(Policies.Ingest);
        group.MapGet("/{code}", GetRegionAsync).RequireAuthorization(Policies.RegionRead);
        group.MapGet("/{code}/children", GetChildrenAsync).RequireAuthorization(Policies.RegionRead);
        return group;
    }

    public static async Task<Results<Ok<BatchResults>, ProblemHttpResult>> PutRegionsAsync(HttpRequest request, IClusterClient cluster, GatewayLoss gatewayLoss, CancellationToken cancellationToken)
    {
        var (items, problem) = await JsonBody.ReadBatchAsync<RegionInput>(request, "regions", MaxBatch, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var batch = BatchItems.Split(items!, r => new RegionInfo
        {
            Code = r.Code ?? "",
            Name = r.Name ?? "",
            Level = r.Level ?? "",
            ParentCode = r.ParentCode,
            ExpectedHouseholds = r.ExpectedHouseholds,
            ExpectedSubjects = r.ExpectedSubjects,
        });
        var outcomes = batch.Valid.Count == 0 ? [] : await cluster.GetGrain<IRegistrationGrain>(WorkerLanes.Next()).RegisterRegionsAsync(batch.Valid).UntilGatewayLost(gatewayLoss.Token);
        return TypedResults.Ok(batch.Results(outcomes, o => new RegistrationResultItem(batch.IndexOf(o.Index), o.Key, null, o.Status, o.Error is null ? null : new ErrorBody(o.Error.Code, o.Error.Detail))));
    }

    public static async Task<Results<Ok<RegionResponse>, ProblemHttpResult>> GetRegionAsync(string code, IClusterClient cluster, GatewayLoss gatewayLoss)
    {
        var summary = await SummaryAsync(cluster, code).WithinReadDeadline(gatewayLoss);
        return summary is null
            ? Problems.NotFound("unknown_region", $"region {code} is not registered")
            : TypedResults.Ok(RegionResponse.From(summary));
    }

    public static async Task<Results<Ok<List<RegionResponse>>, ProblemHttpResult>> GetChildrenAsync(string code, IClusterClient cluster, GatewayLoss gatewayLoss)
    {
        if (!IsRegionCode(code) || code.Length == 12)
        {
            return code.Length == 12 && await SummaryAsync(cluster, code).WithinReadDeadline(gatewayLoss) is not null
                ? TypedResults.Ok(new List<RegionResponse>())
                : Problems.NotFound("unknown_region", $"region {code} is not registered");
        }

        var region = cluster.ByKey<IRegionGrain>(code);
        if (await region.GetInfoAsync().WithinReadDeadline(gatewayLoss) is null)
        {
            return Problems.NotFound("unknown_region", $"region {code} is not registered");
        }

        var children = await region.GetChildrenAsync().WithinReadDeadline(gatewayLoss);
        var summaries = await Task.WhenAll(children.Select(c => SummaryAsync(cluster, c))).WithinReadDeadline(gatewayLoss);
        return TypedResults.Ok(summaries.OfType<RegionSummary>().Select(RegionResponse.From).ToList());
    }

    /// <summary>The live aggregate of any region code, or null when it is not registered.</summary>
    public static Task<RegionSummary?> SummaryAsync(IClusterClient cluster, string code)
    {
        if (!IsRegionCode(code))
        {
            return Task.FromResult<RegionSummary?>(null);
        }

        return code.Length == 12
            ? cluster.ByKey<IVillageGrain>(code).GetSummaryAsync()
            : cluster.ByKey<IRegionGrain>(code).GetSummaryAsync();
    }

    private static bool IsRegionCode(string code) => code.Length is 6 or 9 or 12 && code.All(char.IsAsciiDigit);
}
