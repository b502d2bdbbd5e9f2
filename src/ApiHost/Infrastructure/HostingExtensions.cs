using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RuralCredit.ApiHost.Auth;
using RuralCredit.Hosting;
using RuralCredit.Silo.Hosting;
using RuralCredit.Silo.Postgres;

namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>Service registration of the API host, so that Program.cs reads top to bottom.</summary>
public static class HostingExtensions
{
    /// <summary>
    /// Connects the API to the credit engine. Embedded profile: co-hosts the silo in this process (localhost
    /// clustering, in-memory storage and ledger). Postgres profile: an Orleans client of the silos found in the
    /// PostgreSQL membership table (run them with src/Silo); it keeps retrying until a gateway answers.
    /// </summary>
    public static WebApplicationBuilder AddCreditEngine(this WebApplicationBuilder builder)
    {
        var profile = ProfileOptions.From(builder.Configuration);
        builder.Services.AddSingleton(profile);
        var readTimeout = builder.Configuration.GetValue(GatewayLoss.ReadTimeoutKey, GatewayLoss.DefaultReadTimeout);
        if (readTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{GatewayLoss.ReadTimeoutKey} must be a positive time span such as 00:00:10, not {readTimeout}.");
        }

        builder.Services.AddSingleton(sp => new GatewayLoss(sp.GetRequiredService<ILogger<GatewayLoss>>(), observing: profile.IsPostgres, readTimeout));
        if (!profile.IsPostgres)
        {
            builder.UseOrleans(silo => silo.AddRuralCredit(builder.Configuration));
            return builder;
        }

        // The Orleans client retries until a silo answers; meanwhile the host listens: /healthz says it lives, /readyz
        // says it cannot serve yet, and the API answers 503 (ClusterConnection). Started one after the other, the web
        // server would wait for the cluster, and a liveness probe would restart a host that is only waiting.
        builder.Services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        var endpoints = ClusterEndpointOptions.From(builder.Configuration);
        builder.UseOrleansClient(client =>
        {
            client.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = endpoints.ClusterId;
                o.ServiceId = endpoints.ServiceId;
            });
            client.UsePostgres(builder.Configuration);
            client.UseConnectionRetryFilter<RetryUntilClusterAnswers>();
            client.Services.AddSingleton<IClusterConnectionStatusObserver>(sp => sp.GetRequiredService<GatewayLoss>());
            GrainInterfaceTypeCache.AddTo(client.Services);
        });
        return builder;
    }

    /// <summary>API keys, roles and the policies of each endpoint group.</summary>
    public static WebApplicationBuilder AddApiKeyAuth(this WebApplicationBuilder builder)
    {
        var durable = ProfileOptions.From(builder.Configuration).IsPostgres;
        builder.Services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection(AuthOptions.SectionName))
            .PostConfigure(o =>
            {
                if (o.Keys.Count == 0 && (!durable || o.AllowDevelopmentKeys))
                {
                    o.Keys.AddRange(AuthOptions.DevelopmentKeys);
                }
            })
            .Validate(o => !durable || o.AllowDevelopmentKeys || (o.Keys.Count > 0 && !o.Keys.Any(k => AuthOptions.DevelopmentKeys.Any(d => d.Key == k.Key || (k.KeyHash is not null && string.Equals(k.KeyHash, AuthOptions.Hash(d.Key!), StringComparison.OrdinalIgnoreCase))))),
                "The postgres profile refuses the development API keys: configure Auth:Keys (key or keyHash, role, scope), " +
                "or set Auth:AllowDevelopmentKeys=true for a local trial.")
            .Validate(o => o.Keys.All(k => Roles.All.Contains(k.Role) && (!string.IsNullOrEmpty(k.Key) || !string.IsNullOrEmpty(k.KeyHash))),
                "Every Auth:Keys entry needs a key or keyHash and a role of operator, integrator, bank or dashboard.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ApiKeyTable>();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Operator, p => p.RequireRole(Roles.Operator))
            .AddPolicy(Policies.Ingest, p => p.RequireRole(Roles.Operator, Roles.Integrator))
            // Aggregates down to a single village (counts by grade, mean score): operators and dashboards (Appendix A). Banks get
            // k-anonymous statistics through their own endpoints, integrators only submit.
            .AddPolicy(Policies.RegionRead, p => p.RequireRole(Roles.Operator, Roles.Dashboard))
            .AddPolicy(Policies.CatalogRead, p => p.RequireRole(Roles.Operator, Roles.Integrator, Roles.Bank))
            .AddPolicy(Policies.Live, p => p.RequireRole(Roles.Operator, Roles.Dashboard));
        return builder;
    }

    /// <summary>Problem details, OpenAPI, health checks and JSON settings.</summary>
    public static WebApplicationBuilder AddApiPlumbing(this WebApplicationBuilder builder)
    {
        builder.Logging.AddTimestampedConsole();
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.AddMissingCode);
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        builder.Services.AddHealthChecks()
            .AddCheck<EngineReadyCheck>("engine", tags: ["ready"]);
        builder.Services.AddHostedService<StartupBanner>();
        builder.Services.AddSingleton<RegionWatch>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AccessLog>();
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
public sealed class StartupBanner(IHostApplicationLifetime lifetime, IServer server, IOptions<AuthOptions> auth, ProfileOptions profile) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
            var url = addresses.FirstOrDefault() ?? "http://localhost:5080";
            Console.WriteLine();
            if (profile.IsPostgres)
            {
                Console.WriteLine("RuralCredit 农村信用档案引擎 — postgres profile (API host; the silos run as src/Silo processes)");
                Console.WriteLine("  Durable: ledger, grain state, membership and reminders in PostgreSQL.");
            }
            else
            {
                Console.WriteLine("RuralCredit 农村信用档案引擎 — embedded profile");
                Console.WriteLine("  *** NOTHING IS DURABLE: ledger and grain state live in memory and vanish when this process stops. ***");
            }

            Console.WriteLine($"  Live dashboard (大屏)     {url}/");
            Console.WriteLine($"  API docs                 {url}/docs");
            Console.WriteLine($"  OpenAPI document         {url}/openapi/v1.json");
            Console.WriteLine($"  Orleans Dashboard        {url}/orleans/  (operators: any user name, an operator key as the password)");
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

/// <summary>
/// An API host of the postgres profile may start before any silo: it keeps trying to reach a gateway (every two
/// seconds, logging each failure) instead of failing its start.
/// </summary>
public sealed partial class RetryUntilClusterAnswers(ILogger<RetryUntilClusterAnswers> logger) : IClientConnectionRetryFilter
{
    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        LogWaiting(exception.Message);
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        return !cancellationToken.IsCancellationRequested;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No silo answers yet ({Reason}); retrying in 2 s")]
    private partial void LogWaiting(string reason);
}
