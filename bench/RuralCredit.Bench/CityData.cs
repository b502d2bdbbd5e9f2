using System.Buffers;
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using RuralCredit.Demo;
using RuralCredit.Models;

namespace RuralCredit.Bench;

/// <summary>The synthetic city, generated once up front and held in memory (regions, subjects, records).</summary>
internal sealed class CityData
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private CityData(DemoCity city, IReadOnlyList<RegionInfo> regions, List<SubjectRegistration> subjects, List<RecordSubmission> records, TimeSpan generation)
    {
        City = city;
        Regions = regions;
        Subjects = subjects;
        Records = records;
        GenerationTime = generation;
        VillageCodes = [.. regions.Where(r => r.Level == RegionLevels.Village).Select(r => r.Code)];
    }

    public DemoCity City { get; }

    /// <summary>City, counties, townships, then villages (parents first).</summary>
    public IReadOnlyList<RegionInfo> Regions { get; }

    public List<SubjectRegistration> Subjects { get; }

    public List<RecordSubmission> Records { get; }

    public List<string> VillageCodes { get; }

    public TimeSpan GenerationTime { get; }

    public static CityData Generate(BenchOptions options)
    {
        var started = Stopwatch.GetTimestamp();
        var city = new DemoCity(DemoScale.ForSubjects(options.Subjects, options.Records), DateTimeOffset.UtcNow);
        var regions = city.Regions();
        var subjects = new List<SubjectRegistration>(city.SubjectCount);
        subjects.AddRange(city.Subjects());
        var records = new List<RecordSubmission>((int)Math.Min(int.MaxValue, city.RecordCountEstimate + 1024));
        records.AddRange(city.Records());
        return new CityData(city, regions, subjects, records, Stopwatch.GetElapsedTime(started));
    }

    /// <summary><c>{"regions":[...]}</c> for PUT /v1/regions.</summary>
    public static byte[] RegionsBody(IEnumerable<RegionInfo> regions) =>
        JsonSerializer.SerializeToUtf8Bytes(new { regions }, Json);

    /// <summary><c>{"subjects":[...]}</c> for PUT /v1/subjects.</summary>
    public static byte[] SubjectsBody(IEnumerable<SubjectRegistration> subjects) =>
        JsonSerializer.SerializeToUtf8Bytes(new { subjects }, Json);

    /// <summary><c>{"records":[...]}</c> for POST /v1/records (persons by idNumber, organisations by subjectId).</summary>
    public static byte[] RecordsBody(List<RecordSubmission> records, int start, int count)
    {
        var buffer = new ArrayBufferWriter<byte>(count * 320 + 64);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartArray("records");
            for (var i = start; i < start + count; i++)
            {
                var r = records[i];
                w.WriteStartObject();
                w.WriteString("recordId", r.RecordId);
                w.WriteString("catalogCode", r.CatalogCode);
                if (r.SubjectId is not null)
                {
                    w.WriteString("subjectId", r.SubjectId);
                }

                if (r.IdNumber is not null)
                {
                    w.WriteString("idNumber", r.IdNumber);
                }

                w.WriteString("occurredAt", r.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
                w.WritePropertyName("payload");
                w.WriteRawValue(r.PayloadJson, skipInputValidation: true);
                if (r.Supersedes is not null)
                {
                    w.WriteString("supersedes", r.Supersedes);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
