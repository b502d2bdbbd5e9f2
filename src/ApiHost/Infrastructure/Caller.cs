using System.Security.Claims;
using RuralCredit.ApiHost.Auth;
using RuralCredit.Models;

namespace RuralCredit.ApiHost.Infrastructure;

/// <summary>Who is calling, as the grains need to know it.</summary>
public static class Caller
{
    public static Submitter Submitter(this ClaimsPrincipal user) => new(
        user.Identity?.Name ?? "unknown",
        user.IsInRole(Roles.Operator),
        user.FindAll(ApiClaims.Scope).Select(c => c.Value).ToList());
}
