using Annotations;
using Annotations.Citations;
using Annotations.Comments;
using Annotations.Highlights;
using Annotations.Infrastructure;

namespace Annotations.History;

public sealed record RevertAnnotation(int? ToVersion, string? Reason);

public sealed record RevertAuthor(string? Author, DateTimeOffset? From, DateTimeOffset? To, string? Reason);

/// <summary>
/// The compensating events that take an annotation from its current state back to an earlier one. A target of null
/// means "as if it had never been made": the annotation is retracted.
/// </summary>
public static class Reverts
{
    public static IReadOnlyList<IAnnotationEvent> Compensate(IAnnotation current, IAnnotation? target, int toVersion, string? reason, string by, DateTimeOffset at)
    {
        var events = (current, target) switch
        {
            (Highlight c, Highlight t) => Highlight(c, t, by, at),
            (Highlight c, null) => c.Retracted ? [] : [new HighlightRetracted(c.Id, c.DocumentId, reason ?? "reverted", by, at)],
            (Comment c, Comment t) => Comment(c, t, by, at),
            (Comment c, null) => c.Retracted ? [] : [new CommentRetracted(c.Id, c.DocumentId, by, at)],
            (Citation c, Citation t) => c.AcceptedProposalId == t.AcceptedProposalId
                ? []
                : [new CitationCorrectionRestored(c.Id, c.DocumentId, t.AcceptedProposalId, by, at)],
            _ => throw RuleViolation.Unprocessable("This annotation cannot be reverted to that version."),
        };
        if (events.Count == 0)
            throw RuleViolation.Unprocessable($"The {AnnotationFold.TypeOf(current)} already is as it was at version {toVersion}: there is nothing to revert.");
        IRevertEvent marker = current switch
        {
            Highlights.Highlight => new HighlightReverted(current.Id, current.DocumentId, toVersion, reason, by, at),
            Comments.Comment => new CommentReverted(current.Id, current.DocumentId, toVersion, reason, by, at),
            _ => new CitationReverted(current.Id, current.DocumentId, toVersion, reason, by, at),
        };
        return [.. events, marker];
    }

    private static List<IAnnotationEvent> Highlight(Highlight c, Highlight t, string by, DateTimeOffset at)
    {
        var events = new List<IAnnotationEvent>();
        if (c.Retracted && !t.Retracted) events.Add(new HighlightRestored(c.Id, c.DocumentId, by, at));
        if (c.Label != t.Label || c.Color != t.Color || !c.Tags.SequenceEqual(t.Tags))
            events.Add(new HighlightRelabelled(c.Id, c.DocumentId, t.Color, t.Label, t.Tags, by, at));
        if (!c.Retracted && t.Retracted) events.Add(new HighlightRetracted(c.Id, c.DocumentId, t.RetractionReason, by, at));
        return events;
    }

    private static List<IAnnotationEvent> Comment(Comment c, Comment t, string by, DateTimeOffset at)
    {
        var events = new List<IAnnotationEvent>();
        if (c.Retracted && !t.Retracted) events.Add(new CommentRestored(c.Id, c.DocumentId, by, at));
        if (c.Body != t.Body) events.Add(new CommentEdited(c.Id, c.DocumentId, t.Body, by, at));
        if (!c.Retracted && t.Retracted) events.Add(new CommentRetracted(c.Id, c.DocumentId, by, at));
        return events;
    }
}
