using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using RuralCredit.ApiHost.Auth;
using RuralCredit.ApiHost.Contracts;
using RuralCredit.ApiHost.Infrastructure;
using RuralCredit.Models;

namespace RuralCredit.ApiHost.Apis;

/// <summary>Governance points redemptions (积分超市).</summary>
public static class PointsApi
{
    public static IEndpointRouteBuilder MapPointsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/points/redemptions", RedeemAsync).WithTags("Points").RequireAuthorization(Policies.Operator);
        return app;
    }

    public static async Task<Results<Ok<RedemptionResponse>, ProblemHttpResult>> RedeemAsync(
        HttpRequest request, ClaimsPrincipal user, IClusterClient cluster, GatewayLoss gatewayLoss, AccessLog access, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<RedemptionRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(body!.RedemptionId) || body.RedemptionId.Length > 128 || body.RedemptionId.Any(char.IsControl))
        {
            return Problems.Validation("redemptionId is required (at most 128 characters, no control characters)");
        }

        if (string.IsNullOrWhiteSpace(body.SubjectId) || body.SubjectId.Length > 64 || body.SubjectId.Any(char.IsControl))
        {
            return Problems.Validation("subjectId is required (at most 64 characters, no control characters)");
        }

        if (body.Points is not > 0 || body.Points > 1_000_000)
        {
            return Problems.Validation("points must be a positive number");
        }

        if (string.IsNullOrWhiteSpace(body.Item) || body.Item.Length > 200 || body.Item.Contains('\0'))
        {
            return Problems.Validation("item is required (at most 200 characters, no NUL characters)");
        }

        var result = await cluster.ByKey<IRedemptionGrain>(body.RedemptionId).RedeemAsync(body.SubjectId, new Redemption(body.RedemptionId, body.Points.Value, body.Item)).UntilGatewayLost(gatewayLoss.Token);
        if (result.Account.Length > 0)
        {
            access.SubjectRead(user, body.SubjectId, "redemption", "积分兑换"); // the answer shows the account's balance
        }

        return result.Error is { } error
            ? Problems.Create(Problems.StatusFor(error.Code), error.Code, error.Detail, new Dictionary<string, object?> { ["account"] = result.Account, ["balance"] = result.Balance })
            : TypedResults.Ok(new RedemptionResponse(result.Account, result.Balance));
    }
}
