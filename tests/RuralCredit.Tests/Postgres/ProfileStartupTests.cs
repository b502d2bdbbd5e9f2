using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;
using RuralCredit.ApiHost.Infrastructure;

namespace RuralCredit.Tests.Postgres;

/// <summary>How the API host starts in the postgres profile: the development keys are refused unless allowed.</summary>
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
    [InlineData(false, null)]
    [InlineData(false, "dev-operator")]
    public void The_postgres_profile_refuses_the_development_keys(bool allow, string? configuredKey)
    {
        var settings = new Dictionary<string, string> { ["Auth:AllowDevelopmentKeys"] = allow.ToString() };
        if (configuredKey is not null)
        {
            settings["Auth:Keys:0:Key"] = configuredKey;
            settings["Auth:Keys:0:Role"] = "operator";
        }

        using var api = new PostgresApi(settings);
        var error = Assert.Throws<OptionsValidationException>(() => api.Server);
        Assert.Contains("refuses the development API keys", error.Message);
    }

    [Fact]
    public void An_unknown_profile_is_a_clear_start_error()
    {
        using var api = new PostgresApi(new Dictionary<string, string> { ["RuralCredit:Profile"] = "oracle" });
        var error = Assert.Throws<InvalidOperationException>(() => api.Server);
        Assert.Contains("RuralCredit:Profile must be 'embedded' or 'postgres'", error.Message);
    }
}
