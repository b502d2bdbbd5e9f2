using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RuralCredit.Tests.Infrastructure;

/// <summary>A response: its status, headers and JSON body (an empty object when the body is empty or not JSON).</summary>
public sealed record ApiResponse(HttpStatusCode Status, JsonNode Json, string Body, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders)
{
    /// <summary>The problem <c>code</c> of an error response.</summary>
    public string? Code => Json is JsonObject o && o["code"] is JsonValue v ? v.GetValue<string>() : null;
}

/// <summary>JSON requests against the API, read as <see cref="JsonNode"/> so that field names are checked as sent.</summary>
public static class HttpJson
{
    public static Task<ApiResponse> GetJsonAsync(this HttpClient client, string url) =>
        SendAsync(client, new HttpRequestMessage(HttpMethod.Get, url));

    public static Task<ApiResponse> PutJsonAsync(this HttpClient client, string url, JsonNode body) =>
        SendRawAsync(client, HttpMethod.Put, url, body.ToJsonString());

    public static Task<ApiResponse> PostJsonAsync(this HttpClient client, string url, JsonNode body) =>
        SendRawAsync(client, HttpMethod.Post, url, body.ToJsonString());

    /// <summary>Sends <paramref name="json"/> verbatim (it may be malformed on purpose).</summary>
    public static Task<ApiResponse> SendRawAsync(this HttpClient client, HttpMethod method, string url, string json) =>
        SendAsync(client, new HttpRequestMessage(method, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

    public static async Task<ApiResponse> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            JsonNode json = new JsonObject();
            if (body.Length > 0)
            {
                try
                {
                    json = JsonNode.Parse(body) ?? new JsonObject();
                }
                catch (JsonException)
                {
                    // not JSON (e.g. a health check's plain text): keep the empty object, the raw body is kept too
                }
            }

            return new ApiResponse(response.StatusCode, json, body, response.Headers, response.Content.Headers);
        }
    }

    /// <summary>A string member.</summary>
    public static string Str(this JsonNode node, string name) =>
        node[name] is JsonValue v ? v.GetValue<string>() : throw new Xunit.Sdk.XunitException($"{name} is missing or not a string in {node.ToJsonString()}");

    /// <summary>An integer member.</summary>
    public static int Int(this JsonNode node, string name) =>
        node[name] is JsonValue v ? v.GetValue<int>() : throw new Xunit.Sdk.XunitException($"{name} is missing or not a number in {node.ToJsonString()}");

    /// <summary>A 64-bit integer member.</summary>
    public static long Long(this JsonNode node, string name) =>
        node[name] is JsonValue v ? v.GetValue<long>() : throw new Xunit.Sdk.XunitException($"{name} is missing or not a number in {node.ToJsonString()}");

    /// <summary>A number member.</summary>
    public static double Num(this JsonNode node, string name) =>
        node[name] is JsonValue v ? v.GetValue<double>() : throw new Xunit.Sdk.XunitException($"{name} is missing or not a number in {node.ToJsonString()}");

    /// <summary>A decimal member.</summary>
    public static decimal Dec(this JsonNode node, string name) =>
        node[name] is JsonValue v ? v.GetValue<decimal>() : throw new Xunit.Sdk.XunitException($"{name} is missing or not a number in {node.ToJsonString()}");

    /// <summary>An array member.</summary>
    public static JsonArray Arr(this JsonNode node, string name) =>
        node[name] as JsonArray ?? throw new Xunit.Sdk.XunitException($"{name} is missing or not an array in {node.ToJsonString()}");

    /// <summary>An object member.</summary>
    public static JsonObject Obj(this JsonNode node, string name) =>
        node[name] as JsonObject ?? throw new Xunit.Sdk.XunitException($"{name} is missing or not an object in {node.ToJsonString()}");
}
