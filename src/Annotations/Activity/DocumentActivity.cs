using Annotations.Comments;
using Annotations.Highlights;
using Annotations.Infrastructure;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Wolverine.Http;

namespace Annotations.Activity;

/// <summary>
/// Who has been working on a document and when it last changed. Built asynchronously by Marten's projection daemon
/// (so it trails the writes by a moment), which also proves the daemon runs in the mode the app uses.
/// </summary>
public sealed class DocumentActivity
{
    public Guid Id { get; set; }
    public long Events { get; set; }
    public int HighlightsAdded { get; set; }
    public int CommentsAdded { get; set; }
    public Dictionary<string, int> ChangesByAuthor { get; set; } = new();
    public DateTimeOffset? LastChangeAt { get; set; }
    public long LastSequence { get; set; }

    /// <summary>Annotations still private: none of their activity counts until they are shared. Never shown.</summary>
    public HashSet<Guid> PrivateAnnotations { get; set; } = [];
}

public sealed record DocumentActivityView(Guid Id, long Events, int HighlightsAdded, int CommentsAdded, IReadOnlyDictionary<string, int> ChangesByAuthor,
    DateTimeOffset? LastChangeAt, long LastSequence);

public sealed class DocumentActivityProjection : MultiStreamProjection<DocumentActivity, Guid>
{
    public DocumentActivityProjection()
    {
        Identity<IDocumentEvent>(e => e.DocumentId);
    }

    public void Apply(DocumentActivity view, IEvent<HighlightAdded> e)
    {
        if (e.Data.Private) { view.PrivateAnnotations.Add(e.StreamId); return; }
        Count(view, e, e.Data);
        view.HighlightsAdded++;
    }

    public void Apply(DocumentActivity view, IEvent<HighlightShared> e)
    {
        view.PrivateAnnotations.Remove(e.StreamId);
        Count(view, e, e.Data);
        view.HighlightsAdded++;
    }

    public void Apply(DocumentActivity view, IEvent<HighlightRelabelled> e) => Count(view, e, e.Data);

    public void Apply(DocumentActivity view, IEvent<HighlightRetracted> e) => Count(view, e, e.Data);

    public void Apply(DocumentActivity view, IEvent<CommentAdded> e)
    {
        if (e.Data.Private) { view.PrivateAnnotations.Add(e.StreamId); return; }
        Count(view, e, e.Data);
        view.CommentsAdded++;
    }

    public void Apply(DocumentActivity view, IEvent<CommentShared> e)
    {
        view.PrivateAnnotations.Remove(e.StreamId);
        Count(view, e, e.Data);
        view.CommentsAdded++;
    }

    public void Apply(DocumentActivity view, IEvent<CommentEdited> e) => Count(view, e, e.Data);

    public void Apply(DocumentActivity view, IEvent<CommentRetracted> e) => Count(view, e, e.Data);

    private static void Count(DocumentActivity view, IEvent e, IAnnotationEvent data)
    {
        view.Id = data.DocumentId;
        if (view.PrivateAnnotations.Contains(e.StreamId)) return;
        view.Events++;
        view.ChangesByAuthor[data.By] = view.ChangesByAuthor.GetValueOrDefault(data.By) + 1;
        view.LastChangeAt = data.At;
        view.LastSequence = e.Sequence;
    }
}

public static class DocumentActivityEndpoint
{
    /// <summary>Eventually consistent: a change shows here once the daemon has processed it (normally well under a second).</summary>
    [WolverineGet("/documents/{id}/activity")]
    public static async Task<DocumentActivityView> Get(Guid id, IQuerySession session, System.Security.Claims.ClaimsPrincipal user, Workspaces.Access access, CancellationToken ct)
    {
        await access.DocumentAsync(user, id, ct);
        var a = await session.LoadAsync<DocumentActivity>(id, ct) ?? new DocumentActivity { Id = id };
        return new DocumentActivityView(a.Id, a.Events, a.HighlightsAdded, a.CommentsAdded, a.ChangesByAuthor, a.LastChangeAt, a.LastSequence);
    }
}
