using Annotations.Citations;
using Annotations.Documents;
using Annotations.History;
using Annotations.Identity;
using Annotations.Infrastructure;
using Annotations.Workspaces;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Annotations.Live;

/// <summary>The presence of a document's viewers, sent as <c>presence</c> whenever someone comes, goes or selects.</summary>
public sealed record PresenceUpdate(Guid DocumentId, IReadOnlyList<ConnectionRegistry.Viewer> Viewers);

/// <summary>
/// Clients join the documents they are viewing and receive a <c>change</c> message (<see cref="LiveChange"/>) for
/// every committed change to their annotations (a private annotation's changes reach only its author), and
/// <c>presence</c> messages about who else is viewing and what they have selected.
/// </summary>
[Authorize]
public sealed class AnnotationsHub(IQuerySession session, Access access, ConnectionRegistry registry) : Hub
{
    public const string Path = "/hubs/annotations";
    public const string ChangeMethod = "change";
    public const string PresenceMethod = "presence";
    public const int MaxCatchUp = 10_000;

    public static string GroupOf(Guid documentId) => $"document:{documentId}";

    /// <summary>The group of one user's connections on one document: where their private annotations' changes go.</summary>
    public static string PrivateGroupOf(Guid documentId, string user) => $"document:{documentId}:user:{user}";

    private string User => Context.User!.Author();

    public async Task Join(Guid documentId)
    {
        var document = await Guard(() => access.DocumentAsync(Context.User!, documentId, Context.ConnectionAborted));
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(documentId), Context.ConnectionAborted);
        await Groups.AddToGroupAsync(Context.ConnectionId, PrivateGroupOf(documentId, User), Context.ConnectionAborted);
        registry.Joined(Context.ConnectionId, User, documentId, document.WorkspaceId);
        await BroadcastPresence(Clients, registry, documentId);
    }

    /// <summary>
    /// Joins a document and returns every change to it after <paramref name="afterSequence"/> (the last one the client
    /// saw). The client joins the group first, so anything committed while this runs arrives live; a change can come
    /// both ways at that seam, so clients drop a live change whose sequence they already have.
    /// </summary>
    public async Task<CatchUp> JoinFrom(Guid documentId, long afterSequence)
    {
        await Join(documentId);
        var ct = Context.ConnectionAborted;
        var events = await DocumentEvents.LoadAsync(session, documentId, null, ct);
        var missed = events.Count(e => e.Sequence > afterSequence);
        if (missed > MaxCatchUp)
            throw new HubException($"{missed} changes were missed, more than {MaxCatchUp}: read them from GET /feed?document={documentId}&after={afterSequence} first.");

        var final = AnnotationFold.Fold(events);
        var changes = new List<LiveChange>(missed);
        var states = new Dictionary<Guid, IAnnotation>();
        foreach (var e in events)
        {
            var state = AnnotationFold.Evolve(states.GetValueOrDefault(e.StreamId), e);
            if (state is not null) states[e.StreamId] = state;
            if (e.Sequence > afterSequence && e.Data is IAnnotationEvent data and not CitationIdentified && final[e.StreamId].EventVisibleTo(e.Version, User))
                changes.Add(LiveChange.From(e, data, state));
        }
        return new CatchUp(changes, events.Count > 0 ? events[^1].Sequence : afterSequence);
    }

    public async Task Leave(Guid documentId)
    {
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(documentId), Context.ConnectionAborted);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, PrivateGroupOf(documentId, User), Context.ConnectionAborted);
        registry.Left(Context.ConnectionId, documentId);
        await BroadcastPresence(Clients, registry, documentId);
    }

    /// <summary>Shares the viewer's current selection (code points, end exclusive) with the document's other viewers.</summary>
    public async Task Select(Guid documentId, int start, int end)
    {
        if (!registry.HasJoined(Context.ConnectionId, documentId)) throw new HubException("Join the document first.");
        if (start < 0 || end < start) throw new HubException("A selection runs from start to end, end not before start.");
        registry.Select(Context.ConnectionId, documentId, new ConnectionRegistry.Selection(start, end));
        await BroadcastPresence(Clients, registry, documentId);
    }

    public async Task Deselect(Guid documentId)
    {
        registry.Select(Context.ConnectionId, documentId, null);
        await BroadcastPresence(Clients, registry, documentId);
    }

    /// <summary>A closed or timed-out connection (SignalR's client timeout) leaves every document's presence at once.</summary>
    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        foreach (var documentId in registry.Disconnected(Context.ConnectionId))
            await BroadcastPresence(Clients, registry, documentId);
        await base.OnDisconnectedAsync(exception);
    }

    public static Task BroadcastPresence(IHubClients<IClientProxy> clients, ConnectionRegistry registry, Guid documentId) =>
        clients.Group(GroupOf(documentId)).SendAsync(PresenceMethod, new PresenceUpdate(documentId, registry.ViewersOf(documentId)));

    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (RuleViolation e)
        {
            throw new HubException(e.Message);
        }
    }
}
