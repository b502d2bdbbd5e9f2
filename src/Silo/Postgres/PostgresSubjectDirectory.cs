using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using RuralCredit.Ledger;
using RuralCredit.Models;

namespace RuralCredit.Silo.Postgres;

/// <summary>The subject directory of the postgres profile (table <c>rc_subjects</c>), shared by every silo.</summary>
public sealed class PostgresSubjectDirectory(NpgsqlDataSource db) : ISubjectDirectory
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public ValueTask<DirectoryEntry?> FindAsync(string subjectId, CancellationToken cancellationToken = default) =>
        PostgresErrors.Guard(async () =>
        {
            await using var cmd = db.CreateCommand("SELECT subject_type, village_code, household_id FROM rc_subjects WHERE subject_id = $1");
            cmd.Parameters.Add(new NpgsqlParameter { Value = subjectId });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? new DirectoryEntry(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2))
                : null;
        }, "subject directory read");

    public ValueTask<IReadOnlyDictionary<string, DirectoryEntry>> FindManyAsync(IReadOnlyCollection<string> subjectIds, CancellationToken cancellationToken = default) =>
        PostgresErrors.Guard<IReadOnlyDictionary<string, DirectoryEntry>>(async () =>
        {
            var found = new Dictionary<string, DirectoryEntry>(subjectIds.Count, StringComparer.Ordinal);
            if (subjectIds.Count == 0)
            {
                return found;
            }

            await using var cmd = db.CreateCommand("SELECT subject_id, subject_type, village_code, household_id FROM rc_subjects WHERE subject_id = ANY($1)");
            cmd.Parameters.Add(new NpgsqlParameter { Value = subjectIds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found[reader.GetString(0)] = new DirectoryEntry(reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
            }

            return found;
        }, "subject directory read");

    public async ValueTask UpsertManyAsync(IReadOnlyList<SubjectInfo> subjects, CancellationToken cancellationToken = default)
    {
        // One row per id (the last wins), or ON CONFLICT would meet the same row twice in one statement.
        var last = new Dictionary<string, SubjectInfo>(StringComparer.Ordinal);
        foreach (var info in subjects)
        {
            last[info.SubjectId] = info;
        }

        if (last.Count == 0)
        {
            return;
        }

        var rows = last.Values.ToList();
        await PostgresErrors.Guard(async () =>
        {
            await using var cmd = db.CreateCommand("""
                INSERT INTO rc_subjects (subject_id, subject_type, village_code, household_id, info)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])
                ON CONFLICT (subject_id) DO UPDATE
                SET subject_type = excluded.subject_type, village_code = excluded.village_code,
                    household_id = excluded.household_id, info = excluded.info
                """);
            cmd.Parameters.Add(TextArray(rows.Select(r => r.SubjectId)));
            cmd.Parameters.Add(TextArray(rows.Select(r => r.SubjectType)));
            cmd.Parameters.Add(TextArray(rows.Select(r => r.VillageCode)));
            cmd.Parameters.Add(TextArray(rows.Select(r => r.HouseholdId)));
            cmd.Parameters.Add(new NpgsqlParameter
            {
                Value = rows.Select(r => JsonSerializer.Serialize(r, Json)).ToArray(),
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
            });
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, "subject directory write");
    }

    public ValueTask<IReadOnlyList<SubjectInfo?>> FindInfosAsync(IReadOnlyList<string> subjectIds, CancellationToken cancellationToken = default) =>
        PostgresErrors.Guard<IReadOnlyList<SubjectInfo?>>(async () =>
        {
            var found = new Dictionary<string, SubjectInfo?>(StringComparer.Ordinal);
            await using var cmd = db.CreateCommand("SELECT subject_id, info FROM rc_subjects WHERE subject_id = ANY($1)");
            cmd.Parameters.Add(TextArray(subjectIds.Distinct(StringComparer.Ordinal)));
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found[reader.GetString(0)] = JsonSerializer.Deserialize<SubjectInfo>(reader.GetString(1), Json);
            }

            return subjectIds.Select(id => found.GetValueOrDefault(id)).ToList();
        }, "subject directory read");

    public ValueTask<IReadOnlyList<IReadOnlyList<(string SubjectId, string VillageCode)>>> ListByHouseholdsAsync(IReadOnlyList<string> householdIds, CancellationToken cancellationToken = default) =>
        PostgresErrors.Guard<IReadOnlyList<IReadOnlyList<(string, string)>>>(async () =>
        {
            var lists = householdIds.Select(_ => new List<(string, string)>()).ToArray();
            await using var cmd = db.CreateCommand("""
                SELECT q.i, s.subject_id, s.village_code
                FROM unnest($1::text[]) WITH ORDINALITY AS q(household_id, i)
                JOIN rc_subjects s ON s.household_id = q.household_id
                ORDER BY q.i, s.registered_at, s.subject_id
                """);
            cmd.Parameters.Add(TextArray(householdIds));
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                lists[(int)reader.GetInt64(0) - 1].Add((reader.GetString(1), reader.GetString(2)));
            }

            return lists;
        }, "subject directory read");

    private static NpgsqlParameter TextArray(IEnumerable<string?> values) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    public ValueTask<IReadOnlyList<string>> ListByTypeAsync(string subjectType, CancellationToken cancellationToken = default) =>
        ListAsync("SELECT subject_id FROM rc_subjects WHERE subject_type = $1 ORDER BY subject_id", subjectType, cancellationToken);

    public ValueTask<IReadOnlyList<string>> ListByVillageAsync(string villageCode, CancellationToken cancellationToken = default) =>
        ListAsync("SELECT subject_id FROM rc_subjects WHERE village_code = $1 ORDER BY subject_id", villageCode, cancellationToken);

    private ValueTask<IReadOnlyList<string>> ListAsync(string sql, string parameter, CancellationToken cancellationToken) =>
        PostgresErrors.Guard<IReadOnlyList<string>>(async () =>
        {
            await using var cmd = db.CreateCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter { Value = parameter });
            var ids = new List<string>();
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }, "subject directory read");

    public ValueTask<int> CountAsync(CancellationToken cancellationToken = default) =>
        PostgresErrors.Guard(async () =>
        {
            await using var cmd = db.CreateCommand("SELECT count(*) FROM rc_subjects");
            return (int)(long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        }, "subject directory read");
}
