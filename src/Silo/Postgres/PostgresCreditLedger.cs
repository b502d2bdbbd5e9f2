using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using RuralCredit.Ledger;
using RuralCredit.Models;

namespace RuralCredit.Silo.Postgres;

/// <summary>
/// The ledger of the postgres profile (table <c>rc_ledger</c>). An append is one transaction: it takes the ledger's
/// advisory lock, finds each subject's previous entry, writes the batch with binary COPY (again without the known
/// ones when the unique index finds a known record id) and commits; only then does it answer. Appends of all hosts
/// are serialised by the lock, so sequence numbers become visible in order and a partition reader never steps over an
/// entry that commits late. The unique index on record id is the last word on duplicates.
/// </summary>
public sealed class PostgresCreditLedger(NpgsqlDataSource db, IOptions<LedgerOptions> options) : ICreditLedger
{
    /// <summary>Advisory lock key of ledger appends ("RCLEDGER").</summary>
    private const long AppendLock = 0x52434C4544474552;

    private const string Columns =
        "seq, partition, subject_id, previous_subject_seq, kind, record_id, catalog_code, catalog_version, occurred_at, " +
        "received_at, source_department, payload, supersedes, new_status, actor, reason, content_hash";

    /// <summary><see cref="Columns"/> of the ledger aliased <c>l</c> in a join.</summary>
    private static readonly string JoinedColumns = string.Join(", ", Columns.Split(", ").Select(c => "l." + c));

    public int PartitionCount { get; } = options.Value.Partitions;

    /// <summary>
    /// Most batches hold only new records: they are written at once, and the unique index on record id finds the rare
    /// known one while the rows go in (a client's retry, a second host with the same import). Only then is the batch
    /// written again, in a new transaction, after looking up which of its record ids are known: looking up every id of
    /// every batch first cost as much as a third of the COPY.
    /// </summary>
    public ValueTask<IReadOnlyList<AppendOutcome>> AppendAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default) =>
        PostgresErrors.Guard(async () =>
        {
            try
            {
                return await AppendCoreAsync(entries, lookUpKnown: false, cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                return await AppendCoreAsync(entries, lookUpKnown: true, cancellationToken);
            }
        }, "ledger append");

    private async ValueTask<IReadOnlyList<AppendOutcome>> AppendCoreAsync(IReadOnlyList<LedgerEntry> entries, bool lookUpKnown, CancellationToken cancellationToken)
    {
        var outcomes = new AppendOutcome[entries.Count];
        if (entries.Count == 0)
        {
            return outcomes;
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AppendLock})", connection, tx))
        {
            await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        }

        var existing = lookUpKnown
            ? await ExistingRecordsAsync(connection, tx, entries, cancellationToken)
            : new Dictionary<string, (long Seq, RecordHash Hash)>(StringComparer.Ordinal);
        var heads = await SubjectHeadsAsync(connection, tx, entries, cancellationToken);
        long seq;
        await using (var max = new NpgsqlCommand("SELECT coalesce(max(seq), 0) FROM rc_ledger", connection, tx))
        {
            seq = (long)(await max.ExecuteScalarAsync(cancellationToken))!;
        }

        var stored = new List<LedgerEntry>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Kind == LedgerEntryKind.Record && existing.TryGetValue(entry.RecordId, out var found))
            {
                outcomes[i] = new AppendOutcome(found.Hash == entry.ContentHash ? AppendStatus.Duplicate : AppendStatus.Conflict, found.Seq);
                continue;
            }

            var row = entry with { Seq = ++seq, PreviousSubjectSeq = heads.GetValueOrDefault(entry.SubjectId) };
            heads[entry.SubjectId] = row.Seq;
            if (row.Kind == LedgerEntryKind.Record)
            {
                existing[row.RecordId] = (row.Seq, row.ContentHash);
            }

            stored.Add(row);
            outcomes[i] = new AppendOutcome(AppendStatus.Appended, row.Seq);
        }

        if (stored.Count > 0)
        {
            await CopyAsync(connection, stored, cancellationToken);
            await ApplyStatusChangesAsync(connection, tx, stored, cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return outcomes;
    }

    private static async Task<Dictionary<string, (long Seq, RecordHash Hash)>> ExistingRecordsAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        var ids = entries.Where(e => e.Kind == LedgerEntryKind.Record).Select(e => e.RecordId).Distinct(StringComparer.Ordinal).ToArray();
        var found = new Dictionary<string, (long, RecordHash)>(StringComparer.Ordinal);
        await using var cmd = new NpgsqlCommand("SELECT record_id, seq, content_hash FROM rc_ledger WHERE kind = 0 AND record_id = ANY($1)", connection, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[reader.GetString(0)] = (reader.GetInt64(1), RecordHash.Parse(reader.GetString(2)));
        }

        return found;
    }

    private static async Task<Dictionary<string, long>> SubjectHeadsAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        var subjects = entries.Select(e => e.SubjectId).Distinct(StringComparer.Ordinal).ToArray();
        var heads = new Dictionary<string, long>(subjects.Length, StringComparer.Ordinal);
        await using var cmd = new NpgsqlCommand(
            "SELECT s, (SELECT max(l.seq) FROM rc_ledger l WHERE l.subject_id = s) FROM unnest($1::text[]) AS s", connection, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = subjects, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!reader.IsDBNull(1))
            {
                heads[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        return heads;
    }

    private async Task CopyAsync(NpgsqlConnection connection, List<LedgerEntry> rows, CancellationToken cancellationToken)
    {
        await using var writer = await connection.BeginBinaryImportAsync($"COPY rc_ledger ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var e in rows)
        {
            await writer.StartRowAsync(cancellationToken);
            await writer.WriteAsync(e.Seq, NpgsqlDbType.Bigint, cancellationToken);
            await writer.WriteAsync((short)LedgerPartitioner.PartitionOf(e.SubjectId, PartitionCount), NpgsqlDbType.Smallint, cancellationToken);
            await writer.WriteAsync(e.SubjectId, NpgsqlDbType.Text, cancellationToken);
            await writer.WriteAsync(e.PreviousSubjectSeq, NpgsqlDbType.Bigint, cancellationToken);
            await writer.WriteAsync((short)e.Kind, NpgsqlDbType.Smallint, cancellationToken);
            await writer.WriteAsync(e.RecordId, NpgsqlDbType.Text, cancellationToken);
            await writer.WriteAsync(e.CatalogCode, NpgsqlDbType.Text, cancellationToken);
            await writer.WriteAsync(e.CatalogVersion, NpgsqlDbType.Integer, cancellationToken);
            await writer.WriteAsync(e.OccurredAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
            await writer.WriteAsync(e.ReceivedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
            await writer.WriteAsync(e.SourceDepartment, NpgsqlDbType.Text, cancellationToken);
            await writer.WriteAsync(e.PayloadJson, NpgsqlDbType.Jsonb, cancellationToken);
            await WriteNullableAsync(writer, e.Supersedes, cancellationToken);
            await WriteNullableAsync(writer, e.NewStatus, cancellationToken);
            await WriteNullableAsync(writer, e.Actor, cancellationToken);
            await WriteNullableAsync(writer, e.Reason, cancellationToken);
            await writer.WriteAsync(e.ContentHash.ToString(), NpgsqlDbType.Text, cancellationToken);
        }

        await writer.CompleteAsync(cancellationToken);
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter writer, string? value, CancellationToken cancellationToken) =>
        value is null ? writer.WriteNullAsync(cancellationToken) : writer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    /// <summary>The status field of a record follows its status-change entries and its corrections (§2.4).</summary>
    private static async Task ApplyStatusChangesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<LedgerEntry> rows, CancellationToken cancellationToken)
    {
        foreach (var e in rows)
        {
            var (recordId, status) = e switch
            {
                { Kind: LedgerEntryKind.StatusChange, NewStatus: { } s } => (e.RecordId, s),
                { Kind: LedgerEntryKind.Record, Supersedes: { } old } => (old, RecordStatus.Revoked),
                _ => (null, null),
            };
            if (recordId is null)
            {
                continue;
            }

            await using var cmd = new NpgsqlCommand("UPDATE rc_ledger SET status = $2 WHERE kind = 0 AND record_id = $1", connection, tx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = recordId });
            cmd.Parameters.Add(new NpgsqlParameter { Value = status });
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public ValueTask<IReadOnlyList<LedgerEntry>> ReadPartitionAsync(int partition, long afterSeq, int maxCount, CancellationToken cancellationToken = default) =>
        PostgresErrors.Guard(() => QueryAsync(
            $"SELECT {Columns} FROM rc_ledger WHERE partition = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            [(short)partition, afterSeq, maxCount], cancellationToken), "ledger read");

    public ValueTask<IReadOnlyList<LedgerEntry>> ReadSubjectAsync(string subjectId, long afterSeq, CancellationToken cancellationToken = default) =>
        PostgresErrors.Guard(() => QueryAsync(
            $"SELECT {Columns} FROM rc_ledger WHERE subject_id = $1 AND seq > $2 ORDER BY seq",
            [subjectId, afterSeq], cancellationToken), "ledger read");

    public ValueTask<IReadOnlyList<IReadOnlyList<LedgerEntry>>> ReadSubjectsAsync(IReadOnlyList<(string SubjectId, long AfterSeq)> subjects, CancellationToken cancellationToken = default) =>
        PostgresErrors.Guard<IReadOnlyList<IReadOnlyList<LedgerEntry>>>(async () =>
        {
            var results = new List<LedgerEntry>[subjects.Count];
            for (var i = 0; i < results.Length; i++)
            {
                results[i] = [];
            }

            await using var cmd = db.CreateCommand($"""
                SELECT {JoinedColumns}, q.i
                FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS q(subject_id, after_seq, i)
                JOIN rc_ledger l ON l.subject_id = q.subject_id AND l.seq > q.after_seq
                ORDER BY q.i, l.seq
                """);
            cmd.Parameters.Add(new NpgsqlParameter { Value = subjects.Select(s => s.SubjectId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = subjects.Select(s => s.AfterSeq).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                results[(int)reader.GetInt64(17) - 1].Add(Read(reader));
            }

            return results;
        }, "ledger read");

    public ValueTask<IReadOnlyDictionary<string, LedgerRecord>> FindRecordsAsync(IReadOnlyCollection<string> recordIds, CancellationToken cancellationToken = default) =>
        PostgresErrors.Guard(async () =>
        {
            var found = new Dictionary<string, LedgerRecord>(StringComparer.Ordinal);
            if (recordIds.Count == 0)
            {
                return (IReadOnlyDictionary<string, LedgerRecord>)found;
            }

            await using var cmd = db.CreateCommand($"SELECT {Columns}, status FROM rc_ledger WHERE kind = 0 AND record_id = ANY($1)");
            cmd.Parameters.Add(new NpgsqlParameter { Value = recordIds.ToArray() });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var entry = Read(reader);
                found[entry.RecordId] = new LedgerRecord(entry, reader.GetString(17));
            }

            return (IReadOnlyDictionary<string, LedgerRecord>)found;
        }, "ledger read");

    public ValueTask<long> GetCheckpointAsync(int partition, CancellationToken cancellationToken = default) =>
        PostgresErrors.Guard(async () =>
        {
            await using var cmd = db.CreateCommand("SELECT seq FROM rc_stream_checkpoints WHERE provider = $1 AND partition = $2");
            cmd.Parameters.Add(new NpgsqlParameter { Value = RuralCreditConstants.LedgerStreamProvider });
            cmd.Parameters.Add(new NpgsqlParameter { Value = partition });
            return await cmd.ExecuteScalarAsync(cancellationToken) is long seq ? seq : 0L;
        }, "checkpoint read");

    public async ValueTask SaveCheckpointAsync(int partition, long seq, CancellationToken cancellationToken = default) =>
        await PostgresErrors.Guard(async () =>
        {
            // Never backwards; the entries it passes are counted as delivered (migration 0004).
            await using var cmd = db.CreateCommand("SELECT rc_save_checkpoint($1, $2, $3)");
            cmd.Parameters.Add(new NpgsqlParameter { Value = RuralCreditConstants.LedgerStreamProvider });
            cmd.Parameters.Add(new NpgsqlParameter { Value = partition });
            cmd.Parameters.Add(new NpgsqlParameter { Value = seq });
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, "checkpoint write");

    public ValueTask<long> CountUndeliveredAsync(long limit, CancellationToken cancellationToken = default) =>
        PostgresErrors.Guard(async () =>
        {
            // The ledger's entry count less the entries the checkpoints have counted as delivered (migration 0004).
            await using var cmd = db.CreateCommand("SELECT rc_count_undelivered($1)");
            cmd.Parameters.Add(new NpgsqlParameter { Value = RuralCreditConstants.LedgerStreamProvider });
            return Math.Min((long)(await cmd.ExecuteScalarAsync(cancellationToken))!, limit);
        }, "ledger count");

    public ValueTask<long> CountAsync(CancellationToken cancellationToken = default) =>
        PostgresErrors.Guard(async () =>
        {
            await using var cmd = db.CreateCommand("SELECT count(*) FROM rc_ledger");
            return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        }, "ledger count");

    private async ValueTask<IReadOnlyList<LedgerEntry>> QueryAsync(string sql, object[] parameters, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var p in parameters)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = p });
        }

        var list = new List<LedgerEntry>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    /// <summary>Catalog codes, departments and statuses repeat on every row: the entries read share one instance of each.</summary>
    private static readonly TextPool Texts = new();

    private static LedgerEntry Read(NpgsqlDataReader r) => new()
    {
        Seq = r.GetInt64(0),
        SubjectId = r.GetString(2),
        PreviousSubjectSeq = r.GetInt64(3),
        Kind = (LedgerEntryKind)r.GetInt16(4),
        RecordId = r.GetString(5),
        CatalogCode = Texts.Share(r.GetString(6)),
        CatalogVersion = r.GetInt32(7),
        OccurredAt = new DateTimeOffset(r.GetDateTime(8), TimeSpan.Zero),
        ReceivedAt = new DateTimeOffset(r.GetDateTime(9), TimeSpan.Zero),
        SourceDepartment = Texts.Share(r.GetString(10)),
        PayloadJson = r.GetString(11),
        Supersedes = r.IsDBNull(12) ? null : r.GetString(12),
        NewStatus = r.IsDBNull(13) ? null : Texts.Share(r.GetString(13)),
        Actor = r.IsDBNull(14) ? null : r.GetString(14),
        Reason = r.IsDBNull(15) ? null : r.GetString(15),
        ContentHash = RecordHash.Parse(r.GetString(16)),
    };
}
