using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Annotations.Identity;

/// <summary>
/// Settings for bearer tokens (section <c>Auth</c>). With nothing configured, tokens are signed by a local key kept in
/// <c>.data/signing-key</c>, created on first start, and minted with <c>token NAME</c> on the server's command line.
/// </summary>
public sealed class TokenSettings
{
    public string Issuer { get; set; } = "annotations-local";
    public string Audience { get; set; } = "annotations";
    /// <summary>Base64 HMAC-SHA256 key; when empty, the key file is used (and created if missing).</summary>
    public string? SigningKey { get; set; }
    public string SigningKeyFile { get; set; } = Path.Combine(".data", "signing-key");
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromHours(12);
    /// <summary>An external OpenID Connect issuer (its URL); then its signing keys are used and no local key is made.</summary>
    public string? Authority { get; set; }

    public static TokenSettings From(IConfiguration configuration)
    {
        var settings = new TokenSettings();
        configuration.GetSection("Auth").Bind(settings);
        return settings;
    }

    public SymmetricSecurityKey LoadOrCreateKey()
    {
        if (!string.IsNullOrWhiteSpace(SigningKey))
            return new SymmetricSecurityKey(Convert.FromBase64String(SigningKey));

        var path = Path.GetFullPath(SigningKeyFile);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            try
            {
                // CreateNew: two processes starting at once must not overwrite each other's key.
                using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                using var writer = new StreamWriter(stream);
                writer.Write(fresh);
            }
            catch (IOException) when (File.Exists(path))
            {
            }
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new SymmetricSecurityKey(Convert.FromBase64String(File.ReadAllText(path).Trim()));
    }

    public TokenValidationParameters ValidationParameters(SecurityKey? key) => new()
    {
        ValidIssuer = string.IsNullOrEmpty(Authority) ? Issuer : null,
        ValidAudience = Audience,
        IssuerSigningKey = key,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateIssuerSigningKey = true,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = "sub",
    };

    public string Mint(string subject, TimeSpan? lifetime = null, DateTime? now = null)
    {
        var issuedAt = now ?? DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = issuedAt + (lifetime ?? DefaultLifetime),
            SigningCredentials = new SigningCredentials(LoadOrCreateKey(), SecurityAlgorithms.HmacSha256),
        };
        return new JwtSecurityTokenHandler().CreateEncodedJwt(descriptor);
    }
}

public static class UserExtensions
{
    /// <summary>The author recorded on events: the token's subject.</summary>
    public static string Author(this ClaimsPrincipal user) =>
        user.FindFirst("sub")?.Value
        ?? throw new UnauthorizedAccessException("The bearer token has no subject.");
}
