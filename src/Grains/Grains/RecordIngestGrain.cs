using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using RuralCredit.Domain;
using RuralCredit.Hosting;
using RuralCredit.Ledger;
using RuralCredit.Models;

namespace RuralCredit.Grains;

/// <summary>
/// Validates record batches against the catalog version current on arrival and appends them to the ledger;
/// answers once they are durable. Stateless worker: any number run side by side on every silo.
/// </summary>
[StatelessWorker]
public sealed class RecordIngestGrain(
    ICreditLedger ledger,
    ISubjectDirectory directory,
    DomainCache domain,
    IngestBackPressure backPressure,
    TimeProvider time,
    IOptions<IdentityOptions> identity) : Grain, IRecordIngestGrain
{
    private static readonly HashSet<string> Guarantees = ["credit", "mortgage", "guarantee", "other"];
    private readonly System.Security.Cryptography.HMACSHA256 _personIds = new(Encoding.UTF8.GetBytes(identity.Value.PersonIdSecret));

    public async Task<IReadOnlyList<RecordOutcome>> SubmitAsync(IReadOnlyList<RecordSubmission> records, Submitter submitter, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();

        // The ledger and the directory are asked once for the whole batch; the passes over its records are synchronous.
        var subjectIds = ResolveSubjectIds(records);
        var subjects = await directory.FindManyAsync(subjectIds.OfType<string>().Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
        var superseded = SupersededIds(records);
        if (superseded.Count > 0)
        {
            var found = await ledger.FindRecordsAsync(superseded.Keys, cancellationToken);
            foreach (var id in superseded.Keys.ToList())
            {
                superseded[id] = found.GetValueOrDefault(id);
            }
        }

        var batch = Validate(records, subjectIds, subjects, superseded, submitter, now);
        await AnswerResubmissionsAsync(records, subjectIds, batch, cancellationToken);
        if (batch.Entries.Count > 0)
        {
            await backPressure.WaitForRoomAsync(cancellationToken);
        }

        var appended = batch.Entries.Count == 0 ? [] : await ledger.AppendAsync(batch.Entries, cancellationToken);
        return Complete(records, batch, appended);
    }

    /// <summary>
    /// A record rejected by today's validation may have been accepted before, under the catalog, registration or
    /// correction it had then (an item given a new required field since, a correction whose original it has revoked
    /// meanwhile): resubmitted with the same content, it is a duplicate and changes nothing (SPEC §2.4), whatever
    /// validation says now. The rejected ids are looked up in the ledger at once.
    /// </summary>
    private async Task AnswerResubmissionsAsync(IReadOnlyList<RecordSubmission> records, string?[] subjectIds, ValidatedBatch batch, CancellationToken cancellationToken)
    {
        List<int>? rejected = null;
        for (var i = 0; i < records.Count; i++)
        {
            if (batch.Outcomes[i] is { Status: "rejected" } && subjectIds[i] is not null && !string.IsNullOrEmpty(records[i].RecordId) && !string.IsNullOrEmpty(records[i].CatalogCode))
            {
                (rejected ??= []).Add(i);
            }
        }

        if (rejected is null)
        {
            return;
        }

        var known = await ledger.FindRecordsAsync(rejected.Select(i => records[i].RecordId).Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
        foreach (var i in rejected)
        {
            var r = records[i];
            if (known.TryGetValue(r.RecordId, out var existing)
                && existing.Entry.SubjectId == subjectIds[i]
                && existing.Entry.ContentHash == ContentHash(r.CatalogCode, subjectIds[i]!, r.OccurredAt, r.PayloadJson ?? "", r.Supersedes))
            {
                batch.Outcomes[i] = new RecordOutcome(i, r.RecordId, "duplicate", existing.Entry.Seq, null);
            }
        }
    }

    /// <summary>What validation made of a batch: the entries to append and the outcomes known before appending.</summary>
    private sealed record ValidatedBatch(
        RecordOutcome?[] Outcomes, List<LedgerEntry> Entries, List<int> EntryIndex, List<(int Index, int FirstIndex)> DuplicatesInBatch);

    // The passes below run once per batch over thousands of records: a silo takes only some hundred batches of an
    // import, too few calls for tiered compilation to leave tier-0 code early, so they are compiled optimized at once.

    /// <summary>Subject ids (person ids are keyed hashes of the 身份证号), or null where a record names none that is valid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string?[] ResolveSubjectIds(IReadOnlyList<RecordSubmission> records)
    {
        var subjectIds = new string?[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            subjectIds[i] = !string.IsNullOrEmpty(r.SubjectId) ? r.SubjectId
                : r.IdNumber is not null && IdentityCodes.IsValidIdNumber(r.IdNumber) ? IdentityCodes.PersonSubjectId(r.IdNumber, _personIds)
                : null;
        }

        return subjectIds;
    }

    /// <summary>The record ids the batch's corrections supersede (usually none), each to be looked up once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Dictionary<string, LedgerRecord?> SupersededIds(IReadOnlyList<RecordSubmission> records)
    {
        var ids = new Dictionary<string, LedgerRecord?>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            if (records[i].Supersedes is { } old)
            {
                ids.TryAdd(old, null);
            }
        }

        return ids;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ValidatedBatch Validate(
        IReadOnlyList<RecordSubmission> records, string?[] subjectIds, IReadOnlyDictionary<string, DirectoryEntry> subjects,
        Dictionary<string, LedgerRecord?> superseded, Submitter submitter, DateTimeOffset now)
    {
        var batch = new ValidatedBatch(new RecordOutcome?[records.Count], new List<LedgerEntry>(records.Count), new List<int>(records.Count), []);
        var inBatch = new Dictionary<string, (RecordHash Hash, int Index)>(records.Count, StringComparer.Ordinal);
        var correctedInBatch = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var (entry, error) = ValidateRecord(r, subjectIds[i], subjects, superseded, submitter, now);
            if (error is not null)
            {
                batch.Outcomes[i] = new RecordOutcome(i, r.RecordId, "rejected", null, error);
                continue;
            }

            if (inBatch.TryGetValue(r.RecordId, out var first))
            {
                if (first.Hash == entry!.ContentHash)
                {
                    batch.DuplicatesInBatch.Add((i, first.Index));
                }
                else
                {
                    batch.Outcomes[i] = new RecordOutcome(i, r.RecordId, "rejected", null, new ItemError("record_conflict", $"record {r.RecordId} appears twice in the batch with different content"));
                }

                continue;
            }

            if (r.Supersedes is { } corrected && !correctedInBatch.Add(corrected))
            {
                batch.Outcomes[i] = new RecordOutcome(i, r.RecordId, "rejected", null, new ItemError("validation_failed", $"record {corrected} is corrected twice in the batch: one correction stands for a record"));
                continue;
            }

            inBatch[r.RecordId] = (entry!.ContentHash, i);
            batch.Entries.Add(entry);
            batch.EntryIndex.Add(i);
        }

        return batch;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<RecordOutcome> Complete(IReadOnlyList<RecordSubmission> records, ValidatedBatch batch, IReadOnlyList<AppendOutcome> appended)
    {
        var outcomes = batch.Outcomes;
        for (var k = 0; k < appended.Count; k++)
        {
            var i = batch.EntryIndex[k];
            var id = records[i].RecordId;
            outcomes[i] = appended[k].Status switch
            {
                AppendStatus.Appended => new RecordOutcome(i, id, "accepted", appended[k].Seq, null),
                AppendStatus.Duplicate => new RecordOutcome(i, id, "duplicate", appended[k].Seq, null),
                _ => new RecordOutcome(i, id, "rejected", null, new ItemError("record_conflict", $"record {id} was already received with different content")),
            };
        }

        foreach (var (i, firstIndex) in batch.DuplicatesInBatch)
        {
            var firstOutcome = outcomes[firstIndex]!;
            outcomes[i] = firstOutcome.Status == "rejected"
                ? firstOutcome with { Index = i }
                : new RecordOutcome(i, records[i].RecordId, "duplicate", firstOutcome.LedgerSeq, null);
        }

        var list = new List<RecordOutcome>(outcomes.Length);
        foreach (var o in outcomes)
        {
            list.Add(o!);
        }

        return list;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (LedgerEntry? Entry, ItemError? Error) ValidateRecord(
        RecordSubmission r, string? resolvedSubjectId, IReadOnlyDictionary<string, DirectoryEntry> subjects,
        Dictionary<string, LedgerRecord?> superseded, Submitter submitter, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(r.RecordId) || r.RecordId.Length > 128 || r.RecordId.Any(char.IsControl))
        {
            return Fail("validation_failed", "recordId must be 1–128 printable characters");
        }

        if (domain.Item(r.CatalogCode) is not { } item)
        {
            return Fail("unknown_catalog_item", $"catalog item {r.CatalogCode} does not exist");
        }

        if (!submitter.Holds(item.SourceDepartment))
        {
            return Fail("forbidden", $"catalog item {item.Code} belongs to department {item.SourceDepartment}");
        }

        if (resolvedSubjectId is not { } subjectId)
        {
            return r.IdNumber is not null && string.IsNullOrEmpty(r.SubjectId)
                ? Fail("validation_failed", "idNumber is not a valid 居民身份证号 (check digit)")
                : Fail("validation_failed", "subjectId or idNumber is required");
        }

        if (subjects.GetValueOrDefault(subjectId) is not { } subject)
        {
            return Fail("unknown_subject", $"subject {(r.IdNumber is null ? IdentityCodes.ForDisplay(subjectId) : "(by idNumber)")} is not registered");
        }

        if (!item.SubjectTypes.Contains(subject.SubjectType))
        {
            return Fail("validation_failed", $"catalog item {item.Code} does not apply to subject type {subject.SubjectType}");
        }

        if (r.OccurredAt > now.AddDays(1) || r.OccurredAt.Year < 1949)
        {
            return Fail("validation_failed", "occurredAt must not be in the future");
        }

        using (var payload = JsonDocument.Parse(r.PayloadJson))
        {
            if (Payload.Validate(payload.RootElement, item.PayloadSchema) is { } problem)
            {
                return Fail("validation_failed", problem);
            }

            if (item.Role == CatalogRoles.Loan && !Guarantees.Contains(Payload.GetString(r.PayloadJson, "guarantee") ?? ""))
            {
                return Fail("validation_failed", "payload.guarantee must be credit, mortgage, guarantee or other");
            }
        }

        if (r.Supersedes is { } supersedes)
        {
            if (superseded[supersedes] is not { } old)
            {
                return Fail("unknown_record", $"record {supersedes} to supersede does not exist");
            }

            if (old.Entry.SubjectId != subjectId || old.Entry.CatalogCode != item.Code)
            {
                return Fail("validation_failed", "a correction must be for the same subject and catalog item");
            }

            if (supersedes == r.RecordId)
            {
                return Fail("validation_failed", "a record cannot supersede itself");
            }

            if (old.Status == RecordStatus.Revoked)
            {
                // One correction stands for a record: a second one would leave two records counting in its place.
                return Fail("validation_failed", $"record {supersedes} is revoked (withdrawn, or superseded by a correction): correct the record that stands in its place");
            }
        }

        var hash = ContentHash(item.Code, subjectId, r.OccurredAt, r.PayloadJson, r.Supersedes);
        return (new LedgerEntry
        {
            Kind = LedgerEntryKind.Record,
            SubjectId = subjectId,
            RecordId = r.RecordId,
            CatalogCode = item.Code,
            CatalogVersion = item.Version,
            OccurredAt = r.OccurredAt.ToUniversalTime(),
            ReceivedAt = now,
            SourceDepartment = item.SourceDepartment,
            PayloadJson = r.PayloadJson,
            Supersedes = r.Supersedes,
            ContentHash = hash,
        }, null);
    }

    public async Task<RevokeOutcome> RevokeAsync(string recordId, string reason, Submitter submitter)
    {
        if (await ledger.FindRecordAsync(recordId) is not { } record)
        {
            return new RevokeOutcome(recordId, "", new ItemError("unknown_record", $"record {recordId} does not exist"));
        }

        if (!submitter.Holds(record.Entry.SourceDepartment))
        {
            return new RevokeOutcome(recordId, record.Status, new ItemError("forbidden", "only the record's source department may revoke it"));
        }

        if (record.Status == RecordStatus.Revoked)
        {
            return new RevokeOutcome(recordId, RecordStatus.Revoked, null);
        }

        await ledger.AppendAsync(
        [
            new LedgerEntry
            {
                Kind = LedgerEntryKind.StatusChange,
                SubjectId = record.Entry.SubjectId,
                RecordId = recordId,
                CatalogCode = record.Entry.CatalogCode,
                OccurredAt = record.Entry.OccurredAt,
                ReceivedAt = time.GetUtcNow(),
                SourceDepartment = record.Entry.SourceDepartment,
                NewStatus = RecordStatus.Revoked,
                Actor = submitter.Actor,
                Reason = reason,
            },
        ]);
        return new RevokeOutcome(recordId, RecordStatus.Revoked, null);
    }

    /// <summary>The identity of a record's content: a resubmission is a duplicate exactly when this matches.</summary>
    public static RecordHash ContentHash(string catalogCode, string subjectId, DateTimeOffset occurredAt, string payloadJson, string? supersedes)
    {
        // SHA-256 of the fields joined by U+001F, in UTF-8, through a pooled buffer: nothing is allocated.
        Span<char> ticks = stackalloc char[20];
        occurredAt.UtcTicks.TryFormat(ticks, out var ticksLength, provider: System.Globalization.CultureInfo.InvariantCulture);
        var length = (catalogCode.Length + subjectId.Length + ticksLength + payloadJson.Length + (supersedes?.Length ?? 0)) * 3 + 4;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Utf8(catalogCode, buffer, 0);
            written = Utf8(subjectId, buffer, Separator(buffer, written));
            written = Utf8(ticks[..ticksLength], buffer, Separator(buffer, written));
            written = Utf8(payloadJson, buffer, Separator(buffer, written));
            written = Utf8(supersedes, buffer, Separator(buffer, written));
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(buffer.AsSpan(0, written), hash);
            return RecordHash.FromBytes(hash);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        static int Separator(byte[] buffer, int at)
        {
            buffer[at] = 0x1F;
            return at + 1;
        }

        static int Utf8(ReadOnlySpan<char> text, byte[] buffer, int at) => at + Encoding.UTF8.GetBytes(text, buffer.AsSpan(at));
    }

    private static (LedgerEntry?, ItemError?) Fail(string code, string detail) => (null, new ItemError(code, detail));
}
