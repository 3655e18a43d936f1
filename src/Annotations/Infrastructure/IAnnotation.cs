namespace Annotations.Infrastructure;

/// <summary>An event about something on a document: it names the document so feeds and projections can route it.</summary>
public interface IDocumentEvent
{
    Guid DocumentId { get; }
}

/// <summary>An event in one annotation's stream, with who caused it and when.</summary>
public interface IAnnotationEvent : IDocumentEvent
{
    Guid AnnotationId { get; }
    string By { get; }
    DateTimeOffset At { get; }
}

/// <summary>The current state of one annotation stream (a highlight or a comment), projected from its events.</summary>
public interface IAnnotation
{
    Guid Id { get; }
    Guid DocumentId { get; }
    int Version { get; set; }
    bool Retracted { get; }

    /// <summary>False for a private annotation, except to its author.</summary>
    bool VisibleTo(string user);

    /// <summary>
    /// Whether the event at <paramref name="version"/> of this annotation's stream may be shown to <paramref name="user"/>:
    /// events from while it was private are its author's alone, even after it is shared.
    /// </summary>
    bool EventVisibleTo(long version, string user);
}
