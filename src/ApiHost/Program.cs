using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Orleans.Dashboard;
using RuralCredit.ApiHost.Apis;
using RuralCredit.ApiHost.Auth;
using RuralCredit.ApiHost.Infrastructure;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.AddCreditEngine();
builder.AddApiKeyAuth();
builder.AddApiPlumbing();
builder.AddDemoData();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<ClusterConnection>();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();

app.MapOpenApi();
app.MapScalarApiReference("/docs", o => o.WithTitle("RuralCredit API v1"));
if (!app.Services.GetRequiredService<RuralCredit.Silo.Hosting.ProfileOptions>().IsPostgres)
{
    // Operators only; a browser signs in with the operator's API key as the password (HTTP Basic, see
    // ApiKeyAuthenticationHandler). Postgres profile: every silo serves it on its dashboard port, on loopback.
    app.MapOrleansDashboard(routePrefix: DashboardPath.Prefix).RequireAuthorization(Policies.Operator);
}

app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });

app.MapRegionsApi();
app.MapSubjectsApi();
app.MapRecordsApi();
app.MapDefinitionsApi();
app.MapPointsApi();
app.MapLiveApi();

app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
