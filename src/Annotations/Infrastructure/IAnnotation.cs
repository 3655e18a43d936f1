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
}
