using System.Security.Claims;
using Annotations.Documents;
using Annotations.Identity;
using Annotations.Infrastructure;
using Annotations.Workspaces;
using Marten;
using Wolverine.Http;

namespace Annotations.Highlights;

public sealed record AddHighlight(int? Start, int? End, string? Exact, string? Color, string? Label, List<string>? Tags, string? CommandId,
    string? Visibility = null);

/// <summary>Fields left out stay as they are; an empty string clears a label or colour.</summary>
public sealed record RelabelHighlight(string? Color, string? Label, List<string>? Tags);

public static class HighlightRules
{
    public static HighlightAdded Add(Guid id, Document document, AddHighlight command, string by, DateTimeOffset now)
    {
        var (position, quote) = Anchoring.Anchor(document, command.Start, command.End, command.Exact);
        return new HighlightAdded(id, document.Id, position, quote,
            Labels.Color(command.Color), Labels.Label(command.Label), Labels.Tags(command.Tags), by, now, Visibility.IsPrivate(command.Visibility));
    }

    public static HighlightShared Share(Highlight current, string by, DateTimeOffset now)
    {
        RequireLiveAndOwn(current, by, "share");
        return current.Private ? new HighlightShared(current.Id, current.DocumentId, by, now) : throw RuleViolation.Conflict("The highlight is already visible to the team.");
    }

    public static HighlightRelabelled Relabel(Highlight current, RelabelHighlight command, string by, DateTimeOffset now)
    {
        RequireLiveAndOwn(current, by, "relabel");
        return new HighlightRelabelled(current.Id, current.DocumentId,
            command.Color is null ? current.Color : Labels.Color(command.Color),
            command.Label is null ? current.Label : Labels.Label(command.Label),
            command.Tags is null ? current.Tags : Labels.Tags(command.Tags),
            by, now);
    }

    public static HighlightRetracted Retract(Highlight current, string? reason, string by, DateTimeOffset now)
    {
        RequireLiveAndOwn(current, by, "retract");
        if (reason is { Length: > 1000 }) throw RuleViolation.BadRequest("The reason is longer than 1,000 characters.");
        return new HighlightRetracted(current.Id, current.DocumentId, string.IsNullOrWhiteSpace(reason) ? null : reason, by, now);
    }

    private static void RequireLiveAndOwn(Highlight current, string by, string action)
    {
        if (current.Retracted) throw RuleViolation.Conflict("The highlight has been retracted.");
        if (current.Author != by) throw RuleViolation.Forbidden($"Only the highlight's author can {action} it.");
    }
}

public static class HighlightEndpoints
{
    [WolverinePost("/documents/{documentId}/highlights")]
    public static async Task<IResult> Add(Guid documentId, AddHighlight command, HttpContext http, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock, Access access)
    {
        var document = await access.DocumentAsync(user, documentId, http.RequestAborted, Role.Annotator);
        var author = user.Author();
        return await AnnotationWrites.CreateAsync<Highlight>(session, http,
            AnnotationWrites.NewId(http, author, command.CommandId),
            id => HighlightRules.Add(id, document, command, author, clock.GetUtcNow()),
            existing => existing.DocumentId == documentId && existing.Position == new TextPosition(command.Start ?? -1, command.End ?? -1),
            http.RequestAborted);
    }

    [WolverineGet("/highlights/{id}")]
    public static Task<IResult> Get(Guid id, HttpContext http, IQuerySession session, Access access) =>
        AnnotationWrites.ReadAsync<Highlight>(session, http, id, access, http.RequestAborted);

    [WolverinePatch("/highlights/{id}")]
    public static Task<IResult> Relabel(Guid id, RelabelHighlight command, HttpContext http, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock, Access access) =>
        AnnotationWrites.ChangeAsync<Highlight>(session, http, id, access, Role.Annotator,
            current => HighlightRules.Relabel(current, command, user.Author(), clock.GetUtcNow()), http.RequestAborted);

    [WolverineDelete("/highlights/{id}")]
    public static Task<IResult> Retract(Guid id, string? reason, HttpContext http, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock, Access access) =>
        AnnotationWrites.ChangeAsync<Highlight>(session, http, id, access, Role.Annotator,
            current => HighlightRules.Retract(current, reason, user.Author(), clock.GetUtcNow()), http.RequestAborted);

    /// <summary>Makes a private highlight visible to the team (its author only; never the other way).</summary>
    [WolverinePost("/highlights/{id}/share")]
    public static Task<IResult> Share(Guid id, HttpContext http, IDocumentSession session, ClaimsPrincipal user, TimeProvider clock, Access access) =>
        AnnotationWrites.ChangeAsync<Highlight>(session, http, id, access, Role.Annotator,
            current => HighlightRules.Share(current, user.Author(), clock.GetUtcNow()), http.RequestAborted);
}
