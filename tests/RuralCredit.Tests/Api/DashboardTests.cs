using System.Net;
using RuralCredit.Silo.Hosting;
using RuralCredit.Tests.Infrastructure;

namespace RuralCredit.Tests.Api;

/// <summary>
/// The Orleans Dashboard at <c>/orleans</c>, for operators (a browser signs in with HTTP Basic, the key as the password),
/// without its once-a-second counters sampler by default.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DashboardTests(CreditApiFactory api)
{
    [Fact]
    public async Task The_dashboard_shows_the_cluster_and_its_counters_sampler_is_off_by_default()
    {
        using var client = api.Client(null);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("operator:" + CreditApiFactory.OperatorKey)));
        using (var page = await client.GetAsync("/orleans/"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        }

        // The dashboard grain gathers the silos' figures every second.
        ApiResponse? counters = null;
        await CreditApiFactory.WaitUntilAsync(
            async () => (counters = await client.GetJsonAsync("/orleans/DashboardCounters")).Status == HttpStatusCode.OK
                && counters.Json["totalActiveHostCount"]?.GetValue<int>() == 1
                && counters.Json["totalActivationCount"]?.GetValue<int>() > 0,
            CreditApiFactory.Eventually,
            () => $"the dashboard should show one silo and its activations: {counters?.Body[..Math.Min(300, counters.Body.Length)]}");
        Assert.NotEmpty(counters!.Json.Arr("simpleGrainStats"));

        Assert.Equal("true", Environment.GetEnvironmentVariable(DashboardCounters.SdkDisabledVariable));
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("operator:wrong-key", HttpStatusCode.Unauthorized)]
    [InlineData("anyone:" + CreditApiFactory.DashboardKey, HttpStatusCode.Forbidden)]
    [InlineData("anyone:" + CreditApiFactory.OperatorKey, HttpStatusCode.OK)]
    public async Task The_dashboard_and_its_log_stream_are_for_operators(string? credentials, HttpStatusCode expected)
    {
        using var client = api.Client(null);
        if (credentials is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials)));
        }

        using var page = await client.GetAsync("/orleans/");
        using var counters = await client.GetAsync("/orleans/DashboardCounters");
        Assert.Equal((expected, expected), (page.StatusCode, counters.StatusCode));
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.StartsWith("Basic realm=", page.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal); // the browser asks for the key
        }
    }

    [Fact]
    public async Task The_dashboard_page_is_served_at_the_root_and_not_under_the_api()
    {
        using var client = api.Client(null);
        foreach (var path in new[] { "/", "/index.html" })
        {
            using var page = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("<title>", await page.Content.ReadAsStringAsync());
        }

        using var underApi = await client.GetAsync("/v1/index.html");
        Assert.Equal(HttpStatusCode.NotFound, underApi.StatusCode);
    }
}
