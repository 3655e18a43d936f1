using System.Security.Claims;
using Annotations.Identity;
using Annotations.Infrastructure;
using Marten;
using Wolverine.Http;

namespace Annotations.Workspaces;

public sealed record CreateWorkspace(string? Name);

public sealed record AddMember(string? Member, Role? Role);

public sealed record ChangeRole(Role? Role);

public sealed record IssueApiKey(string? Name);

public sealed record WorkspaceView(Guid Id, string Name, Role? YourRole, IReadOnlyDictionary<string, Role> Members, int Version);

public sealed record ApiKeyView(Guid Id, string Name, string IssuedBy, DateTimeOffset IssuedAt, bool Revoked);

public sealed record IssuedApiKey(Guid Id, string Name, string Key);

public static class WorkspaceEndpoints
{
    [WolverineGet("/workspaces")]
    public static async Task<IReadOnlyList<WorkspaceView>> List(ClaimsPrincipal user, Access access, IQuerySession session, CancellationToken ct)
    {
        var memberships = await access.MembershipsAsync(user, ct);
        var workspaces = await session.LoadManyAsync<Workspace>(ct, memberships.Keys);
        return workspaces.Select(w => View(w, memberships[w.Id])).ToList();
    }

    /// <summary>Anyone may start a workspace; they become its owner.</summary>
    [WolverinePost("/workspaces")]
    public static async Task<IResult> Create(CreateWorkspace command, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (ApiKeys.WorkspaceOf(user) is not null) throw RuleViolation.Forbidden("API keys are read-only.");
        var name = command.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200) throw RuleViolation.BadRequest("name is required, up to 200 characters.");
        var id = Guid.CreateVersion7();
        var by = user.Author();
        session.Events.StartStream<Workspace>(id, new WorkspaceCreated(id, name, by, clock.GetUtcNow()), new MemberAdded(id, by, Role.Owner, by, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        var workspace = await session.LoadAsync<Workspace>(id, ct);
        return Results.Created($"/workspaces/{id}", View(workspace!, Role.Owner));
    }

    [WolverineGet("/workspaces/{id}")]
    public static async Task<WorkspaceView> Get(Guid id, ClaimsPrincipal user, Access access, CancellationToken ct)
    {
        var role = await access.RequireAsync(user, id, Role.Reader, ct);
        return View((await access.WorkspaceAsync(id, ct))!, role);
    }

    /// <summary>Who added whom, changed whose role, issued or revoked which key, and when.</summary>
    [WolverineGet("/workspaces/{id}/history")]
    public static async Task<IReadOnlyList<object>> History(Guid id, ClaimsPrincipal user, Access access, IQuerySession session, CancellationToken ct)
    {
        await access.RequireAsync(user, id, Role.Reader, ct);
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        // A key's hash stays in the store.
        return events.Select(e => (object)new { e.Sequence, e.Version, EventType = e.Data.GetType().Name, At = e.Timestamp,
            Event = e.Data is ApiKeyIssued k ? new { k.WorkspaceId, k.KeyId, k.Name, k.By, k.At } : e.Data }).ToList();
    }

    [WolverinePost("/workspaces/{id}/members")]
    public static async Task<IResult> AddMember(Guid id, AddMember command, ClaimsPrincipal user, Access access, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        await access.RequireAsync(user, id, Role.Owner, ct);
        var member = command.Member?.Trim();
        if (string.IsNullOrEmpty(member) || member.Length > 200) throw RuleViolation.BadRequest("member is required: the user's token subject.");
        if (command.Role is not { } role || !Enum.IsDefined(role)) throw RuleViolation.BadRequest("role must be reader, annotator, reviewer or owner.");
        return await ChangeAsync(session, id, w => w.RoleOf(member) is null
            ? new MemberAdded(id, member, role, user.Author(), clock.GetUtcNow())
            : throw RuleViolation.Conflict($"{member} is already a member; change their role instead."), ct, created: true);
    }

    [WolverinePut("/workspaces/{id}/members/{member}")]
    public static async Task<IResult> ChangeRole(Guid id, string member, ChangeRole command, ClaimsPrincipal user, Access access, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        await access.RequireAsync(user, id, Role.Owner, ct);
        if (command.Role is not { } role || !Enum.IsDefined(role)) throw RuleViolation.BadRequest("role must be reader, annotator, reviewer or owner.");
        return await ChangeAsync(session, id, w =>
        {
            var current = w.RoleOf(member) ?? throw RuleViolation.NotFound($"{member} is not a member.");
            if (current == role) throw RuleViolation.Conflict($"{member} already is {role.ToString().ToLowerInvariant()}.");
            RequireAnotherOwner(w, member, current);
            return new MemberRoleChanged(id, member, role, user.Author(), clock.GetUtcNow());
        }, ct);
    }

    [WolverineDelete("/workspaces/{id}/members/{member}")]
    public static async Task<IResult> RemoveMember(Guid id, string member, ClaimsPrincipal user, Access access, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        await access.RequireAsync(user, id, Role.Owner, ct);
        return await ChangeAsync(session, id, w =>
        {
            var current = w.RoleOf(member) ?? throw RuleViolation.NotFound($"{member} is not a member.");
            RequireAnotherOwner(w, member, current);
            return new MemberRemoved(id, member, user.Author(), clock.GetUtcNow());
        }, ct);
    }

    [WolverineGet("/workspaces/{id}/api-keys")]
    public static async Task<IReadOnlyList<ApiKeyView>> ListKeys(Guid id, ClaimsPrincipal user, Access access, CancellationToken ct)
    {
        await access.RequireAsync(user, id, Role.Owner, ct);
        return (await access.WorkspaceAsync(id, ct))!.ApiKeys.Select(k => new ApiKeyView(k.Id, k.Name, k.IssuedBy, k.IssuedAt, k.Revoked)).ToList();
    }

    /// <summary>Issues a read-only key for the workspace's feed. The key is in this response only.</summary>
    [WolverinePost("/workspaces/{id}/api-keys")]
    public static async Task<IResult> IssueKey(Guid id, IssueApiKey command, ClaimsPrincipal user, Access access, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        await access.RequireAsync(user, id, Role.Owner, ct);
        var name = command.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200) throw RuleViolation.BadRequest("name is required, up to 200 characters.");
        var (keyId, key) = ApiKeys.Mint();
        session.Events.Append(id, new ApiKeyIssued(id, keyId, name, Workspace.Hash(key), user.Author(), clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        return Results.Created($"/workspaces/{id}/api-keys/{keyId}", new IssuedApiKey(keyId, name, key));
    }

    [WolverineDelete("/workspaces/{id}/api-keys/{keyId}")]
    public static async Task<IResult> RevokeKey(Guid id, Guid keyId, ClaimsPrincipal user, Access access, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        await access.RequireAsync(user, id, Role.Owner, ct);
        return await ChangeAsync(session, id, w => w.ApiKeys.FirstOrDefault(k => k.Id == keyId) is { Revoked: false }
            ? new ApiKeyRevoked(id, keyId, user.Author(), clock.GetUtcNow())
            : throw RuleViolation.NotFound($"There is no active API key {keyId}."), ct);
    }

    private static void RequireAnotherOwner(Workspace w, string member, Role current)
    {
        if (current == Role.Owner && w.Members.Count(m => m.Value == Role.Owner) == 1)
            throw RuleViolation.Conflict($"{member} is the last owner; make someone else owner first.");
    }

    private static async Task<IResult> ChangeAsync(IDocumentSession session, Guid id, Func<Workspace, object> decide, CancellationToken ct, bool created = false)
    {
        var stream = await session.Events.FetchForWriting<Workspace>(id, ct);
        var workspace = stream.Aggregate ?? throw RuleViolation.NotFound($"There is no workspace {id}.");
        stream.AppendOne(decide(workspace));
        await session.SaveChangesAsync(ct);
        var state = await session.Events.FetchLatest<Workspace>(id, ct);
        var view = View(state!, Role.Owner); // only owners change a workspace
        return created ? Results.Created($"/workspaces/{id}", view) : Results.Ok(view);
    }

    private static WorkspaceView View(Workspace w, Role? role) => new(w.Id, w.Name, role, w.Members, w.Version);
}
