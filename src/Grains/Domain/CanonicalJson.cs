using System.Buffers;
using System.Text;
using System.Text.Json;

namespace RuralCredit.Domain;

/// <summary>
/// One text for one JSON value: object members in the byte order of their UTF-8 names, numbers in their shortest round-trip
/// form (<c>200</c> for <c>200.0</c> or <c>2e2</c>), strings unescaped where JSON allows (Chinese stays two bytes).
/// A record's payload is kept in this form, so a resubmission whose payload differs only in member order or number
/// spelling is the same content, a duplicate (SPEC §2.4), not a conflict.
/// </summary>
public static class CanonicalJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = DomainJson.Options.Encoder };

    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? t_writer;

    /// <summary>The canonical text of <paramref name="value"/>.</summary>
    public static string Write(JsonElement value)
    {
        // A writer per thread, reset for each value: payloads are written for every record of an import.
        var (buffer, writer) = t_writer ??= NewWriter();
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        WriteValue(writer, value);
        writer.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static (ArrayBufferWriter<byte>, Utf8JsonWriter) NewWriter()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        return (buffer, new Utf8JsonWriter(buffer, WriterOptions));
    }

    private static void WriteValue(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                if (IsOrdered(value))
                {
                    foreach (var property in value.EnumerateObject())
                    {
                        WriteProperty(writer, property);
                    }
                }
                else
                {
                    var properties = value.EnumerateObject().ToArray();
                    Array.Sort(properties, static (a, b) => RawName(a).SequenceCompareTo(RawName(b)));
                    foreach (var property in properties)
                    {
                        WriteProperty(writer, property);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Number when Shortest(value) is { } number:
                writer.WriteNumberValue(number);
                break;
            default:
                value.WriteTo(writer); // strings, booleans, null; a number no double holds exactly, as written
                break;
        }
    }

    /// <summary>
    /// The number as a double when the double's shortest form means exactly the same decimal value as the text
    /// (<c>200.0</c>, <c>2e2</c>, <c>0.1</c>); null when it would not (more digits than a double holds): such a number
    /// is kept as written, never rounded.
    /// </summary>
    private static double? Shortest(JsonElement value)
    {
        if (IsPlainInteger(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value)))
        {
            return null; // already in its shortest form: written as it is
        }

        if (!value.TryGetDouble(out var number) || !double.IsFinite(number) || !value.TryGetDecimal(out var exact))
        {
            return null;
        }

        return decimal.TryParse(number.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var shortest)
            && shortest == exact
            ? number
            : null;
    }

    /// <summary>Digits with an optional minus and no leading zero: an integer's shortest form (the usual payload number).</summary>
    private static bool IsPlainInteger(ReadOnlySpan<byte> text)
    {
        if (text.Length > 0 && text[0] == (byte)'-')
        {
            text = text[1..];
        }

        return text.Length is > 0 and <= 15 && (text[0] != (byte)'0' || text.Length == 1) && !text.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private static void WriteProperty(Utf8JsonWriter writer, JsonProperty property)
    {
        var name = RawName(property);
        if (name.Contains((byte)'\\'))
        {
            writer.WritePropertyName(property.Name); // an escaped name: unescaped, then escaped as the encoder does
        }
        else
        {
            writer.WritePropertyName(name);
        }

        WriteValue(writer, property.Value);
    }

    /// <summary>A member's name as it stands in the text (UTF-8, no string made): members are ordered by these bytes.</summary>
    private static ReadOnlySpan<byte> RawName(JsonProperty property) => System.Runtime.InteropServices.JsonMarshal.GetRawUtf8PropertyName(property);

    /// <summary>Whether the members already come in order (the usual case: one pass, nothing sorted).</summary>
    private static bool IsOrdered(JsonElement value)
    {
        var previous = default(JsonProperty);
        var first = true;
        foreach (var property in value.EnumerateObject())
        {
            if (!first && RawName(previous).SequenceCompareTo(RawName(property)) > 0)
            {
                return false;
            }

            previous = property;
            first = false;
        }

        return true;
    }
}
