using System.Security.Claims;

namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>
/// The log of reads of subjects' data (SPEC §2.9): who read which subject's data, which view, when and why, under the
/// log category <see cref="Category"/> (never a raw identity number: subject ids are pseudonymous).
/// </summary>
public sealed partial class AccessLog(ILoggerFactory loggers, TimeProvider time)
{
    public const string Category = "RuralCredit.Access";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    /// <summary>Records a read of <paramref name="subjectId"/>'s <paramref name="view"/> by the caller.</summary>
    public void SubjectRead(ClaimsPrincipal user, string subjectId, string view, string? purpose)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            LogRead(_logger, time.GetUtcNow(), user.Identity?.Name ?? "unknown", subjectId, view, Purpose(purpose));
        }
    }

    /// <summary>Longest purpose kept in the log.</summary>
    public const int MaxPurpose = 100;

    /// <summary>
    /// A caller's purpose as logged: at most <see cref="MaxPurpose"/> characters, control characters (line breaks) as
    /// spaces, so that a purpose can neither forge a line of the log nor fill it.
    /// </summary>
    public static string Purpose(string? purpose)
    {
        if (string.IsNullOrWhiteSpace(purpose))
        {
            return "unspecified";
        }

        var text = purpose.Length > MaxPurpose ? purpose[..MaxPurpose] + "…" : purpose;
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
    }

    /// <summary>Records a read of a household's data (its members, score and pooled points) by the caller.</summary>
    public void HouseholdRead(ClaimsPrincipal user, string householdId, string? purpose)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            LogHouseholdRead(_logger, time.GetUtcNow(), user.Identity?.Name ?? "unknown", householdId, Purpose(purpose));
        }
    }

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Household data read: at={At:O} actor={Actor} household={HouseholdId} purpose={Purpose}")]
    private static partial void LogHouseholdRead(ILogger logger, DateTimeOffset at, string actor, string householdId, string purpose);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Subject data read: at={At:O} actor={Actor} subject={SubjectId} view={View} purpose={Purpose}")]
    private static partial void LogRead(ILogger logger, DateTimeOffset at, string actor, string subjectId, string view, string purpose);
}
