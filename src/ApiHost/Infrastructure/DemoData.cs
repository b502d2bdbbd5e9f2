using Microsoft.Extensions.Options;
using RuralCredit.Demo;
using RuralCredit.Models;

namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>Options section <c>Demo</c>: synthetic Suqian demo data loaded at start (embedded profile).</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    public bool Enabled { get; set; }

    /// <summary>Approximate number of subjects to generate.</summary>
    public int Subjects { get; set; } = 5_000;

    /// <summary>Approximate number of records to generate.</summary>
    public int Records { get; set; } = 75_000;
}

public static class DemoDataExtensions
{
    public static WebApplicationBuilder AddDemoData(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoOptions>().Bind(builder.Configuration.GetSection(DemoOptions.SectionName))
            .Validate(o => o.Subjects is > 0 and <= 2_000_000 && o.Records is >= 0 and <= 20_000_000, "Demo:Subjects and Demo:Records are out of range.")
            .ValidateOnStart();
        builder.Services.AddHostedService<DemoDataLoader>();
        return builder;
    }
}

/// <summary>
/// Loads the deterministic demo city through the same grains the API uses (registration, then ingest into the
/// ledger), reporting progress. Runs after the host has started so that the API answers meanwhile.
/// </summary>
public sealed partial class DemoDataLoader(
    IOptions<DemoOptions> options,
    IHostApplicationLifetime lifetime,
    IClusterClient cluster,
    TimeProvider time,
    ILogger<DemoDataLoader> logger) : BackgroundService
{
    private const int BatchSize = 2_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var city = new DemoCity(DemoScale.ForSubjects(options.Value.Subjects, options.Value.Records), time.GetUtcNow());
        var registration = cluster.GetGrain<IRegistrationGrain>(0);
        var ingest = cluster.GetGrain<IRecordIngestGrain>(0);
        var submitter = new Submitter("demo-loader", true, ["*"]);

        var regions = city.Regions();
        LogStart(regions.Count, city.SubjectCount, city.RecordCountEstimate);
        foreach (var chunk in regions.Chunk(BatchSize))
        {
            await registration.RegisterRegionsAsync(chunk);
        }

        var done = 0;
        foreach (var chunk in city.Subjects().Chunk(BatchSize))
        {
            await registration.RegisterSubjectsAsync(chunk);
            done += chunk.Length;
            LogProgress("subjects", done, city.SubjectCount);
        }

        done = 0;
        var estimate = (int)city.RecordCountEstimate;
        var rejected = 0;
        foreach (var chunk in city.Records().Chunk(BatchSize))
        {
            var outcomes = await ingest.SubmitAsync(chunk, submitter, stoppingToken);
            rejected += outcomes.Count(o => o.Status == "rejected");
            done += chunk.Length;
            LogProgress("records", done, Math.Max(done, estimate));
        }

        LogDone(regions.Count, city.SubjectCount, done, rejected);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data: loading {Regions} regions, {Subjects} subjects and about {Records} records")]
    private partial void LogStart(int regions, int subjects, long records);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data: {What} {Done}/{Total}")]
    private partial void LogProgress(string what, int done, int total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data loaded: {Regions} regions, {Subjects} subjects, {Records} records ({Rejected} rejected)")]
    private partial void LogDone(int regions, int subjects, int records, int rejected);
}
