using RuralCredit.Grains;
using RuralCredit.Models;

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
        Assert.Equal(expected, RecordIngestGrain.ContentHash(catalogCode, subjectId, March1, payload, supersedes).ToString());

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
        Assert.Matches("^[0-9A-F]{24}$", hash.ToString());
    }

    [Fact]
    public void The_stored_form_reads_back_to_the_same_hash_and_nothing_else_is_taken_for_one()
    {
        var hash = RecordIngestGrain.ContentHash("TAX_ARREARS", "P3ABC", March1, "{}", null);
        Assert.Equal(hash, RecordHash.Parse(hash.ToString()));
        Assert.Equal(new RecordHash(0x0123456789ABCDEF, 0x00000A0B), RecordHash.Parse("0123456789ABCDEF00000A0B"));
        Assert.Equal("0123456789ABCDEF00000A0B", new RecordHash(0x0123456789ABCDEF, 0x00000A0B).ToString());
        Assert.Throws<FormatException>(() => RecordHash.Parse("0123456789ABCDEF00000A0"));
        Assert.Throws<FormatException>(() => RecordHash.Parse("0123456789ABCDEF00000A0BC"));
        Assert.Throws<FormatException>(() => RecordHash.Parse("0123456789ABCDEF00000A0G"));
    }
}
