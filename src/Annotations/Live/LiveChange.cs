namespace Annotations.Live;

/// <summary>
/// What a viewer of a document receives for one committed event. <see cref="Sequence"/> is the global event sequence
/// (the change feed's cursor); <see cref="Version"/> is the annotation's version after the event, as in its ETag.
/// </summary>
public sealed record LiveChange(
    Guid DocumentId,
    Guid AnnotationId,
    string AnnotationType,
    string EventType,
    object? State,
    string Author,
    DateTimeOffset At,
    long Version,
    long Sequence);
