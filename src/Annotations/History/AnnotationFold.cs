using Annotations.Citations;
using Annotations.Comments;
using Annotations.Documents;
using Annotations.Highlights;
using Annotations.Infrastructure;
using JasperFx.Events;

namespace Annotations.History;

/// <summary>
/// Replays annotation events in memory, exactly as the inline projections do, so any past state can be computed from
/// the events alone.
/// </summary>
public static class AnnotationFold
{
    public const string HighlightType = "highlight", CommentType = "comment", CitationType = "citation", DocumentType = "document";

    /// <summary>The state after <paramref name="e"/>, with its version; null for events that are not an annotation's.</summary>
    public static IAnnotation? Evolve(IAnnotation? state, IEvent e)
    {
        IAnnotation? next = (state, e.Data) switch
        {
            (null, HighlightAdded a) => Highlight.Create(a),
            (Highlight h, HighlightRelabelled x) => h.Apply(x),
            (Highlight h, HighlightRetracted x) => h.Apply(x),
            (Highlight h, HighlightRestored x) => h.Apply(x),
            (Highlight h, HighlightReverted x) => h.Apply(x),
            (Highlight h, HighlightShared) => h.Apply((IEvent<HighlightShared>)e),
            (null, CommentAdded a) => Comment.Create(a),
            (Comment c, CommentEdited x) => c.Apply(x),
            (Comment c, CommentRetracted x) => c.Apply(x),
            (Comment c, CommentRestored x) => c.Apply(x),
            (Comment c, CommentReverted x) => c.Apply(x),
            (Comment c, CommentShared) => c.Apply((IEvent<CommentShared>)e),
            (null, CitationIdentified a) => Citation.Create(a),
            (Citation c, CitationCorrectionProposed x) => c.Apply(x),
            (Citation c, CitationCorrectionRevised x) => c.Apply(x),
            (Citation c, CitationCorrectionWithdrawn x) => c.Apply(x),
            (Citation c, CitationCorrectionAccepted x) => c.Apply(x),
            (Citation c, CitationCorrectionRejected x) => c.Apply(x),
            (Citation c, CitationCorrectionRestored x) => c.Apply(x),
            (Citation c, CitationReverted x) => c.Apply(x),
            _ => state,
        };
        if (next is not null && !ReferenceEquals(next, state)) next.Version = (int)e.Version;
        else if (next is not null) next = Copy(next, (int)e.Version);
        return next;
    }

    /// <summary>The state a stream starts with, at version 1.</summary>
    public static IAnnotation Start(IAnnotationEvent first)
    {
        IAnnotation state = first switch
        {
            HighlightAdded a => Highlight.Create(a),
            CommentAdded a => Comment.Create(a),
            CitationIdentified a => Citation.Create(a),
            _ => throw new ArgumentException($"{first.GetType().Name} does not start an annotation.", nameof(first)),
        };
        state.Version = 1;
        return state;
    }

    /// <summary>Folds the events of many streams (in sequence order) into each stream's last state.</summary>
    public static Dictionary<Guid, IAnnotation> Fold(IEnumerable<IEvent> events)
    {
        var states = new Dictionary<Guid, IAnnotation>();
        foreach (var e in events.OrderBy(e => e.Sequence))
        {
            var next = Evolve(states.GetValueOrDefault(e.StreamId), e);
            if (next is not null) states[e.StreamId] = next;
        }
        return states;
    }

    public static string TypeOf(object data) => data switch
    {
        HighlightAdded or HighlightRelabelled or HighlightRetracted or HighlightRestored or HighlightReverted or HighlightShared => HighlightType,
        CommentAdded or CommentEdited or CommentRetracted or CommentRestored or CommentReverted or CommentShared => CommentType,
        DocumentImported => DocumentType,
        _ => CitationType,
    };

    public static string TypeOf(IAnnotation annotation) => annotation switch
    {
        Highlight => HighlightType,
        Comment => CommentType,
        _ => CitationType,
    };

    public static string AuthorOf(object data) => data switch
    {
        IAnnotationEvent a => a.By,
        DocumentImported d => d.ImportedBy,
        _ => "",
    };

    // Records are immutable apart from Version: a state shared with an earlier step must not change under it.
    private static IAnnotation Copy(IAnnotation a, int version)
    {
        IAnnotation copy = a switch
        {
            Highlight h => h with { },
            Comment c => c with { },
            Citation c => c with { },
            _ => a,
        };
        copy.Version = version;
        return copy;
    }
}
