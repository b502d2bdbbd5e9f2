using System.Text.Json;
using System.Text.RegularExpressions;

namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>
/// A reader's sentence for a <see cref="JsonException"/>: where in the body, and what was wrong, without the
/// serializer's .NET type names or line/byte positions (e.g. <c>expected a number (at $.base)</c>).
/// </summary>
public static partial class JsonErrors
{
    public static string Describe(JsonException exception)
    {
        var message = exception.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        var what = (cut < 0 ? message : message[..cut]).Trim().TrimEnd('.');
        if (ConversionFailure().Match(what) is { Success: true } conversion)
        {
            what = Expected(conversion.Groups["type"].Value) is { } expected ? "expected " + expected : "a value of the wrong type or format";
        }
        else if (MissingProperties().Match(what) is { Success: true } missing)
        {
            what = "missing required properties: " + missing.Groups["names"].Value;
        }

        return exception.Path is { Length: > 1 } path ? $"{what} (at {path})" : what;
    }

    /// <summary>
    /// The JSON a .NET type is read from, in the words of the body's author; null for other types (the serializer names
    /// the object it was building, not the member, when that object is built through its constructor).
    /// </summary>
    private static string? Expected(string type)
    {
        var name = type.Split('`')[0];
        return name switch
        {
            "System.String" or "System.Char" => "a string",
            "System.Boolean" => "true or false",
            "System.DateTimeOffset" or "System.DateTime" or "System.DateOnly" => "an ISO-8601 date or instant",
            "System.Guid" => "a UUID string",
            "System.Nullable" when NullableArgument().Match(type) is { Success: true } inner && Expected(inner.Groups["type"].Value) is { } value => value + " or null",
            "System.Int16" or "System.Int32" or "System.Int64" or "System.UInt16" or "System.UInt32" or "System.UInt64" or "System.Byte" => "an integer",
            "System.Decimal" or "System.Double" or "System.Single" => "a number",
            _ => null,
        };
    }

    [GeneratedRegex(@"^System\.Nullable`1\[\[?(?<type>[^,\]]+)")]
    private static partial Regex NullableArgument();

    [GeneratedRegex(@"^The JSON value could not be converted to (?<type>.+?)\.?$")]
    private static partial Regex ConversionFailure();

    [GeneratedRegex(@"^JSON deserialization for type '.+?' was missing required properties(?: including)?: (?<names>.+)$")]
    private static partial Regex MissingProperties();
}
