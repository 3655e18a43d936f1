using System.Text.Json.Serialization;
using Annotations.Documents;
using Annotations.History;
using Annotations.Infrastructure;
using JasperFx.Events;

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
    DateTimeOffset At,
    bool Private = false) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => HighlightId;
}

/// <summary>A private highlight made visible to the team. There is no way back.</summary>
public sealed record HighlightShared(Guid HighlightId, Guid DocumentId, string By, DateTimeOffset At) : IAnnotationEvent
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
    string? RetractionReason = null,
    bool Private = false,
    long? SharedAtVersion = null) : IAnnotation
{
    public int Version { get; set; }

    public bool VisibleTo(string user) => !Private || Author == user;

    public bool EventVisibleTo(long version, string user) =>
        Author == user || !Private && (SharedAtVersion is not { } shared || version >= shared);

    public static Highlight Create(HighlightAdded e) =>
        new(e.HighlightId, e.DocumentId, e.Position, e.Quote, e.Color, e.Label, e.Tags, e.By, e.At, e.At, Private: e.Private);

    public Highlight Apply(IEvent<HighlightShared> e) => this with { Private = false, SharedAtVersion = e.Version, ModifiedAt = e.Data.At };

    public Highlight Apply(HighlightRelabelled e) =>
        this with { Color = e.Color, Label = e.Label, Tags = e.Tags, ModifiedAt = e.At };

    public Highlight Apply(HighlightRetracted e) =>
        this with { Retracted = true, RetractedBy = e.By, RetractionReason = e.Reason, ModifiedAt = e.At };

    public Highlight Apply(HighlightRestored e) =>
        this with { Retracted = false, RetractedBy = null, RetractionReason = null, ModifiedAt = e.At };

    public Highlight Apply(HighlightReverted e) => this with { ModifiedAt = e.At };
}
