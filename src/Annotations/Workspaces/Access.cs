using System.Security.Claims;
using Annotations.Documents;
using Annotations.Identity;
using Annotations.Infrastructure;
using Marten;

namespace Annotations.Workspaces;

/// <summary>
/// Who may do what, answered for one request. A caller who is not a member of a document's workspace is told the
/// document does not exist (404); a member whose role is too low is told no (403).
/// </summary>
public sealed class Access(IQuerySession session, DefaultWorkspace defaults)
{
    private readonly Dictionary<Guid, Workspace?> _workspaces = new();

    public async Task<Workspace?> WorkspaceAsync(Guid id, CancellationToken ct)
    {
        if (_workspaces.TryGetValue(id, out var cached)) return cached;
        var workspace = await session.LoadAsync<Workspace>(id, ct);
        if (workspace is { HasOwner: false } && id == Workspace.DefaultId && await defaults.TryAssignOwnerAsync(ct))
            workspace = await session.LoadAsync<Workspace>(id, ct);
        return _workspaces[id] = workspace;
    }

    public async Task<Role?> RoleAsync(ClaimsPrincipal user, Guid workspaceId, CancellationToken ct)
    {
        if (ApiKeys.WorkspaceOf(user) is { } keyWorkspace) return keyWorkspace == workspaceId ? Role.Reader : null;
        return (await WorkspaceAsync(workspaceId, ct))?.RoleOf(user.Author());
    }

    /// <summary>The workspace's role of the caller, at least <paramref name="minimum"/>: 404 for strangers, 403 for too low a role.</summary>
    public async Task<Role> RequireAsync(ClaimsPrincipal user, Guid workspaceId, Role minimum, CancellationToken ct, string? notFound = null)
    {
        var role = await RoleAsync(user, workspaceId, ct) ?? throw RuleViolation.NotFound(notFound ?? $"There is no workspace {workspaceId}.");
        return role >= minimum ? role : throw RuleViolation.Forbidden($"This needs the {minimum.ToString().ToLowerInvariant()} role; you are {Article(role)} {role.ToString().ToLowerInvariant()}.");
    }

    /// <summary>The document, if the caller may read it; otherwise 404 as if it did not exist.</summary>
    public async Task<Document> DocumentAsync(ClaimsPrincipal user, Guid documentId, CancellationToken ct, Role minimum = Role.Reader, string? notFound = null)
    {
        notFound ??= $"There is no document {documentId}.";
        var document = await DocumentCache.LoadAsync(session, documentId, ct) ?? throw RuleViolation.NotFound(notFound);
        await RequireAsync(user, document.WorkspaceId, minimum, ct, notFound);
        return document;
    }

    /// <summary>The workspaces the caller belongs to, with their role.</summary>
    public async Task<IReadOnlyDictionary<Guid, Role>> MembershipsAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (ApiKeys.WorkspaceOf(user) is { } keyWorkspace) return new Dictionary<Guid, Role> { [keyWorkspace] = Role.Reader };
        await WorkspaceAsync(Workspace.DefaultId, ct); // gives the default workspace its owner if one is now known
        var name = user.Author();
        var workspaces = await session.Query<Workspace>().ToListAsync(ct);
        return workspaces.Where(w => w.RoleOf(name) is not null).ToDictionary(w => w.Id, w => w.RoleOf(name)!.Value);
    }

    /// <summary>The ids of the documents the caller may read, for filtering feeds and lists.</summary>
    public async Task<IReadOnlySet<Guid>> ReadableDocumentsAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var workspaces = (await MembershipsAsync(user, ct)).Keys.ToArray();
        var ids = await session.Query<Document>().Where(d => d.WorkspaceId.IsOneOf(workspaces)).Select(d => d.Id).ToListAsync(ct);
        return ids.ToHashSet();
    }

    private static string Article(Role role) => role is Role.Annotator or Role.Owner ? "an" : "a";
}
