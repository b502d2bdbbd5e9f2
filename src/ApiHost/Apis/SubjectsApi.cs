using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using RuralCredit.ApiHost.Auth;
using RuralCredit.ApiHost.Contracts;
using RuralCredit.ApiHost.Infrastructure;
using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.ApiHost.Apis;

/// <summary>Subjects: registration, profile, explanation, archive; households.</summary>
public static class SubjectsApi
{
    public static IEndpointRouteBuilder MapSubjectsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/subjects").WithTags("Subjects");
        group.MapPut("/", PutSubjectsAsync).Accepts<SubjectsRequest>("application/json").RequireAuthorization(Policies.Ingest);
        group.MapGet("/{id}", GetProfileAsync).RequireAuthorization(Policies.Operator);
        group.MapGet("/{id}/explain", ExplainAsync).RequireAuthorization(Policies.Operator);
        group.MapGet("/{id}/records", GetRecordsAsync).RequireAuthorization(Policies.Operator);
        app.MapGet("/v1/households/{id}", GetHouseholdAsync).WithTags("Subjects").RequireAuthorization(Policies.Operator);
        return app;
    }

    public static async Task<Results<Ok<BatchResults>, ProblemHttpResult>> PutSubjectsAsync(HttpRequest request, IClusterClient cluster, GatewayLoss gatewayLoss, CancellationToken cancellationToken)
    {
        var (items, problem) = await JsonBody.ReadBatchAsync<SubjectInput>(request, "subjects", RegionsApi.MaxBatch, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var batch = BatchItems.Split(items!, s => new SubjectRegistration
        {
            SubjectType = s.SubjectType ?? "",
            Name = s.Name ?? "",
            IdNumber = s.IdNumber,
            CreditCode = s.CreditCode,
            VillageCode = s.VillageCode ?? "",
            HouseholdId = s.HouseholdId,
        });
        var outcomes = batch.Valid.Count == 0 ? [] : await cluster.GetGrain<IRegistrationGrain>(WorkerLanes.Next()).RegisterSubjectsAsync(batch.Valid).UntilGatewayLost(gatewayLoss.Token);
        return TypedResults.Ok(batch.Results(outcomes, o => new RegistrationResultItem(batch.IndexOf(o.Index), null, o.Key, o.Status, o.Error is null ? null : new ErrorBody(o.Error.Code, o.Error.Detail))));
    }

    public static async Task<Results<Ok<SubjectProfileResponse>, ProblemHttpResult>> GetProfileAsync(
        string id, string? asOf, string? purpose, ClaimsPrincipal user, IClusterClient cluster, GatewayLoss gatewayLoss, AccessLog access)
    {
        if (RawIdentityNumber(id) is { } refused)
        {
            return refused;
        }

        if (!TryAsOf(asOf, out var at, out var problem))
        {
            return problem!;
        }

        var profile = await cluster.ByKey<ISubjectGrain>(id).GetProfileAsync(at).WithinReadDeadline(gatewayLoss);
        if (profile is null)
        {
            return UnknownSubject(id);
        }

        access.SubjectRead(user, id, "profile", purpose);
        return TypedResults.Ok(SubjectProfileResponse.From(profile));
    }

    public static async Task<Results<Ok<ExplainResponse>, ProblemHttpResult>> ExplainAsync(
        string id, string? asOf, string? purpose, ClaimsPrincipal user, IClusterClient cluster, GatewayLoss gatewayLoss, AccessLog access)
    {
        if (RawIdentityNumber(id) is { } refused)
        {
            return refused;
        }

        if (!TryAsOf(asOf, out var at, out var problem))
        {
            return problem!;
        }

        var explanation = await cluster.ByKey<ISubjectGrain>(id).ExplainAsync(at).WithinReadDeadline(gatewayLoss);
        if (explanation is null)
        {
            return UnknownSubject(id);
        }

        access.SubjectRead(user, id, "explain", purpose);
        return TypedResults.Ok(ExplainResponse.From(explanation));
    }

    public static async Task<Results<Ok<RecordsListResponse>, ProblemHttpResult>> GetRecordsAsync(
        string id, string? purpose, ClaimsPrincipal user, IClusterClient cluster, GatewayLoss gatewayLoss, AccessLog access)
    {
        if (RawIdentityNumber(id) is { } refused)
        {
            return refused;
        }

        var grain = cluster.ByKey<ISubjectGrain>(id);
        if (await grain.GetInfoAsync().WithinReadDeadline(gatewayLoss) is null)
        {
            return UnknownSubject(id);
        }

        var records = await grain.GetRecordsAsync().WithinReadDeadline(gatewayLoss);
        access.SubjectRead(user, id, "records", purpose);
        return TypedResults.Ok(new RecordsListResponse(id, records.Select(RecordResponse.From).ToList()));
    }

    public static async Task<Results<Ok<HouseholdResponse>, ProblemHttpResult>> GetHouseholdAsync(
        string id, string? purpose, ClaimsPrincipal user, IClusterClient cluster, GatewayLoss gatewayLoss, AccessLog access)
    {
        var view = await cluster.ByKey<IHouseholdGrain>(id).GetViewAsync().WithinReadDeadline(gatewayLoss);
        if (view is null)
        {
            return Problems.NotFound("unknown_household", $"household {id} does not exist");
        }

        access.HouseholdRead(user, id, purpose);
        return TypedResults.Ok(HouseholdResponse.From(view));
    }

    /// <summary>
    /// A raw 身份证号 where the subject id belongs (a person's subject id is <c>P</c> and a keyed hash of it) is refused
    /// before anything is asked or logged with it: a URL ends up in logs, and the number is never to be kept.
    /// </summary>
    private static ProblemHttpResult? RawIdentityNumber(string id) =>
        IdentityCodes.IsValidIdNumber(id) && !IdentityCodes.IsValidCreditCode(id)
            ? Problems.Validation("a person is named by the subject id registration returned (P…), never by the 身份证号")
            : null;

    private static ProblemHttpResult UnknownSubject(string id) => Problems.NotFound("unknown_subject", $"subject {IdentityCodes.ForDisplay(id)} is not registered");

    /// <summary>The range of <c>asOf</c>: the archive's records and the calendar arithmetic of an evaluation (24 h windows, decay days) both fit in it.</summary>
    private static readonly DateTimeOffset EarliestAsOf = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset LatestAsOf = new(2999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Parses an optional <c>asOf</c> instant or date.</summary>
    public static bool TryAsOf(string? text, out DateTimeOffset? asOf, out ProblemHttpResult? problem)
    {
        asOf = null;
        problem = null;
        if (text is null)
        {
            return true;
        }

        if (Payload.TryParseDate(text, out var value) && value >= EarliestAsOf && value <= LatestAsOf)
        {
            asOf = value;
            return true;
        }

        problem = Problems.Validation($"asOf must be an ISO-8601 date or instant between {EarliestAsOf:yyyy-MM-dd} and {LatestAsOf:yyyy-MM-dd}");
        return false;
    }
}
