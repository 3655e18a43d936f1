using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Annotations.Workspaces;

/// <summary>
/// Read-only access for external feed clients: <c>Authorization: ApiKey &lt;key&gt;</c> (or <c>X-Api-Key</c>). A key
/// belongs to one workspace; the server keeps only its hash, and a revoked key stops working at once.
/// </summary>
public sealed class ApiKeys(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IDocumentStore store)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Scheme = "ApiKey";
    private const string WorkspaceClaim = "workspace";

    public static Guid? WorkspaceOf(ClaimsPrincipal user) =>
        user.FindFirst(WorkspaceClaim)?.Value is { } id && Guid.TryParse(id, out var workspace) ? workspace : null;

    /// <summary>A new key: <c>ak_&lt;key id&gt;_&lt;secret&gt;</c>, shown once.</summary>
    public static (Guid Id, string Key) Mint()
    {
        var id = Guid.CreateVersion7();
        return (id, $"ak_{id:N}_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_').TrimEnd('=')}");
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        var key = header.StartsWith(Scheme + " ", StringComparison.OrdinalIgnoreCase) ? header[(Scheme.Length + 1)..].Trim()
            : Request.Headers["X-Api-Key"].ToString();
        if (key.Length == 0) return AuthenticateResult.NoResult();

        var parts = key.Split('_', 3);
        if (parts is not ["ak", var idText, _] || !Guid.TryParseExact(idText, "N", out var keyId)) return AuthenticateResult.Fail("Malformed API key.");

        var hash = Workspace.Hash(key);
        await using var session = store.QuerySession();
        var owner = await session.Query<Workspace>().Where(w => w.ApiKeys.Any(k => k.Id == keyId)).FirstOrDefaultAsync(Context.RequestAborted);
        var found = owner?.ApiKeys.Single(k => k.Id == keyId);
        if (owner is null || found is null || found.Revoked ||
            !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(found.Sha256), Convert.FromHexString(hash)))
            return AuthenticateResult.Fail("Unknown or revoked API key.");

        var identity = new ClaimsIdentity([new Claim("sub", $"apikey:{keyId}"), new Claim(WorkspaceClaim, owner.Id.ToString())], Scheme, "sub", null);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme));
    }
}
