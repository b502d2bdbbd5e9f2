using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using RuralCredit.ApiHost.Auth;
using RuralCredit.ApiHost.Contracts;
using RuralCredit.ApiHost.Infrastructure;
using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.ApiHost.Apis;

public sealed record RecordResultItem(
    int Index,
    string RecordId,
    string Status,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] long? LedgerSeq,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] ErrorBody? Error);

public sealed record RecordsResponse(int Accepted, int Duplicates, int Rejected, IReadOnlyList<RecordResultItem> Results);

public sealed record RevokeRequest(string? Reason);

public sealed record RevokeResponse(string RecordId, string Status);

/// <summary>Credit records: batch submission into the ledger, and revocation.</summary>
public static class RecordsApi
{
    public const int MaxBatch = 10_000;

    public static IEndpointRouteBuilder MapRecordsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/records").WithTags("Records").RequireAuthorization(Policies.Ingest);
        group.MapPost("/", PostRecordsAsync);
        group.MapPost("/{recordId}/revoke", RevokeAsync);
        return app;
    }

    public static async Task<Results<Accepted<RecordsResponse>, ProblemHttpResult>> PostRecordsAsync(
        HttpRequest request, ClaimsPrincipal user, IClusterClient cluster, GatewayLoss gatewayLoss, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (JsonException ex)
        {
            return Problems.Validation($"malformed JSON: {JsonErrors.Describe(ex)}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("records", out var array)
                || array.ValueKind != JsonValueKind.Array)
            {
                return Problems.Validation("the body must be an object with a records array");
            }

            var count = array.GetArrayLength();
            if (count > MaxBatch)
            {
                return Problems.Create(StatusCodes.Status413PayloadTooLarge, "batch_too_large", $"at most {MaxBatch} records per batch, got {count}");
            }

            var parsed = new List<RecordSubmission>(count);
            var parsedIndex = new List<int>(count);
            var results = new RecordResultItem?[count];
            var i = 0;
            foreach (var item in array.EnumerateArray())
            {
                var (submission, error) = Parse(item);
                if (submission is null)
                {
                    var id = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("recordId", out var rid) && JsonBody.TryText(rid, out var text) ? text : "";
                    results[i] = new RecordResultItem(i, id, "rejected", null, new ErrorBody("validation_failed", error!));
                }
                else
                {
                    parsed.Add(submission);
                    parsedIndex.Add(i);
                }

                i++;
            }

            // Cancelled when the client goes away or when a gateway is lost (the call may be waiting on a dead silo).
            using var submit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, gatewayLoss.Token);
            var outcomes = parsed.Count == 0 ? [] : await cluster.GetGrain<IRecordIngestGrain>(WorkerLanes.Next()).SubmitAsync(parsed, user.Submitter(), submit.Token);
            for (var k = 0; k < outcomes.Count; k++)
            {
                var o = outcomes[k];
                var index = parsedIndex[k];
                results[index] = new RecordResultItem(index, o.RecordId, o.Status, o.LedgerSeq, o.Error is null ? null : new ErrorBody(o.Error.Code, o.Error.Detail));
            }

            var list = results.Select(r => r!).ToList();
            var response = new RecordsResponse(
                list.Count(r => r.Status == "accepted"),
                list.Count(r => r.Status == "duplicate"),
                list.Count(r => r.Status == "rejected"),
                list);
            return TypedResults.Accepted((string?)null, response);
        }
    }

    private static (RecordSubmission? Submission, string? Error) Parse(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return (null, "each record must be a JSON object");
        }

        var errors = new List<string>();
        var recordId = JsonBody.String(item, "recordId", true, errors);
        var code = JsonBody.String(item, "catalogCode", true, errors);
        var subjectId = JsonBody.String(item, "subjectId", false, errors);
        var idNumber = JsonBody.String(item, "idNumber", false, errors);
        var occurred = JsonBody.String(item, "occurredAt", true, errors);
        var supersedes = JsonBody.String(item, "supersedes", false, errors);
        DateTimeOffset occurredAt = default;
        if (occurred is not null && !Payload.TryParseDate(occurred, out occurredAt))
        {
            errors.Add("occurredAt must be an ISO-8601 date or instant");
        }

        string payload = "{}";
        if (!item.TryGetProperty("payload", out var p) || p.ValueKind != JsonValueKind.Object)
        {
            errors.Add("payload must be a JSON object");
        }
        else
        {
            // Canonical (members ordered, numbers in shortest form: a resubmission differing only in those is a duplicate),
            // compact, and with Chinese as written: the default encoder would store each Chinese character as a
            // six-character \uXXXX escape (twelve bytes on the heap instead of two), in the ledger and in every subject.
            try
            {
                payload = CanonicalJson.Write(p);
            }
            catch (InvalidOperationException)
            {
                errors.Add("payload must be valid text (it holds an unpaired surrogate escape)");
            }
        }

        if (subjectId is null && idNumber is null && errors.Count == 0)
        {
            errors.Add("subjectId or idNumber is required");
        }

        if (errors.Count > 0)
        {
            return (null, string.Join("; ", errors));
        }

        return (new RecordSubmission
        {
            RecordId = recordId!,
            CatalogCode = code!,
            SubjectId = subjectId,
            IdNumber = idNumber,
            OccurredAt = occurredAt,
            PayloadJson = payload,
            Supersedes = supersedes,
        }, null);
    }

    public static async Task<Results<Ok<RevokeResponse>, ProblemHttpResult>> RevokeAsync(
        string recordId, HttpRequest request, ClaimsPrincipal user, IClusterClient cluster, GatewayLoss gatewayLoss, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<RevokeRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(body!.Reason) || body.Reason.Length > 500 || body.Reason.Contains('\0'))
        {
            return Problems.Validation("reason is required (at most 500 characters, no NUL characters)");
        }

        var outcome = await cluster.GetGrain<IRecordIngestGrain>(WorkerLanes.Next()).RevokeAsync(recordId, body.Reason, user.Submitter()).UntilGatewayLost(gatewayLoss.Token);
        return outcome.Error is { } error ? Problems.From(error) : TypedResults.Ok(new RevokeResponse(outcome.RecordId, outcome.Status));
    }
}
