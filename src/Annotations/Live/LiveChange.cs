using Annotations.History;
using Annotations.Infrastructure;
using JasperFx.Events;

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
    long Sequence)
{
    public static LiveChange From(IEvent e, IAnnotationEvent data, object? state) =>
        new(data.DocumentId, data.AnnotationId, AnnotationFold.TypeOf(data), data.GetType().Name, state, data.By, data.At, e.Version, e.Sequence);
}

/// <summary>What <c>JoinFrom</c> returns: every change after the caller's cursor, up to the moment it joined.</summary>
public sealed record CatchUp(IReadOnlyList<LiveChange> Changes, long Through);
