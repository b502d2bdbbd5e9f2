using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using RuralCredit.Silo.Hosting;

namespace RuralCredit.Tests.Api;

public sealed class ConsoleLoggingTests
{
    private static SimpleConsoleFormatterOptions Options(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.AddConfiguration(configuration.GetSection("Logging"));
            logging.AddConsole(); // as the web host's defaults do, before the application's own logging setup
            logging.AddTimestampedConsole();
        });
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue;
    }

    [Fact]
    public void Console_lines_carry_the_local_time_to_the_millisecond()
    {
        var options = Options([]);

        Assert.Equal("yyyy-MM-dd HH:mm:ss.fff ", options.TimestampFormat);
        Assert.False(options.UseUtcTimestamp);
    }

    [Fact]
    public void A_configured_timestamp_format_wins()
    {
        var options = Options(new() { ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss " });

        Assert.Equal("HH:mm:ss ", options.TimestampFormat);
    }
}
