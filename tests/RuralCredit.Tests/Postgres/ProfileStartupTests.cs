using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RuralCredit.ApiHost.Infrastructure;
using RuralCredit.Hosting;
using RuralCredit.Silo.Hosting;

namespace RuralCredit.Tests.Postgres;

/// <summary>
/// How hosts start in the postgres profile: the API host refuses the development keys, a silo the public development
/// secret of person ids, unless allowed.
/// </summary>
public sealed class ProfileStartupTests
{
    private sealed class PostgresApi(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<EngineReadyCheck>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("RuralCredit:Profile", "postgres");
            builder.UseSetting("ConnectionStrings:RuralCredit", "Host=127.0.0.1;Port=1;Username=nobody;Database=none");
            builder.UseSetting("Logging:LogLevel:Default", "Critical");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }

    [Theory]
    [InlineData(false, null, false)]
    [InlineData(false, "dev-operator", false)]
    [InlineData(false, "dev-operator", true)] // configured by its hash: the same key
    public void The_postgres_profile_refuses_the_development_keys(bool allow, string? configuredKey, bool byHash)
    {
        var settings = new Dictionary<string, string> { ["Auth:AllowDevelopmentKeys"] = allow.ToString() };
        if (configuredKey is not null)
        {
            settings[byHash ? "Auth:Keys:0:KeyHash" : "Auth:Keys:0:Key"] = byHash ? RuralCredit.ApiHost.Auth.AuthOptions.Hash(configuredKey) : configuredKey;
            settings["Auth:Keys:0:Role"] = "operator";
        }

        using var api = new PostgresApi(settings);
        var error = Assert.Throws<OptionsValidationException>(() => api.Server);
        Assert.Contains("refuses the development API keys", error.Message);
    }

    [Theory]
    [InlineData("postgres", null, null, false)]
    [InlineData("postgres", RuralCreditSiloExtensions.DevelopmentPersonIdSecret, null, false)]
    [InlineData("postgres", null, "true", true)]
    [InlineData("postgres", "a-secret-of-this-city-office", null, true)]
    [InlineData("embedded", null, null, true)]
    public void A_silo_of_the_postgres_profile_refuses_the_public_development_secret_of_person_ids(string profile, string? secret, string? allow, bool starts)
    {
        var settings = new Dictionary<string, string?>
        {
            ["RuralCredit:Profile"] = profile,
            ["ConnectionStrings:RuralCredit"] = "Host=127.0.0.1;Port=1;Username=nobody;Database=none",
            ["Identity:PersonIdSecret"] = secret,
            ["Identity:AllowDevelopmentSecret"] = allow,
        };
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo.AddRuralCredit(builder.Configuration));
        using var host = builder.Build();

        // The options a starting host validates (ValidateOnStart), resolved without starting the silo.
        var identity = () => host.Services.GetRequiredService<IOptions<IdentityOptions>>().Value;
        if (starts)
        {
            Assert.Equal(secret ?? RuralCreditSiloExtensions.DevelopmentPersonIdSecret, identity().PersonIdSecret);
        }
        else
        {
            var error = Assert.Throws<OptionsValidationException>(identity);
            Assert.Contains("Identity:PersonIdSecret", error.Message);
        }
    }

    [Fact]
    public void An_unknown_profile_is_a_clear_start_error()
    {
        using var api = new PostgresApi(new Dictionary<string, string> { ["RuralCredit:Profile"] = "oracle" });
        var error = Assert.Throws<InvalidOperationException>(() => api.Server);
        Assert.Contains("RuralCredit:Profile must be 'embedded' or 'postgres'", error.Message);
    }
}
