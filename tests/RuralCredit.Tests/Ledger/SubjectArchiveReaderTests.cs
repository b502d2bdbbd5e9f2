using Microsoft.Extensions.Options;
using Npgsql;
using RuralCredit.Ledger;
using RuralCredit.Models;
using RuralCredit.Silo.Postgres;
using RuralCredit.Tests.Infrastructure;
using RuralCredit.Tests.Postgres;

namespace RuralCredit.Tests.Ledger;

/// <summary>
/// What subjects read on activation: many concurrent reads go out as few batched reads, each caller gets its own
/// answer, and a failed batch fails its callers only.
/// </summary>
public sealed class SubjectArchiveReaderTests
{
    [Fact]
    public async Task Concurrent_reads_are_batched_and_each_caller_gets_its_own_entries()
    {
        var inner = new InMemoryCreditLedger(Options.Create(new LedgerOptions { Partitions = 4 }));
        var subjects = Enumerable.Range(0, 200).Select(i => $"S{i}").ToList();
        await inner.AppendAsync(subjects.SelectMany(s => new[] { CreditLedgerContract.Record(s, s + "-a"), CreditLedgerContract.Record(s, s + "-b") }).ToList());
        var ledger = new GatedLedger(inner);
        var reader = new SubjectArchiveReader(ledger, new InMemorySubjectDirectory());

        var reads = subjects.Select(s => reader.ReadEntriesAsync(s, 0)).ToList();
        await Task.Delay(200); // the first batches are held at the gate while the others queue up
        ledger.Open();
        var results = await Task.WhenAll(reads);

        for (var i = 0; i < subjects.Count; i++)
        {
            Assert.Equal([subjects[i] + "-a", subjects[i] + "-b"], results[i].Select(e => e.RecordId));
        }

        Assert.InRange(ledger.Batches, 1, 8); // 200 reads, at most 4 batches in flight, up to 256 reads each
        Assert.Equal(subjects.Count, ledger.Requests);
    }

    [Fact]
    public async Task A_failed_batch_fails_its_callers_and_the_next_read_goes_out_again()
    {
        var inner = new InMemoryCreditLedger(Options.Create(new LedgerOptions { Partitions = 4 }));
        await inner.AppendAsync([CreditLedgerContract.Record("S1", "r1")]);
        var ledger = new GatedLedger(inner) { Fail = true };
        ledger.Open();
        var reader = new SubjectArchiveReader(ledger, new InMemorySubjectDirectory());

        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.ReadEntriesAsync("S1", 0));
        ledger.Fail = false;
        Assert.Equal("r1", Assert.Single(await reader.ReadEntriesAsync("S1", 0)).RecordId);
    }

    [Fact]
    public async Task Registrations_and_household_members_are_found_in_request_order_in_memory_and_in_postgres()
    {
        var postgres = new PostgresSubjectDirectory(NpgsqlDataSource.Create(await PostgresServer.CreateDatabaseAsync("directory")));
        foreach (ISubjectDirectory directory in new ISubjectDirectory[] { new InMemorySubjectDirectory(), postgres })
        {
            await directory.UpsertManyAsync([Info("S1", "张*") with { HouseholdId = "H1" }, Info("S2", "李*")]);
            await directory.UpsertManyAsync([Info("S3", "王*") with { HouseholdId = "H1" }]);
            var reader = new SubjectArchiveReader(new InMemoryCreditLedger(Options.Create(new LedgerOptions())), directory);

            var found = await Task.WhenAll(reader.FindInfoAsync("S2"), reader.FindInfoAsync("S9"), reader.FindInfoAsync("S1"), reader.FindInfoAsync("S2"));

            Assert.Equal(["李*", null, "张*", "李*"], found.Select(i => i?.DisplayName));
            Assert.Equal(["李*", null, "张*"], (await directory.FindInfosAsync(["S2", "S9", "S1"])).Select(i => i?.DisplayName));

            var households = await Task.WhenAll(reader.ListHouseholdAsync("H9"), reader.ListHouseholdAsync("H1"));
            Assert.Empty(households[0]);
            Assert.Equal([("S1", "321322100001"), ("S3", "321322100001")], households[1]);
        }
    }

    private static SubjectInfo Info(string id, string displayName) => new()
    {
        SubjectId = id,
        SubjectType = "farmer",
        Name = displayName.Replace('*', '三'),
        DisplayName = displayName,
        MaskedId = "3213**********1234",
        VillageCode = "321322100001",
    };

    /// <summary>A ledger whose batched reads wait at a gate and are counted (or fail on demand).</summary>
    private sealed class GatedLedger(ICreditLedger inner) : DelegatingLedger(inner)
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _batches;
        private int _requests;

        public bool Fail { get; set; }

        public int Batches => _batches;

        public int Requests => _requests;

        public void Open() => _gate.TrySetResult();

        public override async ValueTask<IReadOnlyList<IReadOnlyList<LedgerEntry>>> ReadSubjectsAsync(IReadOnlyList<(string SubjectId, long AfterSeq)> subjects, CancellationToken cancellationToken = default)
        {
            await _gate.Task;
            if (Fail)
            {
                throw new InvalidOperationException("read failed");
            }

            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _requests, subjects.Count);
            return await Inner.ReadSubjectsAsync(subjects, cancellationToken);
        }
    }
}
