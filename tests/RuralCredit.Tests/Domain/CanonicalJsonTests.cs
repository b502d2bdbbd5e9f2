using System.Text.Json;
using RuralCredit.Domain;

namespace RuralCredit.Tests.Domain;

/// <summary>One text for one JSON value, so that a record's content compares by meaning (SPEC §2.4: identical is a duplicate).</summary>
public sealed class CanonicalJsonTests
{
    private static string Canonical(string json)
    {
        using var document = JsonDocument.Parse(json);
        return CanonicalJson.Write(document.RootElement);
    }

    [Theory]
    [InlineData("{\"b\":1,\"a\":2}", "{\"a\":2,\"b\":1}")]
    [InlineData("{ \"a\" : { \"d\":1, \"c\":[3, {\"y\":1,\"x\":2}] } }", "{\"a\":{\"c\":[3,{\"x\":2,\"y\":1}],\"d\":1}}")]
    [InlineData("{\"amount\":200.0}", "{\"amount\":200}")]
    [InlineData("{\"amount\":2e2}", "{\"amount\":200}")]
    [InlineData("{\"amount\":0.10}", "{\"amount\":0.1}")]
    [InlineData("{\"amount\":12345678.12}", "{\"amount\":12345678.12}")]
    [InlineData("{\"amount\":123456789012345678.123}", "{\"amount\":123456789012345678.123}")] // more digits than a double: kept as written
    [InlineData("{\"event\":\"孝老爱亲\",\"ok\":true,\"none\":null}", "{\"event\":\"孝老爱亲\",\"none\":null,\"ok\":true}")]
    [InlineData("{\"s\":\"a\\u0041\\\"\"}", "{\"s\":\"aA\\\"\"}")]
    public void Writes_one_text_per_value(string json, string expected) => Assert.Equal(expected, Canonical(json));

    [Fact]
    public void Differently_written_equal_payloads_have_one_text()
    {
        Assert.Equal(Canonical("{\"decisionNo\":\"x\",\"amount\":200}"), Canonical("{\"amount\":200.00,\"decisionNo\":\"x\"}"));
        Assert.NotEqual(Canonical("{\"amount\":200}"), Canonical("{\"amount\":200.01}"));
    }
}
