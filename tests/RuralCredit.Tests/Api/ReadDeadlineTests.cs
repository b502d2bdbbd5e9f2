using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using RuralCredit.ApiHost.Infrastructure;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>Holds <see cref="ISubjectGrain.GetProfileAsync"/> of <see cref="HeldSubject"/> until released, as a call lost on its way would.</summary>
public sealed class ProfileStall : IIncomingGrainCallFilter
{
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public volatile string? HeldSubject;

    public void Release()
    {
        HeldSubject = null;
        _release.TrySetResult();
        _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name == nameof(ISubjectGrain.GetProfileAsync)
            && HeldSubject is { } held
            && context.TargetId.Key.ToString() == held)
        {
            await _release.Task;
        }

        await context.Invoke();
    }
}

/// <summary>An engine whose reads are held, with a short <see cref="GatewayLoss.ReadTimeoutKey"/>.</summary>
public sealed class ReadDeadlineApiFactory : CallFilterApiFactory<ProfileStall>
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(1);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting(GatewayLoss.ReadTimeoutKey, ReadTimeout.ToString());
    }
}

/// <summary>
/// A read that gets no answer from the engine (in a cluster: one forwarded to a silo that has just died) is answered
/// <c>503 unavailable</c> with <c>Retry-After</c> after <c>Api:ReadTimeout</c>, instead of holding the client for the
/// engine's response timeout (minutes); other reads meanwhile are answered as usual, and the same read succeeds later.
/// </summary>
public sealed class ReadDeadlineTests(ReadDeadlineApiFactory api) : IClassFixture<ReadDeadlineApiFactory>
{
    [Fact]
    public async Task A_read_without_an_answer_is_answered_503_after_the_read_timeout()
    {
        var village = await api.RegisterVillageAsync();
        var held = await api.RegisterFarmerAsync(village);
        var other = await api.RegisterFarmerAsync(village);
        using var client = api.Client(OperatorKey);

        api.Filter.HeldSubject = held;
        try
        {
            var clock = Stopwatch.StartNew();
            var stalled = client.GetJsonAsync($"/v1/subjects/{held}");
            Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync($"/v1/subjects/{other}")).Status);

            var response = await stalled.WaitAsync(TimeSpan.FromSeconds(15)); // without the deadline: held until released
            var waited = clock.Elapsed;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
            Assert.Equal("application/problem+json", response.ContentHeaders.ContentType?.MediaType);
            Assert.Equal("unavailable", response.Code);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.InRange(waited, ReadDeadlineApiFactory.ReadTimeout * 0.9, TimeSpan.FromSeconds(8));
        }
        finally
        {
            api.Filter.Release();
        }

        var again = await client.GetJsonAsync($"/v1/subjects/{held}");
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(held, again.Json.Str("subjectId"));
    }
}
