using Microsoft.Extensions.Configuration;

namespace RuralCredit.Silo.Hosting;

/// <summary>
/// The Orleans Dashboard's counters view, off unless <c>Orleans:DashboardCounters=true</c>. The dashboard samples
/// every Orleans metric once a second through the OpenTelemetry SDK, and two of those metrics walk the whole silo:
/// one locks every activation to count its requests, one enumerates the grain directory cache. With 275 k activations
/// (200 k subjects, their households and regions) that thread took 24 % of the embedded host's CPU while it served
/// reads after ingest and 7 % during ingest (perf, per thread), and each walk contends with the grains it locks; it
/// grows with every farmer. Without it the dashboard still shows silos, activations, grain methods' calls and
/// latencies, reminders and the log. The switch is the SDK's own <c>OTEL_SDK_DISABLED</c>, set for this process
/// before the dashboard starts unless the environment already sets it.
/// </summary>
public static class DashboardCounters
{
    public const string ConfigurationKey = "Orleans:DashboardCounters";
    public const string SdkDisabledVariable = "OTEL_SDK_DISABLED";

    /// <summary>Applies <see cref="ConfigurationKey"/> (default false) to this process.</summary>
    public static void Apply(IConfiguration configuration)
    {
        if (Environment.GetEnvironmentVariable(SdkDisabledVariable) is null && !configuration.GetValue(ConfigurationKey, false))
        {
            Environment.SetEnvironmentVariable(SdkDisabledVariable, "true");
        }
    }
}
