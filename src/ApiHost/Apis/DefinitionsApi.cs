using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using RuralCredit.ApiHost.Auth;
using RuralCredit.ApiHost.Infrastructure;
using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.ApiHost.Apis;

public sealed record CatalogResponse(IReadOnlyList<CatalogItem> Items, IReadOnlyList<Department> Departments);

public sealed record CatalogPutResponse(string Code, int Version);

public sealed record ModelPutResponse(string SubjectType, int Version, string State);

public sealed record JobStartedResponse(string JobId);

/// <summary>The catalog, scoring models and background jobs (operators).</summary>
public static class DefinitionsApi
{
    public static IEndpointRouteBuilder MapDefinitionsApi(this IEndpointRouteBuilder app)
    {
        var catalog = app.MapGroup("/v1/catalog").WithTags("Catalog");
        catalog.MapGet("/", GetCatalogAsync).RequireAuthorization(Policies.CatalogRead);
        catalog.MapPut("/{code}", PutItemAsync).RequireAuthorization(Policies.Operator);

        var models = app.MapGroup("/v1/models").WithTags("Models");
        models.MapGet("/{subjectType}", GetModelAsync).RequireAuthorization(Policies.CatalogRead);
        models.MapPut("/{subjectType}", PutModelAsync).RequireAuthorization(Policies.Operator);
        models.MapPost("/{subjectType}/{version:int}/publish", PublishAsync).RequireAuthorization(Policies.Operator);

        app.MapGet("/v1/jobs/{jobId}", GetJobAsync).WithTags("Models").RequireAuthorization(Policies.Operator);
        return app;
    }

    public static async Task<Ok<CatalogResponse>> GetCatalogAsync(IClusterClient cluster, GatewayLoss gatewayLoss)
    {
        var grain = cluster.GetGrain<ICatalogGrain>(RuralCreditConstants.CatalogKey);
        return TypedResults.Ok(new CatalogResponse(await grain.GetItemsAsync().WithinReadDeadline(gatewayLoss), await grain.GetDepartmentsAsync().WithinReadDeadline(gatewayLoss)));
    }

    public static async Task<Results<Ok<CatalogPutResponse>, ProblemHttpResult>> PutItemAsync(string code, HttpRequest request, IClusterClient cluster, CancellationToken cancellationToken)
    {
        var (node, problem) = await JsonBody.ReadAsync<JsonObject>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        node!["code"] ??= code;
        if (node["code"]?.GetValueKind() != JsonValueKind.String || node["code"]!.GetValue<string>() != code)
        {
            return Problems.Validation("code in the body must match the route");
        }

        CatalogItem? item;
        try
        {
            item = node.Deserialize<CatalogItem>(DomainJson.Options);
        }
        catch (JsonException ex)
        {
            return Problems.Validation($"not a catalog item: {JsonErrors.Describe(ex)}");
        }
        catch (InvalidOperationException ex)
        {
            return Problems.Validation($"not a catalog item: {ex.Message}");
        }

        var (stored, error) = await cluster.GetGrain<ICatalogGrain>(RuralCreditConstants.CatalogKey).PutItemAsync(item!);
        return error is not null ? Problems.From(error) : TypedResults.Ok(new CatalogPutResponse(stored!.Code, stored.Version));
    }

    public static async Task<Results<Ok<ModelCatalogView>, ProblemHttpResult>> GetModelAsync(string subjectType, IClusterClient cluster, GatewayLoss gatewayLoss)
    {
        if (!RuralCreditConstants.SubjectTypes.Contains(subjectType))
        {
            return Problems.NotFound("unknown_subject_type", $"subject type {subjectType} does not exist");
        }

        return TypedResults.Ok(await cluster.GetGrain<IScoringModelGrain>(subjectType).GetAsync().WithinReadDeadline(gatewayLoss));
    }

    public static async Task<Results<Created<ModelPutResponse>, ProblemHttpResult>> PutModelAsync(string subjectType, HttpRequest request, IClusterClient cluster, CancellationToken cancellationToken)
    {
        if (!RuralCreditConstants.SubjectTypes.Contains(subjectType))
        {
            return Problems.NotFound("unknown_subject_type", $"subject type {subjectType} does not exist");
        }

        var (node, problem) = await JsonBody.ReadAsync<JsonObject>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        node!["subjectType"] ??= subjectType;
        ScoringModel? model;
        try
        {
            model = node.Deserialize<ScoringModel>(DomainJson.Options);
        }
        catch (JsonException ex)
        {
            return Problems.Validation($"not a scoring model: {JsonErrors.Describe(ex)}");
        }
        catch (InvalidOperationException ex)
        {
            return Problems.Validation($"not a scoring model: {ex.Message}");
        }

        var (version, error) = await cluster.GetGrain<IScoringModelGrain>(subjectType).PutDraftAsync(model!);
        return error is not null
            ? Problems.From(error)
            : TypedResults.Created($"/v1/models/{subjectType}", new ModelPutResponse(subjectType, version!.Version, version.State));
    }

    public static async Task<Results<Accepted<JobStartedResponse>, ProblemHttpResult>> PublishAsync(string subjectType, int version, IClusterClient cluster, GatewayLoss gatewayLoss)
    {
        if (!RuralCreditConstants.SubjectTypes.Contains(subjectType))
        {
            return Problems.NotFound("unknown_subject_type", $"subject type {subjectType} does not exist");
        }

        var (jobId, error) = await cluster.GetGrain<IScoringModelGrain>(subjectType).PublishAsync(version).UntilGatewayLost(gatewayLoss.Token);
        return error is not null ? Problems.From(error) : TypedResults.Accepted($"/v1/jobs/{jobId}", new JobStartedResponse(jobId!));
    }

    public static async Task<Results<Ok<JobStatus>, ProblemHttpResult>> GetJobAsync(string jobId, IClusterClient cluster, GatewayLoss gatewayLoss)
    {
        var status = await cluster.GetGrain<IRescoreJobGrain>(jobId).GetStatusAsync().WithinReadDeadline(gatewayLoss);
        return status is null ? Problems.NotFound("unknown_job", $"job {jobId} does not exist") : TypedResults.Ok(status);
    }
}
