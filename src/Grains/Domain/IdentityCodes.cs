using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RuralCredit.Domain;

/// <summary>
/// Check-digit validation of 居民身份证号 (GB 11643, ISO 7064 MOD 11-2) and 统一社会信用代码 (GB 32100), and the
/// pseudonymous subject id of a person. A raw identity number never leaves this class except in transit.
/// </summary>
public static class IdentityCodes
{
    private static readonly int[] IdWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string IdCheckChars = "10X98765432";
    private const string CreditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] CreditCodeWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>The check character of the first 17 digits of a 身份证号.</summary>
    public static char IdNumberCheckChar(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * IdWeights[i];
        }

        return IdCheckChars[sum % 11];
    }

    /// <summary>True when <paramref name="idNumber"/> is 18 characters, digits, a real birth date and a valid check.</summary>
    public static bool IsValidIdNumber(string? idNumber)
    {
        if (idNumber is null || idNumber.Length != 18)
        {
            return false;
        }

        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(idNumber[i]))
            {
                return false;
            }
        }

        if (!DateOnly.TryParseExact(idNumber.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth)
            || birth.Year < 1900)
        {
            return false;
        }

        return char.ToUpperInvariant(idNumber[17]) == IdNumberCheckChar(idNumber.AsSpan(0, 17));
    }

    /// <summary>The check character of the first 17 characters of a 统一社会信用代码.</summary>
    public static char CreditCodeCheckChar(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = CreditCodeChars.IndexOf(first17[i]);
            if (value < 0)
            {
                throw new ArgumentException("Not a credit code character.", nameof(first17));
            }

            sum += value * CreditCodeWeights[i];
        }

        var check = 31 - (sum % 31);
        return CreditCodeChars[check == 31 ? 0 : check];
    }

    /// <summary>True when <paramref name="code"/> is 18 characters of the GB 32100 set with a valid check.</summary>
    public static bool IsValidCreditCode(string? code)
    {
        if (code is null || code.Length != 18)
        {
            return false;
        }

        foreach (var c in code)
        {
            if (CreditCodeChars.IndexOf(c) < 0)
            {
                return false;
            }
        }

        return code[17] == CreditCodeCheckChar(code.AsSpan(0, 17));
    }

    /// <summary>The subject id of a person: <c>P</c> + base32 of HMAC-SHA256(secret, number), 20 characters.</summary>
    public static string PersonSubjectId(string idNumber, byte[] secret)
    {
        using var hmac = new HMACSHA256(secret);
        return PersonSubjectId(idNumber, hmac);
    }

    /// <summary>
    /// The same with a keyed HMAC instance that the caller reuses (not thread-safe: one per grain activation).
    /// Keying an HMAC costs more than hashing 18 characters, and ingest does this for every record of a person.
    /// </summary>
    public static string PersonSubjectId(string idNumber, HMACSHA256 hmac)
    {
        // One allocation, the id itself: ingest derives it for every record that names a person by number.
        Span<byte> input = idNumber.Length <= 64 ? stackalloc byte[64] : new byte[idNumber.Length];
        var length = Encoding.ASCII.GetBytes(idNumber, input);
        for (var i = 0; i < length; i++)
        {
            if (input[i] is >= (byte)'a' and <= (byte)'z')
            {
                input[i] -= 'a' - 'A';
            }
        }

        Span<byte> mac = stackalloc byte[32];
        hmac.TryComputeHash(input[..length], mac, out _);
        Span<char> id = stackalloc char[PersonIdLength];
        id[0] = 'P';
        Base32(mac[..13], id[1..]); // 20 characters of base32 take 100 bits
        return new string(id);
    }

    /// <summary>Length of a person's subject id: <c>P</c> and 20 base32 characters.</summary>
    public const int PersonIdLength = 21;

    /// <summary>The display form of a 身份证号: first 4 and last 4 characters, the rest masked.</summary>
    public static string MaskIdNumber(string idNumber) =>
        string.Concat(idNumber.AsSpan(0, 4), new string('*', 10), idNumber.AsSpan(14, 4).ToString().ToUpperInvariant());

    /// <summary>
    /// A subject id as it may be echoed in a message: masked when it has the shape of a 身份证号 (17 digits and a digit
    /// or X), which a caller may send where a subject id belongs; a raw number is never returned.
    /// </summary>
    public static string ForDisplay(string subjectId) =>
        subjectId.Length == 18 && subjectId.AsSpan(0, 17).ContainsAnyExceptInRange('0', '9') is false && (char.IsAsciiDigit(subjectId[17]) || subjectId[17] is 'X' or 'x')
            ? MaskIdNumber(subjectId)
            : subjectId;

    /// <summary>The display form of a person's name: the family name and one mask character per other character.</summary>
    public static string MaskPersonName(string name)
    {
        // By text element, not by UTF-16 unit: a family name outside the basic plane (CJK Extension B, 𠀀) is two units.
        var family = System.Globalization.StringInfo.GetNextTextElementLength(name);
        var others = new System.Globalization.StringInfo(name).LengthInTextElements - 1;
        return others <= 0 ? name : string.Concat(name.AsSpan(0, family), new string('*', others));
    }

    /// <summary>Base32 (RFC 4648 alphabet, no padding).</summary>
    public static string Base32(ReadOnlySpan<byte> data)
    {
        Span<char> text = data.Length <= 64 ? stackalloc char[(data.Length * 8 + 4) / 5] : new char[(data.Length * 8 + 4) / 5];
        var written = Base32(data, text);
        return new string(text[..written]);
    }

    /// <summary>Writes the base32 of <paramref name="data"/> until <paramref name="destination"/> is full or the data ends; returns the characters written.</summary>
    public static int Base32(ReadOnlySpan<byte> data, Span<char> destination)
    {
        int buffer = 0, bits = 0, written = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                if (written == destination.Length)
                {
                    return written;
                }

                destination[written++] = Base32Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        if (bits > 0 && written < destination.Length)
        {
            destination[written++] = Base32Alphabet[(buffer << (5 - bits)) & 31];
        }

        return written;
    }
}
