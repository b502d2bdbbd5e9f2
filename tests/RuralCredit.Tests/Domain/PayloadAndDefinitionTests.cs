using System.Text.Json;
using RuralCredit.Domain;
using RuralCredit.Models;

namespace RuralCredit.Tests.Domain;

/// <summary>Payload validation against an item's schema (SPEC §2.3) and validation of catalog items and models (§2.3, §2.5).</summary>
public sealed class PayloadAndDefinitionTests
{
    private static JsonElement Json(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static string? Validate(string payload, params (string Field, string Type)[] schema) =>
        Payload.Validate(Json(payload), schema.ToDictionary(f => f.Field, f => f.Type));

    // ---- Payload.Validate -------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("string", "\"abc\"", true)]
    [InlineData("string", "\"\"", true)]
    [InlineData("string", "5", false)]
    [InlineData("string", "true", false)]
    [InlineData("string", "{}", false)]
    [InlineData("number", "3", true)]
    [InlineData("number", "1.5", true)]
    [InlineData("number", "20000.75", true)]
    [InlineData("number", "-20000.75", false)] // quantities are never negative
    [InlineData("number", "-0.01", false)]
    [InlineData("number", "1e15", true)]
    [InlineData("number", "1.0000001e15", false)] // beyond any credit record; sums over a city must stay exact
    [InlineData("number", "1e30", false)] // would overflow decimal in the facts and aggregates
    [InlineData("number", "\"3\"", false)]
    [InlineData("number", "true", false)]
    [InlineData("number", "[1]", false)]
    [InlineData("integer", "3", true)]
    [InlineData("integer", "-7", false)]
    [InlineData("integer", "1000000000000001", false)]
    [InlineData("integer", "0", true)]
    [InlineData("integer", "1.5", false)]
    [InlineData("integer", "\"3\"", false)]
    [InlineData("boolean", "true", true)]
    [InlineData("boolean", "false", true)]
    [InlineData("boolean", "\"true\"", false)]
    [InlineData("boolean", "1", false)]
    [InlineData("date", "\"2025-03-01\"", true)]
    [InlineData("date", "\"2024-02-29\"", true)]
    [InlineData("date", "\"2025-03-01T08:00:00Z\"", true)]
    [InlineData("date", "\"2025-03-01T08:00:00+08:00\"", true)]
    [InlineData("date", "\"2025-03-01T08:00:00.123Z\"", true)]
    [InlineData("date", "\"2025-03-01T08:00Z\"", true)] // an instant without seconds
    [InlineData("date", "\"2025-03-01T08:00+08:00\"", true)]
    [InlineData("date", "\"2025-03-01T08Z\"", false)]
    [InlineData("date", "\"2025-13-01\"", false)] // month 13
    [InlineData("date", "\"2025-02-30\"", false)]
    [InlineData("date", "\"2025-02-29\"", false)] // not a leap year
    [InlineData("date", "\"2025-03-01T25:00:00Z\"", false)]
    [InlineData("date", "\"01/03/2025\"", false)]
    [InlineData("date", "\"2025-3-1\"", false)]
    [InlineData("date", "\"yesterday\"", false)]
    [InlineData("date", "\"\"", false)]
    [InlineData("date", "20250301", false)] // a number is not a date
    public void Validate_checks_each_field_type(string type, string value, bool valid)
    {
        var error = Validate($"{{\"hoursWorked\":{value}}}", ("hoursWorked", type));

        if (valid)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.NotNull(error);
            Assert.Contains("hoursWorked", error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("{\"event\":\"a\\u0000b\"}", true)]
    [InlineData("{\"event\":\"\\u0000\"}", true)]
    [InlineData("{\"event\":\"x\",\"extra\":[\"\\u0000\"]}", true)] // a field outside the schema too
    [InlineData("{\"ev\\u0000ent\":\"x\",\"event\":\"x\"}", true)] // a name
    [InlineData("{\"event\":\"a\\\\u0000b\"}", false)] // an escaped backslash, then the text u0000
    [InlineData("{\"event\":\"a\\\\\\u0000b\"}", true)] // an escaped backslash, then an escaped NUL
    [InlineData("{\"event\":\"\\u00001\"}", true)]
    [InlineData("{\"event\":\"\\u0001\"}", false)]
    public void A_payload_holding_a_NUL_character_anywhere_is_refused(string payload, bool refused)
    {
        var error = Validate(payload, ("event", "string"));
        if (refused)
        {
            Assert.Equal("payload must not contain NUL characters (\\u0000)", error);
        }
        else
        {
            Assert.Null(error);
        }
    }

    [Theory]
    [InlineData("string")]
    [InlineData("number")]
    [InlineData("integer")]
    [InlineData("boolean")]
    [InlineData("date")]
    public void Validate_requires_a_field_without_question_mark(string type)
    {
        Assert.NotNull(Validate("{}", ("amount", type)));
        Assert.NotNull(Validate("{\"amount\":null}", ("amount", type)));
        Assert.Contains("amount", Validate("{\"other\":1}", ("amount", type)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("string?")]
    [InlineData("number?")]
    [InlineData("integer?")]
    [InlineData("boolean?")]
    [InlineData("date?")]
    public void Validate_allows_an_optional_field_to_be_missing_or_null(string type)
    {
        Assert.Null(Validate("{}", ("amount", type)));
        Assert.Null(Validate("{\"amount\":null}", ("amount", type)));
    }

    [Theory]
    [InlineData("string?", "\"x\"", true)]
    [InlineData("string?", "1", false)]
    [InlineData("number?", "2.5", true)]
    [InlineData("number?", "\"2.5\"", false)]
    [InlineData("integer?", "2", true)]
    [InlineData("integer?", "1.5", false)]
    [InlineData("boolean?", "false", true)]
    [InlineData("boolean?", "0", false)]
    [InlineData("date?", "\"2025-03-01\"", true)]
    [InlineData("date?", "\"2025-13-01\"", false)]
    public void Validate_checks_the_type_of_a_present_optional_field(string type, string value, bool valid)
    {
        Assert.Equal(valid, Validate($"{{\"f\":{value}}}", ("f", type)) is null);
    }

    [Fact]
    public void Validate_keeps_other_fields()
    {
        Assert.Null(Validate("{\"amount\":100,\"note\":\"extra\",\"nested\":{\"a\":[1,2]}}", ("amount", "number")));
        Assert.Null(Validate("{\"anything\":1}"));
    }

    [Fact]
    public void Validate_checks_every_field_of_the_schema()
    {
        var schema = new[] { ("amount", "number"), ("expiresAt", "date"), ("guarantee", "string?") };

        Assert.Null(Validate("{\"amount\":5000,\"expiresAt\":\"2026-01-01\"}", schema));
        Assert.Null(Validate("{\"amount\":5000,\"expiresAt\":\"2026-01-01\",\"guarantee\":\"credit\"}", schema));
        Assert.NotNull(Validate("{\"amount\":5000}", schema));
        Assert.NotNull(Validate("{\"expiresAt\":\"2026-01-01\"}", schema));
        Assert.NotNull(Validate("{\"amount\":5000,\"expiresAt\":\"2026-01-01\",\"guarantee\":3}", schema));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"f\":1}]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void Validate_rejects_a_payload_that_is_not_an_object(string payload)
    {
        Assert.NotNull(Validate(payload));
    }

    [Theory]
    [InlineData("string", true)]
    [InlineData("number", true)]
    [InlineData("integer", true)]
    [InlineData("boolean", true)]
    [InlineData("date", true)]
    [InlineData("date?", true)]
    [InlineData("integer?", true)]
    [InlineData("decimal", false)]
    [InlineData("int", false)]
    [InlineData("String", false)]
    [InlineData("", false)]
    [InlineData("?", false)]
    public void IsKnownType_accepts_the_five_types_with_optional_question_mark(string type, bool expected)
    {
        Assert.Equal(expected, Payload.IsKnownType(type));
    }

    // ---- typed reads --------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("2025-03-01", "2025-03-01T00:00:00+00:00")] // a date is midnight UTC
    [InlineData("2025-03-01T08:00:00Z", "2025-03-01T08:00:00+00:00")]
    [InlineData("2025-03-01T08:00:00+08:00", "2025-03-01T00:00:00+00:00")] // the same instant
    public void TryParseDate_reads_a_date_or_an_instant(string text, string expectedRoundTrip)
    {
        Assert.True(Payload.TryParseDate(text, out var value));
        Assert.Equal(DateTimeOffset.Parse(expectedRoundTrip, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("2025-13-01")]
    [InlineData("2025-03-01 08:00:00")]
    [InlineData("20250301")]
    public void TryParseDate_rejects_other_text(string? text)
    {
        Assert.False(Payload.TryParseDate(text, out _));
    }

    [Theory]
    [InlineData("{\"hours\":5}", 5.0)]
    [InlineData("{\"hours\":2.5}", 2.5)]
    [InlineData("{\"hours\":-3}", -3.0)]
    [InlineData("{\"other\":{\"hours\":9},\"hours\":5}", 5.0)] // a nested field of the same name is not it
    [InlineData("{\"list\":[1,{\"hours\":3}],\"hours\":4}", 4.0)]
    [InlineData("{\"hours\":\"5\"}", null)] // a string is not a number
    [InlineData("{\"hours\":null}", null)]
    [InlineData("{\"other\":{\"hours\":9}}", null)]
    [InlineData("{}", null)]
    [InlineData("[{\"hours\":5}]", null)]
    public void GetNumber_reads_a_top_level_number(string payload, double? expected)
    {
        Assert.Equal(expected, Payload.GetNumber(payload, "hours"));
    }

    [Theory]
    [InlineData("{\"guarantee\":\"credit\"}", "credit")]
    [InlineData("{\"x\":{\"guarantee\":\"mortgage\"},\"guarantee\":\"credit\"}", "credit")]
    [InlineData("{\"guarantee\":1}", null)]
    [InlineData("{\"x\":{\"guarantee\":\"credit\"}}", null)]
    [InlineData("{}", null)]
    public void GetString_reads_a_top_level_string(string payload, string? expected)
    {
        Assert.Equal(expected, Payload.GetString(payload, "guarantee"));
    }

    [Fact]
    public void GetDate_reads_a_date_field()
    {
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), Payload.GetDate("{\"expiresAt\":\"2026-01-01\"}", "expiresAt"));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero), Payload.GetDate("{\"expiresAt\":\"2026-01-01T08:00:00Z\"}", "expiresAt"));
        Assert.Null(Payload.GetDate("{\"expiresAt\":\"2026-13-01\"}", "expiresAt"));
        Assert.Null(Payload.GetDate("{\"expiresAt\":20260101}", "expiresAt"));
        Assert.Null(Payload.GetDate("{}", "expiresAt"));
    }

    // ---- DefinitionRules.ValidateItem ---------------------------------------------------------------------------------

    private static CatalogItem ValidItem() => new()
    {
        Code = "VOLUNTEER_SERVICE_2",
        NameZh = "志愿服务时长",
        Category = "志愿服务",
        SourceDepartment = "civil_affairs",
        CollectionCycle = "monthly",
        SubjectTypes = ["farmer", "family_farm"],
        Severity = null,
        PublicityDays = null,
        RepairMinDays = null,
        PayloadSchema = new Dictionary<string, string> { ["hours"] = "number", ["activity"] = "string?" },
        GovernancePoints = new GovernancePoints { PointsPerUnit = 2, UnitField = "hours", MaxPoints = 40 },
        Role = null,
    };

    /// <summary>The 16 categories of SPEC §2.3.</summary>
    private static readonly string[] SpecCategories =
    [
        "基础信息", "监管信息", "土地信息", "示范信息", "志愿服务", "农业保险", "农资", "财政补助", "行政许可", "行政处罚", "行政检查", "行政奖励",
        "司法信息", "信贷信息", "乡村治理", "政务诚信",
    ];

    private static Dictionary<string, string> Schema(params (string Field, string Type)[] fields) => fields.ToDictionary(f => f.Field, f => f.Type);

    [Theory]
    [InlineData("as is")]
    [InlineData("code with digits and underscores")]
    [InlineData("code of 64 characters")]
    [InlineData("every category")]
    [InlineData("every cycle")]
    [InlineData("every subject type")]
    [InlineData("severity minor")]
    [InlineData("severity general")]
    [InlineData("severity serious with publicity and repair")]
    [InlineData("publicity 1 day, repair at once")]
    [InlineData("fixed governance points")]
    [InlineData("negative fixed governance points")]
    [InlineData("no governance points")]
    [InlineData("per unit on an integer field")]
    [InlineData("per unit on an optional number field")]
    [InlineData("creditLine")]
    [InlineData("loan")]
    [InlineData("loan with an integer amount")]
    [InlineData("every other role")]
    [InlineData("empty schema")]
    public void ValidateItem_accepts(string name)
    {
        foreach (var item in GoodItems(name))
        {
            Assert.Null(DefinitionRules.ValidateItem(item));
        }
    }

    private static IEnumerable<CatalogItem> GoodItems(string name)
    {
        var v = ValidItem();
        return name switch
        {
            "as is" => [v],
            "code with digits and underscores" => [v with { Code = "A1_B2_9" }],
            "code of 64 characters" => [v with { Code = new string('A', 64) }],
            "every category" => SpecCategories.Select(c => v with { Category = c }),
            "every cycle" => new[] { "realtime", "daily", "monthly", "quarterly", "yearly" }.Select(c => v with { CollectionCycle = c }),
            "every subject type" => [v with { SubjectTypes = ["farmer", "family_farm", "cooperative", "enterprise", "service_org", "agri_input", "grain_enterprise"] }],
            "severity minor" => [v with { Severity = "minor" }],
            "severity general" => [v with { Severity = "general" }],
            "severity serious with publicity and repair" => [v with { Severity = "serious", PublicityDays = 1095, RepairMinDays = 365 }],
            "publicity 1 day, repair at once" => [v with { PublicityDays = 1, RepairMinDays = 0 }],
            "fixed governance points" => [v with { GovernancePoints = new GovernancePoints { Points = 10 } }],
            "negative fixed governance points" => [v with { GovernancePoints = new GovernancePoints { Points = -10 } }],
            "no governance points" => [v with { GovernancePoints = null }],
            "per unit on an integer field" => [v with { PayloadSchema = Schema(("times", "integer")), GovernancePoints = new GovernancePoints { PointsPerUnit = 1, UnitField = "times", MaxPoints = 5 } }],
            "per unit on an optional number field" => [v with { PayloadSchema = Schema(("hours", "number?")) }],
            "creditLine" => [v with { Role = CatalogRoles.CreditLine, GovernancePoints = null, PayloadSchema = Schema(("amount", "number"), ("expiresAt", "date")) }],
            "loan" => [v with { Role = CatalogRoles.Loan, GovernancePoints = null, PayloadSchema = Schema(("amount", "number"), ("guarantee", "string")) }],
            "loan with an integer amount" => [v with { Role = CatalogRoles.Loan, GovernancePoints = null, PayloadSchema = Schema(("amount", "integer"), ("guarantee", "string")) }],
            "every other role" => new[]
            {
                CatalogRoles.LoanOverdue, CatalogRoles.Demonstration, CatalogRoles.Commitment, CatalogRoles.CommitmentFulfilled,
                CatalogRoles.CommitmentBreached, CatalogRoles.ArrearsOpened, CatalogRoles.ArrearsCleared,
            }.Select(r => v with { Role = r }),
            "empty schema" => [v with { PayloadSchema = Schema(), GovernancePoints = new GovernancePoints { Points = 1 } }],
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    [Theory]
    [InlineData("empty code")]
    [InlineData("lower-case code")]
    [InlineData("code with a dash")]
    [InlineData("code with a space")]
    [InlineData("code of 65 characters")]
    [InlineData("code in Chinese")]
    [InlineData("empty nameZh")]
    [InlineData("blank nameZh")]
    [InlineData("unknown category")]
    [InlineData("blank sourceDepartment")]
    [InlineData("unknown cycle")]
    [InlineData("no subject types")]
    [InlineData("unknown subject type")]
    [InlineData("unknown severity")]
    [InlineData("publicity 0 days")]
    [InlineData("negative publicity")]
    [InlineData("negative repair days")]
    [InlineData("unknown field type")]
    [InlineData("blank field name")]
    [InlineData("unknown role")]
    [InlineData("governance points both fixed and per unit")]
    [InlineData("governance points neither fixed nor per unit")]
    [InlineData("governance per unit without maxPoints")]
    [InlineData("governance per unit without unitField")]
    [InlineData("governance unitField not in the schema")]
    [InlineData("governance unitField a string field")]
    [InlineData("creditLine without amount")]
    [InlineData("creditLine with a string amount")]
    [InlineData("creditLine without expiresAt")]
    [InlineData("creditLine with a string expiresAt")]
    [InlineData("loan without amount")]
    [InlineData("loan without guarantee")]
    [InlineData("loan with a number guarantee")]
    public void ValidateItem_rejects(string name)
    {
        Assert.NotNull(DefinitionRules.ValidateItem(BadItem(name)));
    }

    private static CatalogItem BadItem(string name)
    {
        var v = ValidItem();
        var loan = v with { Role = CatalogRoles.Loan, GovernancePoints = null };
        var creditLine = v with { Role = CatalogRoles.CreditLine, GovernancePoints = null };
        return name switch
        {
            "empty code" => v with { Code = "" },
            "lower-case code" => v with { Code = "volunteer" },
            "code with a dash" => v with { Code = "VOLUNTEER-SERVICE" },
            "code with a space" => v with { Code = "VOLUNTEER SERVICE" },
            "code of 65 characters" => v with { Code = new string('A', 65) },
            "code in Chinese" => v with { Code = "志愿服务" },
            "empty nameZh" => v with { NameZh = "" },
            "blank nameZh" => v with { NameZh = "  " },
            "unknown category" => v with { Category = "其他信息" },
            "blank sourceDepartment" => v with { SourceDepartment = " " },
            "unknown cycle" => v with { CollectionCycle = "weekly" },
            "no subject types" => v with { SubjectTypes = [] },
            "unknown subject type" => v with { SubjectTypes = ["farmer", "fisherman"] },
            "unknown severity" => v with { Severity = "fatal" },
            "publicity 0 days" => v with { PublicityDays = 0 },
            "negative publicity" => v with { PublicityDays = -30 },
            "negative repair days" => v with { RepairMinDays = -1 },
            "unknown field type" => v with { PayloadSchema = Schema(("hours", "number"), ("amount", "decimal")) },
            "blank field name" => v with { PayloadSchema = Schema(("hours", "number"), (" ", "string")) },
            "unknown role" => v with { Role = "borrower" },
            "governance points both fixed and per unit" => v with { GovernancePoints = new GovernancePoints { Points = 5, PointsPerUnit = 2, UnitField = "hours", MaxPoints = 40 } },
            "governance points neither fixed nor per unit" => v with { GovernancePoints = new GovernancePoints() },
            "governance per unit without maxPoints" => v with { GovernancePoints = new GovernancePoints { PointsPerUnit = 2, UnitField = "hours" } },
            "governance per unit without unitField" => v with { GovernancePoints = new GovernancePoints { PointsPerUnit = 2, MaxPoints = 40 } },
            "governance unitField not in the schema" => v with { GovernancePoints = new GovernancePoints { PointsPerUnit = 2, UnitField = "days", MaxPoints = 40 } },
            "governance unitField a string field" => v with { GovernancePoints = new GovernancePoints { PointsPerUnit = 2, UnitField = "activity", MaxPoints = 40 } },
            "creditLine without amount" => creditLine with { PayloadSchema = Schema(("expiresAt", "date")) },
            "creditLine with a string amount" => creditLine with { PayloadSchema = Schema(("amount", "string"), ("expiresAt", "date")) },
            "creditLine without expiresAt" => creditLine with { PayloadSchema = Schema(("amount", "number")) },
            "creditLine with a string expiresAt" => creditLine with { PayloadSchema = Schema(("amount", "number"), ("expiresAt", "string")) },
            "loan without amount" => loan with { PayloadSchema = Schema(("guarantee", "string")) },
            "loan without guarantee" => loan with { PayloadSchema = Schema(("amount", "number")) },
            "loan with a number guarantee" => loan with { PayloadSchema = Schema(("amount", "number"), ("guarantee", "number")) },
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    // ---- DefinitionRules.ValidateModel --------------------------------------------------------------------------------

    private static readonly IReadOnlyDictionary<string, CatalogItem> ModelCatalog = new[]
    {
        ValidItem() with { Code = "PENALTY", GovernancePoints = null, PayloadSchema = Schema(("amount", "number?"), ("reason", "string")) },
        ValidItem() with { Code = "OVERDUE", GovernancePoints = null, PayloadSchema = Schema(("days", "integer"), ("amount", "number")) },
        ValidItem(),
    }.ToDictionary(i => i.Code);

    private static CatalogItem? FindItem(string code) => ModelCatalog.GetValueOrDefault(code);

    private static ScoringModel ValidModel() => new()
    {
        SubjectType = "farmer",
        Version = 1,
        Base = 600,
        Dimensions = new Dictionary<string, DimensionRange> { ["compliance"] = new(-400, 100), ["finance"] = new(-200, 150), ["honors"] = new(0, 0) },
        Grades = [new("A", 800), new("B", 700), new("C", 600), new("D", 0)],
        VetoSeverity = "serious",
        Rules = new Dictionary<string, ScoringRule>
        {
            ["PENALTY"] = new() { Dimension = "compliance", Points = -60, Decay = "linear", DecayDays = 365 },
            ["OVERDUE"] = new() { Dimension = "finance", PointsPerUnit = -2, UnitField = "days", MaxPoints = 120, Decay = "linear", DecayDays = 365 },
            ["VOLUNTEER_SERVICE_2"] = new() { Dimension = "honors", PointsPerUnit = 2, UnitField = "hours", MaxPoints = 40 },
        },
    };

    private static ScoringModel WithRule(ScoringRule rule, string code = "PENALTY") =>
        ValidModel() with { Rules = new Dictionary<string, ScoringRule> { [code] = rule } };

    [Theory]
    [InlineData("as is")]
    [InlineData("every subject type")]
    [InlineData("every veto severity")]
    [InlineData("no rules")]
    [InlineData("one grade")]
    [InlineData("negative base")]
    [InlineData("decay none without days")]
    [InlineData("per unit on a number field")]
    public void ValidateModel_accepts(string name)
    {
        var v = ValidModel();
        IEnumerable<ScoringModel> models = name switch
        {
            "as is" => [v],
            "every subject type" => RuralCreditConstants.SubjectTypes.Select(t => v with { SubjectType = t }),
            "every veto severity" => new[] { "minor", "general", "serious" }.Select(s => v with { VetoSeverity = s }),
            "no rules" => [v with { Rules = new Dictionary<string, ScoringRule>() }],
            "one grade" => [v with { Grades = [new("A", 0)] }],
            "negative base" => [v with { Base = -100 }],
            "decay none without days" => [WithRule(new() { Dimension = "compliance", Points = -60, Decay = "none" })],
            "per unit on a number field" => [WithRule(new() { Dimension = "finance", PointsPerUnit = -0.01, UnitField = "amount", MaxPoints = 50 }, "OVERDUE")],
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

        foreach (var model in models)
        {
            Assert.Null(DefinitionRules.ValidateModel(model, FindItem));
        }
    }

    [Theory]
    [InlineData("unknown subject type")]
    [InlineData("NaN base")]
    [InlineData("infinite base")]
    [InlineData("no dimensions")]
    [InlineData("dimension min above max")]
    [InlineData("no grades")]
    [InlineData("grades ascending")]
    [InlineData("grades with equal minScore")]
    [InlineData("unknown veto severity")]
    [InlineData("rule for an unknown item")]
    [InlineData("rule for an unknown dimension")]
    [InlineData("rule with points and per unit")]
    [InlineData("rule with neither points nor per unit")]
    [InlineData("rule per unit without maxPoints")]
    [InlineData("rule per unit without unitField")]
    [InlineData("rule per unit on a string field")]
    [InlineData("rule per unit on a missing field")]
    [InlineData("rule with an unknown decay")]
    [InlineData("rule linear without decayDays")]
    [InlineData("rule linear with zero decayDays")]
    [InlineData("rule linear with negative decayDays")]
    public void ValidateModel_rejects(string name)
    {
        var v = ValidModel();
        var model = name switch
        {
            "unknown subject type" => v with { SubjectType = "fisherman" },
            "NaN base" => v with { Base = double.NaN },
            "infinite base" => v with { Base = double.PositiveInfinity },
            "no dimensions" => v with { Dimensions = new Dictionary<string, DimensionRange>(), Rules = new Dictionary<string, ScoringRule>() },
            "dimension min above max" => v with { Dimensions = new Dictionary<string, DimensionRange> { ["compliance"] = new(100, -400), ["finance"] = new(0, 1), ["honors"] = new(0, 1) } },
            "no grades" => v with { Grades = [] },
            "grades ascending" => v with { Grades = [new("D", 0), new("C", 600), new("B", 700), new("A", 800)] },
            "grades with equal minScore" => v with { Grades = [new("A", 800), new("B", 700), new("C", 700), new("D", 0)] },
            "unknown veto severity" => v with { VetoSeverity = "fatal" },
            "rule for an unknown item" => WithRule(new() { Dimension = "compliance", Points = -10 }, "NO_SUCH_ITEM"),
            "rule for an unknown dimension" => WithRule(new() { Dimension = "morality", Points = -10 }),
            "rule with points and per unit" => WithRule(new() { Dimension = "finance", Points = -10, PointsPerUnit = -2, UnitField = "days", MaxPoints = 120 }, "OVERDUE"),
            "rule with neither points nor per unit" => WithRule(new() { Dimension = "compliance" }),
            "rule per unit without maxPoints" => WithRule(new() { Dimension = "finance", PointsPerUnit = -2, UnitField = "days" }, "OVERDUE"),
            "rule per unit without unitField" => WithRule(new() { Dimension = "finance", PointsPerUnit = -2, MaxPoints = 120 }, "OVERDUE"),
            "rule per unit on a string field" => WithRule(new() { Dimension = "compliance", PointsPerUnit = -2, UnitField = "reason", MaxPoints = 120 }),
            "rule per unit on a missing field" => WithRule(new() { Dimension = "finance", PointsPerUnit = -2, UnitField = "hours", MaxPoints = 120 }, "OVERDUE"),
            "rule with an unknown decay" => WithRule(new() { Dimension = "compliance", Points = -10, Decay = "exponential", DecayDays = 365 }),
            "rule linear without decayDays" => WithRule(new() { Dimension = "compliance", Points = -10, Decay = "linear" }),
            "rule linear with zero decayDays" => WithRule(new() { Dimension = "compliance", Points = -10, Decay = "linear", DecayDays = 0 }),
            "rule linear with negative decayDays" => WithRule(new() { Dimension = "compliance", Points = -10, Decay = "linear", DecayDays = -30 }),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

        Assert.NotNull(DefinitionRules.ValidateModel(model, FindItem));
    }
}
