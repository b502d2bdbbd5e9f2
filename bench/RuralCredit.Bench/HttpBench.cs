using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using RuralCredit.Models;

namespace RuralCredit.Bench;

/// <summary>One record batch: when it was posted and acknowledged (ms since the first post).</summary>
internal sealed record BatchTiming(int Index, int Records, int Accepted, int Duplicates, int Rejected, int Status, double StartMs, double AckMs);

/// <summary>Figures of the HTTP part (child process).</summary>
internal sealed class HttpResults
{
    public double RegionsSeconds { get; set; }
    public int RegionsRegistered { get; set; }
    public int RegionsRejected { get; set; }
    public double SubjectsSeconds { get; set; }
    public double SubjectsPerSecond { get; set; }
    public int SubjectsRegistered { get; set; }
    public int SubjectsRejected { get; set; }
    public double SerializeSeconds { get; set; }
    public long SerializedBytes { get; set; }
    public int Batches { get; set; }
    public long RecordsPosted { get; set; }
    public long Accepted { get; set; }
    public long Duplicates { get; set; }
    public long Rejected { get; set; }
    /// <summary>Records made durable: accepted, plus duplicates answered to a retried post.</summary>
    public long Ingested { get; set; }
    public long Retries { get; set; }
    public int FailedBatches { get; set; }
    public string? FirstRejection { get; set; }
    public double AckSeconds { get; set; }
    public double? AckRecordsPerSecond { get; set; }
    public double? FoldedSeconds { get; set; }
    public double? IngestRecordsPerSecond { get; set; }
    public int? CityRecords24h { get; set; }
    public int? CitySubjects { get; set; }
    public LatencySummary? BatchAckMs { get; set; }
    public LatencySummary? FreshnessMs { get; set; }
    public int FreshnessSamples { get; set; }
    public int FreshnessUnresolved { get; set; }
    public Dictionary<string, LatencySummary> ReadsDuringMs { get; set; } = [];
    public Dictionary<string, LatencySummary> ReadsAfterMs { get; set; } = [];
    public double ReadsAfterSeconds { get; set; }
    public long? ChildWorkingSetAfterIngest { get; set; }

    /// <summary>CPU of the API host from the first post until the city shows every record, per record, in µs (reads running alongside included).</summary>
    public double? ApiHostCpuPerRecordUs { get; set; }

    /// <summary>
    /// CPU per read after ingest, in µs, of the API host (the engine: HTTP, grains) and of this benchmark's clients (on
    /// the same two cores): steadier than a p99 on a shared machine, and what the read latency at 32 clients is made of.
    /// </summary>
    public double? ApiHostCpuPerReadAfterUs { get; set; }

    public double? ClientCpuPerReadAfterUs { get; set; }

    /// <summary>Reads of every kind served per second after ingest: what the machine serves to the closed-loop clients.</summary>
    public double? ReadsAfterPerSecond { get; set; }

    /// <summary>Share of the machine's CPU time (all cores, every process) busy during the reads after ingest.</summary>
    public double? ReadsAfterMachineCpuBusy { get; set; }
    public long? ChildPeakWorkingSet { get; set; }
    public long? ChildWorkingSetAtEnd { get; set; }
    public string? ChildLog { get; set; }
    public List<BatchTiming>? BatchTimings { get; set; }

    /// <summary>Subject ids as answered by PUT /v1/subjects (index = subject index), not written to JSON.</summary>
    [JsonIgnore] public string?[] SubjectIds { get; set; } = [];
}

/// <summary>
/// The HTTP part: registers the city through the API, ingests every record in concurrent batches while read
/// clients run, measures freshness of the city aggregate, then reads for a while after ingest.
/// </summary>
internal sealed class HttpBench(BenchOptions options, CityData data, Action<string> log)
{
    public const string OperatorKey = "dev-operator";
    private const int RegistrationBatch = 5_000;
    private const int RegistrationConcurrency = 4;
    private const int FreshnessSamples = 200;
    private static readonly TimeSpan FoldBound = TimeSpan.FromMinutes(10);

    public async Task<HttpResults> RunAsync(ApiHostProcess host, List<string> failures, CancellationToken ct)
    {
        var results = new HttpResults { ChildLog = host.LogPath };
        using var ingestHttp = Client(host.BaseAddress, TimeSpan.FromMinutes(5));
        using var readHttp = Client(host.BaseAddress, TimeSpan.FromSeconds(30));
        using var pollHttp = Client(host.BaseAddress, TimeSpan.FromSeconds(30));

        await RegisterRegionsAsync(ingestHttp, results, failures, ct);
        await RegisterSubjectsAsync(ingestHttp, results, failures, ct);

        // Pre-serialize every batch before the clock starts.
        var t = Clock.Now;
        var records = data.Records;
        var batchCount = (records.Count + options.Batch - 1) / options.Batch;
        var bodies = new byte[batchCount][];
        var counts = new int[batchCount];
        for (var b = 0; b < batchCount; b++)
        {
            var start = b * options.Batch;
            counts[b] = Math.Min(options.Batch, records.Count - start);
            bodies[b] = CityData.RecordsBody(records, start, counts[b]);
            results.SerializedBytes += bodies[b].Length;
        }

        results.SerializeSeconds = Math.Round(Clock.Seconds(t, Clock.Now), 2);
        results.Batches = batchCount;
        results.RecordsPosted = records.Count;
        log($"records: {records.Count:N0} in {batchCount} batches of ≤ {options.Batch}, {results.SerializedBytes / 1048576.0:N0} MB JSON (serialized in {results.SerializeSeconds:N1} s, not timed)");

        var ids = results.SubjectIds.OfType<string>().ToArray();
        using var readStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reads = new ReadLoad(readHttp, options.Clients, ids, data.VillageCodes);
        var freshness = new FreshnessTracker();
        using var freshnessStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        freshnessStop.CancelAfter(FoldBound + TimeSpan.FromMinutes(1));

        // Ingest: the clock starts with the first post.
        var timings = new BatchTiming?[batchCount];
        var next = -1;
        // accepted = records made durable: answered accepted, or duplicate on a retried batch (the ledger starts
        // empty and record ids are unique, so a duplicate can only be a retry of a batch that was appended).
        long accepted = 0, acceptedOnly = 0, duplicates = 0, rejected = 0, retries = 0;
        var failedBatches = 0;
        string? firstRejection = null;
        var sampleEvery = Math.Max(1, batchCount / FreshnessSamples);
        var t0 = Clock.Now;
        var hostCpuAtFirstPost = host.CpuTime();
        var readTask = reads.RunAsync(readStop.Token);
        var freshnessTask = freshness.RunAsync(c => CityAsync(pollHttp, c), freshnessStop.Token);

        async Task Worker()
        {
            for (var guard = 0; guard <= batchCount; guard++)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= batchCount)
                {
                    return;
                }

                var started = Clock.Now;
                var outcome = await PostRecordsAsync(ingestHttp, bodies[i], ct);
                var acked = Clock.Now;
                var cumulative = Interlocked.Add(ref accepted, outcome.Accepted + outcome.Duplicates);
                Interlocked.Add(ref acceptedOnly, outcome.Accepted);
                Interlocked.Add(ref retries, outcome.Attempts - 1);
                Interlocked.Add(ref duplicates, outcome.Duplicates);
                Interlocked.Add(ref rejected, outcome.Rejected);
                if (outcome.Status != (int)HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref failedBatches);
                }

                if (outcome.FirstRejection is not null)
                {
                    Interlocked.CompareExchange(ref firstRejection, outcome.FirstRejection, null);
                }

                timings[i] = new BatchTiming(i, counts[i], outcome.Accepted, outcome.Duplicates, outcome.Rejected, outcome.Status,
                    Math.Round(Clock.Ms(t0, started), 1), Math.Round(Clock.Ms(t0, acked), 1));
                if (i % sampleEvery == 0 && outcome.Status == (int)HttpStatusCode.Accepted)
                {
                    freshness.Add(cumulative, acked);
                }
            }
        }

        var progress = ProgressAsync(() => Volatile.Read(ref next), batchCount, t0, readStop.Token);
        try
        {
            try
            {
                await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(Worker, ct)));
            }
            finally
            {
                freshness.Complete();
            }

            var lastAck = Clock.Now;
            results.Accepted = acceptedOnly;
            results.Ingested = accepted;
            results.Retries = retries;
            results.Duplicates = duplicates;
            results.Rejected = rejected;
            results.FailedBatches = failedBatches;
            results.FirstRejection = firstRejection;
            results.AckSeconds = Math.Round(Clock.Seconds(t0, lastAck), 3);
            results.AckRecordsPerSecond = accepted == 0 ? null : Math.Round(accepted / Clock.Seconds(t0, lastAck));
            results.BatchAckMs = LatencySummary.From(timings.OfType<BatchTiming>().Select(b => b.AckMs - b.StartMs));
            results.BatchTimings = batchCount <= 2_000 ? [.. timings.OfType<BatchTiming>()] : null;
            log($"all batches acknowledged after {results.AckSeconds:N1} s: {acceptedOnly:N0} accepted, {duplicates:N0} duplicates, {rejected:N0} rejected, {failedBatches} failed batches, {retries} retries ({results.AckRecordsPerSecond:N0} records/s ack-only)");
            if (rejected > 0)
            {
                failures.Add($"HTTP ingest: {rejected} records rejected (first: {firstRejection})");
            }

            if (failedBatches > 0)
            {
                failures.Add($"HTTP ingest: {failedBatches} batches failed");
            }

            // Wait until the city aggregate shows every accepted record.
            long? folded = null;
            var deadline = Clock.Now + (long)(FoldBound.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            for (var poll = 0; poll < 10 * 60 * 10 + 10 && Clock.Now < deadline; poll++)
            {
                var tick = Clock.Now;
                var city = await CityAsync(pollHttp, ct);
                if (city is { } c && c.Records24h >= accepted)
                {
                    folded = Clock.Now;
                    results.ApiHostCpuPerRecordUs = Math.Round((host.CpuTime() - hostCpuAtFirstPost).TotalMicroseconds / Math.Max(1, accepted), 1);
                    results.CityRecords24h = c.Records24h;
                    results.CitySubjects = c.Subjects;
                    break;
                }

                var wait = 100 - Clock.Ms(tick, Clock.Now);
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
                }
            }

            if (folded is { } f)
            {
                results.FoldedSeconds = Math.Round(Clock.Seconds(t0, f), 3);
                results.IngestRecordsPerSecond = Math.Round(accepted / Clock.Seconds(t0, f));
                log($"city aggregate shows all {accepted:N0} records after {results.FoldedSeconds:N1} s: {results.IngestRecordsPerSecond:N0} records/s (records24h {results.CityRecords24h:N0}, subjects {results.CitySubjects:N0})");
                if (results.CityRecords24h != accepted)
                {
                    failures.Add($"HTTP: city records24h {results.CityRecords24h} differs from accepted records {accepted}");
                }

                if (results.CitySubjects != results.SubjectsRegistered)
                {
                    failures.Add($"HTTP: city subjects {results.CitySubjects} differs from registered subjects {results.SubjectsRegistered}");
                }
            }
            else
            {
                var last = await CityAsync(pollHttp, ct);
                results.CityRecords24h = last?.Records24h;
                results.CitySubjects = last?.Subjects;
                failures.Add($"HTTP: the city aggregate did not show all {accepted} records within {FoldBound.TotalMinutes} min (records24h {last?.Records24h})");
            }

            results.ChildWorkingSetAfterIngest = host.WorkingSet();

            // Reads after ingest.
            reads.SwitchToAfter();
            var afterStart = Clock.Now;
            var hostCpuBefore = host.CpuTime();
            var clientCpuBefore = Environment.CpuUsage.TotalTime;
            var machineCpuBefore = MachineCpu.Sample();
            if (options.Clients > 0 && options.AfterSeconds > 0)
            {
                log($"reads after ingest for {options.AfterSeconds} s with {options.Clients} clients");
                await Task.Delay(TimeSpan.FromSeconds(options.AfterSeconds), ct);
            }

            results.ReadsAfterSeconds = Math.Round(Clock.Seconds(afterStart, Clock.Now), 1);
            var hostCpu = host.CpuTime() - hostCpuBefore;
            var clientCpu = Environment.CpuUsage.TotalTime - clientCpuBefore;
            results.ReadsAfterMachineCpuBusy = MachineCpu.BusyBetween(machineCpuBefore, MachineCpu.Sample());
            await readStop.CancelAsync();
            await readTask;
            var readsAfter = reads.Summaries(ReadLoad.After).Values.Sum(r => r.Count);
            if (readsAfter > 0)
            {
                results.ReadsAfterPerSecond = Math.Round(readsAfter / Math.Max(results.ReadsAfterSeconds, 0.001));
                results.ApiHostCpuPerReadAfterUs = Math.Round(hostCpu.TotalMicroseconds / readsAfter, 1);
                results.ClientCpuPerReadAfterUs = Math.Round(clientCpu.TotalMicroseconds / readsAfter, 1);
            }
            await progress;

            // Freshness: every sample resolves at the first poll after the city shows everything.
            freshnessStop.CancelAfter(TimeSpan.FromSeconds(10));
            await freshnessTask;
        }
        finally
        {
            // Also on failure: no reader or poller outlives this part.
            await readStop.CancelAsync();
            await freshnessStop.CancelAsync();
            await Task.WhenAll(readTask, freshnessTask, progress).ContinueWith(static _ => { }, TaskScheduler.Default);
        }

        results.FreshnessMs = LatencySummary.From(freshness.Results, freshness.Errors);
        results.FreshnessSamples = freshness.Added;
        results.FreshnessUnresolved = freshness.Unresolved;
        if (freshness.Unresolved > 0)
        {
            failures.Add($"HTTP: {freshness.Unresolved} freshness samples never resolved");
        }

        results.ReadsDuringMs = reads.Summaries(ReadLoad.During);
        results.ReadsAfterMs = reads.Summaries(ReadLoad.After);
        var readErrors = results.ReadsDuringMs.Values.Concat(results.ReadsAfterMs.Values).Sum(s => s.Errors);
        if (readErrors > 0)
        {
            failures.Add($"HTTP reads: {readErrors} failed requests");
        }

        results.ChildWorkingSetAtEnd = host.WorkingSet();
        results.ChildPeakWorkingSet = host.PeakWorkingSet();
        GC.KeepAlive(bodies);
        return results;
    }

    private async Task ProgressAsync(Func<int> next, int total, long t0, CancellationToken ct)
    {
        try
        {
            for (var i = 0; i < 100_000; i++)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), ct);
                var done = Math.Min(total, next());
                if (done >= total)
                {
                    return;
                }

                log($"  … {done}/{total} batches posted after {Clock.Seconds(t0, Clock.Now):N0} s");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RegisterRegionsAsync(HttpClient http, HttpResults results, List<string> failures, CancellationToken ct)
    {
        var t = Clock.Now;
        foreach (var chunk in data.Regions.Chunk(RegistrationBatch))
        {
            using var response = await SendAsync(http, HttpMethod.Put, "/v1/regions", CityData.RegionsBody(chunk), ct);
            var body = await ReadOkAsync(response, "PUT /v1/regions", ct);
            using var doc = JsonDocument.Parse(body);
            foreach (var item in doc.RootElement.GetProperty("results").EnumerateArray())
            {
                if (item.GetProperty("status").GetString() == "rejected")
                {
                    if (results.RegionsRejected++ == 0)
                    {
                        failures.Add($"PUT /v1/regions rejected {item.GetProperty("code").GetString()}: {item.GetProperty("error").GetRawText()}");
                    }
                }
                else
                {
                    results.RegionsRegistered++;
                }
            }
        }

        results.RegionsSeconds = Math.Round(Clock.Seconds(t, Clock.Now), 2);
        log($"regions: {results.RegionsRegistered:N0} registered ({results.RegionsRejected} rejected) in {results.RegionsSeconds:N1} s");
    }

    private async Task RegisterSubjectsAsync(HttpClient http, HttpResults results, List<string> failures, CancellationToken ct)
    {
        var subjects = data.Subjects;
        var ids = new string?[subjects.Count];
        var chunks = (subjects.Count + RegistrationBatch - 1) / RegistrationBatch;
        var next = -1;
        var rejected = 0;
        var done = 0;
        string? firstError = null;
        var t = Clock.Now;

        async Task Worker()
        {
            for (var guard = 0; guard <= chunks; guard++)
            {
                var c = Interlocked.Increment(ref next);
                if (c >= chunks)
                {
                    return;
                }

                var start = c * RegistrationBatch;
                var count = Math.Min(RegistrationBatch, subjects.Count - start);
                using var response = await SendAsync(http, HttpMethod.Put, "/v1/subjects", CityData.SubjectsBody(subjects.GetRange(start, count)), ct);
                var body = await ReadOkAsync(response, "PUT /v1/subjects", ct);
                using var doc = JsonDocument.Parse(body);
                foreach (var item in doc.RootElement.GetProperty("results").EnumerateArray())
                {
                    var index = start + item.GetProperty("index").GetInt32();
                    if (item.GetProperty("status").GetString() == "rejected")
                    {
                        Interlocked.Increment(ref rejected);
                        Interlocked.CompareExchange(ref firstError, item.GetProperty("error").GetRawText(), null);
                    }
                    else if (item.TryGetProperty("subjectId", out var id) && id.ValueKind == JsonValueKind.String)
                    {
                        ids[index] = id.GetString();
                    }
                }

                if (Interlocked.Increment(ref done) % 10 == 0)
                {
                    log($"  … {Math.Min(subjects.Count, done * RegistrationBatch):N0}/{subjects.Count:N0} subjects registered after {Clock.Seconds(t, Clock.Now):N0} s");
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, RegistrationConcurrency).Select(_ => Task.Run(Worker, ct)));
        results.SubjectsSeconds = Math.Round(Clock.Seconds(t, Clock.Now), 2);
        results.SubjectIds = ids;
        results.SubjectsRegistered = ids.Count(i => i is not null);
        results.SubjectsRejected = rejected;
        results.SubjectsPerSecond = Math.Round(results.SubjectsRegistered / Math.Max(1e-9, results.SubjectsSeconds));
        if (rejected > 0)
        {
            failures.Add($"PUT /v1/subjects: {rejected} rejected (first: {firstError})");
        }

        log($"subjects: {results.SubjectsRegistered:N0} registered ({rejected} rejected) in {results.SubjectsSeconds:N1} s ({results.SubjectsPerSecond:N0}/s, {RegistrationConcurrency} concurrent batches of {RegistrationBatch})");
    }

    private sealed record PostOutcome(int Status, int Accepted, int Duplicates, int Rejected, string? FirstRejection, int Attempts);

    /// <summary>Posts one batch; retries a transport failure or a 5xx at most twice.</summary>
    private static async Task<PostOutcome> PostRecordsAsync(HttpClient http, byte[] body, CancellationToken ct)
    {
        var status = 0;
        string? error = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                using var response = await SendAsync(http, HttpMethod.Post, "/v1/records", body, ct);
                status = (int)response.StatusCode;
                var bytes = await response.Content.ReadAsByteArrayAsync(ct);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    using var doc = JsonDocument.Parse(bytes);
                    var root = doc.RootElement;
                    var rejected = root.GetProperty("rejected").GetInt32();
                    string? first = null;
                    if (rejected > 0)
                    {
                        first = root.GetProperty("results").EnumerateArray()
                            .Where(r => r.GetProperty("status").GetString() == "rejected")
                            .Select(r => r.GetRawText()).FirstOrDefault();
                    }

                    return new PostOutcome(status, root.GetProperty("accepted").GetInt32(), root.GetProperty("duplicates").GetInt32(), rejected, first, attempt + 1);
                }

                error = System.Text.Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, 500)));
                if (status < 500)
                {
                    break;
                }
            }
            catch (HttpRequestException ex)
            {
                error = ex.Message;
            }
            catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
            {
                error = "timeout: " + ex.Message;
            }

            await Task.Delay(1000, ct);
        }

        return new PostOutcome(status, 0, 0, 0, $"HTTP {status}: {error}", 3);
    }

    internal sealed record CityView(int Records24h, int Subjects);

    internal static async Task<CityView?> CityAsync(HttpClient http, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync($"/v1/regions/{RuralCreditConstants.CityCode}", ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            return new CityView(root.GetProperty("records24h").GetInt32(), root.GetProperty("subjects").GetProperty("total").GetInt32());
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, byte[] body, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return http.SendAsync(request, ct);
    }

    private static async Task<byte[]> ReadOkAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, 500)))}");
        }

        return bytes;
    }

    public static HttpClient Client(Uri baseAddress, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1024,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        };
        var http = new HttpClient(handler, disposeHandler: true) { BaseAddress = baseAddress, Timeout = timeout };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        return http;
    }

    /// <summary>
    /// Freshness: after a sampled batch is acknowledged, polls the city aggregate every 50 ms until its
    /// records24h reaches the accepted total as of that acknowledgement; freshness = that moment − the ack.
    /// </summary>
    private sealed class FreshnessTracker
    {
        private readonly ConcurrentQueue<(long Threshold, long AckTs)> _incoming = new();
        private readonly List<(long Threshold, long AckTs)> _pending = [];
        private volatile bool _complete;
        private int _added;

        public List<double> Results { get; } = [];

        public int Errors { get; private set; }

        public int Added => _added;

        public int Unresolved => _pending.Count + _incoming.Count;

        public void Add(long threshold, long ackTs)
        {
            Interlocked.Increment(ref _added);
            _incoming.Enqueue((threshold, ackTs));
        }

        public void Complete() => _complete = true;

        public async Task RunAsync(Func<CancellationToken, Task<CityView?>> read, CancellationToken ct)
        {
            try
            {
                for (var poll = 0; poll < 100_000; poll++)
                {
                    var complete = _complete;
                    while (_incoming.TryDequeue(out var s))
                    {
                        _pending.Add(s);
                    }

                    if (complete && _pending.Count == 0)
                    {
                        return;
                    }

                    var pollStart = Clock.Now;
                    if (_pending.Count > 0)
                    {
                        var city = await read(ct);
                        var seen = Clock.Now;
                        if (city is null)
                        {
                            Errors++;
                        }
                        else
                        {
                            _pending.RemoveAll(s =>
                            {
                                if (s.AckTs > pollStart || s.Threshold > city.Records24h)
                                {
                                    return false;
                                }

                                Results.Add(Clock.Ms(s.AckTs, seen));
                                return true;
                            });
                        }
                    }

                    var wait = 50 - Clock.Ms(pollStart, Clock.Now);
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
