using System.Net;
using System.Text.Json.Nodes;
using RuralCredit.Tests.Infrastructure;
using static RuralCredit.Tests.Infrastructure.CreditApiFactory;

namespace RuralCredit.Tests.Api;

/// <summary>
/// Who may call what (Appendix A, policies in src/ApiHost/Infrastructure/HostingExtensions.cs): a missing or unknown key
/// is 401 <c>unauthorized</c>; a known key of the wrong role is 403 <c>forbidden</c>; an allowed key reaches the
/// endpoint, which answers with its own status (the requests are harmless: empty batches or invalid bodies).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class AuthTests(CreditApiFactory api)
{
    private const string NoKey = "(none)";
    private const string UnknownKey = "no-such-key";

    /// <summary>Endpoint → status for operator, integrator, bank, dashboard.</summary>
    private static readonly Dictionary<string, (int Operator, int Integrator, int Bank, int Dashboard)> Matrix = new()
    {
        ["PUT /v1/regions"] = (200, 200, 403, 403),
        ["PUT /v1/subjects"] = (200, 200, 403, 403),
        ["POST /v1/records"] = (202, 202, 403, 403),
        ["POST /v1/records/{id}/revoke"] = (404, 404, 403, 403),
        ["GET /v1/subjects/{id}"] = (404, 403, 403, 403),
        ["GET /v1/subjects/{id}/explain"] = (404, 403, 403, 403),
        ["GET /v1/subjects/{id}/records"] = (404, 403, 403, 403),
        ["GET /v1/households/{id}"] = (404, 403, 403, 403),
        ["GET /v1/regions/{code}"] = (200, 403, 403, 200),
        ["GET /v1/regions/{code}/children"] = (200, 403, 403, 200),
        ["GET /v1/catalog"] = (200, 200, 200, 403),
        ["PUT /v1/catalog/{code}"] = (400, 403, 403, 403),
        ["GET /v1/models/farmer"] = (200, 200, 200, 403),
        ["PUT /v1/models/farmer"] = (400, 403, 403, 403),
        ["POST /v1/models/farmer/{version}/publish"] = (404, 403, 403, 403),
        ["GET /v1/jobs/{id}"] = (404, 403, 403, 403),
        ["GET /v1/live/regions/{code}"] = (200, 403, 403, 200),
        ["POST /v1/points/redemptions"] = (400, 403, 403, 403),
    };

    public static TheoryData<string, string, int> Cases()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var (endpoint, expected) in Matrix)
        {
            data.Add(endpoint, NoKey, 401);
            data.Add(endpoint, UnknownKey, 401);
            data.Add(endpoint, OperatorKey, expected.Operator);
            data.Add(endpoint, IntegratorKey, expected.Integrator);
            data.Add(endpoint, BankKey, expected.Bank);
            data.Add(endpoint, DashboardKey, expected.Dashboard);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_role_gets_exactly_its_endpoints(string endpoint, string key, int expected)
    {
        using var client = api.Client(key == NoKey ? null : key);
        var (method, url, body) = Request(endpoint);
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.True(expected == (int)response.StatusCode, $"{endpoint} with {key}: expected {expected}, got {(int)response.StatusCode}");
        if (expected is 401 or 403)
        {
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(expected == 401 ? "unauthorized" : "forbidden", problem.Str("code"));
            Assert.Equal(expected, problem.Int("status"));
            Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        }

        if (expected == 401)
        {
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }

        if (endpoint.StartsWith("GET /v1/live", StringComparison.Ordinal) && expected == 200)
        {
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task The_live_stream_accepts_the_key_as_access_token_for_EventSource_clients()
    {
        using var client = api.Client(null);
        using var allowed = await client.GetAsync($"/v1/live/regions/{CityCode}?access_token={DashboardKey}", HttpCompletionOption.ResponseHeadersRead);
        using var forbidden = await client.GetAsync($"/v1/live/regions/{CityCode}?access_token={BankKey}", HttpCompletionOption.ResponseHeadersRead);
        using var unknown = await client.GetAsync($"/v1/live/regions/{CityCode}?access_token={UnknownKey}", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    [Fact]
    public async Task A_key_in_the_url_is_refused_everywhere_but_on_the_live_streams()
    {
        // A key in a URL ends up in proxies' logs and browsers' histories: only EventSource clients need it.
        using var client = api.Client(null);
        using var region = await client.GetAsync($"/v1/regions/{CityCode}?access_token={OperatorKey}");
        using var subject = await client.GetAsync($"/v1/subjects/PNOSUCHSUBJECTXXXXXXX?access_token={OperatorKey}");
        using var withOtherHeader = new HttpRequestMessage(HttpMethod.Get, $"/v1/live/regions/{CityCode}?access_token={OperatorKey}");
        withOtherHeader.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("x:y"u8.ToArray()));
        using var live = await client.SendAsync(withOtherHeader, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Unauthorized, region.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, subject.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, live.StatusCode); // another scheme named: the URL's key is not taken instead
    }

    private static (HttpMethod Method, string Url, JsonNode? Body) Request(string endpoint) => endpoint switch
    {
        "PUT /v1/regions" => (HttpMethod.Put, "/v1/regions", new JsonObject { ["regions"] = new JsonArray() }),
        "PUT /v1/subjects" => (HttpMethod.Put, "/v1/subjects", new JsonObject { ["subjects"] = new JsonArray() }),
        "POST /v1/records" => (HttpMethod.Post, "/v1/records", new JsonObject { ["records"] = new JsonArray() }),
        "POST /v1/records/{id}/revoke" => (HttpMethod.Post, "/v1/records/r-auth-probe/revoke", new JsonObject { ["reason"] = "probe" }),
        "GET /v1/subjects/{id}" => (HttpMethod.Get, "/v1/subjects/PAUTHPROBEAUTHPROBEAU", null),
        "GET /v1/subjects/{id}/explain" => (HttpMethod.Get, "/v1/subjects/PAUTHPROBEAUTHPROBEAU/explain", null),
        "GET /v1/subjects/{id}/records" => (HttpMethod.Get, "/v1/subjects/PAUTHPROBEAUTHPROBEAU/records", null),
        "GET /v1/households/{id}" => (HttpMethod.Get, "/v1/households/H-AUTH-PROBE", null),
        "GET /v1/regions/{code}" => (HttpMethod.Get, $"/v1/regions/{CityCode}", null),
        "GET /v1/regions/{code}/children" => (HttpMethod.Get, $"/v1/regions/{CityCode}/children", null),
        "GET /v1/catalog" => (HttpMethod.Get, "/v1/catalog", null),
        "PUT /v1/catalog/{code}" => (HttpMethod.Put, "/v1/catalog/AUTH_PROBE", new JsonObject { ["code"] = "AUTH_PROBE", ["category"] = "no such category" }),
        "GET /v1/models/farmer" => (HttpMethod.Get, "/v1/models/farmer", null),
        "PUT /v1/models/farmer" => (HttpMethod.Put, "/v1/models/farmer", new JsonObject { ["base"] = "not a number" }),
        "POST /v1/models/farmer/{version}/publish" => (HttpMethod.Post, "/v1/models/farmer/9999/publish", null),
        "GET /v1/jobs/{id}" => (HttpMethod.Get, "/v1/jobs/auth-probe", null),
        "GET /v1/live/regions/{code}" => (HttpMethod.Get, $"/v1/live/regions/{CityCode}", null),
        "POST /v1/points/redemptions" => (HttpMethod.Post, "/v1/points/redemptions", new JsonObject()),
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, "no request for this endpoint"),
    };
}
