using System.Text.Json.Serialization;
using Annotations.Documents;
using Annotations.History;
using Annotations.Infrastructure;

namespace Annotations.Highlights;

public sealed record HighlightAdded(
    Guid HighlightId,
    Guid DocumentId,
    TextPosition Position,
    TextQuote Quote,
    string? Color,
    string? Label,
    IReadOnlyList<string> Tags,
    string By,
    DateTimeOffset At) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => HighlightId;
}

public sealed record HighlightRelabelled(
    Guid HighlightId,
    Guid DocumentId,
    string? Color,
    string? Label,
    IReadOnlyList<string> Tags,
    string By,
    DateTimeOffset At) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => HighlightId;
}

public sealed record HighlightRetracted(
    Guid HighlightId,
    Guid DocumentId,
    string? Reason,
    string By,
    DateTimeOffset At) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => HighlightId;
}

/// <summary>A retracted highlight brought back, by a revert.</summary>
public sealed record HighlightRestored(Guid HighlightId, Guid DocumentId, string By, DateTimeOffset At) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => HighlightId;
}

public sealed record HighlightReverted(Guid HighlightId, Guid DocumentId, int ToVersion, string? Reason, string By, DateTimeOffset At) : IRevertEvent
{
    [JsonIgnore] public Guid AnnotationId => HighlightId;
}

/// <summary>A highlight as it stands after its events; Marten keeps it as an inline snapshot.</summary>
public sealed record Highlight(
    Guid Id,
    Guid DocumentId,
    TextPosition Position,
    TextQuote Quote,
    string? Color,
    string? Label,
    IReadOnlyList<string> Tags,
    string Author,
    DateTimeOffset CreatedAt,
    DateTimeOffset ModifiedAt,
    bool Retracted = false,
    string? RetractedBy = null,
    string? RetractionReason = null) : IAnnotation
{
    public int Version { get; set; }

    public static Highlight Create(HighlightAdded e) =>
        new(e.HighlightId, e.DocumentId, e.Position, e.Quote, e.Color, e.Label, e.Tags, e.By, e.At, e.At);

    public Highlight Apply(HighlightRelabelled e) =>
        this with { Color = e.Color, Label = e.Label, Tags = e.Tags, ModifiedAt = e.At };

    public Highlight Apply(HighlightRetracted e) =>
        this with { Retracted = true, RetractedBy = e.By, RetractionReason = e.Reason, ModifiedAt = e.At };

    public Highlight Apply(HighlightRestored e) =>
        this with { Retracted = false, RetractedBy = null, RetractionReason = null, ModifiedAt = e.At };

    public Highlight Apply(HighlightReverted e) => this with { ModifiedAt = e.At };
}
