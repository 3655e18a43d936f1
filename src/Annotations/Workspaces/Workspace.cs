using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Annotations.Workspaces;

/// <summary>What a member may do; each role includes the ones below it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Role>))]
public enum Role { Reader = 1, Annotator = 2, Reviewer = 3, Owner = 4 }

public sealed record WorkspaceCreated(Guid WorkspaceId, string Name, string By, DateTimeOffset At);

public sealed record MemberAdded(Guid WorkspaceId, string Member, Role Role, string By, DateTimeOffset At);

public sealed record MemberRoleChanged(Guid WorkspaceId, string Member, Role Role, string By, DateTimeOffset At);

public sealed record MemberRemoved(Guid WorkspaceId, string Member, string By, DateTimeOffset At);

/// <summary>A read-only key for an external feed client. Only the key's SHA-256 is kept.</summary>
public sealed record ApiKeyIssued(Guid WorkspaceId, Guid KeyId, string Name, string Sha256, string By, DateTimeOffset At);

public sealed record ApiKeyRevoked(Guid WorkspaceId, Guid KeyId, string By, DateTimeOffset At);

public sealed record ApiKey(Guid Id, string Name, string Sha256, string IssuedBy, DateTimeOffset IssuedAt, bool Revoked = false);

/// <summary>A team: its members with their roles, and its API keys.</summary>
public sealed record Workspace(Guid Id, string Name, IReadOnlyDictionary<string, Role> Members, IReadOnlyList<ApiKey> ApiKeys, DateTimeOffset CreatedAt)
{
    /// <summary>Where the seed documents, and documents imported without naming a workspace, live.</summary>
    public static readonly Guid DefaultId = Guid.Parse("00000000-0000-4000-8000-00000000d0c5");

    public int Version { get; set; }

    public Role? RoleOf(string member) => Members.TryGetValue(member, out var role) ? role : null;

    public bool HasOwner => Members.Values.Contains(Role.Owner);

    public static Workspace Create(WorkspaceCreated e) => new(e.WorkspaceId, e.Name, new Dictionary<string, Role>(), [], e.At);

    public Workspace Apply(MemberAdded e) => this with { Members = new Dictionary<string, Role>(Members) { [e.Member] = e.Role } };

    public Workspace Apply(MemberRoleChanged e) => this with { Members = new Dictionary<string, Role>(Members) { [e.Member] = e.Role } };

    public Workspace Apply(MemberRemoved e)
    {
        var members = new Dictionary<string, Role>(Members);
        members.Remove(e.Member);
        return this with { Members = members };
    }

    public Workspace Apply(ApiKeyIssued e) => this with { ApiKeys = [.. ApiKeys, new ApiKey(e.KeyId, e.Name, e.Sha256, e.By, e.At)] };

    public Workspace Apply(ApiKeyRevoked e) => this with { ApiKeys = ApiKeys.Select(k => k.Id == e.KeyId ? k with { Revoked = true } : k).ToList() };

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
