using System.Security.Claims;
using RuralCredit.ApiHost.Auth;
using RuralCredit.Models;

namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>Who is calling, as the grains need to know it.</summary>
public static partial class Caller
{
    public static Submitter Submitter(this ClaimsPrincipal user) => new(
        user.Identity?.Name ?? "unknown",
        user.IsInRole(Roles.Operator),
        user.FindAll(ApiClaims.Scope).Select(c => c.Value).ToList());

    /// <summary>Logs a read of a person's or organisation's data: who, what, why (never the raw identity number).</summary>
    public static void LogSubjectRead(this ILogger logger, ClaimsPrincipal user, string subjectId, string view, string? purpose) =>
        LogRead(logger, user.Identity?.Name ?? "unknown", subjectId, view, purpose ?? "unspecified");

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Subject data read: actor={Actor} subject={SubjectId} view={View} purpose={Purpose}")]
    private static partial void LogRead(ILogger logger, string actor, string subjectId, string view, string purpose);
}
