using System.Net;

namespace RuralCredit.Bench;

/// <summary>
/// Concurrent read clients: each loops over GET /v1/subjects/{id} (random registered subject), GET
/// /v1/regions/{village} (random village) and GET /v1/regions/{city}, recording latencies by phase and kind.
/// </summary>
internal sealed class ReadLoad(HttpClient http, int clients, IReadOnlyList<string> subjectIds, IReadOnlyList<string> villageCodes)
{
    public const int During = 0;
    public const int After = 1;
    public static readonly string[] Kinds = ["profile", "village", "city"];

    /// <summary>Upper bound of requests per client (the loop ends on cancellation long before).</summary>
    private const int MaxRequestsPerClient = 10_000_000;

    private readonly Client[] _clients = [.. Enumerable.Range(0, clients).Select(i => new Client(i))];
    private volatile int _phase = During;

    public void SwitchToAfter() => _phase = After;

    public Task RunAsync(CancellationToken ct) =>
        Task.WhenAll(_clients.Select(c => Task.Run(() => LoopAsync(c, ct), CancellationToken.None)));

    public Dictionary<string, LatencySummary> Summaries(int phase) =>
        Enumerable.Range(0, Kinds.Length).ToDictionary(
            k => Kinds[k],
            k => LatencySummary.From(_clients.SelectMany(c => c.Latencies[phase][k]), _clients.Sum(c => c.Errors[phase][k])));

    private async Task LoopAsync(Client client, CancellationToken ct)
    {
        var rng = new Random(7_919 * (client.Index + 1));
        for (var n = 0; n < MaxRequestsPerClient && !ct.IsCancellationRequested; n++)
        {
            // 50 % profiles, 30 % villages, 20 % the city.
            var roll = rng.Next(10);
            var kind = roll < 5 && subjectIds.Count > 0 ? 0 : roll < 8 && villageCodes.Count > 0 ? 1 : 2;
            var path = kind switch
            {
                0 => "/v1/subjects/" + subjectIds[rng.Next(subjectIds.Count)],
                1 => "/v1/regions/" + villageCodes[rng.Next(villageCodes.Count)],
                _ => "/v1/regions/" + RuralCreditConstants.CityCode,
            };
            var phase = _phase;
            var started = Clock.Now;
            try
            {
                using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, ct);
                var elapsed = Clock.Ms(started, Clock.Now);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    client.Latencies[phase][kind].Add(elapsed);
                }
                else
                {
                    client.Errors[phase][kind]++;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                client.Errors[phase][kind]++;
                try
                {
                    await Task.Delay(100, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private sealed class Client(int index)
    {
        public int Index { get; } = index;

        public List<double>[][] Latencies { get; } = [[[], [], []], [[], [], []]];

        public int[][] Errors { get; } = [new int[3], new int[3]];
    }
}
