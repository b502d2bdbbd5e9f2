using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RuralCredit.ApiHost.Infrastructure;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>Keeps every message logged under <see cref="AccessLog.Category"/>.</summary>
public sealed class AccessLogCapture : ILoggerProvider
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => categoryName == AccessLog.Category ? new Capture(Messages) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Capture(ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue(formatter(state, exception));
    }
}

/// <summary>An engine whose access log is captured.</summary>
public sealed class AccessLogApiFactory : CreditApiFactory
{
    public AccessLogCapture Capture { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting($"Logging:LogLevel:{AccessLog.Category}", "Information");
        builder.ConfigureTestServices(services => services.AddSingleton<ILoggerProvider>(Capture));
    }
}

/// <summary>
/// Every read of a subject's data is logged (SPEC §2.9): who read it, when, which view and why; reads of regions
/// are not reads of a person's data.
/// </summary>
public sealed class AccessLogTests(AccessLogApiFactory api) : IClassFixture<AccessLogApiFactory>
{
    [Fact]
    public async Task Each_read_of_a_subjects_data_is_logged_with_actor_view_and_purpose()
    {
        var village = await api.RegisterVillageAsync();
        var farmer = await api.RegisterFarmerAsync(village);
        using var client = api.Client(OperatorKey);
        var before = api.Capture.Messages.Count;

        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync($"/v1/subjects/{farmer}?purpose=loan-review")).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync($"/v1/subjects/{farmer}/explain")).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync($"/v1/subjects/{farmer}/records?purpose=objection")).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync($"/v1/regions/{village}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetJsonAsync("/v1/subjects/NO-SUCH-SUBJECT")).Status);

        List<string> logged = [];
        await WaitUntilAsync(
            () => Task.FromResult((logged = api.Capture.Messages.Skip(before).Where(m => m.Contains(farmer, StringComparison.Ordinal)).ToList()).Count >= 3),
            Eventually,
            () => $"three reads of {farmer} should be logged: {string.Join(" | ", logged)}");

        Assert.Equal(3, logged.Count);
        Assert.Contains(logged, m => m.Contains("actor=dev-operator", StringComparison.Ordinal) && m.Contains("view=profile", StringComparison.Ordinal) && m.Contains("purpose=loan-review", StringComparison.Ordinal));
        Assert.Contains(logged, m => m.Contains("view=explain", StringComparison.Ordinal) && m.Contains("purpose=unspecified", StringComparison.Ordinal));
        Assert.Contains(logged, m => m.Contains("view=records", StringComparison.Ordinal) && m.Contains("purpose=objection", StringComparison.Ordinal));
        Assert.All(logged, m => Assert.Matches(@"at=\d{4}-\d{2}-\d{2}T", m));
        Assert.DoesNotContain(api.Capture.Messages, m => m.Contains("NO-SUCH-SUBJECT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_households_view_and_a_redemption_are_reads_of_personal_data_too()
    {
        var village = await api.RegisterVillageAsync();
        var household = NewHouseholdId();
        var member = (await api.RegisterFarmersAsync(village, 1, household))[0].SubjectId;
        using var client = api.Client(OperatorKey);
        var before = api.Capture.Messages.Count;

        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync($"/v1/households/{household}?purpose=credit-visit")).Status);
        var redemption = await client.PostJsonAsync("/v1/points/redemptions", new System.Text.Json.Nodes.JsonObject { ["redemptionId"] = "rd-log-" + household, ["subjectId"] = member, ["points"] = 1, ["item"] = "盐" });
        Assert.Equal(HttpStatusCode.Conflict, redemption.Status); // no points yet: refused, and still the account's balance was shown

        List<string> logged = [];
        await WaitUntilAsync(
            () => Task.FromResult((logged = api.Capture.Messages.Skip(before).Where(m => m.Contains(household, StringComparison.Ordinal) || m.Contains(member, StringComparison.Ordinal)).ToList()).Count >= 2),
            Eventually,
            () => $"the household's view and the redemption should be logged: {string.Join(" | ", logged)}");
        Assert.Contains(logged, m => m.Contains($"household={household}", StringComparison.Ordinal) && m.Contains("purpose=credit-visit", StringComparison.Ordinal) && m.Contains("actor=dev-operator", StringComparison.Ordinal));
        Assert.Contains(logged, m => m.Contains($"subject={member}", StringComparison.Ordinal) && m.Contains("view=redemption", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, "unspecified")]
    [InlineData("  ", "unspecified")]
    [InlineData("loan-review", "loan-review")]
    [InlineData("review\nat=2020-01-01 actor=someone-else", "review at=2020-01-01 actor=someone-else")] // no forged second line
    public void A_purpose_is_logged_on_one_line_and_bounded(string? purpose, string logged) => Assert.Equal(logged, AccessLog.Purpose(purpose));

    [Fact]
    public void A_long_purpose_is_cut()
    {
        var logged = AccessLog.Purpose(new string('x', 500));
        Assert.Equal(AccessLog.MaxPurpose + 1, logged.Length);
        Assert.EndsWith("…", logged, StringComparison.Ordinal);
    }
}
