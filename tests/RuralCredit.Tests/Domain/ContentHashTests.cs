using RuralCredit.Grains;

namespace RuralCredit.Tests.Domain;

/// <summary>
/// A record's content hash decides duplicate or conflict against what the ledger already holds, so its format never
/// changes: the first 12 bytes of SHA-256 over the UTF-8 fields joined by U+001F, in upper-case hex.
/// </summary>
public sealed class ContentHashTests
{
    private static readonly DateTimeOffset March1 = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("TAX_ARREARS", "P3ABC", """{"amount": 120.5, "备注": "欠税"}""", null, "A56CB05074BB70E4E953EB29")]
    [InlineData("LOAN_ISSUED", "91321300MA1XXXXX0X", "{}", "r-old", "D5B9D5D8D309FE217C968937")]
    public void The_hash_of_known_content_is_stable(string catalogCode, string subjectId, string payload, string? supersedes, string expected) =>
        Assert.Equal(expected, RecordIngestGrain.ContentHash(catalogCode, subjectId, March1, payload, supersedes));

    [Fact]
    public void Any_field_and_the_instant_change_the_hash_and_an_offset_of_the_same_instant_does_not()
    {
        var hash = RecordIngestGrain.ContentHash("TAX_ARREARS", "P3ABC", March1, "{}", null);
        Assert.Equal(hash, RecordIngestGrain.ContentHash("TAX_ARREARS", "P3ABC", March1.ToOffset(TimeSpan.FromHours(8)), "{}", null));
        Assert.Equal(hash, RecordIngestGrain.ContentHash("TAX_ARREARS", "P3ABC", March1, "{}", ""));
        Assert.NotEqual(hash, RecordIngestGrain.ContentHash("TAX_ARREARS", "P3ABD", March1, "{}", null));
        Assert.NotEqual(hash, RecordIngestGrain.ContentHash("TAX_ARREAR", "SP3ABC", March1, "{}", null));
        Assert.NotEqual(hash, RecordIngestGrain.ContentHash("TAX_ARREARS", "P3ABC", March1.AddTicks(1), "{}", null));
        Assert.NotEqual(hash, RecordIngestGrain.ContentHash("TAX_ARREARS", "P3ABC", March1, "{ }", null));
        Assert.NotEqual(hash, RecordIngestGrain.ContentHash("TAX_ARREARS", "P3ABC", March1, "{}", "r-1"));
        Assert.Matches("^[0-9A-F]{24}$", hash);
    }
}
