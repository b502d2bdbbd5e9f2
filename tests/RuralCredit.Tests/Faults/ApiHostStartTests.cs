using System.Net;
using RuralCredit.Tests.Infrastructure;
using RuralCredit.Tests.Postgres;
using Xunit.Abstractions;

namespace RuralCredit.Tests.Faults;

/// <summary>
/// An API host of the postgres profile started before any silo listens at once: alive (<c>/healthz</c>), not ready
/// (<c>/readyz</c>), the API answering 503 <c>unavailable</c>; it becomes ready by itself once a silo joins.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ApiHostStartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_API_host_started_before_the_cluster_lives_answers_503_and_becomes_ready_when_a_silo_joins()
    {
        var deadline = new Deadline(TimeSpan.FromMinutes(2));
        var connectionString = await PostgresServer.CreateDatabaseAsync("faults_apistart");
        using var cluster = new ClusterProcesses(connectionString, "apistart");
        output.WriteLine($"logs in {cluster.LogDirectory}");
        await cluster.RunAsync(async () =>
        {
            var api = cluster.StartApiHost();
            await cluster.WaitHealthyAsync(api, "healthz", deadline.Bound(TimeSpan.FromSeconds(60)));
            using var client = ClusterProcesses.Client(api, "dev-operator", TimeSpan.FromSeconds(20));
            var ready = await client.GetJsonAsync("/readyz");
            var region = await client.GetJsonAsync("/v1/regions/321300");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "unavailable"), (region.Status, region.Code));
            Assert.Equal("2", string.Join(",", region.Headers.RetryAfter?.ToString() ?? ""));

            await cluster.StartSiloAsync(deadline.Bound(TimeSpan.FromSeconds(60)));
            await cluster.WaitHealthyAsync(api, "readyz", deadline.Bound(TimeSpan.FromSeconds(60)));
            var served = await client.GetJsonAsync("/v1/regions/321300");
            Assert.NotEqual(HttpStatusCode.ServiceUnavailable, served.Status); // 404 until the city is registered: the engine answers
        });
    }
}
