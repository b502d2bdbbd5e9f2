using Microsoft.Extensions.Options;
using Npgsql;
using RuralCredit.Ledger;
using RuralCredit.Models;
using RuralCredit.Silo.Postgres;
using RuralCredit.Tests.Postgres;

namespace RuralCredit.Tests.Ledger;

/// <summary>
/// What every ledger must do, run against each implementation: sequence and chaining, duplicates and conflicts,
/// partition and subject reads, record status, checkpoints, and no entry stepped over by a reader while
/// several appenders write at once.
/// </summary>
public abstract class CreditLedgerContract
{
    protected abstract Task<ICreditLedger> CreateAsync(int partitions = 4);

    /// <summary>A tax-arrears record entry as ingest would append it (also the fixture of other ledger tests).</summary>
    internal static LedgerEntry Record(string subject, string recordId, string hash = "h", string? supersedes = null) => new()
    {
        SubjectId = subject,
        RecordId = recordId,
        CatalogCode = "TAX_ARREARS",
        CatalogVersion = 1,
        OccurredAt = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero),
        ReceivedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
        SourceDepartment = "tax",
        PayloadJson = """{"amount": 120.5}""",
        Supersedes = supersedes,
        ContentHash = HashOf(hash),
    };

    /// <summary>A distinct content hash for each test label.</summary>
    internal static RecordHash HashOf(string label) => RecordHash.FromBytes(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(label)));

    protected static LedgerEntry Revoke(string subject, string recordId) => new()
    {
        Kind = LedgerEntryKind.StatusChange,
        SubjectId = subject,
        RecordId = recordId,
        CatalogCode = "TAX_ARREARS",
        OccurredAt = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero),
        ReceivedAt = new DateTimeOffset(2026, 1, 3, 0, 0, 0, TimeSpan.Zero),
        SourceDepartment = "tax",
        NewStatus = RecordStatus.Revoked,
        Actor = "tax-office",
        Reason = "entered twice",
    };

    [Fact]
    public async Task Append_assigns_increasing_sequences_and_chains_each_subjects_entries()
    {
        var ledger = await CreateAsync();
        var first = await ledger.AppendAsync([Record("S1", "r1"), Record("S2", "r2"), Record("S1", "r3")]);
        var second = await ledger.AppendAsync([Record("S1", "r4")]);

        Assert.All(first.Concat(second), o => Assert.Equal(AppendStatus.Appended, o.Status));
        var seqs = first.Concat(second).Select(o => o.Seq).ToList();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(4, seqs.Distinct().Count());

        var s1 = await ledger.ReadSubjectAsync("S1", 0);
        Assert.Equal(["r1", "r3", "r4"], s1.Select(e => e.RecordId));
        Assert.Equal([0L, s1[0].Seq, s1[1].Seq], s1.Select(e => e.PreviousSubjectSeq));
        Assert.Equal(["r3", "r4"], (await ledger.ReadSubjectAsync("S1", s1[0].Seq)).Select(e => e.RecordId));
        Assert.Equal(4, await ledger.CountAsync());
    }

    [Fact]
    public async Task Many_subjects_are_read_at_once_each_past_its_own_position_in_request_order()
    {
        var ledger = await CreateAsync();
        var appended = await ledger.AppendAsync([Record("S1", "r1"), Record("S2", "r2"), Record("S1", "r3"), Record("S3", "r4")]);

        var read = await ledger.ReadSubjectsAsync([("S3", 0), ("S1", appended[0].Seq), ("S9", 0), ("S1", 0), ("S2", appended[1].Seq)]);

        Assert.Equal(5, read.Count);
        Assert.Equal(["r4"], read[0].Select(e => e.RecordId));
        Assert.Equal(["r3"], read[1].Select(e => e.RecordId));
        Assert.Empty(read[2]);
        Assert.Equal(["r1", "r3"], read[3].Select(e => e.RecordId));
        Assert.Empty(read[4]);
        Assert.Equal(await ledger.ReadSubjectAsync("S1", 0), read[3]);
    }

    [Fact]
    public async Task Entries_round_trip_with_every_field()
    {
        var ledger = await CreateAsync();
        var sent = Record("S1", "r1", "abc123") with { CatalogVersion = 7 };
        var seq = (await ledger.AppendAsync([sent]))[0].Seq;

        var read = Assert.Single(await ledger.ReadSubjectAsync("S1", 0));
        Assert.Equal(sent with { Seq = seq, PayloadJson = read.PayloadJson }, read);
        Assert.Equal(120.5, System.Text.Json.JsonDocument.Parse(read.PayloadJson).RootElement.GetProperty("amount").GetDouble());
    }

    [Fact]
    public async Task A_known_record_id_is_a_duplicate_when_its_content_matches_and_a_conflict_otherwise()
    {
        var ledger = await CreateAsync();
        var seq = (await ledger.AppendAsync([Record("S1", "r1", "same")]))[0].Seq;

        var again = await ledger.AppendAsync([Record("S1", "r1", "same"), Record("S1", "r1", "different"), Record("S1", "r2")]);

        Assert.Equal(new AppendOutcome(AppendStatus.Duplicate, seq), again[0]);
        Assert.Equal(new AppendOutcome(AppendStatus.Conflict, seq), again[1]);
        Assert.Equal(AppendStatus.Appended, again[2].Status);
        Assert.Equal(2, await ledger.CountAsync());
    }

    [Fact]
    public async Task A_known_record_id_late_in_a_batch_leaves_the_rest_numbered_without_gaps_and_chained()
    {
        var ledger = await CreateAsync();
        var first = (await ledger.AppendAsync([Record("S1", "k1", "same"), Record("S2", "k2", "old")]))[1].Seq;

        // Known ids after new ones (a retried batch that grew, a second host): the new ones are stored once, in batch
        // order, without gaps, each chained to its subject's previous entry; a repeat inside the batch answers as the
        // first occurrence does.
        var outcomes = await ledger.AppendAsync(
        [
            Record("S1", "n1"), Record("S3", "n2"), Record("S1", "k1", "same"), Record("S2", "k2", "new"),
            Record("S3", "n3"), Record("S3", "n2"), Record("S3", "n3", "other"),
        ]);

        Assert.Equal(
            new[] { AppendStatus.Appended, AppendStatus.Appended, AppendStatus.Duplicate, AppendStatus.Conflict, AppendStatus.Appended, AppendStatus.Duplicate, AppendStatus.Conflict },
            outcomes.Select(o => o.Status));
        Assert.Equal(new[] { first + 1, first + 2, first + 3 }, new[] { outcomes[0].Seq, outcomes[1].Seq, outcomes[4].Seq });
        Assert.Equal(first, outcomes[3].Seq);
        Assert.Equal(outcomes[1].Seq, outcomes[5].Seq);
        Assert.Equal(outcomes[4].Seq, outcomes[6].Seq);
        Assert.Equal(5, await ledger.CountAsync());
        Assert.Equal(new[] { 0L, first - 1 }, (await ledger.ReadSubjectAsync("S1", 0)).Select(e => e.PreviousSubjectSeq));
        Assert.Equal(new[] { 0L, first + 2 }, (await ledger.ReadSubjectAsync("S3", 0)).Select(e => e.PreviousSubjectSeq));
        Assert.Equal(5, (await Task.WhenAll(Enumerable.Range(0, 4).Select(p => ledger.ReadPartitionAsync(p, 0, 100).AsTask()))).Sum(r => r.Count));
    }

    [Fact]
    public async Task A_partition_is_read_in_sequence_order_from_a_position_and_holds_only_its_subjects()
    {
        var ledger = await CreateAsync(partitions: 4);
        var subjects = Enumerable.Range(0, 40).Select(i => $"S{i}").ToList();
        await ledger.AppendAsync(subjects.Select((s, i) => Record(s, $"r{i}")).ToList());
        await ledger.AppendAsync(subjects.Select((s, i) => Record(s, $"q{i}")).ToList());

        var total = 0;
        for (var p = 0; p < 4; p++)
        {
            var all = await ledger.ReadPartitionAsync(p, 0, 1000);
            Assert.All(all, e => Assert.Equal(p, LedgerPartitioner.PartitionOf(e.SubjectId, 4)));
            Assert.Equal(all.Select(e => e.Seq).Order(), all.Select(e => e.Seq));
            total += all.Count;
            if (all.Count > 3)
            {
                var page = await ledger.ReadPartitionAsync(p, all[1].Seq, 2);
                Assert.Equal([all[2].Seq, all[3].Seq], page.Select(e => e.Seq));
            }
        }

        Assert.Equal(80, total);
    }

    [Fact]
    public async Task A_revocation_and_a_correction_change_the_records_status_and_are_entries_themselves()
    {
        var ledger = await CreateAsync();
        await ledger.AppendAsync([Record("S1", "r1"), Record("S1", "r2")]);
        await ledger.AppendAsync([Revoke("S1", "r1"), Record("S1", "r2-fixed", "h2", supersedes: "r2")]);

        Assert.Equal(RecordStatus.Revoked, (await ledger.FindRecordAsync("r1"))!.Status);
        Assert.Equal(RecordStatus.Revoked, (await ledger.FindRecordAsync("r2"))!.Status);
        Assert.Equal(RecordStatus.Active, (await ledger.FindRecordAsync("r2-fixed"))!.Status);
        Assert.Equal("r2", (await ledger.FindRecordAsync("r2-fixed"))!.Entry.Supersedes);
        Assert.Null(await ledger.FindRecordAsync("nope"));

        var found = await ledger.FindRecordsAsync(["r1", "r2-fixed", "nope", "r2"]);
        Assert.Equal(["r1", "r2", "r2-fixed"], found.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((RecordStatus.Revoked, RecordStatus.Revoked, RecordStatus.Active), (found["r1"].Status, found["r2"].Status, found["r2-fixed"].Status));
        Assert.Equal(("S1", HashOf("h2")), (found["r2-fixed"].Entry.SubjectId, found["r2-fixed"].Entry.ContentHash));
        Assert.Empty(await ledger.FindRecordsAsync([]));

        var entries = await ledger.ReadSubjectAsync("S1", 0);
        var change = Assert.Single(entries, e => e.Kind == LedgerEntryKind.StatusChange);
        Assert.Equal(("r1", RecordStatus.Revoked, "tax-office", "entered twice"), (change.RecordId, change.NewStatus, change.Actor, change.Reason));
    }

    [Fact]
    public async Task A_checkpoint_never_moves_backwards()
    {
        var ledger = await CreateAsync();
        Assert.Equal(0, await ledger.GetCheckpointAsync(1));
        await ledger.SaveCheckpointAsync(1, 50);
        await ledger.SaveCheckpointAsync(1, 20);
        await ledger.SaveCheckpointAsync(2, 7);
        Assert.Equal(50, await ledger.GetCheckpointAsync(1));
        Assert.Equal(7, await ledger.GetCheckpointAsync(2));
    }

    [Fact]
    public async Task Undelivered_entries_are_those_past_their_partition_checkpoint_counted_up_to_the_limit()
    {
        var ledger = await CreateAsync(partitions: 4);
        Assert.Equal(0, await ledger.CountUndeliveredAsync(100));
        var subjects = Enumerable.Range(0, 12).Select(i => $"U{i}").ToList();
        var appended = await ledger.AppendAsync(subjects.Select((s, i) => Record(s, $"u-{i}")).ToList());
        Assert.Equal(12, await ledger.CountUndeliveredAsync(100));
        Assert.Equal(5, await ledger.CountUndeliveredAsync(5));
        Assert.Equal(12, await ledger.CountUndeliveredAsync(12));
        Assert.Equal(11, await ledger.CountUndeliveredAsync(11));

        // Deliver every entry of one partition, and the first of another: only the rest is undelivered.
        var partitionOf = subjects.Select(s => LedgerPartitioner.PartitionOf(s, 4)).ToList();
        var full = partitionOf[0];
        var inFull = Enumerable.Range(0, 12).Where(i => partitionOf[i] == full).ToList();
        await ledger.SaveCheckpointAsync(full, appended[inFull[^1]].Seq);
        var other = partitionOf.First(p => p != full);
        var firstOfOther = Enumerable.Range(0, 12).First(i => partitionOf[i] == other);
        await ledger.SaveCheckpointAsync(other, appended[firstOfOther].Seq);
        Assert.Equal(12 - inFull.Count - 1, await ledger.CountUndeliveredAsync(100));

        // Checkpoints of the partitions that hold nothing past them leave nothing to count.
        for (var p = 0; p < 4; p++)
        {
            await ledger.SaveCheckpointAsync(p, appended[^1].Seq);
        }

        Assert.Equal(0, await ledger.CountUndeliveredAsync(100));
    }

    [Fact]
    public async Task Undelivered_entries_follow_checkpoints_moved_in_steps_back_and_forth_while_entries_are_appended()
    {
        var ledger = await CreateAsync(partitions: 2);
        var subjects = Enumerable.Range(0, 40).Select(i => $"V{i}").ToList();
        var appended = await ledger.AppendAsync(subjects.Select((s, i) => Record(s, $"v-{i}")).ToList());
        var inPartition = Enumerable.Range(0, 2)
            .Select(p => Enumerable.Range(0, 40).Where(i => LedgerPartitioner.PartitionOf(subjects[i], 2) == p).Select(i => appended[i].Seq).ToList())
            .ToList();
        Assert.All(inPartition, seqs => Assert.True(seqs.Count >= 5));

        var delivered = 0;
        foreach (var step in new[] { 0, 2, 2, 4 })
        {
            await ledger.SaveCheckpointAsync(0, inPartition[0][step]);
            delivered = step + 1;
            Assert.Equal(40 - delivered, await ledger.CountUndeliveredAsync(1000));
        }

        await ledger.SaveCheckpointAsync(0, inPartition[0][1]); // backwards: ignored
        Assert.Equal(40 - delivered, await ledger.CountUndeliveredAsync(1000));

        // Entries appended after a checkpoint are undelivered until a checkpoint passes them.
        var more = await ledger.AppendAsync(subjects.Take(10).Select((s, i) => Record(s, $"w-{i}")).ToList());
        Assert.Equal(50 - delivered, await ledger.CountUndeliveredAsync(1000));
        await ledger.SaveCheckpointAsync(1, more[^1].Seq);
        await ledger.SaveCheckpointAsync(0, more[^1].Seq);
        Assert.Equal(0, await ledger.CountUndeliveredAsync(1000));
    }

    [Fact]
    public async Task Concurrent_appenders_of_the_same_records_store_them_once_and_a_reader_steps_over_nothing()
    {
        var ledger = await CreateAsync(partitions: 2);
        const int Batches = 20, PerBatch = 50, Writers = 4;
        using var stop = new CancellationTokenSource();
        var seen = new List<long>();
        var reader = Task.Run(async () =>
        {
            long after = 0;
            while (true)
            {
                var finishing = stop.IsCancellationRequested;
                var page = await ledger.ReadPartitionAsync(0, after, 500);
                foreach (var e in page)
                {
                    seen.Add(e.Seq);
                    after = e.Seq;
                }

                if (finishing && page.Count == 0)
                {
                    return;
                }
            }
        });

        // Every writer submits the same batches (two hosts receiving the same import), in a different order.
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var outcomes = new List<AppendOutcome>();
            foreach (var b in Enumerable.Range(0, Batches).OrderBy(b => (b * 7 + w * 13) % Batches))
            {
                outcomes.AddRange(await ledger.AppendAsync(Enumerable.Range(0, PerBatch).Select(i => Record($"S{i % 17}", $"b{b}-{i}")).ToList()));
            }

            return outcomes;
        })).ToList();
        var all = (await Task.WhenAll(writers)).SelectMany(o => o).ToList();
        await stop.CancelAsync();
        await reader.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Batches * PerBatch, all.Count(o => o.Status == AppendStatus.Appended));
        Assert.Equal((Writers - 1) * Batches * PerBatch, all.Count(o => o.Status == AppendStatus.Duplicate));
        Assert.Equal(Batches * PerBatch, await ledger.CountAsync());

        var partition0 = await ledger.ReadPartitionAsync(0, 0, 100_000);
        Assert.Equal(partition0.Select(e => e.Seq), seen);
        foreach (var subject in Enumerable.Range(0, 17).Select(i => $"S{i}"))
        {
            var chain = await ledger.ReadSubjectAsync(subject, 0);
            Assert.Equal(chain.Select(e => e.Seq).Prepend(0L).SkipLast(1), chain.Select(e => e.PreviousSubjectSeq));
        }
    }
}

public sealed class InMemoryCreditLedgerTests : CreditLedgerContract
{
    protected override Task<ICreditLedger> CreateAsync(int partitions = 4) =>
        Task.FromResult<ICreditLedger>(new InMemoryCreditLedger(Options.Create(new LedgerOptions { Partitions = partitions })));
}

public sealed class PostgresCreditLedgerTests : CreditLedgerContract
{
    protected override async Task<ICreditLedger> CreateAsync(int partitions = 4)
    {
        var dataSource = NpgsqlDataSource.Create(await PostgresServer.CreateDatabaseAsync("ledger"));
        return new PostgresCreditLedger(dataSource, Options.Create(new LedgerOptions { Partitions = partitions }));
    }

    [Fact]
    public async Task Entries_read_back_share_one_instance_of_each_catalog_code_department_and_status()
    {
        var ledger = await CreateAsync(partitions: 1);
        await ledger.AppendAsync([Record("S1", "r1"), Record("S1", "r2"), Record("S2", "r3")]);
        await ledger.AppendAsync([Revoke("S1", "r1"), Revoke("S2", "r3")]);
        var entries = await ledger.ReadPartitionAsync(0, 0, 100);

        Assert.Equal(5, entries.Count);
        Assert.All(entries, e => Assert.Same(entries[0].CatalogCode, e.CatalogCode));
        Assert.All(entries, e => Assert.Same(entries[0].SourceDepartment, e.SourceDepartment));
        Assert.Same(entries[3].NewStatus, entries[4].NewStatus);
        Assert.Equal(RecordStatus.Revoked, entries[3].NewStatus);
        Assert.NotSame(entries[0].RecordId, entries[1].RecordId); // only repeated texts are shared
    }
}
