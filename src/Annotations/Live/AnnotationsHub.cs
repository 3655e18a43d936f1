using Annotations.Citations;
using Annotations.Documents;
using Annotations.History;
using Annotations.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Annotations.Live;

/// <summary>
/// Clients join the documents they are viewing and receive a <c>change</c> message (<see cref="LiveChange"/>) for
/// every committed change to their annotations.
/// </summary>
[Authorize]
public sealed class AnnotationsHub(IQuerySession session) : Hub
{
    public const string Path = "/hubs/annotations";
    public const string ChangeMethod = "change";

    public static string GroupOf(Guid documentId) => $"document:{documentId}";

    public async Task Join(Guid documentId)
    {
        if (await session.LoadAsync<Document>(documentId, Context.ConnectionAborted) is null)
            throw new HubException($"There is no document {documentId}.");
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(documentId), Context.ConnectionAborted);
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

        var changes = new List<LiveChange>(missed);
        var states = new Dictionary<Guid, IAnnotation>();
        foreach (var e in events)
        {
            var state = AnnotationFold.Evolve(states.GetValueOrDefault(e.StreamId), e);
            if (state is not null) states[e.StreamId] = state;
            if (e.Sequence > afterSequence && e.Data is IAnnotationEvent data and not CitationIdentified)
                changes.Add(LiveChange.From(e, data, state));
        }
        return new CatchUp(changes, events.Count > 0 ? events[^1].Sequence : afterSequence);
    }

    public const int MaxCatchUp = 10_000;

    public Task Leave(Guid documentId) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(documentId), Context.ConnectionAborted);
}
