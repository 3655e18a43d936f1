using System.Security.Claims;
using System.Text;
using Annotations.Comments;
using Annotations.Documents;
using Annotations.Identity;
using Annotations.Infrastructure;
using Annotations.Workspaces;
using Marten;
using Wolverine.Http;

namespace Annotations.Citations;

public sealed record ProposalView(
    Guid Id,
    string CorrectedText,
    CitationFields? Fields,
    string? Rationale,
    string ProposedBy,
    DateTimeOffset ProposedAt,
    DateTimeOffset ModifiedAt,
    int Revisions,
    ProposalStatus Status,
    string? DecidedBy,
    string? DecisionReason,
    DateTimeOffset? DecidedAt,
    IReadOnlyList<DiffSegment> Changes,
    IReadOnlyList<CommentThread> Comments);

public sealed record CitationView(
    Guid Id,
    int Number,
    CitationKind Kind,
    CitationCondition Condition,
    IReadOnlyList<TextPosition> Ranges,
    IReadOnlyList<TextPosition> Marks,
    string OriginalText,
    string CurrentText,
    bool Corrected,
    IReadOnlyList<string> Problems,
    ProposalView? AcceptedProposal,
    IReadOnlyList<ProposalView> OpenProposals,
    int Version);

public sealed record BibliographyEntry(int Number, CitationKind Kind, CitationCondition Condition, string Text, bool Corrected, IReadOnlyList<DiffSegment>? Changes);

public sealed record BibliographyView(Guid DocumentId, bool Corrected, IReadOnlyList<BibliographyEntry> Entries);

public static class CitationEndpoints
{
    [WolverineGet("/documents/{id}/citations")]
    public static async Task<IReadOnlyList<CitationView>> List(Guid id, IQuerySession session, ClaimsPrincipal user, Access access, CancellationToken ct)
    {
        await access.DocumentAsync(user, id, ct);
        var batch = session.CreateBatchQuery();
        var citations = batch.Query<Citation>().Where(c => c.DocumentId == id).ToList();
        var comments = batch.Query<Comment>().Where(c => c.DocumentId == id && c.CitationId != null).ToList();
        await batch.Execute(ct);

        var threads = ProposalThreads(Visible(await comments, user), Visible(await AllCommentsAsync(session, id, await comments, ct), user));
        return (await citations).OrderBy(c => c.Kind).ThenBy(c => c.Number).Select(c => View(c, threads)).ToList();
    }

    [WolverineGet("/citations/{id}")]
    public static async Task<IResult> Get(Guid id, HttpContext http, IQuerySession session, Access access)
    {
        var citation = await AnnotationWrites.ReadableAsync<Citation>(session, http.User, id, access, http.RequestAborted);
        AnnotationWrites.SetETag(http, citation.Version);
        return Results.Ok(await ViewAsync(session, citation, http.User, http.RequestAborted));
    }

    /// <summary>What every citation endpoint answers with: the citation, its proposals' diffs and their discussions.</summary>
    private static async Task<object> ViewAsync(IQuerySession session, Citation citation, ClaimsPrincipal user, CancellationToken ct)
    {
        var roots = Visible(await session.Query<Comment>().Where(c => c.CitationId == citation.Id).ToListAsync(ct), user);
        return View(citation, ProposalThreads(roots, Visible(await AllCommentsAsync(session, citation.DocumentId, roots, ct), user)));
    }

    private static IReadOnlyList<Comment> Visible(IReadOnlyList<Comment> comments, ClaimsPrincipal user) =>
        comments.Where(c => c.VisibleTo(user.Author())).ToList();

    private static Task<IResult> ChangeAsync(IDocumentSession session, HttpContext http, Access access, Role minimum, Guid id, Func<Citation, object> decide,
        Func<object, string>? createdAt = null) =>
        AnnotationWrites.ChangeAsync(session, http, id, access, minimum, decide, http.RequestAborted, createdAt, c => ViewAsync(session, c, http.User, http.RequestAborted));

    [WolverinePost("/citations/{id}/proposals")]
    public static async Task<IResult> Propose(Guid id, ProposeCorrection command, HttpContext http, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock, Access access)
    {
        var author = user.Author();
        var proposalId = AnnotationWrites.NewId(http, author, command.CommandId);
        if (proposalId.FromIdempotencyKey && await session.LoadAsync<Citation>(id, http.RequestAborted) is { } earlier && earlier.Proposal(proposalId.Value) is { } replayed)
        {
            if (replayed.ProposedBy != author || replayed.CorrectedText != command.CorrectedText?.Trim())
                throw RuleViolation.Unprocessable("This Idempotency-Key was already used for a different request.");
            AnnotationWrites.SetETag(http, earlier.Version);
            http.Response.Headers["Idempotent-Replayed"] = "true";
            return Results.Created($"/citations/{id}/proposals/{replayed.Id}", await ViewAsync(session, earlier, user, http.RequestAborted));
        }

        return await ChangeAsync(session, http, access, Role.Annotator, id,
            citation => CitationRules.Propose(citation, proposalId.Value, command, author, clock.GetUtcNow()),
            e => $"/citations/{id}/proposals/{((CitationCorrectionProposed)e).ProposalId}");
    }

    [WolverinePatch("/citations/{id}/proposals/{proposalId}")]
    public static Task<IResult> Revise(Guid id, Guid proposalId, ReviseCorrection command, HttpContext http, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock, Access access) =>
        ChangeAsync(session, http, access, Role.Annotator, id, citation => CitationRules.Revise(citation, proposalId, command, user.Author(), clock.GetUtcNow()));

    [WolverineDelete("/citations/{id}/proposals/{proposalId}")]
    public static Task<IResult> Withdraw(Guid id, Guid proposalId, HttpContext http, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock, Access access) =>
        ChangeAsync(session, http, access, Role.Annotator, id, citation => CitationRules.Withdraw(citation, proposalId, user.Author(), clock.GetUtcNow()));

    [WolverinePost("/citations/{id}/proposals/{proposalId}/accept")]
    public static Task<IResult> Accept(Guid id, Guid proposalId, DecideCorrection command, HttpContext http, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock, Access access) =>
        ChangeAsync(session, http, access, Role.Reviewer, id, citation => CitationRules.Accept(citation, proposalId, command, user.Author(), clock.GetUtcNow()));

    [WolverinePost("/citations/{id}/proposals/{proposalId}/reject")]
    public static Task<IResult> Reject(Guid id, Guid proposalId, DecideCorrection command, HttpContext http, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock, Access access) =>
        ChangeAsync(session, http, access, Role.Reviewer, id, citation => CitationRules.Reject(citation, proposalId, command, user.Author(), clock.GetUtcNow()));

    /// <summary>
    /// The document's reference list (its numbered bibliography, or its footnotes when it has none) as printed
    /// (<c>corrected=false</c>) or with accepted corrections applied (the default), as JSON or, with
    /// <c>format=text</c> or <c>Accept: text/plain</c>, as plain text.
    /// </summary>
    [WolverineGet("/documents/{id}/bibliography")]
    public static async Task<IResult> Bibliography(Guid id, HttpContext http, IQuerySession session, Access access)
    {
        var query = http.Request.Query;
        var corrected = query["corrected"].ToString() switch
        {
            "" or "true" => true,
            "false" => false,
            _ => throw RuleViolation.BadRequest("corrected must be true or false."),
        };
        var format = query["format"].ToString();
        if (format is not ("" or "json" or "text")) throw RuleViolation.BadRequest("format must be json or text.");
        var asText = format == "text" || format == "" && http.Request.Headers.Accept.ToString().Contains("text/plain", StringComparison.OrdinalIgnoreCase);

        await access.DocumentAsync(http.User, id, http.RequestAborted);
        var citations = await session.Query<Citation>().Where(c => c.DocumentId == id).ToListAsync(http.RequestAborted);
        var list = citations.Any(c => c.Kind == CitationKind.BibliographyEntry)
            ? citations.Where(c => c.Kind == CitationKind.BibliographyEntry)
            : citations.Where(c => c.Kind == CitationKind.Footnote);

        var entries = list.OrderBy(c => c.Number).Select(c =>
        {
            var changed = corrected && c.Accepted is not null;
            var text = changed ? c.CurrentText : c.OriginalText;
            return new BibliographyEntry(c.Number, c.Kind, c.Condition, text, changed, changed ? TextDiff.Compute(c.OriginalText, text) : null);
        }).ToList();

        if (!asText) return Results.Ok(new BibliographyView(id, corrected, entries));

        var plain = new StringBuilder();
        foreach (var e in entries)
            plain.Append(e.Number).Append(". ").Append(e.Text.Length > 0 ? e.Text.Replace("\n", " ") : "[missing]").Append('\n');
        return Results.Text(plain.ToString(), "text/plain; charset=utf-8");
    }

    private static CitationView View(Citation c, ILookup<Guid, CommentThread> threads) =>
        new(c.Id, c.Number, c.Kind, c.Condition, c.Ranges, c.Marks, c.OriginalText, c.CurrentText, c.Accepted is not null, c.Problems,
            c.Accepted is { } accepted ? ProposalView(c, accepted, threads) : null,
            c.Proposals.Where(p => p.Status == ProposalStatus.Open).Select(p => ProposalView(c, p, threads)).ToList(),
            c.Version);

    private static ProposalView ProposalView(Citation c, CorrectionProposal p, ILookup<Guid, CommentThread> threads) =>
        new(p.Id, p.CorrectedText, p.Fields, p.Rationale, p.ProposedBy, p.ProposedAt, p.ModifiedAt, p.Revisions, p.Status,
            p.DecidedBy, p.DecisionReason, p.DecidedAt, TextDiff.Compute(c.OriginalText, p.CorrectedText), threads[p.Id].ToList());

    /// <summary>Comment threads by the proposal they discuss.</summary>
    private static ILookup<Guid, CommentThread> ProposalThreads(IReadOnlyList<Comment> roots, IReadOnlyList<Comment> all)
    {
        var byId = AnnotationLayer.Threads(all).ToDictionary(t => t.Id);
        return roots.Where(r => byId.ContainsKey(r.Id)).ToLookup(r => r.ProposalId!.Value, r => byId[r.Id]);
    }

    /// <summary>The proposal comments and every reply below them.</summary>
    private static async Task<IReadOnlyList<Comment>> AllCommentsAsync(IQuerySession session, Guid documentId, IReadOnlyList<Comment> roots, CancellationToken ct)
    {
        if (roots.Count == 0) return roots;
        var replies = await session.Query<Comment>().Where(c => c.DocumentId == documentId && c.ParentCommentId != null).ToListAsync(ct);
        return [.. roots, .. replies];
    }
}
