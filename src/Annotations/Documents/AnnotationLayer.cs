using Annotations.Citations;
using Annotations.Comments;
using Annotations.Highlights;
using Annotations.Identity;
using Annotations.Infrastructure;
using Annotations.Workspaces;
using Annotations.History;
using Annotations.Infrastructure;
using Marten;
using Wolverine.Http;

namespace Annotations.Documents;

/// <summary>A comment and its replies. A retracted comment that still has live replies stays as a bodiless tombstone.</summary>
public sealed record CommentThread(
    Guid Id,
    string? Body,
    string Author,
    DateTimeOffset CreatedAt,
    DateTimeOffset ModifiedAt,
    int Version,
    bool Retracted,
    IReadOnlyList<CommentThread> Replies);

public sealed record HighlightView(
    Guid Id,
    TextPosition Position,
    TextQuote Quote,
    string? Color,
    string? Label,
    IReadOnlyList<string> Tags,
    string Author,
    DateTimeOffset CreatedAt,
    DateTimeOffset ModifiedAt,
    int Version,
    IReadOnlyList<CommentThread> Comments);

public sealed record RangeCommentView(TextPosition Position, TextQuote Quote, CommentThread Thread);

/// <summary>A citation someone has proposed to correct, with the correction in force.</summary>
public sealed record CorrectionView(Guid CitationId, int Number, CitationKind Kind, string OriginalText, string CurrentText, bool Corrected,
    Guid? AcceptedProposalId, int OpenProposals, int Version);

public sealed record AnnotationLayerView(
    Guid DocumentId,
    IReadOnlyList<HighlightView> Highlights,
    IReadOnlyList<RangeCommentView> RangeComments,
    IReadOnlyList<CorrectionView> Corrections);

/// <summary>Assembles a document's annotation layer from annotation states, whether read models or replayed events.</summary>
public static class AnnotationLayer
{
    public static AnnotationLayerView Build(Guid documentId, IEnumerable<Highlight> highlights, IEnumerable<Comment> comments, IEnumerable<Citation> citations)
    {
        comments = comments.ToList();
        var byParent = comments.Where(c => c.ParentCommentId is not null).ToLookup(c => c.ParentCommentId!.Value);
        var roots = comments.Where(c => c.ParentCommentId is null).ToList();
        var onHighlight = roots.Where(c => c.HighlightId is not null).ToLookup(c => c.HighlightId!.Value);

        var highlightViews = highlights
            .Where(h => !h.Retracted)
            .OrderBy(h => h.Position.Start).ThenBy(h => h.Position.End).ThenBy(h => h.CreatedAt)
            .Select(h => new HighlightView(h.Id, h.Position, h.Quote, h.Color, h.Label, h.Tags, h.Author, h.CreatedAt, h.ModifiedAt, h.Version,
                Threads(onHighlight[h.Id], byParent)))
            .ToList();

        var rangeViews = roots
            .Where(c => c.Position is not null)
            .Select(c => (Comment: c, Thread: Thread(c, byParent)))
            .Where(x => x.Thread is not null)
            .OrderBy(x => x.Comment.Position!.Start).ThenBy(x => x.Comment.Position!.End).ThenBy(x => x.Comment.CreatedAt)
            .Select(x => new RangeCommentView(x.Comment.Position!, x.Comment.Quote!, x.Thread!))
            .ToList();

        var corrections = citations
            .Where(c => c.Proposals.Count > 0)
            .OrderBy(c => c.Kind).ThenBy(c => c.Number)
            .Select(c => new CorrectionView(c.Id, c.Number, c.Kind, c.OriginalText, c.CurrentText, c.Accepted is not null, c.AcceptedProposalId,
                c.Proposals.Count(p => p.Status == ProposalStatus.Open), c.Version))
            .ToList();

        return new AnnotationLayerView(documentId, highlightViews, rangeViews, corrections);
    }

    /// <summary>The threads rooted at each top-level comment among <paramref name="comments"/>, replies nested.</summary>
    public static IReadOnlyList<CommentThread> Threads(IReadOnlyCollection<Comment> comments)
    {
        var byParent = comments.Where(c => c.ParentCommentId is not null).ToLookup(c => c.ParentCommentId!.Value);
        return Threads(comments.Where(c => c.ParentCommentId is null), byParent);
    }

    private static IReadOnlyList<CommentThread> Threads(IEnumerable<Comment> comments, ILookup<Guid, Comment> byParent) =>
        comments.OrderBy(c => c.CreatedAt).Select(c => Thread(c, byParent)).OfType<CommentThread>().ToList();

    private static CommentThread? Thread(Comment c, ILookup<Guid, Comment> byParent)
    {
        var replies = Threads(byParent[c.Id], byParent);
        if (c.Retracted && replies.Count == 0) return null;
        return new CommentThread(c.Id, c.Retracted ? null : c.Body, c.Author, c.CreatedAt, c.ModifiedAt, c.Version, c.Retracted, replies);
    }
}

public static class AnnotationLayerEndpoint
{
    private static IReadOnlyList<T> Visible<T>(IEnumerable<T> annotations, string viewer) where T : IAnnotation =>
        annotations.Where(a => a.VisibleTo(viewer)).ToList();

    /// <summary>
    /// The layer as it stands now (from the read models), or with <c>asOf=&lt;ISO time&gt;</c> or
    /// <c>atSequence=&lt;n&gt;</c> as it stood then, replayed from the events alone.
    /// </summary>
    [WolverineGet("/documents/{id}/annotations")]
    public static async Task<AnnotationLayerView> Get(Guid id, HttpContext http, IQuerySession session, TimeProvider clock, Access access)
    {
        var ct = http.RequestAborted;
        await access.DocumentAsync(http.User, id, ct);
        var viewer = http.User.Author();
        var asOf = http.Request.Query["asOf"].ToString();
        var atSequence = http.Request.Query["atSequence"].ToString();
        if (asOf.Length > 0 && atSequence.Length > 0) throw RuleViolation.BadRequest("Give asOf or atSequence, not both.");

        if (asOf.Length > 0 || atSequence.Length > 0)
        {
            if (atSequence.Length > 0 && !long.TryParse(atSequence, out _)) throw RuleViolation.BadRequest("atSequence must be a whole number.");
            if (asOf.Length > 0 && long.TryParse(asOf, out _)) throw RuleViolation.BadRequest("asOf must be an ISO 8601 time; use atSequence for a sequence number.");
            var moment = Moment.Parse(asOf.Length > 0 ? "asOf" : "atSequence", asOf.Length > 0 ? asOf : atSequence,
                await Moment.LastSequenceAsync(session, ct), clock.GetUtcNow());
            return await AsOfAsync(session, id, moment, viewer, ct);
        }

        var batch = session.CreateBatchQuery();
        var highlights = batch.Query<Highlight>().Where(h => h.DocumentId == id && !h.Retracted).ToList();
        var comments = batch.Query<Comment>().Where(c => c.DocumentId == id).ToList();
        var citations = batch.Query<Citation>().Where(c => c.DocumentId == id).ToList();
        await batch.Execute(ct);
        return AnnotationLayer.Build(id, Visible(await highlights, viewer), Visible(await comments, viewer), await citations);
    }

    public static async Task<AnnotationLayerView> AsOfAsync(IQuerySession session, Guid documentId, Moment moment, string viewer, CancellationToken ct)
    {
        var states = Visible(AnnotationFold.Fold(await DocumentEvents.LoadAsync(session, documentId, moment, ct)).Values, viewer);
        return AnnotationLayer.Build(documentId, states.OfType<Highlight>(), states.OfType<Comment>(), states.OfType<Citation>());
    }
}
