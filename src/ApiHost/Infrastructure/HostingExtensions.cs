using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RuralCredit.ApiHost.Auth;
using RuralCredit.Silo.Hosting;

namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>Service registration of the API host, so that Program.cs reads top to bottom.</summary>
public static class HostingExtensions
{
    /// <summary>Co-hosts the silo (embedded profile: localhost clustering, in-memory storage and ledger).</summary>
    public static WebApplicationBuilder AddCreditEngine(this WebApplicationBuilder builder)
    {
        var profile = builder.Configuration.GetSection(ProfileOptions.SectionName).Get<ProfileOptions>() ?? new ProfileOptions();
        if (profile.Profile != ProfileOptions.Embedded)
        {
            throw new InvalidOperationException($"Profile '{profile.Profile}' is not available in this build; use '{ProfileOptions.Embedded}'.");
        }

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(
                siloPort: builder.Configuration.GetValue("Orleans:SiloPort", 11111),
                gatewayPort: builder.Configuration.GetValue("Orleans:GatewayPort", 30000));
            silo.AddRuralCredit(builder.Configuration);
        });
        return builder;
    }

    /// <summary>API keys, roles and the policies of each endpoint group.</summary>
    public static WebApplicationBuilder AddApiKeyAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection(AuthOptions.SectionName))
            .PostConfigure(o =>
            {
                if (o.Keys.Count == 0)
                {
                    o.Keys.AddRange(AuthOptions.DevelopmentKeys);
                }
            })
            .Validate(o => o.Keys.All(k => Roles.All.Contains(k.Role) && (!string.IsNullOrEmpty(k.Key) || !string.IsNullOrEmpty(k.KeyHash))),
                "Every Auth:Keys entry needs a key or keyHash and a role of operator, integrator, bank or dashboard.")
            .ValidateOnStart();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Operator, p => p.RequireRole(Roles.Operator))
            .AddPolicy(Policies.Ingest, p => p.RequireRole(Roles.Operator, Roles.Integrator))
            .AddPolicy(Policies.RegionRead, p => p.RequireRole(Roles.Operator, Roles.Integrator, Roles.Bank, Roles.Dashboard))
            .AddPolicy(Policies.CatalogRead, p => p.RequireRole(Roles.Operator, Roles.Integrator, Roles.Bank))
            .AddPolicy(Policies.Live, p => p.RequireRole(Roles.Operator, Roles.Dashboard));
        return builder;
    }

    /// <summary>Problem details, OpenAPI, health checks and JSON settings.</summary>
    public static WebApplicationBuilder AddApiPlumbing(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        builder.Services.AddHealthChecks()
            .AddCheck<EngineReadyCheck>("engine", tags: ["ready"]);
        builder.Services.AddHostedService<StartupBanner>();
        return builder;
    }
}

/// <summary>Ready when the cluster answers a grain call.</summary>
public sealed class EngineReadyCheck(IClusterClient cluster) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await cluster.GetGrain<ICatalogGrain>(RuralCreditConstants.CatalogKey).GetDepartmentsAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("the credit engine does not answer", ex);
        }
    }
}

/// <summary>Prints where the system listens, the development keys and that nothing is durable.</summary>
public sealed class StartupBanner(IHostApplicationLifetime lifetime, IServer server, IOptions<AuthOptions> auth) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
            var url = addresses.FirstOrDefault() ?? "http://localhost:5080";
            Console.WriteLine();
            Console.WriteLine("RuralCredit 农村信用档案引擎 — embedded profile");
            Console.WriteLine("  *** NOTHING IS DURABLE: ledger and grain state live in memory and vanish when this process stops. ***");
            Console.WriteLine($"  Live dashboard (大屏)     {url}/");
            Console.WriteLine($"  API docs                 {url}/docs");
            Console.WriteLine($"  OpenAPI document         {url}/openapi/v1.json");
            Console.WriteLine($"  Orleans Dashboard        {url}/orleans/");
            Console.WriteLine($"  Health                   {url}/healthz  {url}/readyz");
            if (auth.Value.Keys.Any(k => AuthOptions.DevelopmentKeys.Any(d => d.Key == k.Key)))
            {
                Console.WriteLine("  Development API keys (Authorization: Bearer <key>):");
                foreach (var k in AuthOptions.DevelopmentKeys)
                {
                    Console.WriteLine($"    {k.Key,-16} role {k.Role,-10} scope {string.Join(",", k.Scope)}");
                }
            }

            Console.WriteLine();
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
