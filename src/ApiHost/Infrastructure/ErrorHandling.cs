using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Diagnostics;
using RuralCredit.Silo.Postgres;

namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>Turns exceptions into problem responses: a client's mistake is a 4xx, a cluster outage a 503.</summary>
public sealed partial class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == 413 ? "batch_too_large" : "validation_failed", bad.Message),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => (499, "cancelled", "the client went away"),
            _ when PostgresErrors.IsOutage(exception) || IsStorageUnavailable(exception) =>
                (StatusCodes.Status503ServiceUnavailable, "storage_unavailable", "the credit archive's storage is temporarily unavailable; nothing of this request was kept, retry later"),
            TimeoutException or OrleansException or SiloUnavailableException or OperationCanceledException =>
                (StatusCodes.Status503ServiceUnavailable, "unavailable", "the credit engine is temporarily unavailable; retry later"),
            _ => (StatusCodes.Status500InternalServerError, "internal_error", "an unexpected error occurred"),
        };

        if (status >= 500)
        {
            LogFailure(exception, context.Request.Method, context.Request.Path);
        }

        if (context.Response.HasStarted)
        {
            return true;
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "2";
        }

        await Problems.Create(status, code, detail).ExecuteAsync(context);
        return true;
    }

    /// <summary>The storage is unavailable, said directly or by the exception Orleans wraps a grain storage failure in.</summary>
    private static bool IsStorageUnavailable(Exception exception) =>
        exception is StorageUnavailableException || (exception.InnerException is { } inner && IsStorageUnavailable(inner));

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {Method} {Path} failed")]
    private partial void LogFailure(Exception exception, string method, string path);
}

/// <summary>Writes 401 and 403 as problem responses with codes <c>unauthorized</c> and <c>forbidden</c>.</summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            context.Response.Headers.WWWAuthenticate = RuralCredit.ApiHost.Auth.DashboardPath.Contains(context.Request.Path) ? RuralCredit.ApiHost.Auth.DashboardPath.Challenge : "Bearer";
            await Problems.Create(StatusCodes.Status401Unauthorized, "unauthorized", "a valid API key is required: Authorization: Bearer <key>").ExecuteAsync(context);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            await Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "this API key's role may not use this endpoint").ExecuteAsync(context);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
