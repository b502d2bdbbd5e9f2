using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using RuralCredit.Domain;

namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>Reads a JSON request body, turning every malformed body into a 400 <c>validation_failed</c>.</summary>
public static class JsonBody
{
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "validation_failed", "Content-Type must be application/json"));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, DomainJson.Options, cancellationToken);
            if (value is System.Text.Json.Nodes.JsonObject read)
            {
                _ = read.Count; // its members are taken on first use: a member named twice throws here, not in the endpoint
            }

            return value is null ? (null, Problems.Validation("the body must be a JSON object")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.Validation($"malformed JSON: {JsonErrors.Describe(ex)}"));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // Valid JSON this reader cannot take: a member named twice in an object, an unpaired surrogate escape.
            return (null, Problems.Validation($"the body cannot be read: {ex.Message}"));
        }
    }

    /// <summary>
    /// Reads a batch body <c>{"&lt;arrayName&gt;": [...]}</c> item by item (Appendix A: a rejected item carries its
    /// error, the others are processed normally): an item the serializer refuses (a number where a string belongs, say)
    /// comes back as its error, not as a 400 for the whole batch. The body itself must be JSON, an object with that
    /// array, of at most <paramref name="maxItems"/> items.
    /// </summary>
    public static async Task<(List<(T? Item, string? Error)>? Items, ProblemHttpResult? Problem)> ReadBatchAsync<T>(
        HttpRequest request, string arrayName, int maxItems, CancellationToken cancellationToken)
        where T : class
    {
        var (document, problem) = await ReadAsync<JsonDocument>(request, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        using (document)
        {
            if (document!.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty(arrayName, out var array)
                || array.ValueKind != JsonValueKind.Array)
            {
                return (null, Problems.Validation($"the body must be an object with a {arrayName} array"));
            }

            var count = array.GetArrayLength();
            if (count > maxItems)
            {
                return (null, Problems.Create(StatusCodes.Status413PayloadTooLarge, "batch_too_large", $"at most {maxItems} {arrayName} per batch, got {count}"));
            }

            var items = new List<(T? Item, string? Error)>(count);
            foreach (var element in array.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object)
                {
                    items.Add((null, "an item must be a JSON object"));
                    continue;
                }

                try
                {
                    items.Add((element.Deserialize<T>(DomainJson.Options), null));
                }
                catch (JsonException ex)
                {
                    items.Add((null, JsonErrors.Describe(ex)));
                }
            }

            return (items, null);
        }
    }

    /// <summary>A string value's text; false when it is not a string or holds an unpaired surrogate escape (no text).</summary>
    public static bool TryText(JsonElement value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
    {
        text = null;
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A string property of an item, or an error naming it.</summary>
    public static string? String(JsonElement item, string name, bool required, List<string> errors)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add($"{name} is required");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{name} must be a string");
            return null;
        }

        if (!TryText(value, out var text))
        {
            errors.Add($"{name} must be valid text (it holds an unpaired surrogate escape)");
            return null;
        }

        if (text.Contains('\0'))
        {
            errors.Add($"{name} must not contain NUL characters");
            return null;
        }

        return text;
    }

    /// <summary>An optional non-negative integer property.</summary>
    public static int? Int(JsonElement item, string name, List<string> errors)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var i))
        {
            errors.Add($"{name} must be an integer");
            return null;
        }

        return i;
    }
}
