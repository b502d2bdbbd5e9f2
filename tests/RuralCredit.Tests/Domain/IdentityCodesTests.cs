using System.Text;
using RuralCredit.Domain;

namespace RuralCredit.Tests.Domain;

/// <summary>
/// 居民身份证号 (GB 11643, ISO 7064 MOD 11-2), 统一社会信用代码 (GB 32100), person subject ids and masking (SPEC §2.2).
/// Every expected check character below is worked out by hand in the comments.
/// </summary>
public sealed class IdentityCodesTests
{
    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("test-secret");
    private static readonly byte[] OtherSecret = Encoding.ASCII.GetBytes("other-secret");

    // 身份证 weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; check = "10X98765432"[sum mod 11].
    //
    // 11010519491231002 (北京东城, born 1949-12-31):
    //   1×7 + 1×9 + 0×10 + 1×5 + 0×8 + 5×4 + 1×2 + 9×1 + 4×6 + 9×3 + 1×7 + 2×9 + 3×10 + 1×5 + 0×8 + 0×4 + 2×2
    //   = 7 + 9 + 0 + 5 + 0 + 20 + 2 + 9 + 24 + 27 + 7 + 18 + 30 + 5 + 0 + 0 + 4 = 167; 167 mod 11 = 2 → 'X'
    // 32130219900101123 (宿城区, born 1990-01-01):
    //   3×7 + 2×9 + 1×10 + 3×5 + 0×8 + 2×4 + 1×2 + 9×1 + 9×6 + 0×3 + 0×7 + 1×9 + 0×10 + 1×5 + 1×8 + 2×4 + 3×2
    //   = 21 + 18 + 10 + 15 + 0 + 8 + 2 + 9 + 54 + 0 + 0 + 9 + 0 + 5 + 8 + 8 + 6 = 173; 173 mod 11 = 8 → '4'
    // 32131119880604123 (宿豫区, born 1988-06-04):
    //   3×7 + 2×9 + 1×10 + 3×5 + 1×8 + 1×4 + 1×2 + 9×1 + 8×6 + 8×3 + 0×7 + 6×9 + 0×10 + 4×5 + 1×8 + 2×4 + 3×2
    //   = 21 + 18 + 10 + 15 + 8 + 4 + 2 + 9 + 48 + 24 + 0 + 54 + 0 + 20 + 8 + 8 + 6 = 255; 255 mod 11 = 2 → 'X'
    // 32132320000229123 (泗阳县, born 2000-02-29, a leap day):
    //   3×7 + 2×9 + 1×10 + 3×5 + 2×8 + 3×4 + 2×2 + 0×1 + 0×6 + 0×3 + 0×7 + 2×9 + 2×10 + 9×5 + 1×8 + 2×4 + 3×2
    //   = 21 + 18 + 10 + 15 + 16 + 12 + 4 + 0 + 0 + 0 + 0 + 18 + 20 + 45 + 8 + 8 + 6 = 201; 201 mod 11 = 3 → '9'
    // 32130219901301123 (month 13, check only):
    //   3×7 + 2×9 + 1×10 + 3×5 + 0×8 + 2×4 + 1×2 + 9×1 + 9×6 + 0×3 + 1×7 + 3×9 + 0×10 + 1×5 + 1×8 + 2×4 + 3×2
    //   = 21 + 18 + 10 + 15 + 0 + 8 + 2 + 9 + 54 + 0 + 7 + 27 + 0 + 5 + 8 + 8 + 6 = 198; 198 mod 11 = 0 → '1'
    // 32132419950229123 (1995-02-29 does not exist, check only):
    //   3×7 + 2×9 + 1×10 + 3×5 + 2×8 + 4×4 + 1×2 + 9×1 + 9×6 + 5×3 + 0×7 + 2×9 + 2×10 + 9×5 + 1×8 + 2×4 + 3×2
    //   = 21 + 18 + 10 + 15 + 16 + 16 + 2 + 9 + 54 + 15 + 0 + 18 + 20 + 45 + 8 + 8 + 6 = 281; 281 mod 11 = 6 → '6'
    [Theory]
    [InlineData("11010519491231002", 'X')]
    [InlineData("32130219900101123", '4')]
    [InlineData("32131119880604123", 'X')]
    [InlineData("32132320000229123", '9')]
    [InlineData("32130219901301123", '1')]
    [InlineData("32132419950229123", '6')]
    public void IdNumberCheckChar_follows_mod_11_2(string first17, char expected)
    {
        Assert.Equal(expected, IdentityCodes.IdNumberCheckChar(first17));
    }

    [Theory]
    [InlineData("11010519491231002X")]
    [InlineData("11010519491231002x")] // a lower-case x is the same check character
    [InlineData("321302199001011234")]
    [InlineData("32131119880604123X")]
    [InlineData("321323200002291239")] // 2000-02-29 is a real date
    public void IsValidIdNumber_accepts_valid_numbers(string idNumber)
    {
        Assert.True(IdentityCodes.IsValidIdNumber(idNumber));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("110105194912310021")] // check should be X
    [InlineData("321302199001011235")] // check should be 4
    [InlineData("32130219900101123X")] // check should be 4
    [InlineData("11010519491231002")] // 17 characters
    [InlineData("11010519491231002XX")] // 19 characters
    [InlineData("321302199001011234 ")] // trailing space: 19 characters
    [InlineData("11010519491231002A")] // a letter other than X as check
    [InlineData("1101051949123100AX")] // a letter in the body
    [InlineData("A21302199001011234")] // a letter in the region code
    [InlineData("321302199013011231")] // month 13 (check 1 is otherwise right)
    [InlineData("321324199502291236")] // 1995-02-29 does not exist (check 6 is otherwise right)
    public void IsValidIdNumber_rejects_invalid_numbers(string? idNumber)
    {
        Assert.False(IdentityCodes.IsValidIdNumber(idNumber));
    }

    // 统一社会信用代码: charset 0123456789ABCDEFGHJKLMNPQRTUWXY (value = index: A=10 … M=21 … W=28, X=29, Y=30),
    // weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28; check = 31 − (sum mod 31), 31 → 0.
    //
    // 91350100M000100Y4:
    //   9×1 + 1×3 + 3×9 + 5×27 + 0×19 + 1×26 + 0×16 + 0×17 + 21×20 + 0×29 + 0×25 + 0×13 + 1×8 + 0×24 + 0×10 + 30×30 + 4×28
    //   = 9 + 3 + 27 + 135 + 0 + 26 + 0 + 0 + 420 + 0 + 0 + 0 + 8 + 0 + 0 + 900 + 112 = 1640
    //   1640 mod 31 = 1640 − 52×31 (1612) = 28; 31 − 28 = 3 → '3'  (the well-known 91350100M000100Y43)
    // 9132130072112345W:
    //   9×1 + 1×3 + 3×9 + 2×27 + 1×19 + 3×26 + 0×16 + 0×17 + 7×20 + 2×29 + 1×25 + 1×13 + 2×8 + 3×24 + 4×10 + 5×30 + 28×28
    //   = 9 + 3 + 27 + 54 + 19 + 78 + 0 + 0 + 140 + 58 + 25 + 13 + 16 + 72 + 40 + 150 + 784 = 1488
    //   1488 mod 31 = 1488 − 48×31 (1488) = 0; 31 − 0 = 31 → '0'
    // 91321311MA1XY2345:
    //   9×1 + 1×3 + 3×9 + 2×27 + 1×19 + 3×26 + 1×16 + 1×17 + 21×20 + 10×29 + 1×25 + 29×13 + 30×8 + 2×24 + 3×10 + 4×30 + 5×28
    //   = 9 + 3 + 27 + 54 + 19 + 78 + 16 + 17 + 420 + 290 + 25 + 377 + 240 + 48 + 30 + 120 + 140 = 1913
    //   1913 mod 31 = 1913 − 61×31 (1891) = 22; 31 − 22 = 9 → '9'
    [Theory]
    [InlineData("91350100M000100Y4", '3')]
    [InlineData("9132130072112345W", '0')]
    [InlineData("91321311MA1XY2345", '9')]
    public void CreditCodeCheckChar_follows_gb_32100(string first17, char expected)
    {
        Assert.Equal(expected, IdentityCodes.CreditCodeCheckChar(first17));
    }

    [Fact]
    public void CreditCodeCheckChar_rejects_a_character_outside_the_set()
    {
        Assert.Throws<ArgumentException>(() => IdentityCodes.CreditCodeCheckChar("91350100I000100Y4"));
    }

    [Theory]
    [InlineData("91350100M000100Y43")]
    [InlineData("9132130072112345W0")]
    [InlineData("91321311MA1XY23459")]
    public void IsValidCreditCode_accepts_valid_codes(string code)
    {
        Assert.True(IdentityCodes.IsValidCreditCode(code));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("91350100M000100Y44")] // check should be 3
    [InlineData("9132130072112345W1")] // check should be 0 (31 → 0)
    [InlineData("9132130072112345WY")] // check should be 0, not the 31st character
    [InlineData("91350100M000100Y4")] // 17 characters
    [InlineData("91350100M000100Y433")] // 19 characters
    [InlineData("91350100I000100Y43")] // I is not in the set
    [InlineData("91350100O000100Y43")] // O is not in the set
    [InlineData("91350100Z000100Y43")] // Z is not in the set
    [InlineData("91350100S000100Y43")] // S is not in the set
    [InlineData("91350100V000100Y43")] // V is not in the set
    [InlineData("91350100M000100Y4-")] // punctuation
    public void IsValidCreditCode_rejects_invalid_codes(string? code)
    {
        Assert.False(IdentityCodes.IsValidCreditCode(code));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY")]
    [InlineData("fo", "MZXQ")]
    [InlineData("foo", "MZXW6")]
    [InlineData("foob", "MZXW6YQ")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI")]
    public void Base32_matches_rfc_4648_without_padding(string input, string expected)
    {
        Assert.Equal(expected, IdentityCodes.Base32(Encoding.ASCII.GetBytes(input)));
    }

    // Known answers: "P" + the first 20 characters of base32(HMAC-SHA256(secret, number)), computed independently.
    [Theory]
    [InlineData("test-secret", "11010519491231002X", "PZOES7RZRSDFFXMDKYX35")]
    [InlineData("test-secret", "11010519491231002x", "PZOES7RZRSDFFXMDKYX35")] // the check character's case does not matter
    [InlineData("other-secret", "11010519491231002X", "PSZDYBIBJNWPYCWZZEPJW")]
    [InlineData("test-secret", "321302199001011234", "PA633F3ZHFIQDX4NYXYH4")]
    public void PersonSubjectId_is_P_and_20_base32_characters_of_the_hmac(string secret, string idNumber, string expected)
    {
        var id = IdentityCodes.PersonSubjectId(idNumber, Encoding.ASCII.GetBytes(secret));

        Assert.Equal(expected, id);
        Assert.Equal(21, id.Length);
        Assert.StartsWith("P", id, StringComparison.Ordinal);
        Assert.All(id[1..], c => Assert.Contains(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
    }

    [Fact]
    public void PersonSubjectId_is_stable_for_the_same_number_and_secret()
    {
        var first = IdentityCodes.PersonSubjectId("321302199001011234", Secret);
        var second = IdentityCodes.PersonSubjectId("321302199001011234", Encoding.ASCII.GetBytes("test-secret"));

        Assert.Equal(first, second);
    }

    [Fact]
    public void PersonSubjectId_differs_with_another_secret_or_number()
    {
        var id = IdentityCodes.PersonSubjectId("321302199001011234", Secret);

        Assert.NotEqual(id, IdentityCodes.PersonSubjectId("321302199001011234", OtherSecret));
        Assert.NotEqual(id, IdentityCodes.PersonSubjectId("11010519491231002X", Secret));
    }

    [Fact]
    public void PersonSubjectId_ignores_the_case_of_a_trailing_x()
    {
        Assert.Equal(
            IdentityCodes.PersonSubjectId("32131119880604123X", Secret),
            IdentityCodes.PersonSubjectId("32131119880604123x", Secret));
    }

    [Theory]
    [InlineData("32131119880604123X", "3213**********123X")]
    [InlineData("32131119880604123x", "3213**********123X")]
    [InlineData("321302199001011234", "3213**********1234")]
    [InlineData("11010519491231002X", "1101**********002X")]
    public void MaskIdNumber_keeps_the_first_and_last_four(string idNumber, string expected)
    {
        Assert.Equal(expected, IdentityCodes.MaskIdNumber(idNumber));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("李", "李")]
    [InlineData("张三", "张*")]
    [InlineData("王小明", "王**")]
    [InlineData("欧阳娜娜", "欧***")]
    [InlineData("𠀀明", "𠀀*")] // a family name outside the basic plane is one character of two UTF-16 units
    [InlineData("王𠀀", "王*")]
    public void MaskPersonName_keeps_the_first_character(string name, string expected)
    {
        Assert.Equal(expected, IdentityCodes.MaskPersonName(name));
    }
}
