using Annotations.Infrastructure;

namespace Annotations.History;

/// <summary>
/// Closes the compensating events of a revert in the same stream: who asked to put the annotation back as it was at
/// <see cref="ToVersion"/>, and why. History is never rewritten; this is how a revert shows in it. Each kind of
/// annotation has its own event type, so each projection sees only its own streams' events.
/// </summary>
public interface IRevertEvent : IAnnotationEvent
{
    int ToVersion { get; }
    string? Reason { get; }
}
