namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>
/// Until the host has started, its Orleans client included (postgres profile: it retries until a silo of the cluster
/// answers), every API call is answered <c>503 unavailable</c> with <c>Retry-After</c>; the health endpoints, the docs
/// and the static pages are served meanwhile.
/// </summary>
public sealed class ClusterConnection(RequestDelegate next, IHostApplicationLifetime lifetime)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (lifetime.ApplicationStarted.IsCancellationRequested || !context.Request.Path.StartsWithSegments("/v1"))
        {
            return next(context);
        }

        context.Response.Headers.RetryAfter = "2";
        return Problems.Create(StatusCodes.Status503ServiceUnavailable, "unavailable", "the API host is still reaching the credit engine's cluster; retry later").ExecuteAsync(context);
    }
}
