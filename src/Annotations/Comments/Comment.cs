using System.Text.Json.Serialization;
using Annotations.Documents;
using Annotations.History;
using Annotations.Infrastructure;
using JasperFx.Events;

namespace Annotations.Comments;

/// <summary>
/// A comment is anchored on exactly one of: a highlight, a bare range of the text (with its selectors), a citation
/// correction proposal, or a parent comment it replies to.
/// </summary>
public sealed record CommentAdded(
    Guid CommentId,
    Guid DocumentId,
    Guid? HighlightId,
    Guid? ParentCommentId,
    TextPosition? Position,
    TextQuote? Quote,
    string Body,
    string By,
    DateTimeOffset At,
    Guid? CitationId = null,
    Guid? ProposalId = null,
    bool Private = false) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => CommentId;
}

/// <summary>A private comment made visible to the team. There is no way back.</summary>
public sealed record CommentShared(Guid CommentId, Guid DocumentId, string By, DateTimeOffset At) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => CommentId;
}

public sealed record CommentEdited(Guid CommentId, Guid DocumentId, string Body, string By, DateTimeOffset At) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => CommentId;
}

/// <summary>Retracted by its author, or by a reviewer moderating, who then gives a reason.</summary>
public sealed record CommentRetracted(Guid CommentId, Guid DocumentId, string By, DateTimeOffset At, string? Reason = null) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => CommentId;
}

/// <summary>A retracted comment brought back, by a revert.</summary>
public sealed record CommentRestored(Guid CommentId, Guid DocumentId, string By, DateTimeOffset At) : IAnnotationEvent
{
    [JsonIgnore] public Guid AnnotationId => CommentId;
}

public sealed record CommentReverted(Guid CommentId, Guid DocumentId, int ToVersion, string? Reason, string By, DateTimeOffset At) : IRevertEvent
{
    [JsonIgnore] public Guid AnnotationId => CommentId;
}

public sealed record Comment(
    Guid Id,
    Guid DocumentId,
    Guid? HighlightId,
    Guid? ParentCommentId,
    TextPosition? Position,
    TextQuote? Quote,
    string Body,
    string Author,
    DateTimeOffset CreatedAt,
    DateTimeOffset ModifiedAt,
    int Edits = 0,
    bool Retracted = false,
    string? RetractedBy = null,
    Guid? CitationId = null,
    Guid? ProposalId = null,
    bool Private = false,
    long? SharedAtVersion = null,
    string? RetractionReason = null) : IAnnotation
{
    public int Version { get; set; }

    public bool VisibleTo(string user) => !Private || Author == user;

    public bool EventVisibleTo(long version, string user) =>
        Author == user || !Private && (SharedAtVersion is not { } shared || version >= shared);

    public Comment Apply(IEvent<CommentShared> e) => this with { Private = false, SharedAtVersion = e.Version, ModifiedAt = e.Data.At };

    public static Comment Create(CommentAdded e) =>
        new(e.CommentId, e.DocumentId, e.HighlightId, e.ParentCommentId, e.Position, e.Quote, e.Body, e.By, e.At, e.At,
            CitationId: e.CitationId, ProposalId: e.ProposalId, Private: e.Private);

    public Comment Apply(CommentEdited e) => this with { Body = e.Body, ModifiedAt = e.At, Edits = Edits + 1 };

    public Comment Apply(CommentRetracted e) => this with { Retracted = true, RetractedBy = e.By, RetractionReason = e.Reason, ModifiedAt = e.At };

    public Comment Apply(CommentRestored e) => this with { Retracted = false, RetractedBy = null, RetractionReason = null, ModifiedAt = e.At };

    public Comment Apply(CommentReverted e) => this with { ModifiedAt = e.At };
}
