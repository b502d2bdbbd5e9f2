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
            return value is null ? (null, Problems.Validation("the body must be a JSON object")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.Validation($"malformed JSON: {JsonErrors.Describe(ex)}"));
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

        return value.GetString();
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
