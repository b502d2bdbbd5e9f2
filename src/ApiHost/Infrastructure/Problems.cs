using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>RFC 7807 problem responses with a stable <c>code</c>.</summary>
public static class Problems
{
    public static ProblemHttpResult Create(int status, string code, string detail, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (extra is not null)
        {
            foreach (var (k, v) in extra)
            {
                extensions[k] = v;
            }
        }

        return TypedResults.Problem(new ProblemDetails
        {
            Status = status,
            Title = Titles.GetValueOrDefault(code, "Request failed"),
            Detail = detail,
            Type = $"https://ruralcredit.example/problems/{code}",
            Extensions = extensions,
        });
    }

    /// <summary>
    /// Gives the problems the framework writes itself (an unknown route, a method a route does not take) a stable code
    /// like every other: <c>not_found</c>, <c>method_not_allowed</c>.
    /// </summary>
    public static void AddMissingCode(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey("code"))
        {
            return;
        }

        var code = problem.Status switch
        {
            StatusCodes.Status400BadRequest => "validation_failed",
            StatusCodes.Status404NotFound => "not_found",
            StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
            StatusCodes.Status413PayloadTooLarge => "batch_too_large",
            StatusCodes.Status415UnsupportedMediaType => "validation_failed",
            >= 500 => "internal_error",
            _ => "request_failed",
        };
        problem.Extensions["code"] = code;
        problem.Type = $"https://ruralcredit.example/problems/{code}";
        problem.Detail ??= problem.Status switch
        {
            StatusCodes.Status404NotFound => $"no endpoint at {context.HttpContext.Request.Path}",
            StatusCodes.Status405MethodNotAllowed => $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}",
            _ => null,
        };
    }

    public static ProblemHttpResult Validation(string detail) => Create(StatusCodes.Status400BadRequest, "validation_failed", detail);

    public static ProblemHttpResult NotFound(string code, string detail) => Create(StatusCodes.Status404NotFound, code, detail);

    /// <summary>Maps an error from a grain to the right status.</summary>
    public static ProblemHttpResult From(Models.ItemError error) => Create(StatusFor(error.Code), error.Code, error.Detail);

    public static int StatusFor(string code) => code switch
    {
        "unknown_subject" or "unknown_region" or "unknown_record" or "unknown_household" or "unknown_job" or "unknown_model_version" or "unknown_catalog_item" => StatusCodes.Status404NotFound,
        "record_conflict" or "insufficient_points" => StatusCodes.Status409Conflict,
        "forbidden" => StatusCodes.Status403Forbidden,
        "batch_too_large" => StatusCodes.Status413PayloadTooLarge,
        "storage_unavailable" or "unavailable" => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    private static readonly Dictionary<string, string> Titles = new()
    {
        ["validation_failed"] = "The request is not valid",
        ["unknown_catalog_item"] = "Unknown catalog item",
        ["unknown_subject"] = "Unknown subject",
        ["unknown_region"] = "Unknown region",
        ["unknown_record"] = "Unknown record",
        ["unknown_household"] = "Unknown household",
        ["unknown_job"] = "Unknown job",
        ["unknown_model_version"] = "Unknown model version",
        ["record_conflict"] = "Record id already used with different content",
        ["insufficient_points"] = "Insufficient points",
        ["forbidden"] = "Forbidden",
        ["unauthorized"] = "Authentication required",
        ["batch_too_large"] = "Batch too large",
        ["unavailable"] = "Service temporarily unavailable",
        ["internal_error"] = "Internal error",
    };
}
