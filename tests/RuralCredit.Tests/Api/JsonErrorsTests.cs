using System.Text.Json;
using RuralCredit.ApiHost.Infrastructure;

namespace RuralCredit.Tests.Api;

/// <summary>What a body's author reads when the serializer refuses a body: the place and the expected JSON, no .NET names.</summary>
public sealed class JsonErrorsTests
{
    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.General) { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public sealed class Sample
    {
        public decimal Base { get; init; }

        public int Count { get; init; }

        public string? Name { get; init; }

        public bool Enabled { get; init; }

        public DateTimeOffset At { get; init; }

        public decimal? Limit { get; init; }

        public Inner? Child { get; init; }
    }

    public sealed class Inner
    {
        public int Level { get; init; }
    }

    /// <summary>Built through its constructor: the serializer names this type, not the member's.</summary>
    public sealed record Positional(decimal Base);

    public sealed record WithRequired
    {
        public required string NameZh { get; init; }

        public required string Category { get; init; }
    }

    [Theory]
    [InlineData("{\"base\": \"650\"}", "expected a number (at $.base)")]
    [InlineData("{\"count\": 1.5}", "expected an integer (at $.count)")]
    [InlineData("{\"name\": 5}", "expected a string (at $.name)")]
    [InlineData("{\"enabled\": \"yes\"}", "expected true or false (at $.enabled)")]
    [InlineData("{\"at\": \"yesterday\"}", "expected an ISO-8601 date or instant (at $.at)")]
    [InlineData("{\"limit\": \"x\"}", "expected a number or null (at $.limit)")]
    [InlineData("{\"child\": 3}", "a value of the wrong type or format (at $.child)")]
    [InlineData("{\"child\": {\"level\": []}}", "expected an integer (at $.child.level)")]
    [InlineData("{\"base\": ", "Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed (at $.base)")]
    [InlineData("hello", "'h' is an invalid start of a value")]
    public void A_refused_body_is_described_by_place_and_expected_json(string json, string expected)
    {
        var exception = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Sample>(json, Strict));
        Assert.Equal(expected, JsonErrors.Describe(exception));
    }

    [Fact]
    public void A_member_of_an_object_built_through_its_constructor_is_placed_without_naming_a_type()
    {
        var exception = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Positional>("{\"base\": true}", Strict));
        Assert.Equal("a value of the wrong type or format (at $.base)", JsonErrors.Describe(exception));
    }

    [Fact]
    public void Missing_required_properties_are_named()
    {
        var exception = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<WithRequired>("{}", Strict));
        Assert.Equal("missing required properties: 'nameZh', 'category'", JsonErrors.Describe(exception));
    }
}
