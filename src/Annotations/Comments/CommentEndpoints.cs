using System.Security.Claims;
using Annotations.Citations;
using Annotations.Documents;
using Annotations.Highlights;
using Annotations.Identity;
using Annotations.Infrastructure;
using Annotations.Workspaces;
using Marten;
using Wolverine.Http;

namespace Annotations.Comments;

public sealed record AddComment(string? Body, Guid? HighlightId, Guid? ParentCommentId, int? Start, int? End, string? Exact, string? CommandId,
    Guid? CitationId = null, Guid? ProposalId = null, string? Visibility = null);

public sealed record EditComment(string? Body);

public static class CommentRules
{
    public const int MaxBody = 10_000;

    /// <summary>The anchor a new comment hangs on, already loaded and checked to belong to the document.</summary>
    public abstract record Anchor
    {
        public sealed record OnHighlight(Highlight Highlight) : Anchor;
        public sealed record OnRange(TextPosition Position, TextQuote Quote) : Anchor;
        public sealed record ReplyTo(Comment Parent) : Anchor;
        public sealed record OnProposal(Citation Citation, CorrectionProposal Proposal) : Anchor;
    }

    public static CommentAdded Add(Guid id, Guid documentId, Anchor anchor, string? body, string by, DateTimeOffset now, bool isPrivate = false)
    {
        var text = Body(body);
        var added = anchor switch
        {
            Anchor.OnHighlight { Highlight.Retracted: true } => throw RuleViolation.Conflict("The highlight has been retracted; it takes no new comments."),
            Anchor.OnHighlight h => new CommentAdded(id, documentId, h.Highlight.Id, null, null, null, text, by, now),
            Anchor.ReplyTo { Parent.Retracted: true } => throw RuleViolation.Conflict("The comment has been retracted; it takes no replies."),
            Anchor.ReplyTo r => new CommentAdded(id, documentId, null, r.Parent.Id, null, null, text, by, now),
            Anchor.OnRange r => new CommentAdded(id, documentId, null, null, r.Position, r.Quote, text, by, now),
            Anchor.OnProposal { Proposal.Status: ProposalStatus.Withdrawn } => throw RuleViolation.Conflict("The proposal has been withdrawn; it takes no new comments."),
            Anchor.OnProposal p => new CommentAdded(id, documentId, null, null, null, null, text, by, now, p.Citation.Id, p.Proposal.Id),
            _ => throw new ArgumentOutOfRangeException(nameof(anchor)),
        };
        return added with { Private = isPrivate };
    }

    public static CommentShared Share(Comment current, string by, DateTimeOffset now)
    {
        RequireLiveAndOwn(current, by, "share");
        return current.Private ? new CommentShared(current.Id, current.DocumentId, by, now) : throw RuleViolation.Conflict("The comment is already visible to the team.");
    }

    public static CommentEdited Edit(Comment current, string? body, string by, DateTimeOffset now)
    {
        RequireLiveAndOwn(current, by, "edit");
        return new CommentEdited(current.Id, current.DocumentId, Body(body), by, now);
    }

    /// <summary>The author retracts their comment; a reviewer may retract anyone's, moderating, with a reason.</summary>
    public static CommentRetracted Retract(Comment current, string by, DateTimeOffset now, Role role, string? reason)
    {
        if (current.Retracted) throw RuleViolation.Conflict("The comment has been retracted.");
        var trimmed = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (trimmed is { Length: > 1000 }) throw RuleViolation.BadRequest("The reason is longer than 1,000 characters.");
        if (current.Author == by) return new CommentRetracted(current.Id, current.DocumentId, by, now, trimmed);
        if (role < Role.Reviewer) throw RuleViolation.Forbidden("Only the comment's author, or a reviewer moderating, can retract it.");
        return trimmed is not null
            ? new CommentRetracted(current.Id, current.DocumentId, by, now, trimmed)
            : throw RuleViolation.BadRequest("Retracting someone else's comment needs a reason.");
    }

    /// <summary>Bodies are plain text kept verbatim; the limit counts code points.</summary>
    public static string Body(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) throw RuleViolation.BadRequest("The comment body is empty.");
        var length = CodePointText.CountCodePoints(body);
        return length <= MaxBody ? body : throw RuleViolation.BadRequest($"The comment body is {length:N0} characters long; the limit is {MaxBody:N0}.");
    }

    private static void RequireLiveAndOwn(Comment current, string by, string action)
    {
        if (current.Retracted) throw RuleViolation.Conflict("The comment has been retracted.");
        if (current.Author != by) throw RuleViolation.Forbidden($"Only the comment's author can {action} it.");
    }
}

public static class CommentEndpoints
{
    [WolverinePost("/documents/{documentId}/comments")]
    public static async Task<IResult> Add(Guid documentId, AddComment command, HttpContext http, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock, Access access)
    {
        var ct = http.RequestAborted;
        var document = await access.DocumentAsync(user, documentId, ct, Role.Annotator);
        var author = user.Author();
        var anchor = await ResolveAnchorAsync(session, document, command, author, ct);
        var isPrivate = Visibility.IsPrivate(command.Visibility);
        return await AnnotationWrites.CreateAsync<Comment>(session, http,
            AnnotationWrites.NewId(http, author, command.CommandId),
            id => CommentRules.Add(id, documentId, anchor, command.Body, author, clock.GetUtcNow(), isPrivate),
            existing => existing.DocumentId == documentId && existing.Body == command.Body,
            ct);
    }

    private static async Task<CommentRules.Anchor> ResolveAnchorAsync(IQuerySession session, Document document, AddComment c, string author, CancellationToken ct)
    {
        var kinds = (c.HighlightId.HasValue ? 1 : 0) + (c.ParentCommentId.HasValue ? 1 : 0) + (c.Start.HasValue || c.End.HasValue ? 1 : 0)
                    + (c.CitationId.HasValue || c.ProposalId.HasValue ? 1 : 0);
        if (kinds != 1)
            throw RuleViolation.BadRequest("A comment needs exactly one anchor: highlightId, parentCommentId, a range (start, end), or a correction proposal (citationId, proposalId).");

        if (c.CitationId.HasValue || c.ProposalId.HasValue)
        {
            if (c.CitationId is not { } citationId || c.ProposalId is not { } proposalId)
                throw RuleViolation.BadRequest("A comment on a correction proposal names both citationId and proposalId.");
            var citation = await session.LoadAsync<Citation>(citationId, ct);
            return citation is not null && citation.DocumentId == document.Id && citation.Proposal(proposalId) is { } proposal
                ? new CommentRules.Anchor.OnProposal(citation, proposal)
                : throw RuleViolation.Unprocessable($"Document {document.Id} has no citation {citationId} with a proposal {proposalId}.");
        }

        if (c.HighlightId is { } highlightId)
        {
            var highlight = await session.LoadAsync<Highlight>(highlightId, ct);
            return highlight is not null && highlight.DocumentId == document.Id && highlight.VisibleTo(author)
                ? new CommentRules.Anchor.OnHighlight(highlight)
                : throw RuleViolation.Unprocessable($"Document {document.Id} has no highlight {highlightId}.");
        }

        if (c.ParentCommentId is { } parentId)
        {
            var parent = await session.LoadAsync<Comment>(parentId, ct);
            return parent is not null && parent.DocumentId == document.Id && parent.VisibleTo(author)
                ? new CommentRules.Anchor.ReplyTo(parent)
                : throw RuleViolation.Unprocessable($"Document {document.Id} has no comment {parentId}.");
        }

        var (position, quote) = Anchoring.Anchor(document, c.Start, c.End, c.Exact);
        return new CommentRules.Anchor.OnRange(position, quote);
    }

    [WolverineGet("/comments/{id}")]
    public static Task<IResult> Get(Guid id, HttpContext http, IQuerySession session, Access access) =>
        AnnotationWrites.ReadAsync<Comment>(session, http, id, access, http.RequestAborted);

    [WolverinePatch("/comments/{id}")]
    public static Task<IResult> Edit(Guid id, EditComment command, HttpContext http, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock, Access access) =>
        AnnotationWrites.ChangeAsync<Comment>(session, http, id, access, Role.Annotator,
            current => CommentRules.Edit(current, command.Body, user.Author(), clock.GetUtcNow()), http.RequestAborted);

    /// <summary>Retracts a comment: its author, or a reviewer moderating with <c>?reason=</c>.</summary>
    [WolverineDelete("/comments/{id}")]
    public static async Task<IResult> Retract(Guid id, string? reason, HttpContext http, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock, Access access)
    {
        var comment = await AnnotationWrites.ReadableAsync<Comment>(session, user, id, access, http.RequestAborted);
        var role = await access.RoleAsync(user, (await access.DocumentAsync(user, comment.DocumentId, http.RequestAborted)).WorkspaceId, http.RequestAborted) ?? Role.Reader;
        return await AnnotationWrites.ChangeAsync<Comment>(session, http, id, access, Role.Annotator,
            current => CommentRules.Retract(current, user.Author(), clock.GetUtcNow(), role, reason), http.RequestAborted);
    }

    /// <summary>Makes a private comment visible to the team (its author only; never the other way).</summary>
    [WolverinePost("/comments/{id}/share")]
    public static Task<IResult> Share(Guid id, HttpContext http, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock, Access access) =>
        AnnotationWrites.ChangeAsync<Comment>(session, http, id, access, Role.Annotator,
            current => CommentRules.Share(current, user.Author(), clock.GetUtcNow()), http.RequestAborted);
}
