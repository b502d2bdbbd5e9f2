using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Dashboard;
using RuralCredit.Silo.Hosting;
using RuralCredit.Silo.Postgres;

namespace RuralCredit.Silo;

/// <summary>
/// A silo on its own process (the postgres profile runs any number of them; the embedded profile co-hosts one
/// inside src/ApiHost instead). Each silo serves the Orleans Dashboard (every silo of the cluster) and a health
/// probe on its dashboard port.
/// <code>
/// dotnet run --project src/Silo -- migrate --ConnectionStrings:RuralCredit="Host=…"      apply the schema, then exit
/// dotnet run --project src/Silo -- --RuralCredit:Profile=postgres --ConnectionStrings:RuralCredit="Host=…" \
///     --Orleans:SiloPort=11111 --Orleans:GatewayPort=30000 --Orleans:DashboardPort=8081   run a silo
/// </code>
/// </summary>
public static class SiloProgram
{
    public static async Task<int> Main(string[] args)
    {
        var migrateOnly = args.Length > 0 && args[0] == "migrate";
        var builder = WebApplication.CreateBuilder(migrateOnly ? args[1..] : args);
        builder.Logging.AddTimestampedConsole();
        using var loggers = LoggerFactory.Create(l => l.AddTimestampedConsole().AddSimpleConsole(o => o.SingleLine = true));

        if (migrateOnly)
        {
            var applied = await PostgresHosting.MigrateAsync(PostgresHosting.ConnectionString(builder.Configuration), loggers);
            Console.WriteLine(applied.Count == 0
                ? "Schema already up to date."
                : $"Applied migration(s) {string.Join(", ", applied)}.");
            return 0;
        }

        var profile = ProfileOptions.From(builder.Configuration);
        if (profile.IsPostgres && builder.Configuration.GetValue($"{PostgresOptions.SectionName}:{nameof(PostgresOptions.MigrateOnStart)}", true))
        {
            await PostgresHosting.MigrateAsync(PostgresHosting.ConnectionString(builder.Configuration), loggers);
        }

        var dashboardPort = builder.Configuration.GetValue($"{ClusterEndpointOptions.SectionName}:DashboardPort", 8081);
        builder.WebHost.UseUrls($"http://127.0.0.1:{dashboardPort}");
        builder.UseOrleans(silo => silo.AddRuralCredit(builder.Configuration));
        builder.Services.AddHealthChecks();

        var app = builder.Build();
        app.MapOrleansDashboard(routePrefix: "/orleans");
        app.MapHealthChecks("/healthz");
        await app.RunAsync();
        return 0;
    }
}
