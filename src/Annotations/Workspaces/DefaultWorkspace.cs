using Annotations.Identity;
using Marten;

namespace Annotations.Workspaces;

/// <summary>
/// The workspace the seed documents belong to. Its owner is <c>Workspaces:DefaultOwner</c> or, with the embedded
/// default, the first user a token was minted for (recorded next to the signing key).
/// </summary>
public sealed class DefaultWorkspace(IDocumentStore store, IConfiguration configuration, TokenSettings tokens, TimeProvider clock)
{
    public const string System = "system";

    public string? ConfiguredOwner =>
        configuration["Workspaces:DefaultOwner"] is { Length: > 0 } owner ? owner
        : File.Exists(FirstUserFile(tokens)) ? File.ReadAllText(FirstUserFile(tokens)).Trim() is { Length: > 0 } first ? first : null
        : null;

    public static string FirstUserFile(TokenSettings tokens) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(tokens.SigningKeyFile))!, "default-owner");

    public async Task EnsureExistsAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<Workspace>(Workspace.DefaultId, ct) is not null) return;
        session.Events.StartStream<Workspace>(Workspace.DefaultId, new WorkspaceCreated(Workspace.DefaultId, "Default", System, clock.GetUtcNow()));
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (Infrastructure.AnnotationWrites.IsStreamCollision(e))
        {
        }
        await TryAssignOwnerAsync(ct);
    }

    /// <summary>Makes the configured owner the default workspace's owner, if it has none yet.</summary>
    public async Task<bool> TryAssignOwnerAsync(CancellationToken ct)
    {
        if (ConfiguredOwner is not { } owner) return false;
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<Workspace>(Workspace.DefaultId, ct);
        if (stream.Aggregate is null || stream.Aggregate.HasOwner) return false;
        stream.AppendOne(stream.Aggregate.RoleOf(owner) is null
            ? new MemberAdded(Workspace.DefaultId, owner, Role.Owner, System, clock.GetUtcNow())
            : new MemberRoleChanged(Workspace.DefaultId, owner, Role.Owner, System, clock.GetUtcNow()));
        try
        {
            await session.SaveChangesAsync(ct);
            return true;
        }
        catch (Exception)
        {
            return false; // another request assigned it first
        }
    }
}
