using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace RuralCredit.Bench;

/// <summary>
/// What Orleans itself holds per grain on this machine, measured beside the subjects' figure: a silo of its own in this
/// process (the embedded profile's directory setting), bare grains activated by a call, then bare grains subscribed
/// implicitly to a memory stream, each activated by one event. No RuralCredit code runs in it.
/// </summary>
internal sealed class OrleansFloor(int grains, Action<string> log)
{
    public const string StreamNamespace = "floor";
    private const string ProviderName = "floor";
    private const int Concurrency = 64;
    private const int Round = 8_192;
    private static readonly TimeSpan Inactivity = TimeSpan.FromSeconds(10);

    public async Task<FloorResults> RunAsync(CancellationToken ct)
    {
        var ports = ApiHostProcess.FreePorts(2);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders(); // its failures surface as exceptions here
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: ports[0], gatewayPort: ports[1]);
            silo.Configure<GrainDirectoryOptions>(o => o.CachingStrategy = GrainDirectoryOptions.CachingStrategyType.None);
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.AddMemoryStreams(ProviderName, streams =>
            {
                // As the embedded profile's ledger stream: implicit subscriptions only (no rendezvous grain per stream), a
                // delivered event leaves the cache, a quiet stream is forgotten.
                streams.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
                streams.ConfigurePullingAgent(o => o.Configure(a => a.StreamInactivityPeriod = Inactivity));
                streams.ConfigureCacheEviction(o => o.Configure(e =>
                {
                    e.DataMinTimeInCache = TimeSpan.Zero;
                    e.DataMaxAgeInCache = TimeSpan.FromSeconds(1);
                }));
            });
        });

        using var host = builder.Build();
        await host.StartAsync(ct);
        try
        {
            var client = host.Services.GetRequiredService<IClusterClient>();
            await client.GetGrain<IPlainFloorGrain>("warm-up").TouchAsync();
            var results = new FloorResults { Grains = grains };

            var before = InProcessBench.MeasureHeap();
            await ForEachAsync(0, grains, i => client.GetGrain<IPlainFloorGrain>("p" + i).TouchAsync(), ct);
            var plain = InProcessBench.MeasureHeap();
            results.PlainActivationKb = Math.Round((plain - before) / 1024.0 / grains, 3);

            // In rounds that the provider's queues hold (at most 16,384 events each), every round delivered before the next.
            var streams = client.GetStreamProvider(ProviderName);
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
            for (var first = 0; first < grains && DateTime.UtcNow < deadline; first += Round)
            {
                var end = Math.Min(grains, first + Round);
                await ForEachAsync(first, end, i => streams.GetStream<int>(StreamId.Create(StreamNamespace, "s" + i)).OnNextAsync(1), ct);
                while (StreamFloorGrain.Received < end && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50, ct);
                }
            }

            var management = client.GetGrain<IManagementGrain>(0);

            results.EventsReceived = StreamFloorGrain.Received;
            var streamed = InProcessBench.MeasureHeap();
            results.StreamActivationKb = Math.Round((streamed - plain) / 1024.0 / grains, 3);

            // Once the pulling agents have forgotten the quiet streams, what stays is the grains' own share.
            await Task.Delay(Inactivity + Inactivity, ct);
            results.StreamActivationAfterInactivityKb = Math.Round((InProcessBench.MeasureHeap() - plain) / 1024.0 / grains, 3);
            results.Activations = await management.GetTotalActivationCount();
            log($"Orleans alone: {grains:N0} bare grains {results.PlainActivationKb:N2} KB each; {grains:N0} bare grains subscribed implicitly to a memory stream, one event each ({results.EventsReceived:N0} received): {results.StreamActivationKb:N2} KB each, {results.StreamActivationAfterInactivityKb:N2} KB once the agents forgot the streams");
            return results;
        }
        finally
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await host.StopAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static async Task ForEachAsync(int first, int end, Func<int, Task> action, CancellationToken ct)
    {
        var next = first - 1;
        async Task Worker()
        {
            for (var i = Interlocked.Increment(ref next); i < end; i = Interlocked.Increment(ref next))
            {
                await action(i);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(Worker, ct)));
    }
}

/// <summary>Figures of <see cref="OrleansFloor"/>.</summary>
internal sealed class FloorResults
{
    public int Grains { get; set; }
    public double PlainActivationKb { get; set; }
    public double StreamActivationKb { get; set; }
    public double StreamActivationAfterInactivityKb { get; set; }
    public int EventsReceived { get; set; }
    public int Activations { get; set; }
}

public interface IPlainFloorGrain : IGrainWithStringKey
{
    Task<int> TouchAsync();
}

/// <summary>A grain holding one number: what an activation costs with nothing of its own.</summary>
public sealed class PlainFloorGrain : Grain, IPlainFloorGrain
{
    private int _touched;

    public Task<int> TouchAsync() => Task.FromResult(++_touched);
}

/// <summary>A grain subscribed implicitly to its stream, holding the sum of what it received.</summary>
[ImplicitStreamSubscription(OrleansFloor.StreamNamespace)]
public sealed class StreamFloorGrain : Grain, IGrainWithStringKey, IStreamSubscriptionObserver, IAsyncObserver<int>
{
    private static int s_received;
    private int _sum;

    public static int Received => Volatile.Read(ref s_received);

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<int>().ResumeAsync(this);

    public Task OnNextAsync(int item, StreamSequenceToken? token = null)
    {
        _sum += item;
        Interlocked.Increment(ref s_received);
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}
