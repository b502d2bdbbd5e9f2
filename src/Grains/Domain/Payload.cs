using System.Globalization;
using System.Text.Json;

namespace RuralCredit.Domain;

/// <summary>Validation of a record payload against a catalog item's schema, and typed reads of its fields.</summary>
public static class Payload
{
    public static readonly IReadOnlySet<string> FieldTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "string", "number", "integer", "boolean", "date",
    };

    /// <summary>True when a schema type (with an optional trailing <c>?</c>) is known.</summary>
    public static bool IsKnownType(string type) => FieldTypes.Contains(type.TrimEnd('?'));

    /// <summary>Returns null when <paramref name="payload"/> satisfies <paramref name="schema"/>, else why not.</summary>
    public static string? Validate(JsonElement payload, IReadOnlyDictionary<string, string> schema)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return "payload must be a JSON object";
        }

        if (ContainsNul(payload))
        {
            return "payload must not contain NUL characters (\\u0000)";
        }

        foreach (var (field, declared) in schema)
        {
            if (Check(payload, field, declared) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? Check(JsonElement payload, string field, string declared)
    {
        var optional = declared.EndsWith('?');
        var type = optional ? declared.AsSpan(0, declared.Length - 1) : declared.AsSpan();
        if (!payload.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return optional ? null : $"payload.{field} is required ({type})";
        }

        if (!Matches(value, type))
        {
            return $"payload.{field} must be of type {type}";
        }

        return type is "number" or "integer" && !InRange(value.GetDouble())
            ? $"payload.{field} must be between 0 and {MaxQuantity:0} (payload numbers are quantities: amounts, areas, hours, counts)"
            : null;
    }

    /// <summary>
    /// The largest number a payload may hold: a quantity far beyond any credit record (amounts are in yuan), and small
    /// enough that sums over a whole city stay exact in <see cref="decimal"/>.
    /// </summary>
    public const double MaxQuantity = 1e15;

    private static bool InRange(double value) => value is >= 0 and <= MaxQuantity;

    private static bool Matches(JsonElement value, ReadOnlySpan<char> type) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && double.IsFinite(d),
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "date" => value.ValueKind == JsonValueKind.String && TryParseDate(value.GetString(), out _),
        _ => false,
    };

    /// <summary>
    /// True when a name or string anywhere in <paramref name="value"/> holds U+0000, which no archive can store as text.
    /// JSON text cannot hold a raw NUL, only the escape <c>\u0000</c>: the raw bytes are scanned for it (an escape is
    /// one when an odd number of backslashes leads it), without reading a string out.
    /// </summary>
    private static bool ContainsNul(JsonElement value)
    {
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value);
        int i;
        while ((i = raw.IndexOf("\\u0000"u8)) >= 0)
        {
            var backslashes = 1;
            while (i - backslashes >= 0 && raw[i - backslashes] == (byte)'\\')
            {
                backslashes++;
            }

            if (backslashes % 2 == 1)
            {
                return true;
            }

            raw = raw[(i + 6)..];
        }

        return false;
    }

    /// <summary>Parses an ISO-8601 date (<c>2025-03-01</c>, midnight UTC) or instant.</summary>
    public static bool TryParseDate(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            value = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }

        if (text.Length >= 16 && text[10] == 'T' // an instant, with or without seconds (2025-03-01T08:00Z)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return true;
        }

        return false;
    }

    /// <summary>A numeric field of a payload, or null.</summary>
    public static double? GetNumber(string payloadJson, string field)
    {
        var buffer = Utf8(payloadJson, out var rented);
        try
        {
            var reader = new Utf8JsonReader(buffer);
            return FindValue(ref reader, field) && reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var d) ? d : null;
        }
        finally
        {
            Return(rented);
        }
    }

    /// <summary>A string field of a payload, or null.</summary>
    public static string? GetString(string payloadJson, string field)
    {
        var buffer = Utf8(payloadJson, out var rented);
        try
        {
            var reader = new Utf8JsonReader(buffer);
            return FindValue(ref reader, field) && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        }
        finally
        {
            Return(rented);
        }
    }

    /// <summary>The UTF-8 bytes of a payload in a pooled buffer (payloads are read on every fold: no garbage per read).</summary>
    private static ReadOnlySpan<byte> Utf8(string payloadJson, out byte[] rented)
    {
        rented = System.Buffers.ArrayPool<byte>.Shared.Rent(System.Text.Encoding.UTF8.GetMaxByteCount(payloadJson.Length));
        var length = System.Text.Encoding.UTF8.GetBytes(payloadJson, rented);
        return rented.AsSpan(0, length);
    }

    private static void Return(byte[] rented) => System.Buffers.ArrayPool<byte>.Shared.Return(rented);

    /// <summary>A date field of a payload, or null.</summary>
    public static DateTimeOffset? GetDate(string payloadJson, string field) =>
        TryParseDate(GetString(payloadJson, field), out var value) ? value : null;

    private static bool FindValue(ref Utf8JsonReader reader, string field)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                var match = reader.ValueTextEquals(field);
                reader.Read();
                if (match)
                {
                    return true;
                }

                reader.Skip();
            }
        }

        return false;
    }
}
