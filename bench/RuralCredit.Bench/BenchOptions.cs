using System.Globalization;

namespace RuralCredit.Bench;

/// <summary>Command-line options of the benchmark (see bench/README.md).</summary>
internal sealed record BenchOptions
{
    public const string Usage =
        """
        RuralCredit benchmark
          --subjects N        approximate subjects of the synthetic city (default 200000)
          --records N         approximate records (default 1000000)
          --clients N         concurrent read clients during and after ingest (default 32)
          --batch N           records per POST /v1/records (default 5000, at most 10000)
          --concurrency N     concurrent record posts / grain submissions (default 4)
          --after-seconds N   how long reads run after ingest has completed (default 20)
          --out PATH          JSON result file (default bench/results/latest.json)
          --skip-in-process   skip the in-process (no HTTP) limit and the memory measurement
          --skip-http         skip the HTTP part (child process)
          --durable           durable mode: throwaway PostgreSQL (fsync on), raw COPY limit, 2 silos + 1 API host
                              in the postgres profile, state writes, cold start after restarting every silo
          --ledger-only       with --durable: only the raw COPY and the ledger-alone figures (no cluster)
          --cold-clients N    with --durable: concurrent clients of the cold start (default: --clients; 0: no cold start)
        """;

    public int Subjects { get; init; } = 200_000;

    public int Records { get; init; } = 1_000_000;

    public int Clients { get; init; } = 32;

    public int Batch { get; init; } = 5_000;

    public int Concurrency { get; init; } = 4;

    public int AfterSeconds { get; init; } = 20;

    public string Out { get; init; } = Path.Combine("bench", "results", "latest.json");

    public bool SkipInProcess { get; init; }

    public bool SkipHttp { get; init; }

    public bool Durable { get; init; }

    public bool LedgerOnly { get; init; }

    /// <summary>Concurrent clients of the durable cold start; null: <see cref="Clients"/>; 0: no cold start.</summary>
    public int? ColdClients { get; init; }

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a readable message.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{name} needs a value");
                }

                return args[++i];
            }

            int Int(int min, int max)
            {
                var text = Value();
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
                {
                    throw new ArgumentException($"{name} must be an integer between {min} and {max}, got '{text}'");
                }

                return v;
            }

            o = name switch
            {
                "--subjects" => o with { Subjects = Int(100, 2_000_000) },
                "--records" => o with { Records = Int(0, 20_000_000) },
                "--clients" => o with { Clients = Int(0, 256) },
                "--batch" => o with { Batch = Int(1, 10_000) },
                "--concurrency" => o with { Concurrency = Int(1, 64) },
                "--after-seconds" => o with { AfterSeconds = Int(0, 600) },
                "--out" => o with { Out = Value() },
                "--skip-in-process" => o with { SkipInProcess = true },
                "--skip-http" => o with { SkipHttp = true },
                "--durable" => o with { Durable = true, SkipInProcess = true },
                "--ledger-only" => o with { LedgerOnly = true },
                "--cold-clients" => o with { ColdClients = Int(0, 1024) },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        return o;
    }
}
