using System.Security.Cryptography;
using System.Text;

namespace Annotations.Webhooks;

/// <summary>
/// <c>Annotations-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body" with the secret&gt;</c>. Receivers
/// recompute it over the raw body and reject old timestamps to stop replays.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "Annotations-Signature";

    public static string Sign(string secret, long unixSeconds, string body) =>
        $"t={unixSeconds},v1={Hex(secret, unixSeconds, body)}";

    public static bool Verify(string secret, string header, string body, DateTimeOffset now, TimeSpan tolerance)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !long.TryParse(t, out var seconds) || !parts.TryGetValue("v1", out var v1)) return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(v1), Encoding.ASCII.GetBytes(Hex(secret, seconds, body)));
    }

    private static string Hex(string secret, long seconds, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{seconds}.{body}")));
}
