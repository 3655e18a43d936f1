using System.Text.Json;

namespace Annotations.Client;

public sealed record DocumentSummary(Guid Id, string Title, string SourceFileName, string Sha256, int Length, DateTimeOffset ImportedAt, int Highlights, int Comments);

/// <summary>One change in the feed; <see cref="Sequence"/> is the cursor.</summary>
public sealed record FeedEvent(long Sequence, string EventType, Guid StreamId, Guid? DocumentId, string AnnotationType, int Version, string Author,
    DateTimeOffset At, JsonElement Data);

public sealed record FeedPage(IReadOnlyList<FeedEvent> Events, long Next, long HighWaterMark);

/// <summary>A change pushed live (or replayed on catch-up) to viewers of a document.</summary>
public sealed record LiveChange(Guid DocumentId, Guid AnnotationId, string AnnotationType, string EventType, JsonElement State, string Author,
    DateTimeOffset At, long Version, long Sequence);

public sealed record CatchUp(IReadOnlyList<LiveChange> Changes, long Through);

/// <summary>An error the server answered with (RFC 7807 problem details).</summary>
public sealed class AnnotationsApiException(int status, string? title, string? detail)
    : Exception($"{status} {title}: {detail}")
{
    public int Status { get; } = status;
    public string? Title { get; } = title;
    public string? Detail { get; } = detail;
}
