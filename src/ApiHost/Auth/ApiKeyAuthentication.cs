using System.Collections.Frozen;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace RuralCredit.ApiHost.Auth;

/// <summary>Roles of API keys (SPEC Appendix A).</summary>
public static class Roles
{
    public const string Operator = "operator";
    public const string Integrator = "integrator";
    public const string Bank = "bank";
    public const string Dashboard = "dashboard";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Operator, Integrator, Bank, Dashboard };
}

/// <summary>Authorization policies: which roles may use which endpoint group.</summary>
public static class Policies
{
    public const string Operator = "operator";
    public const string Ingest = "ingest";
    public const string RegionRead = "region-read";
    public const string CatalogRead = "catalog-read";
    public const string Live = "live";
}

/// <summary>One configured API key: the key itself or its SHA-256 hash (hex), a role and a scope.</summary>
public sealed class ApiKeyEntry
{
    public string? Key { get; set; }
    public string? KeyHash { get; set; }
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public List<string> Scope { get; set; } = [];
}

/// <summary>Options section <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public List<ApiKeyEntry> Keys { get; set; } = [];

    /// <summary>Allows the development keys outside the embedded profile (never in production).</summary>
    public bool AllowDevelopmentKeys { get; set; }

    /// <summary>The development keys of the embedded profile.</summary>
    public static readonly IReadOnlyList<ApiKeyEntry> DevelopmentKeys =
    [
        new() { Key = "dev-operator", Name = "dev-operator", Role = Roles.Operator, Scope = ["*"] },
        new() { Key = "dev-integrator", Name = "dev-integrator", Role = Roles.Integrator, Scope = ["*"] },
        new() { Key = "dev-bank", Name = "dev-bank", Role = Roles.Bank, Scope = ["BANK_DEV"] },
        new() { Key = "dev-dashboard", Name = "dev-dashboard", Role = Roles.Dashboard, Scope = [] },
    ];

    /// <summary>Hex SHA-256 of a key, as accepted in <see cref="ApiKeyEntry.KeyHash"/>.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

/// <summary>Claim types carried by an authenticated key.</summary>
public static class ApiClaims
{
    public const string Scope = "rc:scope";
}

/// <summary>
/// The principal of each configured key, by the key's SHA-256 hash: made once per configuration (keys can be changed
/// while running), not on every request. A principal is shared by the requests of its key and never changed.
/// </summary>
public sealed class ApiKeyTable(IOptionsMonitor<AuthOptions> auth)
{
    private Table? _table;

    /// <summary>The principal of <paramref name="key"/>, or null when no configured key matches.</summary>
    public ClaimsPrincipal? Find(string key)
    {
        var current = auth.CurrentValue;
        var table = Volatile.Read(ref _table);
        if (table is null || !ReferenceEquals(table.Source, current))
        {
            table = new Table(current, Build(current));
            Volatile.Write(ref _table, table);
        }

        return table.ByHash.GetValueOrDefault(AuthOptions.Hash(key));
    }

    private static FrozenDictionary<string, ClaimsPrincipal> Build(AuthOptions options)
    {
        var byHash = new Dictionary<string, ClaimsPrincipal>(StringComparer.Ordinal);
        foreach (var entry in options.Keys)
        {
            var claims = new List<Claim>
            {
                new(ClaimTypes.Name, string.IsNullOrEmpty(entry.Name) ? entry.Role : entry.Name),
                new(ClaimTypes.Role, entry.Role),
            };
            claims.AddRange(entry.Scope.Select(s => new Claim(ApiClaims.Scope, s)));
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyAuthenticationHandler.SchemeName));

            // An entry may give the key, its hash, or both: either one authenticates.
            if (!string.IsNullOrEmpty(entry.KeyHash))
            {
                byHash.TryAdd(entry.KeyHash.ToLowerInvariant(), principal);
            }

            if (!string.IsNullOrEmpty(entry.Key))
            {
                byHash.TryAdd(AuthOptions.Hash(entry.Key), principal);
            }
        }

        return byHash.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record Table(AuthOptions Source, FrozenDictionary<string, ClaimsPrincipal> ByHash);
}

/// <summary>Where the Orleans Dashboard is served, and how a browser signs in to it.</summary>
public static class DashboardPath
{
    public const string Prefix = "/orleans";

    /// <summary>The challenge that makes a browser ask for the key (as the password) before showing the dashboard.</summary>
    public const string Challenge = "Basic realm=\"RuralCredit Orleans Dashboard (password: an operator API key)\", charset=\"UTF-8\"";

    public static bool Contains(PathString path) => path.StartsWithSegments(Prefix);
}

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> against the configured keys, compared by SHA-256 hash. Two
/// clients that cannot set that header have their own way, each only where it is needed: EventSource clients of the
/// live streams pass <c>?access_token=</c> (a key in a URL ends up in proxies' and browsers' histories, so nowhere
/// else), and a browser opening the Orleans Dashboard signs in with HTTP Basic, the key as the password.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyTable keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? key = null;
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            key = header["Bearer ".Length..].Trim();
        }
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) && DashboardPath.Contains(Request.Path))
        {
            key = BasicPassword(header["Basic ".Length..].Trim());
        }
        else if (string.IsNullOrEmpty(header) && Request.Path.StartsWithSegments(LiveStreams) && Request.Query.TryGetValue("access_token", out var token))
        {
            key = token.ToString();
        }

        if (string.IsNullOrEmpty(key))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(keys.Find(key) is { } principal
            ? AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName))
            : AuthenticateResult.Fail("Unknown API key."));
    }

    /// <summary>The live streams, whose EventSource clients cannot set a header.</summary>
    private const string LiveStreams = "/v1/live";

    /// <summary>The password of HTTP Basic credentials (<c>user:password</c> in base64), or null when malformed.</summary>
    private static string? BasicPassword(string encoded)
    {
        try
        {
            var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = text.IndexOf(':');
            return colon < 0 ? null : text[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
