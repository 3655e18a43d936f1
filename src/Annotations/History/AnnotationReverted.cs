using Annotations.Infrastructure;

namespace Annotations.History;

/// <summary>
/// Closes the compensating events of a revert in the same stream: who asked to put the annotation back as it was at
/// <see cref="ToVersion"/>, and why. History is never rewritten; this is how a revert shows in it.
/// </summary>
public sealed record AnnotationReverted(
    Guid AnnotationId, Guid DocumentId, string AnnotationType, int ToVersion, string? Reason, string By, DateTimeOffset At) : IAnnotationEvent;
